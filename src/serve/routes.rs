//! The router and the routes that classify nothing: the model (`/v1/model`,
//! `/v1/admin/reload`), operations (`/healthz`, `/metrics`), the OpenAPI
//! description and the web page. The classification routes are in `classify.rs`.

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;

use super::access_log::observe;
use super::auth::{authorized, require_key, unauthorized};
use super::classify::{classify, explain_text, page};
use super::cors::cors;
use super::error::{ApiError, json_response};
use super::limits::admit;
use super::reload::ReloadError;
use super::state::AppState;

/// Every route, as the metrics and logs name them.
pub const ROUTES: [&str; 9] = [
    "/",
    "/healthz",
    "/metrics",
    "/openapi.json",
    "/v1/admin/reload",
    "/v1/classify",
    "/v1/explain",
    "/v1/model",
    "/v1/page",
];

/// The route a request matched, or `other`.
pub fn route_label(matched: Option<&MatchedPath>) -> &'static str {
    matched
        .and_then(|m| ROUTES.iter().find(|r| **r == m.as_str()))
        .copied()
        .unwrap_or("other")
}

/// The web page.
const PAGE: &str = include_str!("page.html");

/// The OpenAPI description.
const OPENAPI: &str = include_str!("openapi.json");

/// The service's router.
pub fn router(state: Arc<AppState>) -> Router {
    let work = Router::new()
        .route("/v1/classify", post(classify))
        .route("/v1/page", post(page))
        .route("/v1/explain", post(explain_text))
        .route_layer(from_fn_with_state(state.clone(), admit));
    let protected = Router::new()
        .merge(work)
        .route("/v1/model", get(model))
        .route("/metrics", get(metrics))
        .route_layer(from_fn_with_state(state.clone(), require_key));
    let max_body = state.limits.max_body_bytes;
    Router::new()
        .merge(protected)
        .route("/v1/admin/reload", post(admin_reload))
        .route("/healthz", get(healthz))
        .route("/openapi.json", get(openapi))
        .route("/", get(web_page))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(from_fn_with_state(state.clone(), cors))
        .layer(from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

/// The answer of `POST /v1/admin/reload`.
#[derive(Serialize)]
struct ReloadResponse<'a> {
    reloaded: &'a str,
    load_seconds: f64,
    heads: Vec<&'a str>,
}

async fn model(State(state): State<Arc<AppState>>) -> Result<Response, ApiError> {
    let loaded = state.models.current();
    let body = serde_json::to_vec(&loaded.info).map_err(|e| ApiError::internal(&e.to_string()))?;
    Ok(json_response(StatusCode::OK, body))
}

/// `POST /v1/admin/reload`: only with an API key configured and presented.
async fn admin_reload(State(state): State<Arc<AppState>>, req: Request) -> Response {
    if state.api_key.is_none() {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            None,
            "the admin route is off: start the service with --api-key (or NEWSCLF_API_KEY) to use it, or send SIGHUP",
        )
        .into_response();
    }
    if !authorized(&state, &req) {
        return unauthorized().into_response();
    }
    match reload(&state).await {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(ReloadError::NoFile) => {
            ApiError::new(StatusCode::CONFLICT, None, ReloadError::NoFile.to_string())
                .into_response()
        }
        Err(e) => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, None, e.to_string()).into_response()
        }
    }
}

/// Reloads the model file (SIGHUP and the admin route); logs the outcome and
/// returns the JSON that the admin route answers with.
pub async fn reload(state: &AppState) -> Result<Vec<u8>, ReloadError> {
    match state.models.reload().await {
        Ok((loaded, took)) => {
            state.metrics.reloaded(true);
            state.metrics.model_loaded(took);
            if state.log_requests {
                eprintln!(
                    "newsclf serve: reloaded {} in {:.3} s",
                    loaded.info.source,
                    took.as_secs_f64()
                );
            }
            let heads = loaded.info.heads.iter().map(|h| h.name.as_str()).collect();
            Ok(serde_json::to_vec(&ReloadResponse {
                reloaded: &loaded.info.source,
                load_seconds: took.as_secs_f64(),
                heads,
            })
            .unwrap_or_default())
        }
        Err(e) => {
            state.metrics.reloaded(false);
            eprintln!("newsclf serve: reload: {e}");
            Err(e)
        }
    }
}

async fn healthz() -> Response {
    json_response(StatusCode::OK, br#"{"status":"ok"}"#.to_vec())
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        state.metrics.render(),
    )
        .into_response()
}

async fn openapi() -> Response {
    json_response(StatusCode::OK, OPENAPI.as_bytes().to_vec())
}

async fn web_page() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            // Nothing outside the page itself may load.
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
                     connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'",
                ),
            ),
        ],
        PAGE,
    )
        .into_response()
}

async fn not_found(method: Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        None,
        format!(
            "no route {method} {}; the routes are listed at /openapi.json",
            uri.path()
        ),
    )
}

async fn method_not_allowed(method: Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        None,
        format!(
            "{} does not take {method}; the routes and their methods are listed at /openapi.json",
            uri.path()
        ),
    )
}
