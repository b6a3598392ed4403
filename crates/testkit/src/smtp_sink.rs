//! A tiny SMTP sink on 127.0.0.1 for tests: the SMTP dialogue is the `mailin` crate's
//! state machine; this file only moves lines between a socket and it, and keeps what
//! arrives.

use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, TcpListener};
use std::sync::{Arc, Mutex};

use mailin::{Action, Handler, Response, SessionBuilder};

/// One message as the sink received it.
#[derive(Debug, Clone, Default)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

#[derive(Clone)]
struct Keep {
    current: Received,
    inbox: Arc<Mutex<Vec<Received>>>,
}

impl Handler for Keep {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Received {
            from: from.to_string(),
            to: to.to_vec(),
            data: Vec::new(),
        };
        mailin::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.inbox
            .lock()
            .unwrap()
            .push(std::mem::take(&mut self.current));
        mailin::response::OK
    }
}

/// A running sink: its port and what it received.
#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    pub inbox: Arc<Mutex<Vec<Received>>>,
}

impl SmtpSink {
    /// Listens on 127.0.0.1 (a free port) and serves up to `connections` sessions, one at a time.
    pub fn start(connections: usize) -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let keep = Keep {
            current: Received::default(),
            inbox: inbox.clone(),
        };
        std::thread::spawn(move || {
            let builder = SessionBuilder::new("sink.test");
            for stream in listener.incoming().take(connections) {
                let Ok(stream) = stream else { continue };
                let ip: IpAddr = stream.peer_addr().unwrap().ip();
                let mut session = builder.build(ip, keep.clone());
                let mut writer = stream.try_clone().unwrap();
                let _ = session.greeting().write_to(&mut writer);
                let mut reader = BufReader::new(stream);
                let mut line = Vec::new();
                loop {
                    line.clear();
                    match reader.read_until(b'\n', &mut line) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                    let res = session.process(&line);
                    match res.action {
                        Action::Reply => {
                            let _ = res.write_to(&mut writer);
                            let _ = writer.flush();
                        }
                        Action::Close | Action::UpgradeTls => {
                            let _ = res.write_to(&mut writer);
                            let _ = writer.flush();
                            break;
                        }
                        Action::NoReply => {}
                    }
                }
            }
        });
        SmtpSink { port, inbox }
    }

    /// Messages received so far.
    pub fn messages(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().clone()
    }
}
