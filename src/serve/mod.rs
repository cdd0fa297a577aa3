//! `newsclf serve`: an HTTP service over one model, built to be left running.
//!
//! Routes (described at `GET /openapi.json`): `POST /v1/classify`,
//! `POST /v1/page`, `POST /v1/explain`, `GET /v1/model`,
//! `POST /v1/admin/reload`, `GET /healthz`, `GET /metrics` (Prometheus text)
//! and `GET /`, a self-contained web page. Every limit is a setting
//! ([`Limits`]); bad requests get a 4xx JSON error naming the field. `SIGHUP`
//! reloads the model file (a file that fails to load is refused and the old
//! model keeps serving); `SIGTERM` or `SIGINT` stops accepting, finishes the
//! requests in flight and returns.

mod access_log;
mod auth;
mod classify;
mod connections;
mod cors;
mod error;
mod limits;
mod metrics;
mod reload;
mod request;
mod routes;
mod signals;
mod state;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::http::HeaderValue;
use tokio::sync::Semaphore;

pub use limits::Limits;
pub use routes::ROUTES;

use crate::{Error, Result};
use metrics::Metrics;
use reload::{Loaded, ModelSlot};
use state::AppState;

/// Settings of the service.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Address to listen on; port 0 picks a free port (the address is printed).
    pub addr: SocketAddr,
    /// The model file (`None`: the built-in model, which cannot be reloaded).
    pub model: Option<PathBuf>,
    /// Request limits.
    pub limits: Limits,
    /// Bearer token required on `/v1/*` and `/metrics` (and for the admin route).
    pub api_key: Option<String>,
    /// The origin CORS allows (`*` for any); CORS is off when `None`.
    pub cors_origin: Option<String>,
    /// Log one line per request on stderr.
    pub log_requests: bool,
}

/// Loads the model, listens on `config.addr`, prints
/// `newsclf serve: listening on http://ADDR` on stderr and serves until
/// SIGTERM or SIGINT; returns once the requests in flight are answered.
pub fn run(config: ServeConfig) -> Result<()> {
    if config.api_key.as_deref() == Some("") {
        return Err(Error::param(
            "the API key is empty; give a non-empty --api-key",
        ));
    }
    let cors_origin = match &config.cors_origin {
        Some(o) => Some(HeaderValue::from_str(o).map_err(|_| {
            Error::param(format!(
                "--cors-origin {o:?} is not a valid origin (e.g. https://cms.example.org, or *)"
            ))
        })?),
        None => None,
    };
    let (loaded, took) = Loaded::load(config.model.as_deref())?;
    let source = loaded.info.source.clone();
    let metrics = Metrics::default();
    metrics.model_loaded(took);
    let state = Arc::new(AppState {
        models: ModelSlot::new(loaded, config.model.clone()),
        permits: Semaphore::new(config.limits.max_concurrent),
        limits: config.limits.clone(),
        metrics,
        api_key: config.api_key.as_deref().map(auth::ApiKey::new),
        cors_origin,
        log_requests: config.log_requests,
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::input(format!("cannot start the service's runtime: {e}")))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|e| {
                Error::input(format!(
                    "cannot listen on {}: {e}; choose another --addr",
                    config.addr
                ))
            })?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::input(format!("cannot read the bound address: {e}")))?;
        let stop = signals::watch(state.clone())
            .map_err(|e| Error::input(format!("cannot watch signals: {e}")))?;
        eprintln!(
            "newsclf serve: listening on http://{addr} (model {source}, loaded in {:.3} s)",
            took.as_secs_f64()
        );
        let limits = &state.limits;
        let drain = limits.timeout + limits.header_timeout;
        let app = routes::router(state.clone());
        let left = connections::serve(listener, app, limits.header_timeout, drain, stop).await;
        if left > 0 {
            eprintln!(
                "newsclf serve: {left} connections still open after {} s; closed",
                drain.as_secs()
            );
        }
        eprintln!("newsclf serve: stopped");
        Ok(())
    })
}
