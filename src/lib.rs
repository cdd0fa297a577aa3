//! newsclf classifies Chinese news text by topic and sentiment.
//!
//! The pipeline, one folder per stage; imports run one way, top to bottom:
//!
//! | stage | what it does |
//! |---|---|
//! | [`text`] | decode bytes, normalise, segment as jieba does (dictionary prebuilt at compile time), split pages into articles |
//! | [`data`] | read labeled CSVs and recipes into a corpus; rejected rows counted, never dropped silently |
//! | [`features`] | word and character n-gram TF-IDF with stored IDF, sparse rows |
//! | [`estimators`] | sparse linear (SVM / logistic / ridge), naive Bayes, linfa-logistic, behind linfa's traits |
//! | [`model`] | the trained [`Model`]: prediction, versioned checksummed file, `info` |
//! | [`evaluation`] | metrics against labels ([`evaluate_file`]) and [`explain`] |
//! | [`training`] | [`Trainer`], [`TrainSettings`], [`cross_validate`], [`tune`] |
//! | [`report`] | text tables, the HTML report, the JSON of a prediction |
//! | [`serve`] | the HTTP service |
//!
//! The items re-exported here are the one API that the `newsclf` command, the
//! Python module and the service call; `docs/design.md` has the map.
//!
//! ```
//! use newsclf::features::FeatureConfig;
//! use newsclf::{CorpusSpec, LabeledCorpus, TrainConfig, Trainer, evaluate};
//!
//! let csv = "text,label\n\
//!     国际油价大幅上涨,energy\n风电光伏装机再创新高,energy\n电网迎峰度冬保供电,energy\n\
//!     主队三比一取胜,sports\n女排夺得联赛冠军,sports\n马拉松赛周日开跑,sports\n";
//! let spec = CorpusSpec::default();
//! let corpus = LabeledCorpus::from_bytes("demo.csv", csv.as_bytes(), &spec).unwrap();
//! let config = TrainConfig {
//!     features: FeatureConfig { min_df: 1, ..FeatureConfig::default() },
//!     ..TrainConfig::default()
//! };
//! let (model, _report) = Trainer::new(config).fit(&corpus, "text").unwrap();
//! let prediction = model.predict("油价上涨");
//! assert_eq!(prediction[0].best().label, "energy");
//! let eval = evaluate(&model, &corpus);
//! assert_eq!(eval.head("label").unwrap().accuracy, 1.0);
//! // Why: the terms that pushed the text toward "energy".
//! let why = newsclf::explain(&model, "油价上涨", 3);
//! assert!(why[0].toward.iter().any(|c| c.term.contains('油')));
//! ```

mod atomic_file;
pub mod data;
pub mod error;
pub mod estimators;
pub mod evaluation;
pub mod features;
pub mod model;
pub mod report;
mod rng;
pub mod serve;
pub mod text;
pub mod training;

pub use data::{
    CorpusSpec, Document, Item, LabeledCorpus, MultiLineRows, Recipe, Rejects, Source, hex_sha256,
    multi_line_error, read_documents,
};
pub use error::{Error, ParamError, Result, Spelling};
pub use estimators::Loss;
pub use evaluation::{
    Contribution, Evaluation, FileEvaluation, HeadEvaluation, HeadExplanation, evaluate,
    evaluate_file, evaluation_spec, explain,
};
pub use model::{EMBEDDED_NAME, Head, Model, ModelInfo, Prediction, Scored, describe_model};
pub use report::{
    DocumentJson, pad, render_cv, render_explanation, render_html, render_info, render_text,
    render_tuning, truncate, write_html,
};
pub use serve::{Limits, ServeConfig, run as run_service};
pub use text::{Section, TextEncoding, UserWord, read_stopwords, read_user_dict, split_page};
pub use training::streaming::{available_memory, megabytes, peak_memory};
pub use training::{
    Continued, CvReport, FileChecks, FileRead, Folds, Grid, MemoryLimit, MemoryPlan, ModelKind,
    Streamed, TrainConfig, TrainReport, TrainSettings, Trainer, check_labels, check_new_labels,
    cross_validate, memory_plan, train, train_file_streaming, train_file_streaming_from,
    train_from, tune,
};
