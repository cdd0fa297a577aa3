//! Reading labeled CSV files into a [`LabeledCorpus`]: header lookup, row
//! validation, class counts and the SHA-256 of the bytes read, in memory or
//! in chunks ([`CorpusChunks`]).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::data::{CsvTable, MultiLineRows, RejectReason, Rejects, Row, multi_line_error};
use crate::error::{Error, Result};
use crate::text::TextEncoding;

/// Which columns of a CSV hold the text and the labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusSpec {
    /// The text column.
    pub text_col: String,
    /// The label columns, one classifier head each.
    pub label_cols: Vec<String>,
    /// The file's encoding.
    pub encoding: TextEncoding,
}

impl CorpusSpec {
    /// Checks the choice of columns before any file is opened: at least one
    /// label column, none named twice, and none that is the text column.
    pub fn validate(&self) -> Result<()> {
        if self.label_cols.is_empty() {
            return Err(Error::param("at least one label column is needed"));
        }
        for (i, label) in self.label_cols.iter().enumerate() {
            if *label == self.text_col {
                return Err(Error::param(format!(
                    "--label-col '{label}' is the text column (--text-col {}): a label column \
                     holds each row's class, not its text; pass the column that holds the \
                     labels to --label-col",
                    self.text_col
                )));
            }
            if self.label_cols[..i].contains(label) {
                return Err(Error::param(format!(
                    "--label-col '{label}' is given more than once"
                )));
            }
        }
        Ok(())
    }
}

impl Default for CorpusSpec {
    fn default() -> Self {
        CorpusSpec {
            text_col: "text".into(),
            label_cols: vec!["label".into()],
            encoding: TextEncoding::Utf8,
        }
    }
}

/// Texts with one label column per head, read from a CSV file.
#[derive(Debug, Clone)]
pub struct LabeledCorpus {
    /// Where the rows came from.
    pub source: String,
    /// SHA-256 of the file's bytes, in hex (as `sha256sum` prints it).
    pub sha256: String,
    /// The texts of the rows kept.
    pub texts: Vec<String>,
    /// The line each kept row starts on.
    pub lines: Vec<u64>,
    /// The label column names.
    pub heads: Vec<String>,
    /// `labels[h][i]`: row `i`'s label for head `h`, `None` when missing.
    pub labels: Vec<Vec<Option<String>>>,
    /// Rows read from the file (kept and skipped).
    pub rows_read: usize,
    /// Rows and labels skipped, with reasons.
    pub rejects: Rejects,
    /// Rows spanning several lines (whether used or skipped for another
    /// reason; a row of the wrong width is an unbalanced quote in `rejects`).
    pub multi_line: MultiLineRows,
}

