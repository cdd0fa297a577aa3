//! The classification routes: `POST /v1/classify`, `POST /v1/page` and
//! `POST /v1/explain`. Each checks its request against the limits, classifies
//! with the model the request was admitted with, and answers in the JSON shapes
//! of `predict --format json` and `explain --format json`.

use std::sync::Arc;

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::access_log::Documents;
use super::error::{ApiError, json_response};
use super::reload::Loaded;
use super::request::JsonBody;
use super::state::AppState;
use crate::{DocumentJson, HeadExplanation, explain, split_page};

/// Requests smaller than this (in bytes of text) are classified on the
/// async worker; larger ones on the rayon pool, off the I/O threads.
const INLINE_BYTES: usize = 8 * 1024;

fn default_top_k() -> usize {
    3
}

fn default_top() -> usize {
    10
}

/// `POST /v1/classify`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ClassifyRequest {
    texts: Vec<String>,
    #[serde(default = "default_top_k")]
    top_k: usize,
}

/// `POST /v1/page`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PageRequest {
    markdown: String,
    #[serde(default = "default_top_k")]
    top_k: usize,
}

/// `POST /v1/explain`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ExplainRequest {
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
            .map_err(|_| ApiError::internal("the classification task stopped"))?
    };
    body.map_err(|e| ApiError::internal(&e.to_string()))
}

fn ok_json(body: Vec<u8>, documents: usize) -> Response {
    let mut response = json_response(StatusCode::OK, body);
    response
        .extensions_mut()
        .insert(Documents(documents as u64));
    response
}

pub(super) async fn classify(
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

/// One article of `POST /v1/page`'s answer.
#[derive(Serialize)]
struct ArticleJson<'a> {
    #[serde(flatten)]
    document: DocumentJson<'a>,
    line: usize,
    text: String,
    notes: &'a [String],
}

pub(super) async fn page(
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

pub(super) async fn explain_text(
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
