//! Admission of classification requests: at most `--max-concurrent` at once
//! (429 beyond, rather than an unbounded queue), each answered within
//! `--timeout-ms` (408 past it while the body is still arriving, 503 after). Also the request limits themselves.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::state::AppState;

/// Request limits, each a flag of `newsclf serve`.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request body, in bytes (413 past it).
    pub max_body_bytes: usize,
    /// Most texts in one request, or articles in one page (413 past it).
    pub max_texts: usize,
    /// Most characters in one text or article (413 past it).
    pub max_chars: usize,
    /// Classification requests answered at once (429 past it).
    pub max_concurrent: usize,
    /// Time to answer a classification request, reading its body included (503 past it).
    pub timeout: Duration,
    /// Time a client has to send a request's headers before the connection is closed.
    pub header_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 2 * 1024 * 1024,
            max_texts: 1000,
            max_chars: 100_000,
            max_concurrent: 128,
            timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(10),
        }
    }
}

impl Limits {
    /// Checks one text (`field` names it) against `--max-chars`; empty texts are refused.
    pub fn check_text(&self, field: &str, text: &str) -> Result<(), ApiError> {
        if text.trim().is_empty() {
            return Err(ApiError::invalid(
                field,
                format!("{field}: empty text; send the text to classify"),
            ));
        }
        // Bytes bound characters from above: count only when it can matter.
        if text.len() > self.max_chars {
            let chars = text.chars().count();
            if chars > self.max_chars {
                return Err(ApiError::too_large(
                    Some(field),
                    format!(
                        "{field}: {chars} characters; the limit is {} per text (--max-chars)",
                        self.max_chars
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Checks a number of texts (`field` names them) against `--max-texts`.
    pub fn check_count(&self, field: &str, what: &str, n: usize) -> Result<(), ApiError> {
        if n > self.max_texts {
            return Err(ApiError::too_large(
                Some(field),
                format!(
                    "{field}: {n} {what}; the limit is {} per request (--max-texts): split them over several requests",
                    self.max_texts
                ),
            ));
        }
        Ok(())
    }
}

/// Middleware: a concurrency permit (429 when none is free) and the timeout (503).
/// The request is then served by the model in service when it was admitted
/// (a request extension), whatever reloads happen before it is answered.
pub async fn admit(State(state): State<Arc<AppState>>, mut req: Request, next: Next) -> Response {
    let Ok(_permit) = state.permits.try_acquire() else {
        return ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            None,
            format!(
                "the service is answering {} requests already (--max-concurrent); retry shortly",
                state.limits.max_concurrent
            ),
        )
        .into_response();
    };
    let _in_flight = state.metrics.in_flight();
    req.extensions_mut().insert(state.models.current());
    let body_read = BodyRead::default();
    req.extensions_mut().insert(body_read.clone());
    let ms = state.limits.timeout.as_millis();
    match tokio::time::timeout(state.limits.timeout, next.run(req)).await {
        Ok(response) => response,
        // The client was too slow sending its body: its fault, 408.
        Err(_) if !body_read.is_done() => ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            None,
            format!("the request body did not arrive within {ms} ms (--timeout-ms)"),
        )
        .into_response(),
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            None,
            format!("no answer within {ms} ms (--timeout-ms); send fewer or shorter texts"),
        )
        .into_response(),
    }
}

/// Set once a request's body has been read (a request extension), so that a
/// timeout can tell a slow client (408) from slow work (503).
#[derive(Debug, Clone, Default)]
pub struct BodyRead(Arc<AtomicBool>);

impl BodyRead {
    /// Records that the body has been read.
    pub fn done(&self) {
        self.0.store(true, Ordering::Release);
    }

    fn is_done(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}
