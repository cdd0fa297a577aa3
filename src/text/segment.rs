//! Word segmentation as jieba cuts, over the prebuilt dictionary, with the
//! user's dictionary words and stopwords. The settings travel inside the model file so that prediction
//! segments exactly as training did.

use std::io::BufRead;
use std::path::Path;

use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

use super::cut::{cut, suggest_freq};
use super::dictionary::Lexicon;
use crate::error::{Error, Result};

/// A word added to jieba's dictionary (one line of a jieba user dictionary).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserWord {
    /// The word.
    pub word: String,
    /// Its frequency; jieba suggests one when absent.
    pub freq: Option<u64>,
    /// Its part-of-speech tag, if given.
    pub tag: Option<String>,
}

/// The largest frequency a user word may carry (larger ones are capped).
pub const MAX_USER_FREQ: u64 = 1 << 32;

/// Segmentation settings stored in the model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmenterConfig {
    /// Use jieba's HMM to find words missing from the dictionary.
    pub hmm: bool,
    /// Words added to the dictionary.
    pub user_words: Vec<UserWord>,
    /// Words dropped after segmentation.
    pub stopwords: Vec<String>,
}

impl Default for SegmenterConfig {
    fn default() -> Self {
        SegmenterConfig {
            hmm: true,
            user_words: Vec::new(),
            stopwords: Vec::new(),
        }
    }
}

impl SegmenterConfig {
    /// Checks settings read from a model file.
    pub(crate) fn validate(&self) -> std::result::Result<(), String> {
        for w in self
            .user_words
            .iter()
            .map(|u| &u.word)
            .chain(&self.stopwords)
        {
            if w.is_empty() || w.chars().any(char::is_whitespace) {
                return Err(format!("invalid dictionary word {w:?}"));
            }
        }
        Ok(())
    }
}

/// Splits normalised text into words.
pub struct Segmenter {
    lexicon: Lexicon,
    stopwords: FxHashSet<String>,
    hmm: bool,
}

impl Segmenter {
    /// jieba's prebuilt dictionary plus the configured user words, added in
    /// order as `jieba_rs::Jieba::add_word` adds them.
    pub fn new(config: &SegmenterConfig) -> Self {
        let mut lexicon = Lexicon::builtin();
        for w in &config.user_words {
            // Capped so that the running total of frequencies cannot overflow.
            let freq = match w.freq {
                Some(f) => f.min(MAX_USER_FREQ),
                None => suggest_freq(&lexicon, &w.word),
            };
            lexicon.add_word(&w.word, freq);
        }
        Segmenter {
            lexicon,
            stopwords: config.stopwords.iter().cloned().collect(),
            hmm: config.hmm,
        }
    }

    /// Byte spans of the words of `text`, without whitespace, punctuation-only
    /// tokens and stopwords.
    pub fn segment(&self, text: &str) -> Vec<(u32, u32)> {
        let mut spans = Vec::new();
        self.segment_into(text, &mut spans);
        spans
    }

    /// Like [`Segmenter::segment`], replacing the contents of `spans`.
    pub fn segment_into(&self, text: &str, spans: &mut Vec<(u32, u32)>) {
        spans.clear();
        cut(&self.lexicon, text, self.hmm, &mut |a, b| {
            let word = &text[a..b];
            if has_alphanumeric(word)
                && (self.stopwords.is_empty() || !self.stopwords.contains(word))
            {
                spans.push((a as u32, b as u32));
            }
        });
    }
}

/// Whether `word` has a letter or digit (the common cases tested first).
#[inline]
fn has_alphanumeric(word: &str) -> bool {
    word.chars().any(|c| {
        if c.is_ascii() {
            c.is_ascii_alphanumeric()
        } else {
            matches!(c, '\u{4E00}'..='\u{9FFF}') || c.is_alphanumeric()
        }
    })
}

fn read_lines(path: &Path) -> Result<Vec<(usize, String)>> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut lines = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidData => Error::input(format!(
                "{}:{}: not valid UTF-8; save the file as UTF-8",
                path.display(),
                i + 1
            )),
            _ => Error::io(path, e),
        })?;
        let line = line.trim_start_matches('\u{feff}').trim();
        if !line.is_empty() && !line.starts_with('#') {
            lines.push((i + 1, line.to_string()));
        }
    }
    Ok(lines)
}

