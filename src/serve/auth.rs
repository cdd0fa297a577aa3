//! Optional bearer-token authentication (`--api-key` or `NEWSCLF_API_KEY`).
//! Tokens are compared as SHA-256 digests in constant time, so neither the
//! key's length nor its content shows in response times.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::error::ApiError;
use super::state::AppState;

/// The service's API key, kept as its digest.
pub struct ApiKey([u8; 32]);

impl ApiKey {
    /// The key `key`.
    pub fn new(key: &str) -> Self {
        ApiKey(Sha256::digest(key.as_bytes()).into())
    }

    /// Whether `presented` is the key (constant time).
    pub fn matches(&self, presented: &[u8]) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented).into();
        let diff = digest
            .iter()
            .zip(&self.0)
            .fold(0u8, |acc, (a, b)| std::hint::black_box(acc | (a ^ b)));
        diff == 0
    }
}

/// Whether the request carries `Authorization: Bearer <the key>`.
pub fn authorized(state: &AppState, req: &Request) -> bool {
    let Some(key) = &state.api_key else {
        return true;
    };
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.as_bytes().strip_prefix(b"Bearer "))
        .is_some_and(|token| key.matches(token))
}

/// Middleware: answers 401 unless the request is authorized.
pub async fn require_key(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if authorized(&state, &req) {
        next.run(req).await
    } else {
        unauthorized().into_response()
    }
}

/// The 401 error.
pub fn unauthorized() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        Some("Authorization"),
        "missing or wrong API key: send the header `Authorization: Bearer <key>`",
    )
}

#[cfg(test)]
mod tests {
    use super::ApiKey;

    #[test]
    fn only_the_exact_key_matches() {
        let key = ApiKey::new("s3cret-key");
        assert!(key.matches(b"s3cret-key"));
        for wrong in [&b""[..], b"s3cret-ke", b"s3cret-key ", b"S3cret-key"] {
            assert!(!key.matches(wrong), "{wrong:?}");
        }
    }
}
