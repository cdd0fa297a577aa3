//! The classification routes: `POST /v1/classify`, `POST /v1/page` and
//! `POST /v1/explain`. Each checks its request against the limits, classifies
//! with the model the request was admitted with, and answers in the JSON shapes
//! of `predict --format json` and `explain --format json`.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::access_log::Documents;
use super::error::{ApiError, json_response};
use super::reload::Loaded;
use super::request::Call;
use super::state::AppState;
use crate::{DocumentJson, HeadExplanation, Prediction, explain, split_page};

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

/// The shared path of the routes that classify texts: each text checked
/// against the limits (`count` names the request field and what it holds;
/// each text comes with the field that names it in errors), then all
/// classified with the model the request was admitted with; `answer` turns
/// the predictions (and the texts) into the JSON body.
async fn classify_texts<F>(
    state: &AppState,
    loaded: Arc<Loaded>,
    count: (&str, &str),
    texts: Vec<(String, String)>,
    bytes: usize,
    answer: F,
) -> Result<Response, ApiError>
where
    F: FnOnce(&[Prediction<'_>], Vec<String>) -> serde_json::Result<Vec<u8>> + Send + 'static,
{
    state.limits.check_count(count.0, count.1, texts.len())?;
    for (field, text) in &texts {
        state.limits.check_text(field, text)?;
    }
    let n = texts.len();
    let texts: Vec<String> = texts.into_iter().map(|(_, text)| text).collect();
    let body = classify_with(loaded, bytes, move |loaded| {
        let predictions = loaded.model.predict_batch(&texts);
        answer(&predictions, texts)
    })
    .await?;
    Ok(ok_json(body, n))
}

pub(super) async fn classify(call: Call<ClassifyRequest>) -> Result<Response, ApiError> {
    let Call { state, loaded, req } = call;
    check_top_k(req.top_k)?;
    let bytes = req.texts.iter().map(String::len).sum();
    let texts = req
        .texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| (format!("texts[{i}]"), text))
        .collect();
    let top_k = req.top_k;
    classify_texts(
        &state,
        loaded,
        ("texts", "texts"),
        texts,
        bytes,
        move |predictions, _| {
            let results: Vec<DocumentJson> = predictions
                .iter()
                .enumerate()
                .map(|(i, p)| DocumentJson::new(i as u64 + 1, p, top_k))
                .collect();
            serde_json::to_vec(&ClassifyResponse { results })
        },
    )
    .await
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

pub(super) async fn page(call: Call<PageRequest>) -> Result<Response, ApiError> {
    let Call { state, loaded, req } = call;
    check_top_k(req.top_k)?;
    let page = split_page(&req.markdown);
    if page.sections.is_empty() {
        return Err(ApiError::invalid(
            "markdown",
            "markdown: no article found; each article must start with a `# heading` line",
        ));
    }
    let texts = page
        .sections
        .iter()
        .map(|s| (format!("markdown (article at line {})", s.line), s.text()))
        .collect();
    let (bytes, top_k) = (req.markdown.len(), req.top_k);
    let count = ("markdown", "articles");
    classify_texts(
        &state,
        loaded,
        count,
        texts,
        bytes,
        move |predictions, texts| {
            let articles: Vec<ArticleJson> = page
                .sections
                .iter()
                .zip(predictions)
                .zip(texts)
                .enumerate()
                .map(|(i, ((section, p), text))| ArticleJson {
                    document: DocumentJson::new(i as u64 + 1, p, top_k)
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
        },
    )
    .await
}

pub(super) async fn explain_text(call: Call<ExplainRequest>) -> Result<Response, ApiError> {
    let Call { state, loaded, req } = call;
    state.limits.check_text("text", &req.text)?;
    let bytes = req.text.len();
    let body = classify_with(loaded, bytes, move |loaded| {
        let heads: Vec<HeadExplanation> = explain(&loaded.model, &req.text, req.top);
        serde_json::to_vec(&ExplainResponse { heads })
    })
    .await?;
    Ok(ok_json(body, 1))
}
