//! The chain's receiving rules as this station applies them, and the guard against
//! guessing a manager's PIN at the sign-off dialog.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use tally_domain::VariancePolicy;
use uuid::Uuid;

/// Receiving rules: the domain's variance policy plus limits on photos.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivingPolicy {
    /// Reasons, damage photos, sign-off threshold and mode (DOMAIN.md "Receiving").
    pub variance: VariancePolicy,
    /// Largest photo file accepted from the camera or a file picker.
    pub max_photo_bytes: usize,
    /// Longest edge of the stored photo (camera frames are downscaled to this).
    pub photo_max_edge_px: u32,
    /// Longest edge of thumbnails (screen and report).
    pub thumbnail_edge_px: u32,
}

impl Default for ReceivingPolicy {
    fn default() -> Self {
        Self {
            variance: VariancePolicy::default(),
            max_photo_bytes: 20 * 1024 * 1024,
            photo_max_edge_px: 2048,
            thumbnail_edge_px: 320,
        }
    }
}

/// Wrong manager PINs allowed before the sign-off dialog pauses for that manager.
const MAX_SIGN_OFF_FAILURES: u32 = 5;
/// How long sign-off is paused after too many wrong PINs.
const SIGN_OFF_LOCKOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Default)]
struct SignOffGuard {
    staff_id: Option<Uuid>,
    failures: u32,
    locked_until: Option<Instant>,
}

/// Receiving's state held by `App`: the policy in force, the sign-off PIN guard, and
/// the lock that makes each read-count-write of a session line one step.
#[derive(Debug, Default)]
pub struct ReceivingState {
    policy: Mutex<ReceivingPolicy>,
    guard: Mutex<SignOffGuard>,
    writing: Mutex<()>,
}

impl ReceivingState {
    /// The policy in force.
    pub fn policy(&self) -> ReceivingPolicy {
        self.policy
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Replaces the policy (chain configuration).
    pub fn set_policy(&self, policy: ReceivingPolicy) {
        *self.policy.lock().unwrap_or_else(|p| p.into_inner()) = policy;
    }

    /// Held while an action reads a session's counts and writes new ones, so two scans
    /// arriving together both count (session lines hold absolute counts).
    pub(crate) fn serial(&self) -> std::sync::MutexGuard<'_, ()> {
        self.writing.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Seconds left while sign-off by `staff_id` is paused, if it is.
    pub(crate) fn locked_for(&self, staff_id: Uuid) -> Option<u64> {
        let mut g = self.guard.lock().unwrap_or_else(|p| p.into_inner());
        if g.staff_id != Some(staff_id) {
            return None;
        }
        match g.locked_until {
            Some(until) if Instant::now() < until => {
                Some((until - Instant::now()).as_secs().max(1))
            }
            Some(_) => {
                *g = SignOffGuard::default();
                None
            }
            None => None,
        }
    }

    /// Records a wrong PIN for `staff_id`.
    pub(crate) fn failed(&self, staff_id: Uuid) {
        let mut g = self.guard.lock().unwrap_or_else(|p| p.into_inner());
        if g.staff_id != Some(staff_id) {
            *g = SignOffGuard {
                staff_id: Some(staff_id),
                ..SignOffGuard::default()
            };
        }
        g.failures += 1;
        if g.failures >= MAX_SIGN_OFF_FAILURES {
            g.locked_until = Some(Instant::now() + SIGN_OFF_LOCKOUT);
        }
    }

    /// Clears the guard after a right PIN.
    pub(crate) fn succeeded(&self) {
        *self.guard.lock().unwrap_or_else(|p| p.into_inner()) = SignOffGuard::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_wrong_sign_off_pins_pause_that_manager() {
        let s = ReceivingState::default();
        let m = Uuid::now_v7();
        for _ in 0..4 {
            s.failed(m);
        }
        assert_eq!(s.locked_for(m), None);
        s.failed(m);
        assert!(s.locked_for(m).is_some());
        assert_eq!(
            s.locked_for(Uuid::now_v7()),
            None,
            "another manager is not paused"
        );
        s.succeeded();
        assert_eq!(s.locked_for(m), None);
    }
}
