//! newsclf classifies Chinese news text by topic and sentiment.
//!
//! The pipeline, one module per stage:
//! [`corpus`] (read a labeled CSV; [`encoding`]) → [`normalize`] → [`segment`] (jieba-rs) →
//! [`features`] (TF-IDF, stored IDF) → [`linear`] (sparse linear classifier
//! behind linfa's traits) → [`model`] / [`model_file`] (versioned, checksummed
//! file) → [`evaluate`] / [`report`]. [`trainer`] runs the training half
//! ([`classifier`] holds the kinds: [`linear`], [`naive_bayes`],
//! [`dense_logistic`]); [`cross_validation`] and [`tuning`] score settings;
//! [`input`] and [`sections`] feed prediction; [`serve`] answers it over HTTP
//! ([`prediction_json`] is the JSON shape both share); [`recipe`] maps several
//! labeled files onto one label set; [`settings`] holds the training settings
//! as flat values (the CLI's flags, the Python binding's arguments).
//!
//! ```
//! use newsclf::corpus::{CorpusSpec, LabeledCorpus};
//! use newsclf::evaluate::evaluate;
//! use newsclf::features::FeatureConfig;
//! use newsclf::trainer::{TrainConfig, Trainer};
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
//! let why = newsclf::explain::explain(&model, "油价上涨", 3);
//! assert!(why[0].toward.iter().any(|c| c.term.contains('油')));
//! ```

pub mod atomic_file;
pub mod classifier;
pub mod corpus;
pub mod cross_validation;
pub mod dense_logistic;
pub mod encoding;
pub mod error;
pub mod evaluate;
pub mod explain;
pub mod features;
pub mod info;
pub mod input;
mod line_index;
pub mod linear;
pub mod model;
pub mod model_file;
pub mod naive_bayes;
pub mod normalize;
pub mod prediction_json;
pub mod recipe;
pub mod report;
pub mod report_html;
mod rng;
mod scoring;
pub mod sections;
pub mod segment;
pub mod serve;
pub mod settings;
pub mod sparse;
pub mod trainer;
pub mod tuning;

pub use error::{Error, Result};
pub use model::{Model, Prediction};
pub use trainer::{TrainConfig, Trainer};
