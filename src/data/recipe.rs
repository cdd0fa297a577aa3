//! A training recipe: several labeled CSV files mapped onto one label set.
//!
//! The default model is trained on public datasets whose label names differ
//! from ours (THUCNews `science`, Toutiao `world`, FinNL `politics` …) and on
//! the project's own corpus. A recipe is a CSV file that says, for each
//! source file and label column, which head it feeds and how each of its
//! labels maps onto that head's labels:
//!
//! ```text
//! source,column,head,from,to,repeat,unless
//! news.csv,topic,topic,*,*
//! ../../shared/data/toutiao_titles/train.csv,label,topic,world,diplomacy
//! ../../shared/data/toutiao_titles/train.csv,label,topic,story,
//! ../../shared/data/toutiao_titles/train.csv,label,topic,finance,economy,,energy_terms.txt
//! ../../shared/data/finnl/train.csv,label,topic,energy,energy,2
//! ```
//!
//! - `source` is relative to the recipe's folder; `column` is a label column
//!   of that file; `head` is the model head it trains.
//! - `from` → `to` maps one source label; `*,*` keeps every label as it is;
//!   an empty `to` leaves that label out (its rows do not train the head).
//! - `repeat` (optional, default 1): each row the rule maps counts that many
//!   times for that head (a class weight for a class that public data has
//!   too little of); the copies train no other head.
//! - `unless` (optional): a file of terms, one per line, beside the recipe; a
//!   row whose text contains one of them is left out of that rule (for source
//!   labels that mix in another class, such as finance news about oil).
//! - Every label a column holds must be mapped or left out explicitly: an
//!   unmapped label stops the build, so nothing is forced into a class or
//!   dropped by accident. Lines starting with `#` are comments.
//!
//! A row that is left out of every head is not used. The corpus hash covers
//! the recipe and every source file, so a model records exactly what made it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::data::{CorpusSpec, LabeledCorpus, MultiLineRows, Rejects, hex_sha256};
use crate::error::{Error, Result};
use crate::text::TextEncoding;

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
    /// How many times each mapped row counts for the head.
    pub repeat: usize,
    /// Terms that leave a row out of this rule, read from the `unless` file.
    pub unless: Vec<String>,
}

/// A parsed recipe file.
#[derive(Debug, Clone)]
pub struct Recipe {
    /// The recipe file, as named by the user.
    pub path: PathBuf,
    /// The rules, in file order.
    pub rules: Vec<Rule>,
    /// The recipe's bytes, then those of each `unless` file (for the corpus hash).
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
    /// Rows whose quoted text spans several lines.
    pub multi_line: MultiLineRows,
}

/// A recipe's merged corpus and what each source gave.
#[derive(Debug, Clone)]
pub struct RecipeCorpus {
    /// The merged corpus: heads in the recipe's order, `source` the recipe path.
    pub corpus: LabeledCorpus,
    /// One report per source file, in the recipe's order.
    pub sources: Vec<SourceReport>,
}

const HEADER: [&str; 7] = ["source", "column", "head", "from", "to", "repeat", "unless"];

