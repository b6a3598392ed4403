//! The fault plan: which requests get which fault, drawn from a seeded RNG.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::request_log::RequestLog;

/// What happens to a request a rule fires on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// Wait this long, then handle the request normally.
    Latency { ms: u64 },
    /// Answer with this status (500, 502, 503, ...) without touching state.
    Status { status: u16 },
    /// Answer 429 with `Retry-After` this far in the future, as an HTTP date
    /// (or as whole seconds when `as_date` is false), without touching state.
    RateLimited {
        retry_after_ms: u64,
        #[serde(default = "yes")]
        as_date: bool,
    },
    /// Hold the request this long without answering (the client should time out
    /// first), then answer 504. State is not touched.
    Hang { ms: u64 },
    /// Cut the connection before the request is handled: nothing is committed.
    DropConnection,
    /// Handle the request (the change is committed), then cut the connection
    /// before the response is written: the client cannot know it succeeded.
    LostAck,
}

fn yes() -> bool {
    true
}

impl Fault {
    /// A short name for logs and the request log.
    pub fn name(&self) -> &'static str {
        match self {
            Fault::Latency { .. } => "latency",
            Fault::Status { .. } => "status",
            Fault::RateLimited { .. } => "rate_limited",
            Fault::Hang { .. } => "hang",
            Fault::DropConnection => "drop_connection",
            Fault::LostAck => "lost_ack",
        }
    }

    /// `Latency` from a duration.
    pub fn latency(d: Duration) -> Self {
        Fault::Latency {
            ms: d.as_millis() as u64,
        }
    }

    /// `RateLimited` with an HTTP-date `Retry-After`.
    pub fn rate_limited(retry_after: Duration) -> Self {
        Fault::RateLimited {
            retry_after_ms: retry_after.as_millis() as u64,
            as_date: true,
        }
    }

    /// `Hang` from a duration.
    pub fn hang(d: Duration) -> Self {
        Fault::Hang {
            ms: d.as_millis() as u64,
        }
    }
}

/// One rule: requests matching `method` and `path` get `fault`, after `skip`
/// matching requests, at most `times` times, each with `probability`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    /// HTTP method (`GET`, `POST`, ...); `None` matches any.
    #[serde(default)]
    pub method: Option<String>,
    /// Path pattern over the full request path: `*` or `{name}` matches one
    /// segment, a trailing `**` matches the rest (see [`path_matches`]).
    pub path: String,
    pub fault: Fault,
    /// Chance that a matching request gets the fault (1.0 = always).
    #[serde(default = "one")]
    pub probability: f64,
    /// Let this many matching requests through untouched first.
    #[serde(default)]
    pub skip: u32,
    /// Fire at most this many times (`None` = no limit).
    #[serde(default)]
    pub times: Option<u32>,
}

fn one() -> f64 {
    1.0
}

impl FaultRule {
    /// A rule that always fires on `method` + `path` (method `"*"` = any).
    pub fn new(method: &str, path: &str, fault: Fault) -> Self {
        Self {
            method: (method != "*").then(|| method.to_ascii_uppercase()),
            path: path.to_string(),
            fault,
            probability: 1.0,
            skip: 0,
            times: None,
        }
    }

    /// Fire with this probability per matching request.
    pub fn probability(mut self, p: f64) -> Self {
        self.probability = p;
        self
    }

    /// Let the first `n` matching requests through.
    pub fn skip(mut self, n: u32) -> Self {
        self.skip = n;
        self
    }

    /// Fire at most `n` times.
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && path_matches(&self.path, path)
    }
}

/// A seeded set of rules. The same seed and the same sequence of requests give the
/// same faults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FaultPlan {
    pub seed: u64,
    pub rules: Vec<FaultRule>,
}

impl FaultPlan {
    /// An empty plan with this seed.
    pub fn seeded(seed: u64) -> Self {
        Self {
            seed,
            rules: Vec::new(),
        }
    }

    /// Adds a rule.
    pub fn rule(mut self, rule: FaultRule) -> Self {
        self.rules.push(rule);
        self
    }
}

