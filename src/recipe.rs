//! A training recipe: several labeled CSV files mapped onto one label set.
//!
//! The default model is trained on public datasets whose label names differ
//! from ours (THUCNews `science`, Toutiao `world`, FinNL `politics` …) and on
//! the project's own corpus. A recipe is a CSV file that says, for each
//! source file and label column, which head it feeds and how each of its
//! labels maps onto that head's labels:
//!
//! ```text
//! source,column,head,from,to
//! news.csv,topic,topic,*,*
//! ../../shared/data/toutiao_titles/train.csv,label,topic,world,diplomacy
//! ../../shared/data/toutiao_titles/train.csv,label,topic,story,
//! ```
//!
//! - `source` is relative to the recipe's folder; `column` is a label column
//!   of that file; `head` is the model head it trains.
//! - `from` → `to` maps one source label; `*,*` keeps every label as it is;
//!   an empty `to` leaves that label out (its rows do not train the head).
//! - Every label a column holds must be mapped or left out explicitly: an
//!   unmapped label stops the build, so nothing is forced into a class or
//!   dropped by accident. Lines starting with `#` are comments.
//!
//! A row that is left out of every head is not used. The corpus hash covers
//! the recipe and every source file, so a model records exactly what made it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::corpus::{CorpusSpec, LabeledCorpus, Rejects, hex_sha256};
use crate::encoding::TextEncoding;
use crate::error::{Error, Result};

/// One rule of a recipe: a source column's label and the head label it becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Line of the recipe file.
    pub line: u64,
    /// The source file, as written in the recipe.
    pub source: String,
    /// The label column of the source.
    pub column: String,
    /// The head it trains.
    pub head: String,
    /// The source label, or `*` for every label.
    pub from: String,
    /// The head label; `*` keeps the source label; `None` leaves it out.
    pub to: Option<String>,
}

/// A parsed recipe file.
#[derive(Debug, Clone)]
pub struct Recipe {
    /// The recipe file, as named by the user.
    pub path: PathBuf,
    /// The rules, in file order.
    pub rules: Vec<Rule>,
    bytes: Vec<u8>,
}

/// What one source file contributed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceReport {
    /// The source, as written in the recipe.
    pub source: String,
    /// Data rows read.
    pub rows_read: usize,
    /// Rows that train at least one head.
    pub rows_used: usize,
    /// Rows whose labels were all left out by the recipe, per `column=label`.
    pub left_out: BTreeMap<String, usize>,
    /// Rows and labels the CSV reader skipped, with lines and reasons.
    pub rejects: Rejects,
}

/// A recipe's merged corpus and what each source gave.
#[derive(Debug, Clone)]
pub struct RecipeCorpus {
    /// The merged corpus: heads in the recipe's order, `source` the recipe path.
    pub corpus: LabeledCorpus,
    /// One report per source file, in the recipe's order.
    pub sources: Vec<SourceReport>,
}

const HEADER: [&str; 5] = ["source", "column", "head", "from", "to"];

impl Recipe {
    /// Reads and checks a recipe file.
    pub fn read(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Self::parse(path, bytes)
    }

