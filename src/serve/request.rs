//! Reading a JSON request body: content type, size limit, UTF-8, syntax and
//! shape, each failure a 4xx [`ApiError`] naming the field at fault.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;
use serde_json::error::Category;

use super::error::ApiError;
use super::limits::BodyRead;
use super::reload::Loaded;
use super::state::AppState;

/// A request body parsed from JSON into `T`.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<Arc<AppState>> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &Arc<AppState>) -> Result<Self, ApiError> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !is_json(content_type) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Some("Content-Type"),
                format!(
                    "the body must be JSON: send `Content-Type: application/json` (got {})",
                    if content_type.is_empty() {
                        "none".to_string()
                    } else {
                        format!("`{content_type}`")
                    }
                ),
            ));
        }
        let limit = state.limits.max_body_bytes;
        // A declared length over the limit is refused before any byte is read.
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(too_large(limit));
        }
        let body_read = req.extensions().get::<BodyRead>().cloned();
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|r| body_error(r, limit))?;
        if let Some(flag) = body_read {
            flag.done();
        }
        parse(&bytes).map(JsonBody)
    }
}

/// What a classification route starts from: the service's state, the model
/// the request was admitted with (requests in flight keep theirs across a
/// reload), and the JSON body.
pub struct Call<T> {
    pub state: Arc<AppState>,
    pub loaded: Arc<Loaded>,
    pub req: T,
}

impl<T: DeserializeOwned> FromRequest<Arc<AppState>> for Call<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &Arc<AppState>) -> Result<Self, ApiError> {
        let loaded = req
            .extensions()
            .get::<Arc<Loaded>>()
            .cloned()
            .ok_or_else(|| ApiError::internal("no model was admitted with the request"))?;
        let JsonBody(body) = JsonBody::from_request(req, state).await?;
        Ok(Call {
            state: Arc::clone(state),
            loaded,
            req: body,
        })
    }
}

/// `application/json`, with or without parameters such as `charset=utf-8`.
fn is_json(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
}

fn body_error(rejection: BytesRejection, limit: usize) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large(limit)
    } else {
        ApiError::malformed(format!(
            "the body could not be read: {}",
            rejection.body_text()
        ))
    }
}

fn too_large(limit: usize) -> ApiError {
    ApiError::too_large(
        None,
        format!(
            "the body is larger than {limit} bytes (--max-body-bytes); send fewer or shorter texts per request"
        ),
    )
}

/// Parses a JSON body; errors name the field (`texts[2]`, `top_k`).
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        ApiError::malformed(format!(
            "the body is not valid UTF-8 (at byte {}); send JSON encoded as UTF-8",
            e.valid_up_to()
        ))
    })?;
    let mut de = serde_json::Deserializer::from_str(text);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            Category::Data => {
                // "." is the body itself; "[0]…" a body that is not an object.
                let field = if path == "." {
                    named_field(&inner.to_string()).unwrap_or_else(|| "body".to_string())
                } else if path.starts_with('[') {
                    "body".to_string()
                } else {
                    path
                };
                ApiError::invalid(&field, format!("{field}: {inner}"))
            }
            _ => ApiError::malformed(format!("malformed JSON: {inner}")),
        }
    })?;
    de.end()
        .map_err(|e| ApiError::malformed(format!("malformed JSON: {e}")))?;
    Ok(value)
}

/// The field named in serde's "missing field `x`" / "unknown field `x`" messages.
fn named_field(message: &str) -> Option<String> {
    let rest = message.split_once("field `")?.1;
    Some(rest.split_once('`')?.0.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Req {
        texts: Vec<String>,
        top_k: Option<usize>,
    }

    fn field(body: &str) -> (StatusCode, Option<String>) {
        let e = parse::<Req>(body.as_bytes()).unwrap_err();
        (e.status, e.field)
    }

    #[test]
    fn errors_name_the_field_at_fault() {
        let invalid = StatusCode::UNPROCESSABLE_ENTITY;
        assert_eq!(
            field(r#"{"texts": ["a", 3]}"#),
            (invalid, Some("texts[1]".into()))
        );
        assert_eq!(field(r#"{"top_k": 1}"#), (invalid, Some("texts".into())));
        assert_eq!(
            field(r#"{"texts": [], "top_k": -1}"#),
            (invalid, Some("top_k".into()))
        );
        assert_eq!(
            field(r#"{"texts": [], "topk": 1}"#),
            (invalid, Some("topk".into()))
        );
        assert_eq!(field(r#"["a"]"#), (invalid, Some("body".into())));
        assert_eq!(field(r#"[["a"]]"#), (invalid, Some("body".into())));
    }

    #[test]
    fn syntax_errors_and_bad_utf8_are_400() {
        for body in [
            &b"{\"texts\": [\"a\""[..],
            b"{\"texts\": []} {}",
            b"\xff\xfe",
            b"",
            b"nul",
        ] {
            let e = parse::<Req>(body).unwrap_err();
            assert_eq!(e.status, StatusCode::BAD_REQUEST, "{body:?}");
        }
        let deep = "[".repeat(100_000);
        assert_eq!(
            parse::<serde_json::Value>(deep.as_bytes())
                .unwrap_err()
                .status,
            StatusCode::BAD_REQUEST
        );
    }

    #[test]
    fn json_content_types() {
        assert!(is_json("application/json"));
        assert!(is_json("Application/JSON; charset=utf-8"));
        assert!(!is_json("text/plain"));
        assert!(!is_json(""));
    }
}