/// The largest `repeat` a rule may ask for.
const MAX_REPEAT: usize = 100;

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
        let names: Vec<&str> = header.iter().map(str::trim).collect();
        if !(5..=HEADER.len()).contains(&names.len()) || names != HEADER[..names.len()] {
            return Err(Error::input(format!(
                "{name}:1: a recipe's header is `{}` (`repeat,unless` optional; found `{}`)",
                HEADER.join(","),
                header.iter().collect::<Vec<_>>().join(",")
            )));
        }
        let mut rules: Vec<Rule> = Vec::new();
        let mut term_files: BTreeMap<String, (Vec<String>, Vec<u8>)> = BTreeMap::new();
        for record in reader.records() {
            let record = record.map_err(|e| Error::input(format!("{name}: {e}")))?;
            let line = record.position().map_or(0, |p| p.line());
            if !(5..=HEADER.len()).contains(&record.len()) {
                return Err(Error::input(format!(
                    "{name}:{line}: {} fields where a rule has 5 to 7 ({})",
                    record.len(),
                    HEADER.join(",")
                )));
            }
            let field = |i: usize| record.get(i).unwrap_or("").trim().to_string();
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
            let repeat = match field(5).as_str() {
                "" => 1,
                r => r
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=MAX_REPEAT).contains(n))
                    .ok_or_else(|| {
                        Error::input(format!(
                            "{name}:{line}: repeat '{r}' is not a whole number from 1 to {MAX_REPEAT}"
                        ))
                    })?,
            };
            let unless = match field(6).as_str() {
                "" => Vec::new(),
                file => {
                    if !term_files.contains_key(file) {
                        let at = path.parent().unwrap_or(Path::new("")).join(file);
                        term_files.insert(file.to_string(), read_terms(&at)?);
                    }
                    term_files[file].0.clone()
                }
            };
            rules.push(Rule {
                line,
                source,
                column,
                head,
                from,
                to: Some(to).filter(|t| !t.is_empty()),
                repeat,
                unless,
            });
        }
        if rules.is_empty() {
            return Err(Error::input(format!("{name}: the recipe has no rules")));
        }
        let mut bytes = bytes;
        for (_, file_bytes) in term_files.into_values() {
            bytes.extend_from_slice(&file_bytes);
        }
        Ok(Recipe {
            path: path.to_path_buf(),
            rules,
            bytes,
        })
    }

    /// The heads, in order of first appearance.
    pub fn heads(&self) -> Vec<String> {
        first_seen(self.rules.iter().map(|r| &r.head))
    }

    /// The source files, in order of first appearance.
    pub fn sources(&self) -> Vec<String> {
        first_seen(self.rules.iter().map(|r| &r.source))
    }

    /// Where a source file is: relative to the recipe's folder.
    pub fn source_path(&self, source: &str) -> PathBuf {
        self.path.parent().unwrap_or(Path::new("")).join(source)
    }

    /// Reads every source and merges them into one corpus with the recipe's
    /// heads; with `strict`, a source row that would be skipped is an error.
    pub fn build(
        &self,
        text_col: &str,
        encoding: TextEncoding,
        strict: bool,
    ) -> Result<RecipeCorpus> {
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
            multi_line: MultiLineRows::default(),
        };
        // The recipe's and its term files' bytes, then each source's SHA-256:
        // one hash for all.
        let mut hashed = self.bytes.clone();
        let mut reports = Vec::new();
        for source in self.sources() {
            let rules: Vec<&Rule> = self.rules.iter().filter(|r| r.source == source).collect();
            let columns = first_seen(rules.iter().map(|r| &r.column));
            let path = self.source_path(&source);
            let spec = CorpusSpec {
                text_col: text_col.to_string(),
                label_cols: columns.clone(),
                encoding,
            };
            let mut corpus = LabeledCorpus::read(&path, &spec)?;
            if strict {
                corpus.ensure_clean()?;
            }
            hashed.extend_from_slice(corpus.sha256.as_bytes());
            let mapping = Mapping::new(self, &source, &columns, &heads, &corpus)?;
            let mut report = SourceReport {
                source: source.clone(),
                rows_read: corpus.rows_read,
                rows_used: 0,
                left_out: BTreeMap::new(),
                rejects: std::mem::take(&mut corpus.rejects),
                multi_line: std::mem::take(&mut corpus.multi_line),
            };
            for (i, text) in corpus.texts.into_iter().enumerate() {
                let row: Vec<Option<&str>> =
                    corpus.labels.iter().map(|col| col[i].as_deref()).collect();
                let (labels, by_terms) = mapping.apply(&row, &text);
                if labels.iter().all(|(l, _)| l.is_none()) {
                    let mut key = columns
                        .iter()
                        .zip(&row)
                        .filter_map(|(c, l)| l.map(|l| format!("{c}={l}")))
                        .collect::<Vec<_>>()
                        .join(" ");
                    if by_terms {
                        key.push_str(" (unless terms)");
                    }
                    *report.left_out.entry(key).or_insert(0) += 1;
                    continue;
                }
                report.rows_used += 1;
                // Copy k > 0 of a row trains only the heads that repeat it.
                let copies = labels.iter().filter(|l| l.0.is_some()).map(|l| l.1).max();
                for k in 0..copies.unwrap_or(1) {
                    merged.texts.push(text.clone());
                    merged.lines.push(corpus.lines[i]);
                    for (h, (label, repeat)) in labels.iter().enumerate() {
                        merged.labels[h].push(label.clone().filter(|_| k < *repeat));
                    }
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

/// What one rule does to the rows it matches.
#[derive(Debug, Clone)]
struct Target {
    /// The head label (`None` with `identity`: the source label itself).
    to: Option<String>,
    identity: bool,
    repeat: usize,
    unless: Vec<String>,
}

impl Target {
    fn of(rule: &Rule) -> Self {
        Target {
            identity: rule.from == "*",
            to: rule.to.clone().filter(|t| t != "*"),
            repeat: rule.repeat,
            unless: rule.unless.clone(),
        }
    }

    /// The head label of a row with source label `label`.
    fn label(&self, label: &str) -> Option<String> {
        if self.identity {
            Some(label.to_string())
        } else {
            self.to.clone()
        }
    }
}

/// The rules of one source column for one head.
#[derive(Debug, Clone)]
enum ColumnRules {
    /// `*,*`: every label as it is.
    Identity(Target),
    /// One target per source label.
    Labels(BTreeMap<String, Target>),
}

/// The rules of one source, indexed by column and head.
struct Mapping {
    /// `per_column[c]`: each head fed by column `c`, with its rules.
    per_column: Vec<Vec<(usize, ColumnRules)>>,
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
                if let Some(all) = rules.iter().find(|r| r.from == "*") {
                    targets.push((h, ColumnRules::Identity(Target::of(all))));
                    continue;
                }
                let map: BTreeMap<String, Target> = rules
                    .iter()
                    .map(|r| (r.from.clone(), Target::of(r)))
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
                targets.push((h, ColumnRules::Labels(map)));
            }
            per_column.push(targets);
        }
        Ok(Mapping {
            per_column,
            n_heads: heads.len(),
        })
    }

    /// The head labels of one row, each with how many times it counts, from
    /// the row's source labels (one per column) and its text; and whether an
    /// `unless` term left a label out.
    fn apply(&self, row: &[Option<&str>], text: &str) -> (Vec<(Option<String>, usize)>, bool) {
        let mut out = vec![(None, 1); self.n_heads];
        let mut by_terms = false;
        for (targets, label) in self.per_column.iter().zip(row) {
            let Some(label) = label else { continue };
            for (h, rules) in targets {
                let target = match rules {
                    ColumnRules::Identity(t) => Some(t),
                    ColumnRules::Labels(map) => map.get(*label),
                };
                if let Some(t) = target {
                    let hit = t.unless.iter().any(|term| text.contains(term.as_str()));
                    by_terms |= hit;
                    out[*h] = (if hit { None } else { t.label(label) }, t.repeat);
                }
            }
        }
        (out, by_terms)
    }
}