    fn parse(path: &Path, bytes: Vec<u8>) -> Result<Self> {
        let name = path.display();
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .flexible(true)
            .from_reader(&bytes[..]);
        let header = reader
            .headers()
            .map_err(|e| Error::input(format!("{name}: {e}")))?
            .clone();
        if header.iter().map(str::trim).ne(HEADER) {
            return Err(Error::input(format!(
                "{name}:1: a recipe's header is `{}` (found `{}`)",
                HEADER.join(","),
                header.iter().collect::<Vec<_>>().join(",")
            )));
        }
        let mut rules: Vec<Rule> = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| Error::input(format!("{name}: {e}")))?;
            let line = record.position().map_or(0, |p| p.line());
            if record.len() != HEADER.len() {
                return Err(Error::input(format!(
                    "{name}:{line}: {} fields where a rule has 5 ({})",
                    record.len(),
                    HEADER.join(",")
                )));
            }
            let field = |i: usize| record[i].trim().to_string();
            let (source, column, head, from, to) =
                (field(0), field(1), field(2), field(3), field(4));
            if [&source, &column, &head, &from]
                .iter()
                .any(|f| f.is_empty())
            {
                return Err(Error::input(format!(
                    "{name}:{line}: source, column, head and from must not be empty"
                )));
            }
            if (from == "*") != (to == "*") {
                return Err(Error::input(format!(
                    "{name}:{line}: `*` maps every label to itself, so it stands in both \
                     'from' and 'to' or in neither"
                )));
            }
            let clash = rules.iter().find(|r| {
                r.source == source && r.column == column && r.head == head && r.from == from
            });
            if let Some(earlier) = clash {
                return Err(Error::input(format!(
                    "{name}:{line}: label '{from}' of {source} column '{column}' is already \
                     mapped for head '{head}' on line {}",
                    earlier.line
                )));
            }
            let head_fed_twice = rules
                .iter()
                .find(|r| r.source == source && r.head == head && r.column != column);
            if let Some(earlier) = head_fed_twice {
                return Err(Error::input(format!(
                    "{name}:{line}: head '{head}' already takes {source} column '{}' (line {}); \
                     one column per source and head",
                    earlier.column, earlier.line
                )));
            }
            rules.push(Rule {
                line,
                source,
                column,
                head,
                from,
                to: Some(to).filter(|t| !t.is_empty()),
            });
        }
        if rules.is_empty() {
            return Err(Error::input(format!("{name}: the recipe has no rules")));
        }
        Ok(Recipe {
            path: path.to_path_buf(),
            rules,
            bytes,
        })
    }

    /// The heads, in order of first appearance.
    pub fn heads(&self) -> Vec<String> {
        let mut heads: Vec<String> = Vec::new();
        for r in &self.rules {
            if !heads.contains(&r.head) {
                heads.push(r.head.clone());
            }
        }
        heads
    }

    /// The source files, in order of first appearance.
    pub fn sources(&self) -> Vec<String> {
        let mut sources: Vec<String> = Vec::new();
        for r in &self.rules {
            if !sources.contains(&r.source) {
                sources.push(r.source.clone());
            }
        }
        sources
    }

    /// Where a source file is: relative to the recipe's folder.
    pub fn source_path(&self, source: &str) -> PathBuf {
        self.path.parent().unwrap_or(Path::new("")).join(source)
    }

    /// Reads every source and merges them into one corpus with the recipe's heads.
    pub fn build(&self, text_col: &str, encoding: TextEncoding) -> Result<RecipeCorpus> {
        let heads = self.heads();
        let mut merged = LabeledCorpus {
            source: self.path.display().to_string(),
            sha256: String::new(),
            texts: Vec::new(),
            lines: Vec::new(),
            heads: heads.clone(),
            labels: vec![Vec::new(); heads.len()],
            rows_read: 0,
            rejects: Rejects::default(),
        };
        // The recipe's bytes, then each source's SHA-256: one hash for all.
        let mut hashed = self.bytes.clone();
        let mut reports = Vec::new();
        for source in self.sources() {
            let rules: Vec<&Rule> = self.rules.iter().filter(|r| r.source == source).collect();
            let mut columns: Vec<String> = Vec::new();
            for r in &rules {
                if !columns.contains(&r.column) {
                    columns.push(r.column.clone());
                }
            }
            let path = self.source_path(&source);
            let spec = CorpusSpec {
                text_col: text_col.to_string(),
                label_cols: columns.clone(),
                encoding,
            };
            let corpus = LabeledCorpus::read(&path, &spec)?;
            hashed.extend_from_slice(corpus.sha256.as_bytes());
            let mapping = Mapping::new(self, &source, &columns, &heads, &corpus)?;
            let mut report = SourceReport {
                source: source.clone(),
                rows_read: corpus.rows_read,
                rows_used: 0,
                left_out: BTreeMap::new(),
                rejects: corpus.rejects.clone(),
            };
            for (i, text) in corpus.texts.into_iter().enumerate() {
                let row: Vec<Option<&str>> =
                    corpus.labels.iter().map(|col| col[i].as_deref()).collect();
                let labels = mapping.apply(&row);
                if labels.iter().all(Option::is_none) {
                    let key = columns
                        .iter()
                        .zip(&row)
                        .filter_map(|(c, l)| l.map(|l| format!("{c}={l}")))
                        .collect::<Vec<_>>()
                        .join(" ");
                    *report.left_out.entry(key).or_insert(0) += 1;
                    continue;
                }
                report.rows_used += 1;
                merged.texts.push(text);
                merged.lines.push(corpus.lines[i]);
                for (h, label) in labels.into_iter().enumerate() {
                    merged.labels[h].push(label);
                }
            }
            merged.rows_read += report.rows_read;
            reports.push(report);
        }
        merged.sha256 = hex_sha256(&hashed);
        for report in &reports {
            merged.rejects.extend(report.rejects.clone());
        }
        if merged.texts.is_empty() {
            return Err(Error::input(format!(
                "{}: the recipe's sources give no labeled rows",
                merged.source
            )));
        }
        Ok(RecipeCorpus {
            corpus: merged,
            sources: reports,
        })
    }
}

