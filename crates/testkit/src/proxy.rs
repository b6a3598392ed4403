//! A TCP proxy on loopback that can partition the network: put it between a station and
//! its hub (or the hub and Lightspeed) and switch the link off and on. Off means new
//! connections are closed at once and open ones are cut, as a pulled cable would.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// A running proxy. Dropping it stops it.
pub struct LinkProxy {
    addr: SocketAddr,
    online: watch::Sender<bool>,
    refused: Arc<AtomicU64>,
    forwarded: Arc<AtomicU64>,
    stop: CancellationToken,
}

impl LinkProxy {
    /// Listens on an ephemeral 127.0.0.1 port and forwards to `upstream`.
    pub async fn start(upstream: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let (online, online_rx) = watch::channel(true);
        let refused = Arc::new(AtomicU64::new(0));
        let forwarded = Arc::new(AtomicU64::new(0));
        let stop = CancellationToken::new();
        tokio::spawn(accept_loop(
            listener,
            upstream,
            online_rx,
            refused.clone(),
            forwarded.clone(),
            stop.clone(),
        ));
        Ok(Self {
            addr,
            online,
            refused,
            forwarded,
            stop,
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Switches the link on or off (off cuts open connections too).
    pub fn set_online(&self, online: bool) {
        self.online.send_replace(online);
    }

    /// Whether the link is on.
    pub fn is_online(&self) -> bool {
        *self.online.borrow()
    }

    /// Connections closed because the link was off.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    /// Connections forwarded.
    pub fn forwarded(&self) -> u64 {
        self.forwarded.load(Ordering::Relaxed)
    }
}

impl Drop for LinkProxy {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

async fn accept_loop(
    listener: TcpListener,
    upstream: SocketAddr,
    online: watch::Receiver<bool>,
    refused: Arc<AtomicU64>,
    forwarded: Arc<AtomicU64>,
    stop: CancellationToken,
) {
    loop {
        let accepted = tokio::select! {
            _ = stop.cancelled() => return,
            a = listener.accept() => a,
        };
        let Ok((client, _)) = accepted else { continue };
        if !*online.borrow() {
            refused.fetch_add(1, Ordering::Relaxed);
            drop(client);
            continue;
        }
        forwarded.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(pipe(client, upstream, online.clone(), stop.clone()));
    }
}

async fn pipe(
    mut client: TcpStream,
    upstream: SocketAddr,
    mut online: watch::Receiver<bool>,
    stop: CancellationToken,
) {
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        return;
    };
    let cut = async {
        loop {
            if online.changed().await.is_err() || !*online.borrow() {
                return;
            }
        }
    };
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
        _ = cut => {}
        _ = stop.cancelled() => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn echo_server() -> SocketAddr {
        let l = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = l.accept().await {
                tokio::spawn(async move {
                    let mut buf = [0u8; 64];
                    while let Ok(n) = s.read(&mut buf).await {
                        if n == 0 || s.write_all(&buf[..n]).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        addr
    }

    async fn round_trip(addr: SocketAddr) -> std::io::Result<Vec<u8>> {
        let mut s = TcpStream::connect(addr).await?;
        s.write_all(b"ping").await?;
        let mut buf = [0u8; 4];
        s.read_exact(&mut buf).await?;
        Ok(buf.to_vec())
    }

    #[tokio::test]
    async fn bytes_pass_while_online_and_stop_while_offline() {
        let proxy = LinkProxy::start(echo_server().await).await.unwrap();
        assert_eq!(round_trip(proxy.addr).await.unwrap(), b"ping");
        proxy.set_online(false);
        assert!(
            round_trip(proxy.addr).await.is_err(),
            "offline link must not carry bytes"
        );
        assert_eq!(proxy.refused(), 1);
        proxy.set_online(true);
        assert_eq!(round_trip(proxy.addr).await.unwrap(), b"ping");
        assert_eq!(proxy.forwarded(), 2);
    }

    #[tokio::test]
    async fn going_offline_cuts_an_open_connection() {
        let proxy = LinkProxy::start(echo_server().await).await.unwrap();
        let mut s = TcpStream::connect(proxy.addr).await.unwrap();
        s.write_all(b"a").await.unwrap();
        let mut one = [0u8; 1];
        s.read_exact(&mut one).await.unwrap();
        proxy.set_online(false);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let _ = s.write_all(b"b").await;
        let n = s.read(&mut one).await.unwrap_or(0);
        assert_eq!(n, 0, "the cut connection reads end-of-file");
    }
}
