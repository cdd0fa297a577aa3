//! One structured log line per request on stderr (method, route, status,
//! duration, documents; never the texts), and the request metrics.

use std::io::Write;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::routes::route_label;
use super::state::AppState;

/// Documents a response classified, set by the handlers as a response extension.
#[derive(Debug, Clone, Copy)]
pub struct Documents(pub u64);

/// Middleware: times the request, records it and logs it.
pub async fn observe(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let route = route_label(req.extensions().get::<MatchedPath>());
    let response = next.run(req).await;
    let took = start.elapsed();
    let status = response.status().as_u16();
    let documents = response.extensions().get::<Documents>().map_or(0, |d| d.0);
    state.metrics.observe(route, status, took, documents);
    if state.log_requests {
        let time = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64();
        // One write per line: stderr is unbuffered, and `writeln!` on it would
        // make a system call per piece of the format.
        let line = format!(
            "{{\"time\":{time:.3},\"method\":\"{method}\",\"route\":\"{route}\",\"status\":{status},\"duration_ms\":{:.3},\"documents\":{documents}}}\n",
            took.as_secs_f64() * 1e3
        );
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
    response
}
