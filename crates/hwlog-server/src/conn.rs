//! The HTTP accept loop: at most [`Limits::max_connections`] connections at once (more
//! wait in the kernel's backlog), a client has [`Limits::header_timeout`] to send a
//! request's headers (which also closes keep-alive connections idle that long; upgraded
//! WebSocket connections are not timed), and a graceful stop that lets requests finish.
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::serve::Listener;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;

use crate::limits::Limits;

/// Serves `router` on `listener` until `shutdown` completes, then waits up to 30 s for the
/// open requests.
pub async fn serve<L>(mut listener: L, router: Router, limits: &Limits, shutdown: impl Future)
where
    L: Listener,
    L::Io: Send + Unpin + 'static,
{
    let max = limits.max_connections.max(1);
    let slots = Arc::new(tokio::sync::Semaphore::new(max));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    let header_timeout = limits.header_timeout;
    loop {
        let slot = tokio::select! {
            s = slots.clone().acquire_owned() => match s {
                Ok(s) => s,
                Err(_) => break,
            },
            _ = &mut shutdown => break,
        };
        let (io, _) = tokio::select! {
            c = listener.accept() => c,
            _ = &mut shutdown => break,
        };
        let svc = router.clone();
        let mut b = hyper::server::conn::http1::Builder::new();
        b.timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .max_buf_size(64 << 10);
        let conn = b
            .serve_connection(TokioIo::new(io), TowerToHyperService::new(svc))
            .with_upgrades();
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = async { let _ = stop.wait_for(|s| *s).await; } => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
            drop(slot);
        });
    }
    // Open requests finish; idle connections close. Done when every slot is back.
    let _ = stop_tx.send(true);
    let _ = tokio::time::timeout(
        Duration::from_secs(30),
        slots.acquire_many(u32::try_from(max).unwrap_or(u32::MAX)),
    )
    .await;
}