/// Source label → head label (`None`: left out).
type LabelMap = BTreeMap<String, Option<String>>;

/// The rules of one source, indexed by column and head.
struct Mapping {
    /// `per_column[c]`: for each head fed by column `c`, its label map
    /// (`None` for `*`, the identity).
    per_column: Vec<Vec<(usize, Option<LabelMap>)>>,
    n_heads: usize,
}

impl Mapping {
    fn new(
        recipe: &Recipe,
        source: &str,
        columns: &[String],
        heads: &[String],
        corpus: &LabeledCorpus,
    ) -> Result<Self> {
        let mut per_column = Vec::new();
        for (c, column) in columns.iter().enumerate() {
            let mut targets = Vec::new();
            for (h, head) in heads.iter().enumerate() {
                let rules: Vec<&Rule> = recipe
                    .rules
                    .iter()
                    .filter(|r| r.source == source && &r.column == column && &r.head == head)
                    .collect();
                if rules.is_empty() {
                    continue;
                }
                if rules.iter().any(|r| r.from == "*") {
                    targets.push((h, None));
                    continue;
                }
                let map: LabelMap = rules
                    .iter()
                    .map(|r| (r.from.clone(), r.to.clone()))
                    .collect();
                let seen: BTreeMap<&str, usize> = corpus.class_counts(c);
                let unmapped: Vec<String> = seen
                    .iter()
                    .filter(|(label, _)| !map.contains_key(**label))
                    .map(|(label, n)| format!("'{label}' ({n} rows)"))
                    .collect();
                if !unmapped.is_empty() {
                    return Err(Error::input(format!(
                        "{}: {source} column '{column}' has labels the recipe does not map for \
                         head '{head}': {}; add a rule for each (an empty 'to' leaves a label out)",
                        recipe.path.display(),
                        unmapped.join(", ")
                    )));
                }
                targets.push((h, Some(map)));
            }
            per_column.push(targets);
        }
        Ok(Mapping {
            per_column,
            n_heads: heads.len(),
        })
    }

