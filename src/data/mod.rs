//! Stage 2, data: labeled CSV files read into a [`LabeledCorpus`] (columns,
//! encodings, exact line numbers, rejected rows counted in [`Rejects`]),
//! [`Recipe`]s that map several files onto one label set, and the documents
//! that `predict` reads ([`read_documents`]). Builds on [`crate::text`].

mod corpus;
mod csv_table;
mod input;
mod line_index;
mod recipe;
mod rejects;

pub use corpus::{CorpusChunks, CorpusSpec, LabeledCorpus, case_clashes, hex_sha256};
pub use csv_table::{CsvTable, Row};
pub use input::{Document, Item, Source, read_documents};
pub(crate) use line_index::{Counting, LineIndex};
pub use recipe::{Recipe, RecipeCorpus, Rule, SourceReport};
pub use rejects::{MultiLineRows, Reject, RejectReason, Rejects, SPANS_LISTED, multi_line_error};
