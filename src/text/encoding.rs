//! Text encodings of input files: UTF-8 (the default, with or without a BOM)
//! and the Chinese Windows encodings GBK / GB18030, decoded on request
//! (`--encoding`). A file that is not UTF-8 but reads cleanly as GB18030 is
//! recognised, so the message can name the flag that reads it.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use encoding_rs::GB18030;

/// The encoding of an input file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 (a leading byte-order mark is skipped).
    #[default]
    Utf8,
    /// GBK (decoded as GB18030, of which it is a subset).
    Gbk,
    /// GB18030.
    Gb18030,
}

impl TextEncoding {
    /// The name as `--encoding` takes it.
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Gbk => "gbk",
            TextEncoding::Gb18030 => "gb18030",
        }
    }

    /// Decodes `bytes`; `None` when they are not valid in this encoding.
    /// Nothing is replaced: a malformed byte sequence is an error, never a `�`.
    /// Non-ASCII text that is valid UTF-8 is no GBK/GB18030 (GB18030 would
    /// decode most of it, as gibberish), so it is `None` for those too.
    pub fn decode(self, bytes: &[u8]) -> Option<Cow<'_, str>> {
        match self {
            TextEncoding::Utf8 => std::str::from_utf8(bytes).ok().map(Cow::Borrowed),
            TextEncoding::Gbk | TextEncoding::Gb18030 => {
                if !bytes.is_ascii() && std::str::from_utf8(bytes).is_ok() {
                    return None;
                }
                GB18030.decode_without_bom_handling_and_without_replacement(bytes)
            }
        }
    }

    /// Whether `bytes`, not valid in this encoding, are valid in another one
    /// that `--encoding` reads: then the whole input is most likely in it.
    pub fn other_encoding_fits(self, bytes: &[u8]) -> bool {
        match self {
            TextEncoding::Utf8 => looks_like_gb18030(bytes),
            TextEncoding::Gbk | TextEncoding::Gb18030 => std::str::from_utf8(bytes).is_ok(),
        }
    }

    /// The message for bytes that are not valid in this encoding: names the
    /// encoding they look like and the flag that reads them.
    pub fn invalid_message(self, bytes: &[u8]) -> String {
        match (self, looks_like_gb18030(bytes)) {
            (TextEncoding::Utf8, true) => "not valid UTF-8; it looks like GBK/GB18030 \
                (Chinese Windows encoding): rerun with --encoding gb18030"
                .to_string(),
            (TextEncoding::Utf8, false) => {
                "not valid UTF-8 (binary data, or an encoding other than UTF-8 and GBK/GB18030)"
                    .to_string()
            }
            (other, _) if std::str::from_utf8(bytes).is_ok() => format!(
                "not valid {}; it is valid UTF-8: drop --encoding",
                other.name()
            ),
            (other, _) => format!("not valid {}", other.name()),
        }
    }
}

impl fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for TextEncoding {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Ok(TextEncoding::Utf8),
            "gbk" | "cp936" => Ok(TextEncoding::Gbk),
            "gb18030" => Ok(TextEncoding::Gb18030),
            _ => Err(format!("unknown encoding '{s}': use utf-8, gbk or gb18030")),
        }
    }
}

/// Whether `bytes`, which are not UTF-8, read cleanly as GB18030 and hold
/// non-ASCII text: then they are most likely GBK/GB18030.
pub fn looks_like_gb18030(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_err()
        && GB18030
            .decode_without_bom_handling_and_without_replacement(bytes)
            .is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(text: &str) -> Vec<u8> {
        GB18030.encode(text).0.into_owned()
    }

    #[test]
    fn decodes_gbk_and_recognises_it_in_utf8_mode() {
        let bytes = gbk("国际油价上涨,energy");
        assert_ne!(bytes, "国际油价上涨,energy".as_bytes());
        assert_eq!(
            TextEncoding::Gb18030.decode(&bytes).unwrap(),
            "国际油价上涨,energy"
        );
        assert_eq!(
            TextEncoding::Gbk.decode(&bytes).unwrap(),
            "国际油价上涨,energy"
        );
        assert!(TextEncoding::Utf8.decode(&bytes).is_none());
        assert!(looks_like_gb18030(&bytes));
        assert!(
            TextEncoding::Utf8
                .invalid_message(&bytes)
                .contains("--encoding gb18030")
        );
    }

    #[test]
    fn garbage_is_not_taken_for_gbk_and_nothing_is_replaced() {
        let garbage = [0xFFu8, 0xFE, 0x00, 0x81];
        assert!(!looks_like_gb18030(&garbage));
        assert!(TextEncoding::Gb18030.decode(&garbage).is_none());
        assert!(
            TextEncoding::Utf8
                .invalid_message(&garbage)
                .contains("binary")
        );
        assert!(!looks_like_gb18030("纯文本".as_bytes()));
    }

    #[test]
    fn names_parse() {
        assert_eq!("GBK".parse(), Ok(TextEncoding::Gbk));
        assert_eq!("utf8".parse(), Ok(TextEncoding::Utf8));
        assert!("latin1".parse::<TextEncoding>().is_err());
    }
}
