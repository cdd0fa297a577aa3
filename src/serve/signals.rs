//! Signals: SIGHUP reloads the model file; SIGTERM and SIGINT (Ctrl-C) stop
//! the service. Where there are no Unix signals, only Ctrl-C stops it.

use std::future::Future;
use std::sync::Arc;

use super::routes::reload;
use super::state::AppState;

/// Starts reloading on SIGHUP and returns the future that completes when
/// the service is asked to stop.
#[cfg(unix)]
pub fn watch(state: Arc<AppState>) -> std::io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut hangup = signal(SignalKind::hangup())?;
    tokio::spawn(async move {
        while hangup.recv().await.is_some() {
            let _ = reload(&state).await;
        }
    });
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = interrupt.recv() => {}
        }
        stopping();
    })
}

/// Returns the future that completes on Ctrl-C (no SIGHUP reloads here:
/// use the admin route).
#[cfg(not(unix))]
pub fn watch(_state: Arc<AppState>) -> std::io::Result<impl Future<Output = ()>> {
    Ok(async move {
        let _ = tokio::signal::ctrl_c().await;
        stopping();
    })
}

fn stopping() {
    eprintln!("newsclf serve: stopping: finishing the requests in flight");
}
