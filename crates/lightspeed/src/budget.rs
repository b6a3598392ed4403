//! The store's request budget, shared by every caller of one client: it reads the
//! `X-RateLimit-*` headers and holds callers back before the limit is hit, and
//! after a 429 holds everyone until `Retry-After`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::HeaderMap;
use tokio::sync::Notify;

use crate::retry_after::parse_reset;

/// Budget settings.
#[derive(Debug, Clone)]
pub struct BudgetConfig {
    /// Requests kept in hand: callers wait once `remaining` reaches this.
    pub reserve: u32,
    /// How long a waiting caller sleeps before looking again when it is waiting for
    /// another caller's answer to update the budget.
    pub poll: Duration,
}

impl Default for BudgetConfig {
    fn default() -> Self {
        Self {
            reserve: 2,
            poll: Duration::from_millis(100),
        }
    }
}

/// What the budget knows and did, for logs and the bench.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BudgetSnapshot {
    pub limit: Option<u32>,
    pub remaining: Option<u32>,
    /// Times a caller was held back.
    pub waits: u64,
    /// Total time callers were held back, in milliseconds.
    pub waited_ms: u64,
}

#[derive(Debug, Default)]
struct State {
    limit: Option<u32>,
    /// Our estimate: the server's last `Remaining` less what we sent since.
    remaining: Option<u32>,
    /// When the server said a slot frees.
    reset_at: Option<Instant>,
    /// After a 429: nobody sends before this.
    blocked_until: Option<Instant>,
    in_flight: u32,
}

/// A shared rate-limit budget. One per store; clone the client, not the budget.
#[derive(Debug, Default)]
pub struct RateBudget {
    config: BudgetConfig,
    state: Mutex<State>,
    changed: Notify,
    waits: AtomicU64,
    waited_ms: AtomicU64,
}

enum Decision {
    Go,
    Wait(Duration),
}

impl RateBudget {
    /// A budget with `config`.
    pub fn new(config: BudgetConfig) -> Self {
        Self {
            config,
            ..Self::default()
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn decide(&self) -> Decision {
        let mut s = self.lock();
        let now = Instant::now();
        if let Some(until) = s.blocked_until {
            if until > now {
                return Decision::Wait(until - now);
            }
            s.blocked_until = None;
        }
        let go = match s.remaining {
            None => true,
            Some(r) if r > self.config.reserve => true,
            Some(_) => match s.reset_at {
                Some(reset) if reset > now => return Decision::Wait(reset - now),
                // A slot should have freed: let one caller probe, the others wait
                // for its answer to refresh the numbers.
                _ => s.in_flight == 0,
            },
        };
        if !go {
            return Decision::Wait(self.config.poll);
        }
        s.in_flight += 1;
        s.remaining = s.remaining.map(|r| r.saturating_sub(1));
        Decision::Go
    }

    /// Waits until a request may be sent, then counts it as in flight. Pair with
    /// [`RateBudget::observe`] or [`RateBudget::abandon`].
    pub async fn acquire(&self) {
        let started = Instant::now();
        let mut waited = false;
        loop {
            match self.decide() {
                Decision::Go => break,
                Decision::Wait(d) => {
                    if !waited {
                        tracing::debug!(
                            wait_ms = d.as_millis() as u64,
                            "rate budget holding request"
                        );
                    }
                    waited = true;
                    let notified = self.changed.notified();
                    tokio::select! {
                        _ = tokio::time::sleep(d) => {}
                        _ = notified => {}
                    }
                }
            }
        }
        if waited {
            self.waits.fetch_add(1, Ordering::Relaxed);
            self.waited_ms
                .fetch_add(started.elapsed().as_millis() as u64, Ordering::Relaxed);
        }
    }

    /// Reads the answer's rate-limit headers (they may be absent).
    pub fn observe(&self, headers: &HeaderMap) {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let mut s = self.lock();
        s.in_flight = s.in_flight.saturating_sub(1);
        if let Some(limit) = header("x-ratelimit-limit").and_then(|v| v.trim().parse().ok()) {
            s.limit = Some(limit);
        }
        if let Some(rem) =
            header("x-ratelimit-remaining").and_then(|v| v.trim().parse::<u32>().ok())
        {
            // Requests still in flight were not yet counted in this number.
            s.remaining = Some(rem.saturating_sub(s.in_flight));
        }
        if let Some(reset) =
            header("x-ratelimit-reset").and_then(|v| parse_reset(v, SystemTime::now()))
        {
            s.reset_at = Some(Instant::now() + reset);
        }
        drop(s);
        self.changed.notify_waiters();
    }

    /// A request that got no answer (its slot may or may not have been used).
    pub fn abandon(&self) {
        let mut s = self.lock();
        s.in_flight = s.in_flight.saturating_sub(1);
        drop(s);
        self.changed.notify_waiters();
    }

    /// After a 429: everyone waits `wait`.
    pub fn block_for(&self, wait: Duration) {
        let mut s = self.lock();
        let until = Instant::now() + wait;
        s.blocked_until = Some(s.blocked_until.map_or(until, |b| b.max(until)));
        s.remaining = Some(0);
        s.reset_at = Some(until);
    }

    /// Current numbers.
    pub fn snapshot(&self) -> BudgetSnapshot {
        let s = self.lock();
        BudgetSnapshot {
            limit: s.limit,
            remaining: s.remaining,
            waits: self.waits.load(Ordering::Relaxed),
            waited_ms: self.waited_ms.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(remaining: u32, reset_secs: u64) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-limit", HeaderValue::from(10));
        h.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
        h.insert("x-ratelimit-reset", HeaderValue::from(reset_secs));
        h
    }

    #[tokio::test]
    async fn callers_are_held_when_remaining_reaches_the_reserve() {
        let b = RateBudget::new(BudgetConfig {
            reserve: 1,
            poll: Duration::from_millis(5),
        });
        b.acquire().await;
        b.observe(&headers(2, 1));
        b.acquire().await; // remaining 2 > reserve 1: goes, estimate drops to 1
        b.observe(&headers(1, 1));
        let held = tokio::time::timeout(Duration::from_millis(200), b.acquire()).await;
        assert!(
            held.is_err(),
            "must wait for the reset, not spend the reserve"
        );
        assert_eq!(b.snapshot().remaining, Some(1));
    }

    #[tokio::test]
    async fn a_429_blocks_every_caller_until_retry_after() {
        let b = RateBudget::new(BudgetConfig::default());
        b.block_for(Duration::from_millis(150));
        let t = Instant::now();
        b.acquire().await;
        assert!(t.elapsed() >= Duration::from_millis(140));
        assert_eq!(b.snapshot().waits, 1);
    }

    #[tokio::test]
    async fn without_headers_the_budget_never_blocks() {
        let b = RateBudget::new(BudgetConfig::default());
        for _ in 0..100 {
            b.acquire().await;
            b.observe(&HeaderMap::new());
        }
        assert_eq!(b.snapshot().waits, 0);
    }
}