/// The distinct items, in order of first appearance.
fn first_seen<'a>(items: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        if !out.contains(item) {
            out.push(item.clone());
        }
    }
    out
}

/// The terms of an `unless` file (one per line, blank lines and `#` comments
/// skipped) and the file's bytes.
fn read_terms(path: &Path) -> Result<(Vec<String>, Vec<u8>)> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let text = String::from_utf8_lossy(&bytes);
    let terms: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect();
    if terms.is_empty() {
        return Err(Error::input(format!(
            "{}: no terms (one per line)",
            path.display()
        )));
    }
    Ok((terms, bytes))
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

    /// Writes `files` (name, contents) into a temporary folder beside the
    /// recipe `r.csv` and builds it.
    fn build(recipe: &str, files: &[(&str, &str)]) -> Result<RecipeCorpus> {
        let dir = tempfile::tempdir().unwrap();
        for (name, contents) in files {
            std::fs::write(dir.path().join(name), contents).unwrap();
        }
        let path = dir.path().join("r.csv");
        std::fs::write(&path, recipe).unwrap();
        Recipe::read(&path)?.build("text", TextEncoding::Utf8, false)
    }

    /// Head `h`'s labels of every row.
    fn labels(c: &LabeledCorpus, h: usize) -> Vec<Option<&str>> {
        c.labels[h].iter().map(|l| l.as_deref()).collect()
    }

    #[test]
    fn mapping_renames_leaves_out_and_keeps_identity() {
        let built = build(
            "source,column,head,from,to\na.csv,label,topic,world,diplomacy\na.csv,label,topic,story,\n\
             b.csv,topic,topic,*,*\nb.csv,tone,sentiment,*,*\n",
            &[
                ("a.csv", "text,label\n甲,world\n乙,story\n丙,world\n"),
                ("b.csv", "text,topic,tone\n丁,energy,negative\n戊,energy,\n"),
            ],
        )
        .unwrap();
        let c = &built.corpus;
        assert_eq!(c.texts, ["甲", "丙", "丁", "戊"]);
        assert_eq!(c.heads, ["topic", "sentiment"]);
        let topic = labels(c, 0);
        assert_eq!(
            topic,
            [
                Some("diplomacy"),
                Some("diplomacy"),
                Some("energy"),
                Some("energy")
            ]
        );
        assert_eq!(labels(c, 1), [None, None, Some("negative"), None]);
        assert_eq!(built.sources[0].rows_used, 2);
        assert_eq!(built.sources[0].left_out["label=story"], 1);
        assert_eq!(c.rows_read, 5);
        assert_eq!(c.sha256.len(), 64);
    }

    #[test]
    fn repeat_counts_a_row_again_for_its_head_only_and_unless_terms_leave_rows_out() {
        let built = build(
            "source,column,head,from,to,repeat,unless\na.csv,topic,topic,finance,economy,,terms.txt\n\
             a.csv,topic,topic,energy,energy,3\na.csv,tone,sentiment,*,*\n",
            &[
                (
                    "a.csv",
                    "text,topic,tone\n国际油价上涨,finance,\n股市收涨,finance,\n风电场并网,energy,positive\n",
                ),
                ("terms.txt", "# energy\n油价\n\n"),
            ],
        )
        .unwrap();
        let c = &built.corpus;
        assert_eq!(
            c.texts,
            ["股市收涨", "风电场并网", "风电场并网", "风电场并网"]
        );
        assert_eq!(
            labels(c, 0),
            [
                Some("economy"),
                Some("energy"),
                Some("energy"),
                Some("energy")
            ]
        );
        assert_eq!(labels(c, 1), [None, Some("positive"), None, None]);
        assert_eq!(built.sources[0].left_out["topic=finance (unless terms)"], 1);
        assert_eq!(built.sources[0].rows_used, 2);
        let bad = "source,column,head,from,to,repeat\na.csv,topic,topic,x,y,0\n";
        let err = recipe(bad).unwrap_err().to_string();
        assert!(err.contains(":2: repeat '0'"), "{err}");
    }

    #[test]
    fn an_unmapped_label_stops_the_build_naming_it() {
        let err = build(
            "source,column,head,from,to\na.csv,label,topic,world,diplomacy\n",
            &[("a.csv", "text,label\n甲,world\n乙,car\n")],
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("'car' (1 rows)"), "{err}");
    }
}
