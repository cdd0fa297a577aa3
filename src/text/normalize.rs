//! Text normalisation applied before segmentation: full-width ASCII forms to
//! half-width (so `２０２４` and `ＧＤＰ` read as `2024` and `gdp`), Latin
//! letters to lower case, control characters to spaces. Numbers and Latin
//! words are otherwise kept as written: jieba keeps a run of digits or letters
//! as one word. Traditional characters are left as they are unless
//! [`NormalizeConfig::simplify`] is set.

use serde::{Deserialize, Serialize};

/// Normalisation settings stored in the model.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NormalizeConfig {
    /// Convert traditional characters to simplified ones (fast2s's table), so
    /// that text from Taiwan or Hong Kong meets a model trained on mainland text.
    pub simplify: bool,
}

impl NormalizeConfig {
    /// Appends the normalised form of `text` to `out`.
    pub fn apply_into(&self, text: &str, out: &mut String) {
        if self.simplify {
            normalize_into(&fast2s::convert(text), out);
        } else {
            normalize_into(text, out);
        }
    }

    /// The normalised form of `text`.
    pub fn apply(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        self.apply_into(text, &mut out);
        out
    }
}

/// Returns the normalised form of `text`.
///
/// ```
/// assert_eq!(newsclf::text::normalize("ＧＤＰ增长５％\t"), "gdp增长5% ");
/// ```
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    normalize_into(text, &mut out);
    out
}

/// Appends the normalised form of `text` to `out`.
pub fn normalize_into(text: &str, out: &mut String) {
    out.reserve(text.len());
    for c in text.chars() {
        let c = match c {
            // Full-width forms of ASCII 0x21..=0x7E.
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            c if c.is_control() => ' ',
            c => c,
        };
        if c.is_ascii_uppercase() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_width_and_case_keeps_chinese_and_traditional() {
        assert_eq!(normalize("ＡＢＣ１２３，Ｔｅｓｔ"), "abc123,test");
        assert_eq!(normalize("經濟　增長"), "經濟 增長");
        assert_eq!(normalize("a\u{0}b\r\nc"), "a b  c");
        assert_eq!(normalize("😀能源"), "😀能源");
    }

    #[test]
    fn simplifies_only_when_asked() {
        let keep = NormalizeConfig::default();
        let simplify = NormalizeConfig { simplify: true };
        assert_eq!(keep.apply("經濟發展　ＧＤＰ"), "經濟發展 gdp");
        assert_eq!(simplify.apply("經濟發展　ＧＤＰ"), "经济发展 gdp");
        assert_eq!(simplify.apply("能源价格"), "能源价格");
    }
}
