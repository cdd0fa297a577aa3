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
    /// An invalid setting.
    #[error("invalid setting: {0}")]
    Param(String),
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

    /// An invalid setting.
    pub fn param(message: impl Display) -> Self {
        Error::Param(message.to_string())
    }

    /// A model file that cannot be loaded.
    pub fn model(path: impl Display, message: impl Display) -> Self {
        Error::Model {
            path: path.to_string(),
            message: message.to_string(),
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
