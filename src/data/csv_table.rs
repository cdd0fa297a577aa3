//! A CSV file read row by row: the header, the requested columns, the
//! declared encoding, and each row's first and last line as an editor shows
//! them (LF, CRLF or a lone CR).

use std::io::{BufRead, BufReader, Read};

use csv::ByteRecord;

use crate::data::{Counting, LineIndex, RejectReason};
use crate::error::{Error, Result};
use crate::text::TextEncoding;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A CSV file with a header, read row by row.
pub struct CsvTable<R: Read> {
    path: String,
    reader: csv::Reader<BufReader<Counting<R>>>,
    lines: LineIndex,
    /// Bytes before the CSV data proper (a byte-order mark).
    skipped: u64,
    header: Vec<String>,
    record: ByteRecord,
    encoding: TextEncoding,
    /// Whether a field with non-ASCII text has been decoded (then a field in
    /// another encoding means a file of mixed encodings, not a mislabelled one).
    seen_text: bool,
}

impl<R: Read> CsvTable<R> {
    /// Reads the header of a UTF-8 `reader`; `path` names the source in messages.
    pub fn new(path: &str, reader: R) -> Result<Self> {
        Self::with_encoding(path, reader, TextEncoding::Utf8)
    }

    /// Reads the header of `reader`, in `encoding`.
    pub fn with_encoding(path: &str, reader: R, encoding: TextEncoding) -> Result<Self> {
        let (counting, lines) = Counting::new(reader);
        let mut buffered = BufReader::new(counting);
        let start = buffered.fill_buf().map_err(|e| Error::io(path, e))?;
        let mut skipped = 0;
        if encoding == TextEncoding::Utf8 && start.starts_with(UTF8_BOM) {
            buffered.consume(UTF8_BOM.len());
            skipped = UTF8_BOM.len() as u64;
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(buffered);
        let mut record = ByteRecord::new();
        let has_header = reader
            .read_byte_record(&mut record)
            .map_err(|e| csv_error(path, e))?;
        if !has_header {
            return Err(Error::input(format!(
                "{path}: the file is empty; expected a header line such as `text,label` \
                 followed by one row per document"
            )));
        }
        let mut header = Vec::with_capacity(record.len());
        for (i, field) in record.iter().enumerate() {
            let name = encoding.decode(field).ok_or_else(|| {
                Error::input(format!(
                    "{path}:1, column {}: the header is {}",
                    i + 1,
                    encoding.invalid_message(field)
                ))
            })?;
            header.push(name.trim().to_string());
        }
        Ok(CsvTable {
            path: path.to_string(),
            reader,
            lines,
            skipped,
            header,
            record,
            encoding,
            seen_text: false,
        })
    }

    /// The column names.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The position of column `name`; `flag` is the option that chose it, for
    /// the message when it is missing or ambiguous.
    pub fn column(&self, name: &str, flag: &str) -> Result<usize> {
        let found: Vec<usize> = (0..self.header.len())
            .filter(|&i| self.header[i] == name)
            .collect();
        match found.as_slice() {
            [i] => Ok(*i),
            [] => Err(Error::input(format!(
                "{}:1: no column '{name}' in the header (columns: {}); name the right one with {flag}",
                self.path,
                self.header.join(", ")
            ))),
            several => Err(Error::input(format!(
                "{}:1: column '{name}' appears {} times in the header (columns {}); rename the duplicates",
                self.path,
                several.len(),
                several
                    .iter()
                    .map(|i| (i + 1).to_string())
                    .collect::<Vec<_>>()
                    .join(" and ")
            ))),
        }
    }

    /// Reads the next row and decodes the fields at `columns` (trimmed).
    /// Returns `None` at the end of the file.
    pub fn next_row(&mut self, columns: &[usize]) -> Option<Result<Row>> {
        // Blank lines inside the data are no rows at all: read past them (in a
        // loop: a file of a million blank lines must not recurse).
        loop {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => return None,
                Err(e) => return Some(Err(csv_error(&self.path, e))),
                Ok(true)
                    if self.record.len() == 1
                        && self.header.len() != 1
                        && self.record[0].iter().all(u8::is_ascii_whitespace) => {}
                Ok(true) => return self.current_row(columns),
            }
        }
    }

    /// Decodes the record just read.
    fn current_row(&mut self, columns: &[usize]) -> Option<Result<Row>> {
        let start = self.record.position().map_or(0, |p| p.byte());
        let line = self.lines.line_at(self.skipped + start);
        // Line ends inside a field can only come from a quoted field: then
        // the row ends on a later line than it starts.
        let bytes = self.record.as_slice();
        let quoted_line_break = bytes.contains(&b'\n') || bytes.contains(&b'\r');
        let last_line = if quoted_line_break {
            // The reader stands after the row (and its terminator).
            self.lines
                .line_before(self.skipped + self.reader.position().byte())
                .max(line)
        } else {
            line
        };
        if self.record.len() != self.header.len() {
            // (Also when the quote opened on the last line runs to the end of
            // the file: it swallowed only the line end.)
            let reason = if quoted_line_break {
                RejectReason::UnbalancedQuote { last_line }
            } else {
                RejectReason::FieldCount {
                    expected: self.header.len(),
                    found: self.record.len(),
                }
            };
            return Some(Ok(Row {
                line,
                last_line,
                fields: Err(reason),
            }));
        }
        let mut fields = Vec::with_capacity(columns.len());
        for &c in columns {
            let bytes = &self.record[c];
            match self.encoding.decode(bytes) {
                Some(s) => {
                    self.seen_text |= !s.is_ascii();
                    fields.push(s.trim().to_string());
                }
                None if !self.seen_text && self.encoding.other_encoding_fits(bytes) => {
                    // A file in the other encoding: every row would fail; stop at the first.
                    return Some(Err(Error::input(format!(
                        "{}:{line}, column '{}': {}",
                        self.path,
                        self.header[c],
                        self.encoding.invalid_message(bytes)
                    ))));
                }
                None => {
                    let message = if self.encoding.other_encoding_fits(bytes) {
                        format!(
                            "not {}: the file mixes encodings; convert this row",
                            self.encoding
                        )
                    } else {
                        self.encoding.invalid_message(bytes)
                    };
                    return Some(Ok(Row {
                        line,
                        last_line,
                        fields: Err(RejectReason::BadEncoding {
                            column: self.header[c].clone(),
                            message,
                        }),
                    }));
                }
            }
        }
        Some(Ok(Row {
            line,
            last_line,
            fields: Ok(fields),
        }))
    }
}

fn csv_error(path: &str, e: csv::Error) -> Error {
    let at = e
        .position()
        .map(|p| format!(":{}", p.line()))
        .unwrap_or_default();
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(path, io),
        other => Error::input(format!("{path}{at}: {other:?}")),
    }
}

/// One data row: its lines and either its decoded fields or why it is unusable.
#[derive(Debug)]
pub struct Row {
    /// Line where the row starts.
    pub line: u64,
    /// Line where the row ends: later than `line` when a quoted field holds
    /// line breaks.
    pub last_line: u64,
    /// The requested fields, trimmed, or the reason the row cannot be used.
    pub fields: std::result::Result<Vec<String>, RejectReason>,
}