impl LabeledCorpus {
    /// Reads `path` with the columns of `spec`.
    pub fn read(path: &Path, spec: &CorpusSpec) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Self::from_bytes(&path.display().to_string(), &bytes, spec)
    }

    /// Parses CSV bytes; `source` names them in messages.
    pub fn from_bytes(source: &str, bytes: &[u8], spec: &CorpusSpec) -> Result<Self> {
        let mut chunks = CorpusChunks::new(source, bytes, spec)?;
        let mut corpus = chunks.next_chunk(usize::MAX)?;
        corpus.sha256 = hex_sha256(bytes);
        corpus.check_usable()?;
        Ok(corpus)
    }

    /// A corpus from rows held in memory (for library callers and the Python
    /// binding): each row is its text followed by one label per head of
    /// `heads`. Rows are checked as CSV rows are (fields trimmed; an empty
    /// text, or an empty label, is skipped and recorded in `rejects`), with the
    /// row's 1-based position standing for its line. `sha256` is that of the
    /// rows written as CSV under the header `text,<heads>`.
    pub fn from_rows<I>(source: &str, heads: &[String], rows: I) -> Result<Self>
    where
        I: IntoIterator<Item = Vec<String>>,
    {
        if heads.is_empty() {
            return Err(Error::param("at least one label column is needed"));
        }
        if let Some(dup) = heads
            .iter()
            .find(|h| heads.iter().filter(|x| x == h).count() > 1)
        {
            return Err(Error::param(format!(
                "label column '{dup}' is given more than once"
            )));
        }
        let mut corpus = Self::clone_header_of(source, heads);
        let mut hasher = Sha256::new();
        let mut csv_row = |fields: &[&str]| -> Result<()> {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(fields)
                .map_err(|e| Error::input(format!("{source}: {e}")))?;
            let bytes = w
                .into_inner()
                .map_err(|e| Error::input(format!("{source}: {e}")))?;
            hasher.update(&bytes);
            Ok(())
        };
        let header: Vec<&str> = std::iter::once("text")
            .chain(heads.iter().map(String::as_str))
            .collect();
        csv_row(&header)?;
        for (i, fields) in rows.into_iter().enumerate() {
            let line = i as u64 + 1;
            if fields.len() != heads.len() + 1 {
                return Err(Error::input(format!(
                    "{source}: row {line} has {} fields; expected the text and {} label(s)",
                    fields.len(),
                    heads.len()
                )));
            }
            let as_str: Vec<&str> = fields.iter().map(String::as_str).collect();
            csv_row(&as_str)?;
            corpus.rows_read += 1;
            corpus.add_row(Row {
                line,
                last_line: line,
                fields: Ok(fields.iter().map(|f| f.trim().to_string()).collect()),
            });
        }
        corpus.sha256 = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if corpus.rows_read == 0 {
            return Err(Error::input(format!("{source}: no rows to train on")));
        }
        corpus.check_usable()?;
        Ok(corpus)
    }

    /// An error when the file had no data rows, or none that can be used.
    pub fn check_usable(&self) -> Result<()> {
        if self.rows_read == 0 {
            return Err(Error::input(format!(
                "{}: the file has a header but no data rows",
                self.source
            )));
        }
        if self.texts.is_empty() {
            return Err(Error::input(format!(
                "{}: none of the {} rows can be used:\n  {}",
                self.source,
                self.rows_read,
                self.rejects.summary(10).join("\n  ")
            )));
        }
        Ok(())
    }

    fn add_row(&mut self, row: Row) {
        // A row of the wrong width is reported as an unbalanced quote instead.
        let unbalanced = matches!(row.fields, Err(RejectReason::UnbalancedQuote { .. }));
        if row.last_line > row.line && !unbalanced {
            self.multi_line.push(row.line, row.last_line);
        }
        let fields = match row.fields {
            Ok(f) => f,
            Err(reason) => {
                self.rejects.push(row.line, reason, true);
                return;
            }
        };
        let mut fields = fields.into_iter();
        let text = fields.next().unwrap_or_default();
        if text.is_empty() {
            self.rejects.push(row.line, RejectReason::EmptyText, true);
            return;
        }
        let labels: Vec<Option<String>> =
            fields.map(|l| Some(l).filter(|l| !l.is_empty())).collect();
        let all_missing = labels.iter().all(Option::is_none);
        for (head, label) in self.heads.iter().zip(&labels) {
            if label.is_none() {
                let reason = RejectReason::EmptyLabel {
                    column: head.clone(),
                };
                self.rejects.push(row.line, reason, all_missing);
            }
        }
        if all_missing {
            return;
        }
        self.texts.push(text);
        self.lines.push(row.line);
        for (h, label) in labels.into_iter().enumerate() {
            self.labels[h].push(label);
        }
    }

    /// Number of rows kept.
    pub fn len(&self) -> usize {
        self.texts.len()
    }

    /// Whether no rows were kept.
    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    /// Labels of one column that differ only in letter case (`Sports` and
    /// `sports`), one message each. They are kept as different classes:
    /// surrounding spaces are trimmed when reading, but case may be meaningful.
    pub fn case_clashes(&self) -> Vec<String> {
        let counts: Vec<BTreeMap<String, usize>> = (0..self.heads.len())
            .map(|h| {
                self.class_counts(h)
                    .into_iter()
                    .map(|(l, n)| (l.to_string(), n))
                    .collect()
            })
            .collect();
        case_clashes(&self.heads, &counts)
    }

    /// A corpus with the source and label columns of `self` and no rows.
    pub(crate) fn clone_header(&self) -> LabeledCorpus {
        Self::clone_header_of(&self.source, &self.heads)
    }

    /// A corpus of `source` with label columns `heads` and no rows.
    pub(crate) fn clone_header_of(source: &str, heads: &[String]) -> LabeledCorpus {
        LabeledCorpus {
            source: source.to_string(),
            sha256: String::new(),
            texts: Vec::new(),
            lines: Vec::new(),
            heads: heads.to_vec(),
            labels: vec![Vec::new(); heads.len()],
            rows_read: 0,
            rejects: Rejects::default(),
            multi_line: MultiLineRows::default(),
        }
    }

    /// For `--strict`: an error naming the first row skipped (or label not
    /// used) or spanning several lines, whichever comes first in the file.
    pub fn ensure_clean_rows(&self) -> Result<()> {
        let reject = self.rejects.entries().first();
        let span = self.multi_line.spans().first();
        match (reject, span) {
            (Some(first), span) if span.is_none_or(|&(line, _)| first.line <= line) => {
                Err(Error::input(format!(
                    "{}:{}: {} (--strict stops at the first row that would be skipped; \
                     {} in all)",
                    self.source,
                    first.line,
                    first.reason,
                    self.rejects.entries().len()
                )))
            }
            (_, Some(&(first, last))) => Err(multi_line_error(
                &self.source,
                first,
                last,
                Some(self.multi_line.count()),
            )),
            _ => Ok(()),
        }
    }

    /// For `--strict`: an error naming the first row skipped or spanning
    /// several lines (see [`LabeledCorpus::ensure_clean_rows`]), or the first
    /// labels differing only in case.
    pub fn ensure_clean(&self) -> Result<()> {
        self.ensure_clean_rows()?;
        if let Some(clash) = self.case_clashes().into_iter().next() {
            return Err(Error::input(format!("{}: {clash} (--strict)", self.source)));
        }
        Ok(())
    }

    /// Rows per label of head `h`, sorted by label.
    pub fn class_counts(&self, h: usize) -> BTreeMap<&str, usize> {
        let mut counts = BTreeMap::new();
        for label in self.labels[h].iter().flatten() {
            *counts.entry(label.as_str()).or_insert(0) += 1;
        }
        counts
    }
}

