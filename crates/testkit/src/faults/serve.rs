//! An HTTP/1.1 accept loop that gives every request a [`KillSwitch`] for its own
//! connection, so a fault can cut the socket without writing a response (the
//! "dropped connection" and "lost acknowledgement" faults). `axum::serve` has no
//! such hook.

use std::sync::Arc;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

/// Cuts the connection the request arrived on (a request extension).
#[derive(Debug, Clone)]
pub struct KillSwitch(Arc<Notify>);

impl KillSwitch {
    /// Closes the connection now; whatever the handler still sends is lost.
    pub fn cut(&self) {
        self.0.notify_one();
    }
}

/// Serves `router` on `listener` until `shutdown` is cancelled.
pub async fn serve_with_kill_switch(
    listener: TcpListener,
    router: Router,
    shutdown: CancellationToken,
) {
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    tracing::warn!(%error, "accept failed");
                    continue;
                }
            },
            _ = shutdown.cancelled() => break,
        };
        let router = router.clone();
        let shutdown = shutdown.clone();
        tokio::spawn(async move {
            let kill = Arc::new(Notify::new());
            let switch = KillSwitch(kill.clone());
            let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
                req.extensions_mut().insert(switch.clone());
                let router = router.clone();
                async move { router.oneshot(req).await }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            // Dropping `conn` closes the socket without a response: that is the fault.
            tokio::select! {
                _ = conn => {}
                _ = kill.notified() => {}
                _ = shutdown.cancelled() => {}
            }
        });
    }
}
