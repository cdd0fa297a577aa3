//! Documents to classify: command-line texts, a text file (one document per
//! line), a CSV file (its text column), standard input, or a newspaper page
//! split into articles. Files are read incrementally.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::data::{CsvTable, RejectReason};
use crate::error::{Error, Result};
use crate::text::TextEncoding;
use crate::text::split_page;

/// One document to classify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Position: the argument number, the line in the file, or the article number.
    pub id: u64,
    /// The article title (for page sections).
    pub title: Option<String>,
    /// The article's sub-headings (for page sections).
    pub subheadings: Vec<String>,
    /// The text.
    pub text: String,
}

/// An item read from the input: a document, or an input row that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A document.
    Doc(Document),
    /// A row skipped, with its line and reason.
    Skipped {
        /// The line.
        line: u64,
        /// Why.
        reason: RejectReason,
    },
    /// The CSV row read next (a document or a skipped row, which follows
    /// this item) spans several lines: a quoted field holds line breaks.
    MultiLine {
        /// The line the row starts on.
        line: u64,
        /// The line it ends on.
        last_line: u64,
    },
}

/// Where documents come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Texts given directly.
    Texts(Vec<String>),
    /// A file: `.csv` files are read as CSV, anything else one document per line.
    File(PathBuf),
    /// Standard input, one document per line.
    Stdin,
}

impl Source {
    /// The name used in messages.
    pub fn name(&self) -> String {
        match self {
            Source::Texts(_) => "<arguments>".into(),
            Source::File(p) => p.display().to_string(),
            Source::Stdin => "<stdin>".into(),
        }
    }

    fn open(&self) -> Result<Box<dyn Read + Send>> {
        match self {
            Source::Texts(_) => unreachable!("texts are not opened"),
            Source::File(p) => Ok(Box::new(File::open(p).map_err(|e| Error::io(p, e))?)),
            Source::Stdin => Ok(Box::new(std::io::stdin())),
        }
    }

    fn is_csv(&self) -> bool {
        matches!(self, Source::File(p) if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")))
    }
}

/// Opens `source` as a stream of items. `text_col` names the CSV text column;
/// with `sections`, the whole input is one page split into articles. Files and
/// standard input are decoded from `encoding`.
pub fn read_documents(
    source: &Source,
    text_col: &str,
    sections: bool,
    encoding: TextEncoding,
) -> Result<Box<dyn Iterator<Item = Result<Item>> + Send>> {
    if sections {
        let page = match source {
            Source::Texts(texts) => texts.join("\n"),
            _ => {
                let mut bytes = Vec::new();
                source
                    .open()?
                    .read_to_end(&mut bytes)
                    .map_err(|e| Error::io(source.name(), e))?;
                let body = match encoding {
                    TextEncoding::Utf8 => bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes),
                    _ => &bytes,
                };
                match encoding.decode(body) {
                    Some(text) => text.into_owned(),
                    None => {
                        let line = first_bad_line(body, encoding);
                        return Err(Error::input(format!(
                            "{}:{line}: {}",
                            source.name(),
                            encoding.invalid_message(body)
                        )));
                    }
                }
            }
        };
        let docs: Vec<Result<Item>> = split_page(&page)
            .sections
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                Ok(Item::Doc(Document {
                    id: i as u64 + 1,
                    text: s.text(),
                    title: Some(s.title.clone()),
                    subheadings: s.subheadings,
                }))
            })
            .collect();
        if docs.is_empty() {
            return Err(Error::input(format!(
                "{}: no article found; with --sections each article must start with a `# heading` line",
                source.name()
            )));
        }
        return Ok(Box::new(docs.into_iter()));
    }
    match source {
        Source::Texts(texts) => Ok(Box::new(texts.clone().into_iter().enumerate().map(
            |(i, text)| {
                let id = i as u64 + 1;
                Ok(if text.trim().is_empty() {
                    Item::Skipped {
                        line: id,
                        reason: RejectReason::EmptyText,
                    }
                } else {
                    Item::Doc(Document {
                        id,
                        title: None,
                        subheadings: Vec::new(),
                        text,
                    })
                })
            },
        ))),
        _ if source.is_csv() => {
            let mut table = CsvTable::with_encoding(&source.name(), source.open()?, encoding)?;
            let col = table.column(text_col, "--text-col")?;
            // The row after a `MultiLine` item.
            let mut pending: Option<Item> = None;
            Ok(Box::new(std::iter::from_fn(move || {
                if let Some(item) = pending.take() {
                    return Some(Ok(item));
                }
                table.next_row(&[col]).map(|row| {
                    let row = row?;
                    let unbalanced =
                        matches!(row.fields, Err(RejectReason::UnbalancedQuote { .. }));
                    let spans =
                        (row.last_line > row.line && !unbalanced).then_some(Item::MultiLine {
                            line: row.line,
                            last_line: row.last_line,
                        });
                    let item = match row.fields {
                        Ok(mut f) if !f[0].is_empty() => Item::Doc(Document {
                            id: row.line,
                            title: None,
                            subheadings: Vec::new(),
                            text: f.swap_remove(0),
                        }),
                        Ok(_) => Item::Skipped {
                            line: row.line,
                            reason: RejectReason::EmptyText,
                        },
                        Err(reason) => Item::Skipped {
                            line: row.line,
                            reason,
                        },
                    };
                    Ok(match spans {
                        Some(spans) => {
                            pending = Some(item);
                            spans
                        }
                        None => item,
                    })
                })
            })))
        }
        _ => Ok(Box::new(Lines::new(
            source.name(),
            source.open()?,
            encoding,
        ))),
    }
}