/// Labels that differ only in letter case, one message per group, from the
/// label counts of each head.
pub fn case_clashes(heads: &[String], counts: &[BTreeMap<String, usize>]) -> Vec<String> {
    let mut out = Vec::new();
    for (name, counts) in heads.iter().zip(counts) {
        let mut groups: BTreeMap<String, Vec<(&str, usize)>> = BTreeMap::new();
        for (label, &n) in counts {
            groups
                .entry(label.to_lowercase())
                .or_default()
                .push((label, n));
        }
        for group in groups.values().filter(|g| g.len() > 1) {
            let list: Vec<String> = group
                .iter()
                .map(|(l, n)| format!("'{l}' ({n} rows)"))
                .collect();
            out.push(format!(
                "column '{name}': labels {} differ only in case and are kept as different \
                 classes; make them one spelling if they mean the same",
                list.join(" and ")
            ));
        }
    }
    out
}

/// A labeled CSV read a chunk of rows at a time, so that a file of any size
/// can be evaluated in bounded memory.
pub struct CorpusChunks<R: Read> {
    source: String,
    table: CsvTable<R>,
    columns: Vec<usize>,
    heads: Vec<String>,
}

impl<R: Read> CorpusChunks<R> {
    /// Reads the header of `reader` and finds the columns of `spec`.
    pub fn new(source: &str, reader: R, spec: &CorpusSpec) -> Result<Self> {
        spec.validate()?;
        let table = CsvTable::with_encoding(source, reader, spec.encoding)?;
        let mut columns = vec![table.column(&spec.text_col, "--text-col")?];
        for label in &spec.label_cols {
            columns.push(table.column(label, "--label-col")?);
        }
        Ok(CorpusChunks {
            source: source.to_string(),
            table,
            columns,
            heads: spec.label_cols.clone(),
        })
    }

    /// The next rows, at most `max_rows` of them read (kept or skipped);
    /// an empty chunk (`rows_read == 0`) at the end of the file. Line numbers
    /// and reasons of skipped rows are the file's. The chunk's `sha256` is empty.
    pub fn next_chunk(&mut self, max_rows: usize) -> Result<LabeledCorpus> {
        let mut corpus = LabeledCorpus {
            source: self.source.clone(),
            sha256: String::new(),
            texts: Vec::new(),
            lines: Vec::new(),
            heads: self.heads.clone(),
            labels: vec![Vec::new(); self.heads.len()],
            rows_read: 0,
            rejects: Rejects::default(),
            multi_line: MultiLineRows::default(),
        };
        while corpus.rows_read < max_rows {
            let Some(row) = self.table.next_row(&self.columns) else {
                break;
            };
            corpus.rows_read += 1;
            corpus.add_row(row?);
        }
        Ok(corpus)
    }
}

