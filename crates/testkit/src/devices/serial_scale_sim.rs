//! A serial scale on a pseudo-terminal speaking MT-SICS or the Toledo 8217 protocol.
//! The test sets the load, motion and overload; the simulator answers commands the way the
//! protocols describe (HARDWARE.md), and can inject garbage or be unplugged.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::pty_link::{PtyControl, PtyLink};

/// Which protocol the simulated scale speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimProtocol {
    /// MT-SICS, values printed in kilograms with 3 decimals.
    MtSics,
    /// Toledo 8217, values in kilograms (`01.234`).
    Toledo8217,
}

/// The scale's state; all masses in grams.
#[derive(Clone, Debug)]
struct State {
    gross: Decimal,
    zero_offset: Decimal,
    tare: Decimal,
    capacity: Decimal,
    moving: bool,
    overloaded: bool,
    /// Bytes to send before the next reply.
    garbage: Vec<u8>,
    /// Ignore commands (a scale that stopped answering).
    mute: bool,
    /// Every command received, in order.
    commands: Vec<String>,
}

impl State {
    fn shown(&self) -> Decimal {
        self.gross - self.zero_offset - self.tare
    }

    fn over(&self) -> bool {
        self.overloaded || self.gross - self.zero_offset > self.capacity
    }
}

/// A running simulated serial scale. Dropping it stops the simulator.
pub struct SerialScaleSim {
    control: PtyControl,
    state: Arc<Mutex<State>>,
    thread: Option<JoinHandle<()>>,
}

impl SerialScaleSim {
    /// Starts a scale speaking `protocol`, empty and steady, 15 kg capacity.
    pub fn start(protocol: SimProtocol) -> std::io::Result<SerialScaleSim> {
        let name = match protocol {
            SimProtocol::MtSics => "scale-mtsics",
            SimProtocol::Toledo8217 => "scale-8217",
        };
        let (link, control) = PtyLink::new(name)?;
        let state = Arc::new(Mutex::new(State {
            gross: Decimal::ZERO,
            zero_offset: Decimal::ZERO,
            tare: Decimal::ZERO,
            capacity: dec!(15000),
            moving: false,
            overloaded: false,
            garbage: Vec::new(),
            mute: false,
            commands: Vec::new(),
        }));
        let thread_state = state.clone();
        let thread = std::thread::Builder::new()
            .name(format!("sim {name}"))
            .spawn(move || run(link, protocol, thread_state))?;
        Ok(SerialScaleSim {
            control,
            state,
            thread: Some(thread),
        })
    }

    /// The port path the driver opens (stable across unplug/replug).
    pub fn path(&self) -> &Path {
        self.control.path()
    }

    fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.state.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Puts `grams` on the platter (gross), steady.
    pub fn set_weight_grams(&self, grams: Decimal) {
        self.with(|s| {
            s.gross = grams;
            s.moving = false;
        });
    }

    /// Makes the weight move (in motion) or settle.
    pub fn set_moving(&self, moving: bool) {
        self.with(|s| s.moving = moving);
    }

    /// Forces the over-capacity condition.
    pub fn set_overloaded(&self, over: bool) {
        self.with(|s| s.overloaded = over);
    }

    /// Stops answering (a scale switched off but still cabled) or resumes.
    pub fn set_mute(&self, mute: bool) {
        self.with(|s| s.mute = mute);
    }

    /// Sends `bytes` before the next reply (line noise, a half frame).
    pub fn inject_garbage(&self, bytes: &[u8]) {
        self.with(|s| s.garbage.extend_from_slice(bytes));
    }

    /// The commands received so far.
    pub fn commands(&self) -> Vec<String> {
        self.with(|s| s.commands.clone())
    }

    /// The current tare in grams.
    pub fn tare_grams(&self) -> Decimal {
        self.with(|s| s.tare)
    }

    /// Pulls the cable.
    pub fn unplug(&self) {
        self.control.unplug();
    }

    /// Plugs it back in (same path).
    pub fn replug(&self) {
        self.control.replug();
    }
}

