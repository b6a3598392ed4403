//! Crash harness: a child process records scans and prints each ack after commit; we
//! SIGKILL it at random moments, restart it, and check that every acknowledged scan is
//! present exactly once, with its outbox mutation and audit entry, and that the store
//! still opens (integrity check + audit chain).
//!
//! Trials: `TALLY_CRASH_TRIALS` (default 30, a few seconds); seed: `TALLY_CRASH_SEED`
//! (printed, so a failing run can be replayed). Full run:
//! `TALLY_CRASH_TRIALS=500 cargo test -p tally-store --test crash -- --nocapture`

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rand::{rngs::StdRng, Rng, SeedableRng};
use rusqlite::Connection;
use tally_store::Store;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Trial {
    acks: Vec<(String, i64)>,
    exited_by_itself: Option<String>,
}

/// Runs the child, SIGKILLs it `kill_after` after it said `ready` (or after start when
/// `during_open`), and returns what it acknowledged.
fn trial(db: &std::path::Path, kill_after: Duration, during_open: bool) -> Trial {
    let mut child = Command::new(env!("CARGO_BIN_EXE_crash_child"))
        .arg(db)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start crash_child");
    let stdout = child.stdout.take().unwrap();
    let (ready_tx, ready_rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        // Reads to EOF: acks written before the kill are still in the pipe.
        let mut acks = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if line == "ready" {
                let _ = ready_tx.send(());
            }
            let mut parts = line.split_whitespace();
            if let (Some("ack"), Some(id), Some(seq)) = (parts.next(), parts.next(), parts.next()) {
                if let Ok(seq) = seq.parse() {
                    acks.push((id.to_string(), seq));
                }
            }
        }
        acks
    });
    if !during_open {
        // Opening slows down as the audit log grows (it is verified in full); wait for it.
        let _ = ready_rx.recv_timeout(Duration::from_secs(30));
    }
    let deadline = Instant::now() + kill_after;
    let mut exited_by_itself = None;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            exited_by_itself = Some(format!("{status}: {err}"));
            break;
        }
        std::thread::sleep(Duration::from_micros(500));
    }
    if exited_by_itself.is_none() {
        child.kill().expect("SIGKILL crash_child"); // std sends SIGKILL on Unix
    }
    child.wait().unwrap();
    Trial {
        acks: reader.join().unwrap(),
        exited_by_itself,
    }
}

#[test]
fn every_acknowledged_scan_survives_sigkill_exactly_once() {
    let trials = env_u64("TALLY_CRASH_TRIALS", 30);
    let seed = env_u64("TALLY_CRASH_SEED", rand::random());
    println!("crash harness: {trials} trials, TALLY_CRASH_SEED={seed}");
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");

    let mut acked: Vec<(String, i64)> = Vec::new();
    for n in 0..trials {
        // Mostly kills while scanning; one in ten while opening (migrations, checks,
        // seeding). Microsecond jitter spreads kills over every point of a commit.
        let during_open = rng.random_bool(0.1);
        let ms = rng.random_range(0..if during_open { 40 } else { 60 });
        let micros = rng.random_range(0..1000);
        let t = trial(
            &db,
            Duration::from_millis(ms) + Duration::from_micros(micros),
            during_open,
        );
        if let Some(why) = t.exited_by_itself {
            panic!("trial {n} (seed {seed}): child stopped by itself: {why}");
        }
        acked.extend(t.acks);
    }
    println!("crash harness: {} acknowledged actions", acked.len());
    assert!(
        !acked.is_empty(),
        "no trial acknowledged anything: raise the kill delays"
    );

    // The store must open cleanly: integrity_check + audit chain at open.
    let store = Store::open(&db).expect("store opens after the kills");
    store.integrity_check().unwrap();
    let audit_entries = store.verify_audit_chain().unwrap();
    drop(store);

    let c = Connection::open(&db).unwrap();
    let count = |sql: &str, p: &str| -> i64 { c.query_row(sql, [p], |r| r.get(0)).unwrap() };
    let mut seen = HashSet::new();
    for (id, seq) in &acked {
        assert!(seen.insert(id.clone()), "ack {id} printed twice");
        assert_eq!(
            count("SELECT COUNT(*) FROM scan_events WHERE id = ?1", id),
            1,
            "acked scan {id} lost (seed {seed})"
        );
        let mutation: String = c
            .query_row(
                "SELECT mutation_id FROM scan_events WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        let outbox_seq: i64 = c
            .query_row(
                "SELECT seq FROM outbox WHERE mutation_id = ?1",
                [&mutation],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(outbox_seq, *seq, "ack's seq is the stored one");
    }

    // No half-written action anywhere, acked or not: every scan has exactly one outbox
    // row and one audit entry, and every scan mutation has its scan.
    let orphans: i64 = c
        .query_row(
            "SELECT
               (SELECT COUNT(*) FROM scan_events e WHERE
                   (SELECT COUNT(*) FROM outbox o WHERE o.mutation_id = e.mutation_id) <> 1
                OR (SELECT COUNT(*) FROM audit_log a WHERE a.mutation_id = e.mutation_id) <> 1)
             + (SELECT COUNT(*) FROM outbox o WHERE o.kind LIKE 'scan.%' AND NOT EXISTS
                   (SELECT 1 FROM scan_events e WHERE e.mutation_id = o.mutation_id))",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0, "half-written actions found (seed {seed})");
    let scans: i64 = c
        .query_row("SELECT COUNT(*) FROM scan_events", [], |r| r.get(0))
        .unwrap();
    assert!(scans >= acked.len() as i64);
    assert!(audit_entries >= scans as u64);
    // UUIDv7 mutation ids follow the seq order (time-ordered across restarts too).
    let mut stmt = c
        .prepare("SELECT mutation_id FROM outbox ORDER BY seq")
        .unwrap();
    let ids: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "mutation ids out of seq order"
    );
}
