//! The model in service and its replacement. A request takes the current
//! model (an `Arc`) when it starts and keeps it to the end, so a reload never
//! changes the model under a request in flight; a file that fails to load is
//! refused and the previous model keeps serving.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::{EMBEDDED_NAME, Model, ModelInfo, describe_model};

/// A loaded model with its description.
pub struct Loaded {
    /// The model.
    pub model: Model,
    /// What `GET /v1/model` shows (what `newsclf info` shows).
    pub info: ModelInfo,
}

impl Loaded {
    /// Loads the model file at `path`, or the built-in model; returns it
    /// with the time loading took.
    pub fn load(path: Option<&Path>) -> crate::Result<(Loaded, Duration)> {
        let start = Instant::now();
        let (model, source, bytes) = match path {
            Some(p) => {
                let model = Model::load(p)?;
                let bytes = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
                (model, p.display().to_string(), bytes)
            }
            None => {
                let model = Model::embedded_default()?;
                let bytes = model.to_bytes().len() as u64;
                (model, EMBEDDED_NAME.to_string(), bytes)
            }
        };
        let info = describe_model(&model, &source, bytes);
        Ok((Loaded { model, info }, start.elapsed()))
    }
}

/// Why a reload did not happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReloadError {
    /// The service runs the built-in model: there is no file to reload.
    NoFile,
    /// The file could not be loaded; the message says why.
    Refused(String),
}

impl std::fmt::Display for ReloadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReloadError::NoFile => write!(
                f,
                "the service runs the built-in model, so there is no file to reload; start it with --model FILE"
            ),
            ReloadError::Refused(message) => write!(
                f,
                "model refused, the previous model keeps serving: {message}"
            ),
        }
    }
}

/// The model in service.
pub struct ModelSlot {
    current: RwLock<Arc<Loaded>>,
    path: Option<PathBuf>,
    reloading: tokio::sync::Mutex<()>,
}

impl ModelSlot {
    /// A slot serving `loaded`, which came from `path` (`None`: built in).
    pub fn new(loaded: Loaded, path: Option<PathBuf>) -> Self {
        ModelSlot {
            current: RwLock::new(Arc::new(loaded)),
            path,
            reloading: tokio::sync::Mutex::new(()),
        }
    }

    /// The model in service now.
    pub fn current(&self) -> Arc<Loaded> {
        match self.current.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Loads the model file again and puts it in service; returns it and the
    /// load time. One reload runs at a time; requests go on meanwhile.
    pub async fn reload(&self) -> Result<(Arc<Loaded>, Duration), ReloadError> {
        let path = self.path.clone().ok_or(ReloadError::NoFile)?;
        let _one_at_a_time = self.reloading.lock().await;
        let (loaded, took) = tokio::task::spawn_blocking(move || Loaded::load(Some(&path)))
            .await
            .map_err(|e| ReloadError::Refused(format!("loading stopped: {e}")))?
            .map_err(|e| ReloadError::Refused(e.to_string()))?;
        let loaded = Arc::new(loaded);
        match self.current.write() {
            Ok(mut guard) => *guard = Arc::clone(&loaded),
            Err(poisoned) => *poisoned.into_inner() = Arc::clone(&loaded),
        }
        Ok((loaded, took))
    }
}
