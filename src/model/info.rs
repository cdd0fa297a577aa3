//! What a model file holds, for `newsclf info`: format and crate version,
//! heads and labels, settings, vocabulary size and the training data.

use serde::Serialize;

use crate::estimators::ClassifierSettings;
use crate::features::FeatureConfig;
use crate::model::FORMAT_VERSION;
use crate::model::Model;
use crate::text::NormalizeConfig;

/// One head of the model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeadInfo {
    /// The label column.
    pub name: String,
    /// Classifier kind.
    pub classifier: &'static str,
    /// Labels with their training row counts.
    pub labels: Vec<(String, usize)>,
}

/// Everything `info` shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelInfo {
    /// The model file (or `<embedded default model>`).
    pub source: String,
    /// Size of the model file in bytes.
    pub file_bytes: u64,
    /// Model format version.
    pub format_version: u32,
    /// newsclf version that trained it.
    pub trained_by: String,
    /// The training file as given to `train`.
    pub data_source: String,
    /// SHA-256 of the training file.
    pub data_sha256: String,
    /// Training rows used.
    pub rows: usize,
    /// Rows skipped while reading the training file.
    pub rows_skipped: usize,
    /// The text column.
    pub text_col: String,
    /// Text normalisation settings.
    pub normalize: NormalizeConfig,
    /// jieba's HMM on or off; user words and stopwords.
    pub segmentation: SegmentationInfo,
    /// Feature settings.
    pub features: FeatureConfig,
    /// Vocabulary: word n-grams, character n-grams, total.
    pub vocabulary: (usize, usize, usize),
    /// Classifier settings, in words.
    pub classifier: String,
    /// The settings' full record.
    pub classifier_settings: ClassifierSettings,
    /// Grid points tried, for a model made by `tune`.
    pub tuned_over: Option<usize>,
    /// The heads.
    pub heads: Vec<HeadInfo>,
}

/// Segmentation settings, summarised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentationInfo {
    /// Whether jieba's HMM finds words missing from the dictionary.
    pub hmm: bool,
    /// Words from the user dictionary.
    pub user_words: usize,
    /// Stopwords.
    pub stopwords: usize,
}

impl ModelInfo {
    /// The segmentation (and normalisation) settings in one line.
    pub fn segmentation_line(&self) -> String {
        format!(
            "jieba, HMM {}, {} user words, {} stopwords{}",
            if self.segmentation.hmm { "on" } else { "off" },
            self.segmentation.user_words,
            self.segmentation.stopwords,
            if self.normalize.simplify {
                "; traditional → simplified"
            } else {
                ""
            }
        )
    }

    /// The classifier settings in one line, with the tuning that chose them.
    pub fn classifier_line(&self) -> String {
        match self.tuned_over {
            Some(n) => format!("{} (chosen by tune from {n} settings)", self.classifier),
            None => self.classifier.clone(),
        }
    }
}

/// Describes `model`, read from `source` of `file_bytes` bytes.
pub fn describe_model(model: &Model, source: &str, file_bytes: u64) -> ModelInfo {
    let p = model.provenance();
    let v = model.vectorizer();
    let seg = model.segmenter_config();
    ModelInfo {
        source: source.to_string(),
        file_bytes,
        format_version: FORMAT_VERSION,
        trained_by: p.crate_version.clone(),
        data_source: p.data_source.clone(),
        data_sha256: p.data_sha256.clone(),
        rows: p.rows,
        rows_skipped: p.rows_skipped,
        text_col: p.text_col.clone(),
        normalize: model.normalize_config().clone(),
        segmentation: SegmentationInfo {
            hmm: seg.hmm,
            user_words: seg.user_words.len(),
            stopwords: seg.stopwords.len(),
        },
        features: model.feature_config().clone(),
        vocabulary: (v.words().len(), v.chars().len(), v.n_features()),
        classifier: p.classifier.describe(),
        classifier_settings: p.classifier.clone(),
        tuned_over: p.tuning.as_ref().map(|t| t.trials.len()),
        heads: model
            .heads()
            .iter()
            .map(|h| HeadInfo {
                name: h.name.clone(),
                classifier: h.classifier.kind(),
                labels: h
                    .labels
                    .iter()
                    .cloned()
                    .zip(h.class_counts.clone())
                    .collect(),
            })
            .collect(),
    }
}