    /// The head labels of one row, from its source labels (one per column).
    fn apply(&self, row: &[Option<&str>]) -> Vec<Option<String>> {
        let mut out = vec![None; self.n_heads];
        for (targets, label) in self.per_column.iter().zip(row) {
            let Some(label) = label else { continue };
            for (h, map) in targets {
                out[*h] = match map {
                    None => Some(label.to_string()),
                    Some(map) => map.get(*label).cloned().flatten(),
                };
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recipe(text: &str) -> Result<Recipe> {
        Recipe::parse(Path::new("dir/r.csv"), text.as_bytes().to_vec())
    }

    #[test]
    fn rules_parse_with_comments_and_sources_resolve_beside_the_recipe() {
        let r = recipe(
            "source,column,head,from,to\n# a comment\na.csv,label,topic,world,diplomacy\n\
             a.csv,label,topic,story,\nb.csv,tone,sentiment,*,*\n",
        )
        .unwrap();
        assert_eq!(r.rules.len(), 3);
        assert_eq!(r.rules[1].to, None);
        assert_eq!(r.heads(), ["topic", "sentiment"]);
        assert_eq!(r.sources(), ["a.csv", "b.csv"]);
        assert_eq!(r.source_path("a.csv"), Path::new("dir/a.csv"));
    }

    #[test]
    fn malformed_recipes_are_refused_with_their_line() {
        let cases = [
            ("text,label\n", "header"),
            ("source,column,head,from,to\n", "no rules"),
            (
                "source,column,head,from,to\na.csv,label,topic,x\n",
                ":2: 4 fields",
            ),
            (
                "source,column,head,from,to\na.csv,label,topic,*,sports\n",
                ":2: `*`",
            ),
            (
                "source,column,head,from,to\na.csv,label,topic,x,y\na.csv,label,topic,x,z\n",
                ":3: label 'x'",
            ),
            (
                "source,column,head,from,to\na.csv,l1,topic,x,y\na.csv,l2,topic,z,y\n",
                ":3: head 'topic' already takes",
            ),
        ];
        for (text, expected) in cases {
            let err = recipe(text).unwrap_err().to_string();
            assert!(err.contains(expected), "{text:?}: {err}");
        }
    }

    #[test]
    fn mapping_renames_leaves_out_and_keeps_identity() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("a.csv"),
            "text,label\n甲,world\n乙,story\n丙,world\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("b.csv"),
            "text,topic,tone\n丁,energy,negative\n戊,energy,\n",
        )
        .unwrap();
        let path = dir.path().join("r.csv");
        std::fs::write(
            &path,
            "source,column,head,from,to\na.csv,label,topic,world,diplomacy\na.csv,label,topic,story,\n\
             b.csv,topic,topic,*,*\nb.csv,tone,sentiment,*,*\n",
        )
        .unwrap();
        let built = Recipe::read(&path)
            .unwrap()
            .build("text", TextEncoding::Utf8)
            .unwrap();
        let c = &built.corpus;
        assert_eq!(c.texts, ["甲", "丙", "丁", "戊"]);
        assert_eq!(c.heads, ["topic", "sentiment"]);
        let topic: Vec<Option<&str>> = c.labels[0].iter().map(|l| l.as_deref()).collect();
        assert_eq!(
            topic,
            [
                Some("diplomacy"),
                Some("diplomacy"),
                Some("energy"),
                Some("energy")
            ]
        );
        let tone: Vec<Option<&str>> = c.labels[1].iter().map(|l| l.as_deref()).collect();
        assert_eq!(tone, [None, None, Some("negative"), None]);
        assert_eq!(built.sources[0].rows_used, 2);
        assert_eq!(built.sources[0].left_out["label=story"], 1);
        assert_eq!(c.rows_read, 5);
        assert_eq!(c.sha256.len(), 64);
    }

    #[test]
    fn an_unmapped_label_stops_the_build_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.csv"), "text,label\n甲,world\n乙,car\n").unwrap();
        let path = dir.path().join("r.csv");
        std::fs::write(
            &path,
            "source,column,head,from,to\na.csv,label,topic,world,diplomacy\n",
        )
        .unwrap();
        let err = Recipe::read(&path)
            .unwrap()
            .build("text", TextEncoding::Utf8)
            .unwrap_err()
            .to_string();
        assert!(err.contains("'car' (1 rows)"), "{err}");
    }
}
