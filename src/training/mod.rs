//! Stage 7, training: a corpus to a [`Model`](crate::Model). [`Trainer`] runs
//! segmentation, vectorizing and one fit per head; [`TrainSettings`] are the
//! settings as flat values (the CLI's flags, Python's keyword arguments);
//! [`cross_validate`] scores settings on stratified [`Folds`]; [`tune`] runs a
//! grid over them.

mod cross_validation;
mod label_sets;
mod settings;
pub mod streaming;
mod trainer;
mod tuning;

pub use cross_validation::{
    CvReport, FoldScore, Folds, HeadCv, Spread, cross_validate, cross_validate_segmented,
};
pub use label_sets::{SEPARATOR, is_label_set};
pub use settings::{ModelKind, TrainSettings};
pub use streaming::{
    FileChecks, FileRead, MemoryLimit, MemoryPlan, Streamed, memory_plan, train_file_streaming,
    train_file_streaming_from,
};
pub use trainer::{
    Continued, TrainConfig, TrainReport, Trainer, check_labels, check_new_labels, train, train_from,
};
pub(crate) use trainer::{check_classes, corpus_labels};
pub use tuning::{Grid, Tuned, describe_config, tune};