/// The line of the first line of `bytes` that is not valid in `encoding`.
fn first_bad_line(bytes: &[u8], encoding: TextEncoding) -> usize {
    bytes
        .split(|&b| b == b'\n')
        .position(|line| encoding.decode(line).is_none())
        .map_or(1, |i| i + 1)
}

/// One document per non-blank line (blank lines separate nothing and are
/// passed over; document ids are line numbers). A line not valid in the
/// encoding is skipped and reported, except that a UTF-8 read of a GBK input
/// stops at its first line with the flag to use.
struct Lines {
    name: String,
    reader: BufReader<Box<dyn Read + Send>>,
    line: u64,
    buf: Vec<u8>,
    encoding: TextEncoding,
    seen_text: bool,
}

impl Lines {
    fn new(name: String, reader: Box<dyn Read + Send>, encoding: TextEncoding) -> Self {
        Lines {
            name,
            reader: BufReader::new(reader),
            line: 0,
            buf: Vec::new(),
            encoding,
            seen_text: false,
        }
    }
}

impl Iterator for Lines {
    type Item = Result<Item>;

    fn next(&mut self) -> Option<Result<Item>> {
        loop {
            self.buf.clear();
            match self.reader.read_until(b'\n', &mut self.buf) {
                Ok(0) => return None,
                Err(e) => return Some(Err(Error::io(Path::new(&self.name), e))),
                Ok(_) => {}
            }
            self.line += 1;
            let utf8 = self.encoding == TextEncoding::Utf8;
            let bytes = if self.line == 1 && utf8 {
                self.buf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&self.buf)
            } else {
                &self.buf
            };
            match self.encoding.decode(bytes) {
                Some(text) if text.trim().is_empty() => continue,
                Some(text) => {
                    self.seen_text |= !text.is_ascii();
                    return Some(Ok(Item::Doc(Document {
                        id: self.line,
                        title: None,
                        subheadings: Vec::new(),
                        text: text.trim().to_string(),
                    })));
                }
                None if !self.seen_text && self.encoding.other_encoding_fits(bytes) => {
                    return Some(Err(Error::input(format!(
                        "{}:{}: {}",
                        self.name,
                        self.line,
                        self.encoding.invalid_message(bytes)
                    ))));
                }
                None => {
                    return Some(Ok(Item::Skipped {
                        line: self.line,
                        reason: RejectReason::BadEncoding {
                            column: "line".into(),
                            message: self.encoding.invalid_message(bytes),
                        },
                    }));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(source: &Source, sections: bool) -> Vec<Item> {
        read_documents(source, "text", sections, TextEncoding::Utf8)
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    fn temp(name: &str, bytes: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("newsclf-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn text_files_give_one_document_per_line_and_report_bad_lines() {
        let path = temp(
            "docs.txt",
            "\u{feff}油价上涨\r\n\n\u{ff}\n球赛\n".as_bytes(),
        );
        let mut bytes = std::fs::read(&path).unwrap();
        let pos = bytes.iter().position(|&b| b == 0xc3).unwrap();
        bytes.splice(pos..pos + 2, [0xff]);
        std::fs::write(&path, bytes).unwrap();
        let items = collect(&Source::File(path), false);
        assert_eq!(items.len(), 3);
        assert!(matches!(&items[0], Item::Doc(d) if d.id == 1 && d.text == "油价上涨"));
        assert!(matches!(&items[1], Item::Skipped { line: 3, .. }));
        assert!(matches!(&items[2], Item::Doc(d) if d.id == 4));
    }

    #[test]
    fn csv_files_use_the_text_column_and_line_numbers() {
        let path = temp("docs.csv", b"id,text\n1,\"two\nlines\"\n2,\n3,ok\n");
        let items = collect(&Source::File(path.clone()), false);
        assert_eq!(
            items[0],
            Item::MultiLine {
                line: 2,
                last_line: 3
            }
        );
        assert!(matches!(&items[1], Item::Doc(d) if d.id == 2 && d.text == "two\nlines"));
        assert!(matches!(
            &items[2],
            Item::Skipped {
                line: 4,
                reason: RejectReason::EmptyText
            }
        ));
        assert!(matches!(&items[3], Item::Doc(d) if d.id == 5));
        let err = read_documents(&Source::File(path), "body", false, TextEncoding::Utf8)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("no column 'body'"), "{err}");
    }

    #[test]
    fn sections_number_articles_and_keep_titles() {
        let page = "# 甲\n正文一。\n# 乙\n正文二。\n".to_string();
        let items = collect(&Source::Texts(vec![page]), true);
        assert!(matches!(&items[1], Item::Doc(d) if d.id == 2 && d.title.as_deref() == Some("乙")));
        let none = read_documents(
            &Source::Texts(vec!["没有标题".into()]),
            "text",
            true,
            TextEncoding::Utf8,
        );
        assert!(none.err().unwrap().to_string().contains("no article found"));
    }
}