/// Reads a jieba user dictionary: one `word [freq] [tag]` per line; blank
/// lines and lines starting with `#` are ignored.
pub fn read_user_dict(path: &Path) -> Result<Vec<UserWord>> {
    read_lines(path)?
        .into_iter()
        .map(|(line_no, line)| {
            let mut parts = line.split_whitespace();
            let word = parts.next().unwrap_or_default().to_string();
            let mut freq = None;
            let mut tag = None;
            for part in parts {
                match part.parse::<u64>() {
                    Ok(f) if freq.is_none() && tag.is_none() => freq = Some(f),
                    _ if tag.is_none() => tag = Some(part.to_string()),
                    _ => {
                        return Err(Error::input(format!(
                            "{}:{line_no}: expected `word [frequency] [tag]`, found `{line}`",
                            path.display()
                        )));
                    }
                }
            }
            Ok(UserWord { word, freq, tag })
        })
        .collect()
}

/// Reads a stopword list: one word per line; blank lines and lines starting
/// with `#` are ignored. A line with a space inside is refused with its file
/// and line: segmentation never yields such a word, so it could match nothing.
pub fn read_stopwords(path: &Path) -> Result<Vec<String>> {
    let mut words = Vec::new();
    for (line_no, word) in read_lines(path)? {
        if word.chars().any(char::is_whitespace) {
            return Err(Error::input(format!(
                "{}:{line_no}: `{word}` is not one word (it has a space inside); \
                 put each stopword on a line of its own",
                path.display()
            )));
        }
        words.push(word);
    }
    words.sort();
    words.dedup();
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words<'a>(text: &'a str, spans: &[(u32, u32)]) -> Vec<&'a str> {
        spans
            .iter()
            .map(|&(a, b)| &text[a as usize..b as usize])
            .collect()
    }

    #[test]
    fn segments_and_drops_punctuation_and_stopwords() {
        let config = SegmenterConfig {
            stopwords: vec!["的".into()],
            ..SegmenterConfig::default()
        };
        let seg = Segmenter::new(&config);
        let text = "我们的国家电网，今天 发布了新规划。";
        let w = words(text, &seg.segment(text));
        assert!(w.contains(&"国家电网") || w.contains(&"电网"), "{w:?}");
        assert!(!w.contains(&"的"));
        assert!(
            !w.iter()
                .any(|t| t.trim().is_empty() || *t == "，" || *t == "。")
        );
    }

    #[test]
    fn user_words_change_segmentation() {
        let text = "滨江湾储能站投运";
        let plain = Segmenter::new(&SegmenterConfig::default());
        assert!(!words(text, &plain.segment(text)).contains(&"滨江湾储能站"));
        let config = SegmenterConfig {
            user_words: vec![UserWord {
                word: "滨江湾储能站".into(),
                freq: Some(100_000),
                tag: None,
            }],
            ..SegmenterConfig::default()
        };
        let custom = Segmenter::new(&config);
        assert!(words(text, &custom.segment(text)).contains(&"滨江湾储能站"));
    }

    #[test]
    fn reads_user_dict_and_reports_bad_lines() {
        let dir = std::env::temp_dir().join(format!("newsclf-seg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("user.dict");
        std::fs::write(&good, "# comment\n储能站 300 n\n新词\n\n碳达峰 nz\n").unwrap();
        let words = read_user_dict(&good).unwrap();
        assert_eq!(words.len(), 3);
        assert_eq!(words[0].freq, Some(300));
        assert_eq!(words[2].tag.as_deref(), Some("nz"));
        let bad = dir.join("bad.dict");
        std::fs::write(&bad, "好词 1 n extra\n").unwrap();
        let err = read_user_dict(&bad).unwrap_err().to_string();
        assert!(err.contains("bad.dict:1"), "{err}");
    }

    #[test]
    fn a_stopword_line_with_a_space_inside_is_reported_with_its_file_and_line() {
        let dir = std::env::temp_dir().join(format!("newsclf-stop-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("stop.txt");
        std::fs::write(&good, "# 虚词\n的\n了\n\n的\n").unwrap();
        assert_eq!(read_stopwords(&good).unwrap(), ["了", "的"]);
        let bad = dir.join("bad_stop.txt");
        std::fs::write(&bad, "的\n# note\n也 就\n").unwrap();
        let err = read_stopwords(&bad).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("{}:3: `也 就`", bad.display())),
            "{err}"
        );
        assert!(err.contains("a line of its own"), "{err}");
    }
}
