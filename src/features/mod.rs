//! Stage 3, features: segmented text to sparse TF-IDF rows. The
//! [`Vectorizer`] learns word and character n-gram vocabularies and their IDF
//! ([`FeatureConfig`]); [`SparseRow`] and [`SparseMatrix`] carry the result to
//! the estimators without ever densifying.

mod config;
mod document_frequency;
mod flat_table;
mod lookup;
mod ngrams;
mod sparse;
mod streaming_df;
mod vectorizer;

pub use config::{FeatureConfig, MAX_NGRAM, Segmented, TermKind};
pub use sparse::{SparseMatrix, SparseRow};
pub(crate) use streaming_df::{CandidateCounts, SeenTexts, TermSketch, document_terms};
pub(crate) use vectorizer::Scratch;
pub use vectorizer::{Vectorizer, Vocabulary};
