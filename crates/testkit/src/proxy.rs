//! A TCP proxy on loopback that can partition the network: put it between a station and
//! its hub (or the hub and Lightspeed) and switch the link off and on. Off means new
//! connections are closed at once and open ones are cut, as a pulled cable would.
//! It can also lose answers: the request reaches the server (which commits), and the
//! connection is cut as the first bytes of the answer come back.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
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
    lose: Arc<Lose>,
    stop: CancellationToken,
}

/// Answers still to lose, and answers lost so far.
#[derive(Debug, Default)]
struct Lose {
    next: AtomicU32,
    lost: AtomicU64,
}

impl Lose {
    /// Takes one answer to lose, if any is asked for.
    fn take(&self) -> bool {
        let took = self
            .next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if took {
            self.lost.fetch_add(1, Ordering::Relaxed);
        }
        took
    }
}

impl LinkProxy {
    /// Listens on an ephemeral 127.0.0.1 port and forwards to `upstream`.
    pub async fn start(upstream: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let (online, online_rx) = watch::channel(true);
        let refused = Arc::new(AtomicU64::new(0));
        let forwarded = Arc::new(AtomicU64::new(0));
        let lose = Arc::new(Lose::default());
        let stop = CancellationToken::new();
        tokio::spawn(accept_loop(
            listener,
            upstream,
            Link {
                online: online_rx,
                lose: lose.clone(),
                stop: stop.clone(),
            },
            refused.clone(),
            forwarded.clone(),
        ));
        Ok(Self {
            addr,
            online,
            refused,
            forwarded,
            lose,
            stop,
        })
    }

    /// Loses the next `n` answers (0 stops losing them): each request is delivered
    /// whole (the server may commit it), then its connection is cut when the answer
    /// starts to come back.
    pub fn lose_next_answers(&self, n: u32) {
        self.lose.next.store(n, Ordering::SeqCst);
    }

    /// Answers lost so far.
    pub fn answers_lost(&self) -> u64 {
        self.lose.lost.load(Ordering::Relaxed)
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

/// What every connection of one proxy shares.
#[derive(Clone)]
struct Link {
    online: watch::Receiver<bool>,
    lose: Arc<Lose>,
    stop: CancellationToken,
}

async fn accept_loop(
    listener: TcpListener,
    upstream: SocketAddr,
    link: Link,
    refused: Arc<AtomicU64>,
    forwarded: Arc<AtomicU64>,
) {
    loop {
        let accepted = tokio::select! {
            _ = link.stop.cancelled() => return,
            a = listener.accept() => a,
        };
        let Ok((client, _)) = accepted else { continue };
        if !*link.online.borrow() {
            refused.fetch_add(1, Ordering::Relaxed);
            drop(client);
            continue;
        }
        forwarded.fetch_add(1, Ordering::Relaxed);
        tokio::spawn(pipe(client, upstream, link.clone()));
    }
}

/// Copies the server's answers to the client until one is to be lost.
async fn answers(
    mut from: tokio::net::tcp::ReadHalf<'_>,
    mut to: tokio::net::tcp::WriteHalf<'_>,
    lose: &Lose,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if lose.take() || to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

async fn pipe(mut client: TcpStream, upstream: SocketAddr, mut link: Link) {
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        return;
    };
    let (client_read, client_write) = client.split();
    let (server_read, mut server_write) = server.split();
    let requests = async {
        let mut client_read = client_read;
        let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
        // Half-close towards the server, as the client did.
        let _ = tokio::io::AsyncWriteExt::shutdown(&mut server_write).await;
        std::future::pending::<()>().await
    };
    let cut = async {
        loop {
            if link.online.changed().await.is_err() || !*link.online.borrow() {
                return;
            }
        }
    };
    tokio::select! {
        _ = requests => {}
        _ = answers(server_read, client_write, &link.lose) => {}
        _ = cut => {}
        _ = link.stop.cancelled() => {}
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
    async fn a_lost_answer_is_delivered_upstream_and_cut_on_the_way_back() {
        let proxy = LinkProxy::start(echo_server().await).await.unwrap();
        proxy.lose_next_answers(1);
        assert!(round_trip(proxy.addr).await.is_err(), "the answer is lost");
        assert_eq!(proxy.answers_lost(), 1);
        assert_eq!(round_trip(proxy.addr).await.unwrap(), b"ping", "only one");
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
