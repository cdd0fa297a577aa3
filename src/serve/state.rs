//! What every request handler shares: the model slot, the limits, the
//! metrics, the concurrency permits and the access settings.

use axum::http::HeaderValue;
use tokio::sync::Semaphore;

use super::Limits;
use super::auth::ApiKey;
use super::metrics::Metrics;
use super::reload::ModelSlot;

/// The service's shared state.
pub struct AppState {
    /// The model in service, swapped by reloads.
    pub models: ModelSlot,
    /// Request limits.
    pub limits: Limits,
    /// Counters and histograms for `/metrics`.
    pub metrics: Metrics,
    /// Permits for classification requests (`--max-concurrent`).
    pub permits: Semaphore,
    /// The bearer token, when the service requires one.
    pub api_key: Option<ApiKey>,
    /// The origin allowed by CORS, when CORS is on.
    pub cors_origin: Option<HeaderValue>,
    /// Whether each request is logged on stderr.
    pub log_requests: bool,
}
