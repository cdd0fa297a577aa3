//! The rows that could not be used, and why: every skipped row is counted and
//! reported with its line, never dropped silently. Rows whose quoted field
//! spans several lines are listed by line span ([`MultiLineRows`]).

use std::collections::BTreeMap;
use std::fmt;

use crate::error::Error;

/// Why a row (or one label of a row) was not used.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum RejectReason {
    /// The text column is empty or only whitespace.
    EmptyText,
    /// A label column is empty or only whitespace.
    EmptyLabel {
        /// The label column.
        column: String,
    },
    /// The row has a different number of fields than the header.
    FieldCount {
        /// Fields in the header.
        expected: usize,
        /// Fields in this row.
        found: usize,
    },
    /// A field is not valid in the file's encoding.
    BadEncoding {
        /// The column.
        column: String,
        /// What is wrong, and what to do.
        message: String,
    },
    /// A row that spans several lines and has the wrong number of fields: a
    /// quote opened and never closed (or closed late) swallowed those lines.
    UnbalancedQuote {
        /// The last line the row reached.
        last_line: u64,
    },
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RejectReason::EmptyText => write!(f, "empty text"),
            RejectReason::EmptyLabel { column } => write!(f, "empty label in column '{column}'"),
            RejectReason::FieldCount { expected, found } => write!(
                f,
                "malformed row: {found} fields where the header has {expected} \
                 (an unquoted comma or quote?)"
            ),
            RejectReason::BadEncoding { column, message } => {
                write!(f, "column '{column}' is {message}")
            }
            RejectReason::UnbalancedQuote { last_line } => write!(
                f,
                "unbalanced quote: a quote opened here is never closed (or closes late), \
                 so every line up to {last_line} was read as this one malformed row; \
                 fix the quoting"
            ),
        }
    }
}

/// A row that was not used, or a label that was missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// Line of the file where the row starts (the header is line 1).
    pub line: u64,
    /// The reason.
    pub reason: RejectReason,
    /// `true` when the whole row was dropped; `false` when only one label was
    /// missing and the row still serves the other label columns.
    pub row_dropped: bool,
}

/// Every row skipped while reading a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rejects {
    entries: Vec<Reject>,
}

impl Rejects {
    /// Records a skipped row or label.
    pub fn push(&mut self, line: u64, reason: RejectReason, row_dropped: bool) {
        self.entries.push(Reject {
            line,
            reason,
            row_dropped,
        });
    }

    /// All entries in file order.
    pub fn entries(&self) -> &[Reject] {
        &self.entries
    }

    /// Number of rows dropped entirely.
    pub fn rows_dropped(&self) -> usize {
        let mut lines: Vec<u64> = self
            .entries
            .iter()
            .filter(|r| r.row_dropped)
            .map(|r| r.line)
            .collect();
        lines.dedup();
        lines.len()
    }

    /// Whether nothing was skipped.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Appends the entries of `later` (read after these).
    pub fn extend(&mut self, later: Rejects) {
        self.entries.extend(later.entries);
    }

    /// One line per reason: `reason: N rows (lines 3, 9, …)`, listing at most
    /// `max_lines` line numbers per reason.
    pub fn summary(&self, max_lines: usize) -> Vec<String> {
        let mut by_reason: BTreeMap<(&RejectReason, bool), Vec<u64>> = BTreeMap::new();
        for r in &self.entries {
            by_reason
                .entry((&r.reason, r.row_dropped))
                .or_default()
                .push(r.line);
        }
        by_reason
            .into_iter()
            .map(|((reason, dropped), lines)| {
                let shown: Vec<String> = lines.iter().take(max_lines).map(u64::to_string).collect();
                let more = if lines.len() > max_lines {
                    format!(", … {} more", lines.len() - max_lines)
                } else {
                    String::new()
                };
                let what = if dropped {
                    "row skipped"
                } else {
                    "label not used"
                };
                format!(
                    "{reason}: {} × {what} (line{} {}{more})",
                    lines.len(),
                    if lines.len() == 1 { "" } else { "s" },
                    shown.join(", ")
                )
            })
            .collect()
    }
}

/// Line spans of [`MultiLineRows`] listed in full; later ones are only counted.
pub const SPANS_LISTED: usize = 10;

/// Rows that span several lines of the file because a quoted field holds line
/// breaks. Such rows are used (a text may have paragraphs) but reported: a
/// quote left open by mistake, closed by the next quote further down, merges
/// every line in between into one row in just this way. Keeps the count and
/// the first [`SPANS_LISTED`] spans, so memory stays bounded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MultiLineRows {
    count: usize,
    first: Vec<(u64, u64)>,
}

impl MultiLineRows {
    /// Records a row on lines `first_line` to `last_line`.
    pub fn push(&mut self, first_line: u64, last_line: u64) {
        self.count += 1;
        if self.first.len() < SPANS_LISTED {
            self.first.push((first_line, last_line));
        }
    }

    /// Appends the rows of `later` (read after these).
    pub fn extend(&mut self, later: MultiLineRows) {
        for &(a, b) in &later.first {
            self.push(a, b);
        }
        self.count += later.count - later.first.len();
    }

    /// Number of such rows.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The first line spans, in file order (at most [`SPANS_LISTED`]).
    pub fn spans(&self) -> &[(u64, u64)] {
        &self.first
    }

    /// The warning: one summary line, then the line spans (`lines 3-5,
    /// 9-14, … 12 more`). Empty when there are no such rows.
    pub fn warning(&self) -> Vec<String> {
        if self.count == 0 {
            return Vec::new();
        }
        let spans: Vec<String> = self.first.iter().map(|(a, b)| format!("{a}-{b}")).collect();
        let more = if self.count > self.first.len() {
            format!(", … {} more", self.count - self.first.len())
        } else {
            String::new()
        };
        let summary = if self.count == 1 {
            "1 row spans several lines (a quoted field with line breaks), used as read: \
             right for a text with paragraphs; otherwise the quote opened on its first line \
             closes too late"
                .to_string()
        } else {
            format!(
                "{} rows span several lines (quoted fields with line breaks), used as read: \
                 right for texts with paragraphs; otherwise a quote opened on the first line \
                 of a span closes too late",
                self.count
            )
        };
        vec![
            format!("warning: {summary}: fix it there (--strict stops at such rows)"),
            format!("lines {}{more}", spans.join(", ")),
        ]
    }
}

/// For `--strict`: the error for a row on lines `first_line` to `last_line`
/// of `source`; `in_all` is how many such rows were found, when known.
pub fn multi_line_error(
    source: &str,
    first_line: u64,
    last_line: u64,
    in_all: Option<usize>,
) -> Error {
    let in_all = in_all.map_or(String::new(), |n| format!("; {n} in all"));
    Error::input(format!(
        "{source}:{first_line}-{last_line}: this row spans lines {first_line} to {last_line} \
         (a quoted field with line breaks): close the quote opened on line {first_line} where \
         the field should end, or drop --strict if the text really has line breaks \
         (--strict stops at the first row that spans several lines{in_all})"
    ))
}
