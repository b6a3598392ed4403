//! A Zebra-compatible network printer on 127.0.0.1: stores every job it receives and answers
//! `~HS` with the three host-status strings (paper out, pause, head open settable).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Conditions the printer reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SimPrinterStatus {
    /// Out of labels.
    pub paper_out: bool,
    /// Paused.
    pub paused: bool,
    /// Head open.
    pub head_open: bool,
}

#[derive(Default)]
struct State {
    jobs: Vec<Vec<u8>>,
    status: SimPrinterStatus,
    status_queries: usize,
    /// Answer `~HS` with line noise instead of the host status.
    garbage: bool,
}

/// A running simulated printer. Dropping it stops accepting connections.
pub struct ZplPrinterSim {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// Accepts connections on `listener` until `stop`.
fn listen(
    listener: TcpListener,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
) -> std::io::Result<JoinHandle<()>> {
    listener.set_nonblocking(true)?;
    std::thread::Builder::new()
        .name("sim zpl printer".into())
        .spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((conn, _)) => {
                        let st = state.clone();
                        let _ = std::thread::Builder::new()
                            .name("sim zpl connection".into())
                            .spawn(move || serve(conn, st));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        })
}

impl ZplPrinterSim {
    /// Starts listening on a free loopback port.
    pub fn start() -> std::io::Result<ZplPrinterSim> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = listen(listener, state.clone(), stop.clone())?;
        Ok(ZplPrinterSim {
            addr,
            state,
            stop,
            thread: Some(thread),
        })
    }

    /// The cable is pulled: nothing listens on the port until [`Self::replug`].
    pub fn unplug(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// Plugged back in: listens on the same address again (jobs so far are kept).
    pub fn replug(&mut self) -> std::io::Result<()> {
        self.unplug();
        let listener = TcpListener::bind(self.addr)?;
        self.stop = Arc::new(AtomicBool::new(false));
        self.thread = Some(listen(listener, self.state.clone(), self.stop.clone())?);
        Ok(())
    }

    /// Answer `~HS` with line noise (a printer with a failing board or a wrong port).
    pub fn send_garbage(&self, on: bool) {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).garbage = on;
    }

    /// Where the printer listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Jobs received so far (bytes of each connection, `~HS` queries removed).
    pub fn jobs(&self) -> Vec<Vec<u8>> {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .jobs
            .clone()
    }

    /// Waits until at least `n` jobs have arrived (or `timeout` passes) and returns them.
    pub fn wait_for_jobs(&self, n: usize, timeout: Duration) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        loop {
            let jobs = self.jobs();
            if jobs.len() >= n || Instant::now() >= deadline {
                return jobs;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// How many `~HS` queries were answered.
    pub fn status_queries(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .status_queries
    }

    /// Sets what `~HS` reports.
    pub fn set_status(&self, status: SimPrinterStatus) {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).status = status;
    }
}

impl Drop for ZplPrinterSim {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn host_status(s: SimPrinterStatus) -> Vec<u8> {
    let b = |x: bool| if x { '1' } else { '0' };
    format!(
        "\x02030,{},{},1218,000,0,0,0,000,0,0,0\x03\r\n\x02001,0,{},0,0,2,4,0,00000000,1,000\x03\r\n\x021234,0\x03\r\n",
        b(s.paper_out),
        b(s.paused),
        b(s.head_open)
    )
    .into_bytes()
}

fn serve(mut conn: TcpStream, state: Arc<Mutex<State>>) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
    let mut job = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => job.extend_from_slice(&buf[..n]),
        }
        // Answer each complete ~HS at once; the client waits for it before closing.
        while let Some(i) = job.windows(3).position(|w| w == b"~HS") {
            job.drain(i..i + 3);
            let reply = {
                let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
                s.status_queries += 1;
                if s.garbage {
                    b"\x02\xff\xfeZ?,,\x01\r\n\x7f\x00garbage\x03".to_vec()
                } else {
                    host_status(s.status)
                }
            };
            let _ = conn.write_all(&reply);
        }
    }
    if !job.is_empty() {
        state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .jobs
            .push(job);
    }
}
