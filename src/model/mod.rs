//! Stage 5, model: a trained [`Model`] (normaliser, segmenter, vectorizer and
//! one classifier per label column), prediction with it, its file format
//! (versioned, checksummed: [`MAGIC`], [`FORMAT_VERSION`]) and what `info`
//! tells of it ([`describe_model`]). What a grid search leaves in a model is
//! plain data defined here ([`TuningRecord`]), so nothing here imports training.

mod file_format;
mod info;
mod trained;
mod tuning_record;

pub use file_format::{FORMAT_VERSION, HEADER_LEN, MAGIC, OLDEST_READABLE};
pub use info::{HeadInfo, ModelInfo, SegmentationInfo, describe_model};
pub(crate) use trained::ModelData;
pub use trained::{EMBEDDED_NAME, Head, HeadPrediction, Model, Prediction, Provenance, Scored};
pub use tuning_record::{TrialRecord, TuningRecord};