impl Drop for SerialScaleSim {
    fn drop(&mut self) {
        self.control.stop();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(mut link: PtyLink, protocol: SimProtocol, state: Arc<Mutex<State>>) {
    let mut pending = Vec::<u8>::new();
    let mut repeat: Option<Instant> = None;
    while !link.stopped() {
        if link.sync_plug().is_err() {
            std::thread::sleep(Duration::from_millis(10));
            continue;
        }
        let input = link.read();
        let mut st = state.lock().unwrap_or_else(|p| p.into_inner());
        if st.mute {
            continue;
        }
        let mut out = Vec::new();
        match protocol {
            SimProtocol::MtSics => {
                pending.extend_from_slice(&input);
                while let Some(end) = pending.iter().position(|&b| b == b'\n' || b == b'\r') {
                    let line: Vec<u8> = pending.drain(..=end).collect();
                    let cmd = String::from_utf8_lossy(&line).trim().to_string();
                    if cmd.is_empty() {
                        continue;
                    }
                    st.commands.push(cmd.clone());
                    repeat = None;
                    if cmd == "SIR" {
                        repeat = Some(Instant::now());
                        continue;
                    }
                    out.extend(sics_reply(&mut st, &cmd).into_bytes());
                }
                if let Some(next) = repeat {
                    if Instant::now() >= next {
                        out.extend(sics_reply(&mut st, "SI").into_bytes());
                        repeat = Some(next + Duration::from_millis(100));
                    }
                }
            }
            SimProtocol::Toledo8217 => {
                for &b in &input {
                    match b {
                        b'W' => {
                            st.commands.push("W".into());
                            out.extend(toledo_reply(&st));
                        }
                        b'Z' => {
                            st.commands.push("Z".into());
                            st.zero_offset = st.gross;
                            st.tare = Decimal::ZERO;
                        }
                        b'T' => {
                            st.commands.push("T".into());
                            st.tare = st.gross - st.zero_offset;
                        }
                        b'C' => {
                            st.commands.push("C".into());
                            st.tare = Decimal::ZERO;
                        }
                        // Anything else (a probe in another protocol) gets no answer, as on a real scale.
                        _ => {}
                    }
                }
            }
        }
        if !out.is_empty() {
            let mut bytes = std::mem::take(&mut st.garbage);
            bytes.extend(out);
            drop(st);
            link.write(&bytes);
        }
    }
}

fn kg(grams: Decimal) -> String {
    format!("{:.3}", (grams / dec!(1000)).round_dp(3))
}

fn sics_weight(st: &State, stable: bool) -> String {
    if st.over() {
        return "S +\r\n".into();
    }
    format!(
        "S {} {:>10} kg\r\n",
        if stable { "S" } else { "D" },
        kg(st.shown())
    )
}

fn sics_reply(st: &mut State, cmd: &str) -> String {
    match cmd {
        "S" if st.moving => "S I\r\n".into(),
        "S" => sics_weight(st, true),
        "SI" => sics_weight(st, !st.moving),
        "Z" if st.moving => "Z I\r\n".into(),
        "Z" | "ZI" => {
            let reply = match (cmd, st.moving) {
                ("Z", _) => "Z A\r\n",
                (_, true) => "ZI D\r\n",
                (_, false) => "ZI S\r\n",
            };
            st.zero_offset = st.gross;
            st.tare = Decimal::ZERO;
            reply.into()
        }
        "T" if st.moving => "T I\r\n".into(),
        "T" if st.over() => "T +\r\n".into(),
        "T" => {
            st.tare = st.gross - st.zero_offset;
            format!("T S {:>10} kg\r\n", kg(st.tare))
        }
        "TA" => format!("TA A {:>10} kg\r\n", kg(st.tare)),
        "TAC" => {
            st.tare = Decimal::ZERO;
            "TAC A\r\n".into()
        }
        "@" => {
            st.tare = Decimal::ZERO;
            "I4 A \"SIM0000001\"\r\n".into()
        }
        "I2" => "I2 A \"Tally SimScale 15kg 0.001 kg\"\r\n".into(),
        "I4" => "I4 A \"SIM0000001\"\r\n".into(),
        _ => "ES\r\n".into(),
    }
}

fn toledo_reply(st: &State) -> Vec<u8> {
    // Bit 6 set keeps the status byte printable, as many scales do.
    let status = |bits: u8| vec![0x02, b'?', 0x40 | bits, b'\r'];
    let shown = st.shown();
    if st.over() {
        return status(0x02);
    }
    if shown.is_sign_negative() && !shown.is_zero() {
        return status(0x04);
    }
    if st.moving {
        return status(0x01);
    }
    let mut text = kg(shown);
    while text.len() < 6 {
        text.insert(0, '0');
    }
    let mut frame = vec![0x02];
    frame.extend(text.into_bytes());
    if !st.tare.is_zero() {
        frame.push(b'N');
    }
    frame.push(b'\r');
    frame
}
