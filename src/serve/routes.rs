//! The routes: classification (`/v1/classify`, `/v1/page`, `/v1/explain`),
//! the model (`/v1/model`, `/v1/admin/reload`), operations (`/healthz`,
//! `/metrics`), the OpenAPI description and the web page.

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde::{Deserialize, Serialize};

use super::access_log::{Documents, observe};
use super::auth::{authorized, require_key, unauthorized};
use super::cors::cors;
use super::error::{ApiError, json_response};
use super::limits::admit;
use super::reload::{Loaded, ReloadError};
use super::request::JsonBody;
use super::state::AppState;
use crate::explain::{HeadExplanation, explain};
use crate::prediction_json::DocumentJson;
use crate::sections::split_page;

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

/// Requests smaller than this (in bytes of text) are classified on the
/// async worker; larger ones on the rayon pool, off the I/O threads.
const INLINE_BYTES: usize = 8 * 1024;

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

fn default_top_k() -> usize {
    3
}

fn default_top() -> usize {
    10
}

/// `POST /v1/classify`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClassifyRequest {
    texts: Vec<String>,
    #[serde(default = "default_top_k")]
    top_k: usize,
}

/// `POST /v1/page`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PageRequest {
    markdown: String,
    #[serde(default = "default_top_k")]
    top_k: usize,
}

/// `POST /v1/explain`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExplainRequest {
    text: String,
    #[serde(default = "default_top")]
    top: usize,
}

fn check_top_k(top_k: usize) -> Result<(), ApiError> {
    if top_k == 0 {
        return Err(ApiError::invalid(
            "top_k",
            "top_k: must be at least 1 (the number of labels per head to list)",
        ));
    }
    Ok(())
}

/// Runs `work` on `loaded`: small requests right here, larger ones on the
/// rayon pool so that I/O goes on meanwhile.
async fn classify_with<F>(loaded: Arc<Loaded>, bytes: usize, work: F) -> Result<Vec<u8>, ApiError>
where
    F: FnOnce(&Loaded) -> serde_json::Result<Vec<u8>> + Send + 'static,
{
    let body = if bytes <= INLINE_BYTES {
        work(&loaded)
    } else {
        let (tx, rx) = tokio::sync::oneshot::channel();
        rayon::spawn(move || {
            let _ = tx.send(work(&loaded));
        });
        rx.await
            .map_err(|_| internal("the classification task stopped"))?
    };
    body.map_err(|e| internal(&e.to_string()))
}

fn internal(message: &str) -> ApiError {
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, None, message)
}

fn ok_json(body: Vec<u8>, documents: usize) -> Response {
    let mut response = json_response(StatusCode::OK, body);
    response
        .extensions_mut()
        .insert(Documents(documents as u64));
    response
}

async fn classify(
    State(state): State<Arc<AppState>>,
    Extension(loaded): Extension<Arc<Loaded>>,
    JsonBody(req): JsonBody<ClassifyRequest>,
) -> Result<Response, ApiError> {
    check_top_k(req.top_k)?;
    state
        .limits
        .check_count("texts", "texts", req.texts.len())?;
    for (i, text) in req.texts.iter().enumerate() {
        state.limits.check_text(&format!("texts[{i}]"), text)?;
    }
    let n = req.texts.len();
    let bytes = req.texts.iter().map(String::len).sum();
    let body = classify_with(loaded, bytes, move |loaded| {
        let predictions = loaded.model.predict_batch(&req.texts);
        let results: Vec<DocumentJson> = predictions
            .iter()
            .enumerate()
            .map(|(i, p)| DocumentJson::new(i as u64 + 1, p, req.top_k))
            .collect();
        serde_json::to_vec(&ClassifyResponse { results })
    })
    .await?;
    Ok(ok_json(body, n))
}

/// The answer of `POST /v1/classify`: one result per text, in order.
#[derive(Serialize)]
struct ClassifyResponse<'a> {
    results: Vec<DocumentJson<'a>>,
}

/// The answer of `POST /v1/page`.
#[derive(Serialize)]
struct PageResponse<'a> {
    front_matter: &'a [String],
    articles: Vec<ArticleJson<'a>>,
}

/// The answer of `POST /v1/explain`: what `newsclf explain --format json` prints, per head.
#[derive(Serialize)]
struct ExplainResponse<'a> {
    heads: Vec<HeadExplanation<'a>>,
}

/// The answer of `POST /v1/admin/reload`.
#[derive(Serialize)]
struct ReloadResponse<'a> {
    reloaded: &'a str,
    load_seconds: f64,
    heads: Vec<&'a str>,
}

/// One article of `POST /v1/page`'s answer.
#[derive(Serialize)]
struct ArticleJson<'a> {
    #[serde(flatten)]
    document: DocumentJson<'a>,
    line: usize,
    text: String,
    notes: &'a [String],
}

async fn page(
    State(state): State<Arc<AppState>>,
    Extension(loaded): Extension<Arc<Loaded>>,
    JsonBody(req): JsonBody<PageRequest>,
) -> Result<Response, ApiError> {
    check_top_k(req.top_k)?;
    let page = split_page(&req.markdown);
    if page.sections.is_empty() {
        return Err(ApiError::invalid(
            "markdown",
            "markdown: no article found; each article must start with a `# heading` line",
        ));
    }
    state
        .limits
        .check_count("markdown", "articles", page.sections.len())?;
    let texts: Vec<String> = page.sections.iter().map(|s| s.text()).collect();
    for (section, text) in page.sections.iter().zip(&texts) {
        let field = format!("markdown (article at line {})", section.line);
        state.limits.check_text(&field, text)?;
    }
    let n = texts.len();
    let body = classify_with(loaded, req.markdown.len(), move |loaded| {
        let predictions = loaded.model.predict_batch(&texts);
        let articles: Vec<ArticleJson> = page
            .sections
            .iter()
            .zip(&predictions)
            .zip(texts)
            .enumerate()
            .map(|(i, ((section, p), text))| ArticleJson {
                document: DocumentJson::new(i as u64 + 1, p, req.top_k)
                    .article(&section.title, &section.subheadings),
                line: section.line,
                text,
                notes: &section.notes,
            })
            .collect();
        serde_json::to_vec(&PageResponse {
            front_matter: &page.front_matter,
            articles,
        })
    })
    .await?;
    Ok(ok_json(body, n))
}

async fn explain_text(
    State(state): State<Arc<AppState>>,
    Extension(loaded): Extension<Arc<Loaded>>,
    JsonBody(req): JsonBody<ExplainRequest>,
) -> Result<Response, ApiError> {
    state.limits.check_text("text", &req.text)?;
    let bytes = req.text.len();
    let body = classify_with(loaded, bytes, move |loaded| {
        let heads: Vec<HeadExplanation> = explain(&loaded.model, &req.text, req.top);
        serde_json::to_vec(&ExplainResponse { heads })
    })
    .await?;
    Ok(ok_json(body, 1))
}

async fn model(State(state): State<Arc<AppState>>) -> Result<Response, ApiError> {
    let loaded = state.models.current();
    let body = serde_json::to_vec(&loaded.info).map_err(|e| internal(&e.to_string()))?;
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
