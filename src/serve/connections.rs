//! The accept loop: HTTP/1.1 connections served by hyper with a time limit on
//! reading request headers (slow clients are cut off) and a size limit on
//! them (64 KiB), and a graceful stop
//! that finishes the requests in flight, within a deadline.

use std::future::Future;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// The read buffer, which bounds a request's head (request line and
/// headers): a larger one is answered 431 or closed.
const MAX_HEADER_BYTES: usize = 64 * 1024;

/// Serves `app` on `listener` until `stop` completes; then stops accepting,
/// lets the requests in flight finish (idle connections close at once) and
/// returns once all are done or `drain` has passed. Returns the number of
/// connections still open at the deadline.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    header_timeout: Duration,
    drain: Duration,
    stop: impl Future<Output = ()>,
) -> usize {
    let (closing_tx, closing_rx) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    let service = TowerToHyperService::new(app.clone());
                    let mut closing = closing_rx.clone();
                    connections.spawn(async move {
                        let mut builder = http1::Builder::new();
                        builder
                            .timer(TokioTimer::new())
                            .header_read_timeout(header_timeout)
                            .max_buf_size(MAX_HEADER_BYTES);
                        let conn = builder.serve_connection(TokioIo::new(stream), service);
                        tokio::pin!(conn);
                        tokio::select! {
                            _ = conn.as_mut() => {}
                            _ = async { closing.wait_for(|c| *c).await.is_ok() } => {
                                conn.as_mut().graceful_shutdown();
                                let _ = conn.await;
                            }
                        }
                    });
                }
                // Out of file descriptors and the like: wait, then go on.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            () = &mut stop => break,
        }
    }
    drop(listener);
    let _ = closing_tx.send(true);
    let drained = tokio::time::timeout(drain, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    match drained {
        Ok(()) => 0,
        Err(_) => connections.len(),
    }
}
