//! The feature settings a model stores, and the segmented document they
//! apply to.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A document after normalisation and segmentation: the normalised text and the
/// byte spans of its words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Segmented {
    /// The normalised text.
    pub text: String,
    /// Byte spans of the words in `text`.
    pub spans: Vec<(u32, u32)>,
}

impl Segmented {
    /// The words, in order.
    pub fn words(&self) -> impl Iterator<Item = &str> + '_ {
        self.spans
            .iter()
            .map(|&(a, b)| &self.text[a as usize..b as usize])
    }
}

/// Feature settings stored in the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureConfig {
    /// Word n-gram lengths, inclusive (`(1, 2)`: words and word pairs).
    pub word_ngrams: (usize, usize),
    /// Character n-gram lengths, inclusive; `None` disables them.
    pub char_ngrams: Option<(usize, usize)>,
    /// Keep terms found in at least this many training documents.
    pub min_df: usize,
    /// Drop terms found in more than this fraction of training documents.
    pub max_df: f64,
    /// Keep at most this many terms of each kind (the most frequent).
    pub max_features: Option<usize>,
    /// Use `1 + ln(tf)` instead of the raw term count.
    pub sublinear_tf: bool,
    /// Scale the word block and the character block of each row to unit
    /// Euclidean length (each on its own).
    pub l2_norm: bool,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig {
            word_ngrams: (1, 2),
            char_ngrams: Some((1, 2)),
            min_df: 2,
            max_df: 1.0,
            max_features: None,
            sublinear_tf: true,
            l2_norm: true,
        }
    }
}

impl FeatureConfig {
    /// The settings in one line, for reports.
    ///
    /// ```
    /// let line = newsclf::features::FeatureConfig::default().describe();
    /// assert!(line.starts_with("word n-grams 1-2, character n-grams 1-2, min-df 2"));
    /// ```
    pub fn describe(&self) -> String {
        let range = |r: Option<(usize, usize)>| match r {
            Some((lo, hi)) if lo == hi => lo.to_string(),
            Some((lo, hi)) => format!("{lo}-{hi}"),
            None => "none".into(),
        };
        format!(
            "word n-grams {}, character n-grams {}, min-df {}, max-df {}, max-features {}, {} TF, {}",
            range(Some(self.word_ngrams)),
            range(self.char_ngrams),
            self.min_df,
            self.max_df,
            self.max_features.map_or("none".into(), |n| n.to_string()),
            if self.sublinear_tf {
                "sublinear"
            } else {
                "raw"
            },
            if self.l2_norm {
                "L2 per block"
            } else {
                "not normalised"
            }
        )
    }

    /// Checks the settings once, before any work.
    pub fn validate(&self) -> Result<()> {
        let check = |key: &'static str, (lo, hi): (usize, usize)| {
            if lo == 0 || lo > hi || hi > MAX_NGRAM {
                Err(Error::setting(
                    key,
                    format!("must be MIN-MAX with 1 <= MIN <= MAX <= {MAX_NGRAM}, got {lo}-{hi}"),
                ))
            } else {
                Ok(())
            }
        };
        check("word_ngrams", self.word_ngrams)?;
        if let Some(range) = self.char_ngrams {
            check("char_ngrams", range)?;
        }
        if self.min_df == 0 {
            return Err(Error::setting("min_df", "must be at least 1"));
        }
        if !(self.max_df > 0.0 && self.max_df <= 1.0) {
            return Err(Error::setting(
                "max_df",
                format!("must be a fraction in (0, 1], got {}", self.max_df),
            ));
        }
        if self.max_features == Some(0) {
            return Err(Error::setting("max_features", "must be at least 1"));
        }
        Ok(())
    }
}

/// Which block of the feature space a term belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermKind {
    /// A word or a space-joined word n-gram.
    Word,
    /// A character n-gram.
    Char,
}

/// The longest word or character n-gram supported.
pub const MAX_NGRAM: usize = 3;
