//! Serving a fake on an ephemeral loopback port.

use axum::Router;
use tokio::sync::oneshot;

/// A running fake server; dropping it stops accepting connections.
#[derive(Debug)]
pub(crate) struct Running {
    pub base_url: String,
    _stop: oneshot::Sender<()>,
}

/// Binds 127.0.0.1:0 and serves `router` until the returned handle is dropped.
pub(crate) async fn serve(router: Router) -> std::io::Result<Running> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let shutdown = async move {
            let _ = stopped.await;
        };
        if let Err(e) = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::warn!(error = %e, "fake carrier server stopped");
        }
    });
    Ok(Running {
        base_url: format!("http://{addr}"),
        _stop: stop,
    })
}
