//! The crate's error type. Every message names the file (and line and column
//! where there is one) and says what to do.

use std::fmt::Display;
use std::path::Path;

/// Everything that can go wrong in newsclf.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's error (part of the message, so not also
        /// reported as a source: it would print twice).
        error: std::io::Error,
    },
    /// Input data that cannot be used as given.
    #[error("{0}")]
    Input(String),
    /// A model file that cannot be loaded.
    #[error("{path}: {message}")]
    Model {
        /// The model file (or `<embedded default model>`).
        path: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// An invalid setting. Its `Display` names settings as command-line
    /// flags; [`ParamError::render`] names them another way.
    #[error("invalid setting: {0}")]
    Param(ParamError),
    /// An error reported by linfa.
    #[error(transparent)]
    Linfa(#[from] linfa::Error),
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl AsRef<Path>, error: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().display().to_string(),
            error,
        }
    }

    /// Unusable input; `message` names the place and the remedy.
    pub fn input(message: impl Display) -> Self {
        Error::Input(message.to_string())
    }

    /// An invalid setting, told in words that name no setting as a key.
    pub fn param(message: impl Display) -> Self {
        Error::Param(ParamError::Message(message.to_string()))
    }

    /// The setting `key` (see [`ParamError::Value`]) cannot take its value:
    /// `problem` follows the setting's name, e.g. "must be at least 1".
    pub fn setting(key: &'static str, problem: impl Display) -> Self {
        Error::Param(ParamError::Value {
            key,
            problem: problem.to_string(),
        })
    }

    /// A model file that cannot be loaded.
    pub fn model(path: impl Display, message: impl Display) -> Self {
        Error::Model {
            path: path.to_string(),
            message: message.to_string(),
        }
    }
}

/// How a front end names the training settings in a [`ParamError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spelling {
    /// As command-line flags: `--min-df`, `--model nb` (the errors' `Display`).
    Flag,
    /// As Python keyword arguments: `min_df=`, `model='nb'`.
    Keyword,
}

impl Spelling {
    /// The setting `key` spelled this way: key `min_df` is `--min-df` as a flag
    /// (lowercase, `_` → `-`) and `min_df=` as a keyword.
    pub fn name(self, key: &str) -> String {
        match self {
            // These flags turn a setting that is on by default off.
            Spelling::Flag if matches!(key, "hmm" | "sublinear_tf" | "l2_norm") => {
                format!("--no-{}", key.replace('_', "-"))
            }
            Spelling::Flag => format!("--{}", key.to_lowercase().replace('_', "-")),
            Spelling::Keyword => format!("{key}="),
        }
    }

    /// A value of a setting on its own: `nb` or `'nb'`.
    fn value(self, value: &str) -> String {
        match self {
            Spelling::Flag => value.to_string(),
            Spelling::Keyword => format!("'{value}'"),
        }
    }
}

/// What an invalid setting is. Settings are named by key (the Python keyword
/// argument, such as `min_df` or `C`), so that each front end can spell them
/// its own way ([`Spelling`]).
#[derive(Debug, Clone, PartialEq)]
pub enum ParamError {
    /// A message that names no setting by key.
    Message(String),
    /// The setting `key` cannot take its value; `problem` follows its name.
    Value {
        /// The setting, e.g. `min_df`.
        key: &'static str,
        /// What is wrong, e.g. "must be at least 1".
        problem: String,
    },
    /// The setting `key` was given for a classifier kind that does not use it.
    NotForKind {
        /// The setting, e.g. `C`.
        key: &'static str,
        /// The chosen kind's name (the `model` setting), e.g. `nb`.
        kind: &'static str,
        /// The kinds that use the setting.
        used_by: Vec<&'static str>,
    },
}

impl ParamError {
    /// The setting this error is about, if it names one by key.
    pub fn key(&self) -> Option<&'static str> {
        match self {
            ParamError::Message(_) => None,
            ParamError::Value { key, .. } | ParamError::NotForKind { key, .. } => Some(key),
        }
    }

    /// The message, naming settings as `spelling` does.
    ///
    /// ```
    /// use newsclf::{Error, ParamError, Spelling};
    /// let Error::Param(e) = Error::setting("min_df", "must be at least 1") else { unreachable!() };
    /// assert_eq!(e.render(Spelling::Flag), "--min-df must be at least 1");
    /// assert_eq!(e.render(Spelling::Keyword), "min_df= must be at least 1");
    /// ```
    pub fn render(&self, spelling: Spelling) -> String {
        match self {
            ParamError::Message(message) => message.clone(),
            ParamError::Value { key, problem } => format!("{} {problem}", spelling.name(key)),
            ParamError::NotForKind { key, kind, used_by } => {
                let name = spelling.name(key);
                let model = match spelling {
                    Spelling::Flag => format!("{} ", spelling.name("model")),
                    Spelling::Keyword => spelling.name("model"),
                };
                let kinds: Vec<String> = used_by.iter().map(|k| spelling.value(k)).collect();
                let drop = match spelling {
                    Spelling::Flag => format!("drop {name}"),
                    Spelling::Keyword => format!("drop {name} (or pass None)"),
                };
                format!(
                    "{name} applies to {model}{}, not {}; {drop}",
                    kinds.join(" or "),
                    spelling.value(kind)
                )
            }
        }
    }
}

impl Display for ParamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(Spelling::Flag))
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_spelled_as_flags_or_keywords() {
        assert_eq!(Spelling::Flag.name("C"), "--c");
        assert_eq!(Spelling::Flag.name("max_dense_mb"), "--max-dense-mb");
        assert_eq!(Spelling::Keyword.name("C"), "C=");
        assert_eq!(Spelling::Keyword.name("max_dense_mb"), "max_dense_mb=");
    }

    #[test]
    fn setting_errors_render_for_each_front_end() {
        let Error::Param(value) = Error::setting("max_df", "must be a fraction in (0, 1], got 2")
        else {
            panic!("expected an invalid setting");
        };
        assert_eq!(value.key(), Some("max_df"));
        assert_eq!(
            Error::Param(value.clone()).to_string(),
            "invalid setting: --max-df must be a fraction in (0, 1], got 2"
        );
        assert_eq!(
            value.render(Spelling::Keyword),
            "max_df= must be a fraction in (0, 1], got 2"
        );
        let kind = ParamError::NotForKind {
            key: "C",
            kind: "nb",
            used_by: vec!["linear", "linfa-logistic"],
        };
        assert_eq!(
            kind.render(Spelling::Flag),
            "--c applies to --model linear or linfa-logistic, not nb; drop --c"
        );
        assert_eq!(
            kind.render(Spelling::Keyword),
            "C= applies to model='linear' or 'linfa-logistic', not 'nb'; drop C= (or pass None)"
        );
        // A message naming no setting by key reads the same everywhere.
        let Error::Param(plain) = Error::param("every grid setting needs at least one value")
        else {
            panic!("expected an invalid setting");
        };
        assert_eq!(plain.key(), None);
        assert_eq!(plain.render(Spelling::Keyword), plain.to_string());
    }
}
