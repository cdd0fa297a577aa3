//! Label sets: a label such as `positive|neutral` says that a row is one of
//! those classes, not which. FinNSP's `non_negative` ("no negative information
//! about the entities") is such a label: positive or neutral, never negative.
//! The linear classifier trains on them (a negative example of every class the
//! row cannot be); they count in no class and are never scored.

use crate::error::{Error, Result};
use crate::estimators::RowLabel;

/// What separates the classes of a label set.
pub const SEPARATOR: char = '|';

/// Whether `label` names several classes.
pub fn is_label_set(label: &str) -> bool {
    label.contains(SEPARATOR)
}

/// The row label `label` stands for among `classes` (sorted): one class, or
/// one of several. `place` names the head in messages.
pub(crate) fn row_label(label: &str, classes: &[String], place: &str) -> Result<RowLabel> {
    let index = |name: &str| classes.binary_search_by(|c| c.as_str().cmp(name)).ok();
    if !is_label_set(label) {
        return index(label)
            .map(RowLabel::Class)
            .ok_or_else(|| Error::input(format!("{place}: no class '{label}'")));
    }
    let mut mask = 0u64;
    for part in label.split(SEPARATOR).map(str::trim) {
        match index(part) {
            Some(c) if c < 64 => mask |= 1 << c,
            Some(_) => {
                return Err(Error::input(format!(
                    "{place}: label '{label}': label sets work with at most 64 classes"
                )));
            }
            None => {
                return Err(Error::input(format!(
                    "{place}: label '{label}' names '{part}', which no row has as its label; \
                     the parts of a label with `|` are labels of the same column ({})",
                    classes.join(", ")
                )));
            }
        }
    }
    if mask.count_ones() == 1 {
        return Ok(RowLabel::Class(mask.trailing_zeros() as usize));
    }
    if mask.count_ones() as usize == classes.len() {
        return Err(Error::input(format!(
            "{place}: label '{label}' names every class, so it tells nothing; leave the label empty"
        )));
    }
    Ok(RowLabel::OneOf(mask))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes() -> Vec<String> {
        ["negative", "neutral", "positive"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn a_set_is_a_mask_of_its_classes_and_a_plain_label_its_class() {
        let c = classes();
        assert_eq!(row_label("neutral", &c, "h").unwrap(), RowLabel::Class(1));
        assert_eq!(
            row_label("positive|neutral", &c, "h").unwrap(),
            RowLabel::OneOf(0b110)
        );
        assert_eq!(
            row_label("positive | positive", &c, "h").unwrap(),
            RowLabel::Class(2)
        );
    }

    #[test]
    fn a_set_naming_an_unknown_class_or_every_class_is_refused() {
        let c = classes();
        let e = row_label("positive|neutrl", &c, "d.csv: head 'tone'")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("d.csv: head 'tone': label 'positive|neutrl' names 'neutrl'"),
            "{e}"
        );
        let e = row_label("negative|neutral|positive", &c, "h")
            .unwrap_err()
            .to_string();
        assert!(e.contains("tells nothing"), "{e}");
    }
}
