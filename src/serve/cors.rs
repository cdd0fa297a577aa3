//! CORS, off unless `--cors-origin` names the origin allowed (or `*`):
//! then preflight requests are answered and responses carry
//! `Access-Control-Allow-Origin` for that origin.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::state::AppState;

/// Middleware: CORS headers for the allowed origin.
pub async fn cors(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let Some(allowed) = state.cors_origin.clone() else {
        return next.run(req).await;
    };
    let origin = req.headers().get(header::ORIGIN).cloned();
    let allow = origin.filter(|o| allowed == "*" || *o == allowed).map(|o| {
        if allowed == "*" {
            HeaderValue::from_static("*")
        } else {
            o
        }
    });
    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = match (&allow, preflight) {
        (Some(_), true) => {
            let mut r = StatusCode::NO_CONTENT.into_response();
            let h = r.headers_mut();
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, POST"),
            );
            h.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("content-type, authorization"),
            );
            h.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("600"),
            );
            r
        }
        _ => next.run(req).await,
    };
    if let Some(value) = allow {
        let h = response.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    response
}
