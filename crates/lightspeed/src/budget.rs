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
    /// Requests sent and not yet answered (or given up).
    pub in_flight: u32,
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

/// One request's slot in the budget, from [`RateBudget::acquire`] until its answer.
///
/// Dropping it without [`InFlight::observe`] gives the slot back: a transport
/// failure, a cancelled caller (its future dropped) or an aborted task all land
/// here, so `in_flight` cannot leak. A leaked slot would hold every later caller
/// forever once a 429 had emptied the budget, because only a budget with nothing
/// in flight lets a probe through after the reset.
#[must_use = "dropping the slot at once releases it before the request is sent"]
#[derive(Debug)]
pub struct InFlight<'a> {
    budget: Option<&'a RateBudget>,
}

impl InFlight<'_> {
    /// The request was answered: read its rate-limit headers (they may be absent)
    /// and release the slot.
    pub fn observe(mut self, headers: &HeaderMap) {
        if let Some(budget) = self.budget.take() {
            budget.finish(Some(headers));
        }
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Some(budget) = self.budget.take() {
            budget.finish(None);
        }
    }
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

    /// Waits until a request may be sent, then counts it as in flight until the
    /// returned slot is observed or dropped. Cancel-safe: a caller dropped while
    /// waiting holds no slot.
    pub async fn acquire(&self) -> InFlight<'_> {
        let started = Instant::now();
        let mut waited = false;
        let slot = loop {
            match self.decide() {
                // No await between counting the request and arming its guard.
                Decision::Go => break InFlight { budget: Some(self) },
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
        };
        if waited {
            self.waits.fetch_add(1, Ordering::Relaxed);
            self.waited_ms
                .fetch_add(started.elapsed().as_millis() as u64, Ordering::Relaxed);
        }
        slot
    }

    /// Releases one in-flight slot; with an answer, also reads its headers.
    fn finish(&self, headers: Option<&HeaderMap>) {
        let mut s = self.lock();
        s.in_flight = s.in_flight.saturating_sub(1);
        if let Some(headers) = headers {
            Self::read_headers(&mut s, headers);
        }
        drop(s);
        self.changed.notify_waiters();
    }

    fn read_headers(s: &mut State, headers: &HeaderMap) {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
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
            in_flight: s.in_flight,
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
        b.acquire().await.observe(&headers(2, 1));
        // remaining 2 > reserve 1: goes, estimate drops to 1
        b.acquire().await.observe(&headers(1, 1));
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
        let _slot = b.acquire().await;
        assert!(t.elapsed() >= Duration::from_millis(140));
        assert_eq!(b.snapshot().waits, 1);
    }

    #[tokio::test]
    async fn without_headers_the_budget_never_blocks() {
        let b = RateBudget::new(BudgetConfig::default());
        for _ in 0..100 {
            b.acquire().await.observe(&HeaderMap::new());
        }
        assert_eq!(b.snapshot().waits, 0);
    }

    #[tokio::test]
    async fn a_slot_dropped_without_an_answer_is_released() {
        let b = RateBudget::new(BudgetConfig::default());
        let slot = b.acquire().await;
        assert_eq!(b.snapshot().in_flight, 1);
        drop(slot);
        assert_eq!(b.snapshot().in_flight, 0);
    }

    #[tokio::test]
    async fn an_aborted_task_gives_its_slot_back_and_the_next_caller_probes_after_a_429() {
        let b = std::sync::Arc::new(RateBudget::new(BudgetConfig {
            reserve: 2,
            poll: Duration::from_millis(5),
        }));
        let holder = {
            let b = b.clone();
            tokio::spawn(async move {
                let _slot = b.acquire().await;
                std::future::pending::<()>().await;
            })
        };
        while b.snapshot().in_flight == 0 {
            tokio::task::yield_now().await;
        }
        holder.abort();
        assert!(holder.await.unwrap_err().is_cancelled());
        assert_eq!(b.snapshot().in_flight, 0);
        // A 429 empties the budget; after it, a probe goes only with nothing in flight.
        b.block_for(Duration::from_millis(20));
        let next = tokio::time::timeout(Duration::from_secs(1), b.acquire()).await;
        assert!(next.is_ok(), "a leaked slot would hold this caller forever");
    }

    #[tokio::test]
    async fn a_caller_dropped_while_waiting_holds_no_slot() {
        let b = RateBudget::new(BudgetConfig::default());
        b.block_for(Duration::from_millis(200));
        let gave_up = tokio::time::timeout(Duration::from_millis(10), b.acquire()).await;
        assert!(gave_up.is_err());
        assert_eq!(b.snapshot().in_flight, 0);
    }
}