/// SHA-256 of `bytes` as lower-case hex.
pub fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::SPANS_LISTED;

    fn spec(labels: &[&str]) -> CorpusSpec {
        CorpusSpec {
            text_col: "text".into(),
            label_cols: labels.iter().map(|s| s.to_string()).collect(),
            encoding: TextEncoding::Utf8,
        }
    }

    #[test]
    fn reads_rows_and_reports_every_skip_with_its_line() {
        let csv = "\u{feff}text,label\n油价上涨,energy\n,energy\n球赛,\n\"多行\n文本\",sports\n坏,行,多\n";
        let c = LabeledCorpus::from_bytes("t.csv", csv.as_bytes(), &spec(&["label"])).unwrap();
        assert_eq!(c.texts, vec!["油价上涨", "多行\n文本"]);
        assert_eq!(c.lines, vec![2, 5]);
        assert_eq!(c.rows_read, 5);
        assert_eq!(c.rejects.rows_dropped(), 3);
        let lines: Vec<u64> = c.rejects.entries().iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![3, 4, 7]);
        let summary = c.rejects.summary(10).join("\n");
        assert!(
            summary.contains("empty text: 1 × row skipped (line 3)"),
            "{summary}"
        );
        assert!(summary.contains("malformed row: 3 fields"), "{summary}");
        // The row on lines 5-6 is used, and reported.
        assert_eq!(c.multi_line.count(), 1);
        assert_eq!(c.multi_line.spans(), [(5, 6)]);
        let e = c.ensure_clean_rows().unwrap_err().to_string();
        assert!(e.starts_with("t.csv:3: empty text"), "{e}");
    }

    #[test]
    fn rows_spanning_lines_are_counted_with_their_spans_and_stop_strict() {
        // CRLF line ends, a blank line after a row, and a quote never closed.
        let csv = "text,label\r\n\"一\r\n二\",a\r\n\r\n\"三\n\n四\",b\nok,a\n\"五,b\n六,a\n\n";
        let c = LabeledCorpus::from_bytes("m.csv", csv.as_bytes(), &spec(&["label"])).unwrap();
        assert_eq!(c.lines, vec![2, 5, 8]);
        assert_eq!(c.multi_line.spans(), [(2, 3), (5, 7)]);
        assert_eq!(
            c.rejects.entries()[0].reason,
            RejectReason::UnbalancedQuote { last_line: 10 }
        );
        let e = c.ensure_clean_rows().unwrap_err().to_string();
        assert!(
            e.starts_with("m.csv:2-3: this row spans lines 2 to 3") && e.ends_with("; 2 in all)"),
            "{e}"
        );
        let warning = c.multi_line.warning();
        assert!(warning[0].starts_with("warning: 2 rows span several lines"));
        assert_eq!(warning[1], "lines 2-3, 5-7");
        // Only the first spans are kept; the count goes on.
        let mut many = MultiLineRows::default();
        for i in 0..(SPANS_LISTED as u64 + 3) {
            many.push(10 * i, 10 * i + 1);
        }
        let mut more = MultiLineRows::default();
        more.push(500, 502);
        many.extend(more);
        assert_eq!(many.count(), SPANS_LISTED + 4);
        assert_eq!(many.spans().len(), SPANS_LISTED);
        assert!(many.warning()[1].ends_with("90-91, … 4 more"));
    }

    #[test]
    fn rows_in_memory_are_checked_like_csv_rows() {
        let heads = vec!["topic".to_string(), "sentiment".to_string()];
        let row = |t: &str, a: &str, b: &str| vec![t.to_string(), a.to_string(), b.to_string()];
        let rows = vec![
            row(" 油价上涨 ", "energy", "positive"),
            row("", "energy", "neutral"),
            row("球赛", " sports ", ""),
            row("新闻", "", ""),
        ];
        let c = LabeledCorpus::from_rows("<memory>", &heads, rows.clone()).unwrap();
        assert_eq!(c.texts, vec!["油价上涨", "球赛"]);
        assert_eq!(c.lines, vec![1, 3]);
        assert_eq!(
            c.labels[0],
            vec![Some("energy".into()), Some("sports".into())]
        );
        assert_eq!(c.labels[1], vec![Some("positive".into()), None]);
        assert_eq!((c.rows_read, c.rejects.rows_dropped()), (4, 2));
        // The same rows as a CSV file: the same hash.
        let csv = "text,topic,sentiment\n 油价上涨 ,energy,positive\n,energy,neutral\n球赛, sports ,\n新闻,,\n";
        assert_eq!(c.sha256, hex_sha256(csv.as_bytes()));
        let short = vec![vec!["油价".to_string(), "energy".to_string()]];
        let err = LabeledCorpus::from_rows("<memory>", &heads, short).unwrap_err();
        assert!(err.to_string().contains("row 1 has 2 fields"), "{err}");
        let err = LabeledCorpus::from_rows("<memory>", &heads, Vec::new()).unwrap_err();
        assert!(err.to_string().contains("no rows"), "{err}");
    }

    #[test]
    fn a_row_missing_one_of_two_labels_serves_the_other_head() {
        let csv = "text,topic,sentiment\n油价上涨,energy,\n球赛,sports,positive\n";
        let c = LabeledCorpus::from_bytes("t.csv", csv.as_bytes(), &spec(&["topic", "sentiment"]))
            .unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c.labels[1], vec![None, Some("positive".into())]);
        assert_eq!(c.rejects.rows_dropped(), 0);
        assert_eq!(c.rejects.entries().len(), 1);
    }

    #[test]
    fn header_problems_are_errors_naming_the_file() {
        let err = |text: &[u8], labels: &[&str]| {
            LabeledCorpus::from_bytes("d.csv", text, &spec(labels))
                .unwrap_err()
                .to_string()
        };
        assert!(err(b"", &["label"]).contains("d.csv: the file is empty"));
        assert!(err(b"text,label\n", &["label"]).contains("no data rows"));
        let e = err(b"text,labl\na,b\n", &["label"]);
        assert!(
            e.contains("d.csv:1: no column 'label'") && e.contains("text, labl"),
            "{e}"
        );
        assert!(err(b"text,label,label\na,b,c\n", &["label"]).contains("appears 2 times"));
        assert!(err(b"te\xffxt,label\n", &["label"]).contains("not valid UTF-8"));
        assert!(err(b"text,label\n,x\n", &["label"]).contains("none of the 1 rows"));
    }

    #[test]
    fn undecodable_rows_are_skipped_but_a_gbk_file_is_refused() {
        // Binary garbage: skipped and reported.
        let c = LabeledCorpus::from_bytes(
            "g.csv",
            b"text,label\n\xff\xfe\x80,a\nok,b\n",
            &spec(&["label"]),
        )
        .unwrap();
        assert_eq!(c.len(), 1);
        assert!(c.rejects.summary(5)[0].contains("not valid UTF-8 (binary"));
        assert!(c.rejects.summary(5)[0].contains("line 2"));
        // "中国" in GBK as the first text: the file is GBK, stop and say so.
        let gbk = b"text,label\n\xd6\xd0\xb9\xfa,a\nok,b\n";
        let e = LabeledCorpus::from_bytes("g.csv", gbk, &spec(&["label"]))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("g.csv:2, column 'text'") && e.contains("--encoding gb18030"),
            "{e}"
        );
        // After UTF-8 Chinese text, a GBK row is a mixed file: skipped.
        let mixed = "text,label\n中国,a\n"
            .as_bytes()
            .iter()
            .copied()
            .chain(*b"\xd6\xd0\xb9\xfa,b\n");
        let c = LabeledCorpus::from_bytes("m.csv", &mixed.collect::<Vec<u8>>(), &spec(&["label"]))
            .unwrap();
        assert_eq!(c.len(), 1);
        assert!(
            c.rejects.summary(5)[0].contains("mixes encodings"),
            "{:?}",
            c.rejects.summary(5)
        );
    }

    #[test]
    fn a_label_column_must_not_be_the_text_column_or_named_twice() {
        let e = |labels: &[&str]| {
            LabeledCorpus::from_bytes("d.csv", b"text,label\na,b\n", &spec(labels))
                .unwrap_err()
                .to_string()
        };
        assert!(
            e(&["label", "text"])
                .starts_with("invalid setting: --label-col 'text' is the text column"),
            "{}",
            e(&["text"])
        );
        assert!(e(&["label", "label"]).contains("--label-col 'label' is given more than once"));
        assert!(e(&[]).contains("at least one label column"));
    }

    #[test]
    fn hash_matches_sha256sum() {
        assert_eq!(
            hex_sha256(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