/// Matches a path against a pattern: segments compare literally, `*` or `{name}`
/// matches exactly one segment, a final `**` matches any remaining segments.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let mut pat = pattern.trim_matches('/').split('/');
    let mut segs = path.trim_matches('/').split('/');
    loop {
        match (pat.next(), segs.next()) {
            (Some("**"), _) => return true,
            (None, None) => return true,
            (Some(p), Some(s)) => {
                let wildcard = p == "*" || (p.starts_with('{') && p.ends_with('}'));
                if !wildcard && p != s {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

#[derive(Debug)]
struct RuleState {
    rule: FaultRule,
    seen: u32,
    fired: u32,
}

#[derive(Debug)]
struct ControllerState {
    rng: ChaCha8Rng,
    seed: u64,
    rules: Vec<RuleState>,
}

/// Runtime control of a fake's faults: replace the plan, add rules, see how often
/// each fired. Cheap to clone; clones share state.
#[derive(Debug, Clone)]
pub struct FaultController {
    state: Arc<Mutex<ControllerState>>,
    log: RequestLog,
}

impl FaultController {
    /// A controller applying `plan`, recording into `log`.
    pub fn new(plan: FaultPlan, log: RequestLog) -> Self {
        let ctl = Self {
            state: Arc::new(Mutex::new(ControllerState {
                rng: ChaCha8Rng::seed_from_u64(plan.seed),
                seed: plan.seed,
                rules: Vec::new(),
            })),
            log,
        };
        ctl.set_plan(plan);
        ctl
    }

    /// Replaces the plan (and reseeds the RNG from it).
    pub fn set_plan(&self, plan: FaultPlan) {
        let mut s = self.lock();
        s.rng = ChaCha8Rng::seed_from_u64(plan.seed);
        s.seed = plan.seed;
        s.rules = plan
            .rules
            .into_iter()
            .map(|rule| RuleState {
                rule,
                seen: 0,
                fired: 0,
            })
            .collect();
    }

    /// Adds one rule to the current plan.
    pub fn add_rule(&self, rule: FaultRule) {
        self.lock().rules.push(RuleState {
            rule,
            seen: 0,
            fired: 0,
        });
    }

    /// Removes every rule (the network is healthy again).
    pub fn clear(&self) {
        self.lock().rules.clear();
    }

    /// The current plan (rules as configured, without counters).
    pub fn plan(&self) -> FaultPlan {
        let s = self.lock();
        FaultPlan {
            seed: s.seed,
            rules: s.rules.iter().map(|r| r.rule.clone()).collect(),
        }
    }

    /// How many times each rule has fired, in plan order.
    pub fn fired(&self) -> Vec<u32> {
        self.lock().rules.iter().map(|r| r.fired).collect()
    }

    /// Total faults fired across all rules.
    pub fn total_fired(&self) -> u32 {
        self.fired().iter().sum()
    }

    /// The request log shared with the middleware.
    pub fn log(&self) -> &RequestLog {
        &self.log
    }

    /// Decides the fault for one request (first rule that fires wins).
    pub fn decide(&self, method: &str, path: &str) -> Option<Fault> {
        let mut s = self.lock();
        let ControllerState { rng, rules, .. } = &mut *s;
        for r in rules.iter_mut() {
            if !r.rule.matches(method, path) {
                continue;
            }
            r.seen += 1;
            if r.seen <= r.rule.skip || r.rule.times.is_some_and(|t| r.fired >= t) {
                continue;
            }
            // Draw only for rules that could fire, so a plan replays identically.
            if r.rule.probability < 1.0 && !rng.random_bool(r.rule.probability.clamp(0.0, 1.0)) {
                continue;
            }
            r.fired += 1;
            return Some(r.rule.fault.clone());
        }
        None
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ControllerState> {
        // A panic in another test thread must not hide this fake's state.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_segments_wildcards_and_tails() {
        assert!(path_matches(
            "/api/2.0/consignments",
            "/api/2.0/consignments"
        ));
        assert!(path_matches(
            "/api/2.0/consignments/{id}/products",
            "/api/2.0/consignments/abc/products"
        ));
        assert!(path_matches("/api/2.0/*/abc", "/api/2.0/consignments/abc"));
        assert!(path_matches(
            "/api/**",
            "/api/2.0/consignments/abc/products"
        ));
        assert!(!path_matches(
            "/api/2.0/consignments",
            "/api/2.0/consignments/abc"
        ));
        assert!(!path_matches(
            "/api/2.0/consignments/*",
            "/api/2.0/consignments"
        ));
        assert!(!path_matches("/api/2.0/products", "/api/2.0/outlets"));
    }

    #[test]
    fn skip_and_times_bound_when_a_rule_fires() {
        let ctl = FaultController::new(
            FaultPlan::seeded(1).rule(
                FaultRule::new("POST", "/x", Fault::Status { status: 503 })
                    .skip(1)
                    .times(2),
            ),
            RequestLog::default(),
        );
        let got: Vec<bool> = (0..5).map(|_| ctl.decide("POST", "/x").is_some()).collect();
        assert_eq!(got, [false, true, true, false, false]);
        assert!(ctl.decide("GET", "/x").is_none());
        assert_eq!(ctl.fired(), [2]);
    }

    #[test]
    fn same_seed_replays_the_same_faults() {
        let plan = FaultPlan::seeded(99)
            .rule(FaultRule::new("*", "/**", Fault::Status { status: 500 }).probability(0.3));
        let run = |plan: FaultPlan| {
            let ctl = FaultController::new(plan, RequestLog::default());
            (0..200)
                .map(|_| ctl.decide("GET", "/a").is_some())
                .collect::<Vec<_>>()
        };
        let a = run(plan.clone());
        assert_eq!(a, run(plan.clone()));
        let fired = a.iter().filter(|f| **f).count();
        assert!((30..=90).contains(&fired), "{fired}");
        assert_ne!(a, run(FaultPlan { seed: 100, ..plan }));
    }

    #[test]
    fn plans_round_trip_through_json_for_the_demo() {
        let plan = FaultPlan::seeded(5)
            .rule(FaultRule::new("POST", "/api/2.0/consignments", Fault::LostAck).times(1))
            .rule(FaultRule::new(
                "*",
                "/api/**",
                Fault::rate_limited(Duration::from_secs(2)),
            ));
        let json = serde_json::to_string(&plan).unwrap();
        assert_eq!(serde_json::from_str::<FaultPlan>(&json).unwrap(), plan);
        let minimal: FaultPlan = serde_json::from_str(
            r#"{"seed":1,"rules":[{"path":"/**","fault":{"kind":"status","status":502}}]}"#,
        )
        .unwrap();
        assert_eq!(minimal.rules[0].probability, 1.0);
        assert_eq!(minimal.rules[0].method, None);
    }
}
