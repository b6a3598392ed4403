//! The approver's PIN: checked through the store for the person named in the dialog, with
//! a pause after repeated wrong PINs so a PIN cannot be guessed at the approval dialog.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use tally_domain::Role;
use tally_store::StaffMember;
use uuid::Uuid;

use crate::error::AppError;

/// Wrong PINs allowed for one approver before their approvals pause.
const MAX_FAILURES: u32 = 5;
/// How long approvals pause after too many wrong PINs.
const LOCKOUT: Duration = Duration::from_secs(30);

#[derive(Default)]
struct Attempts {
    failures: u32,
    locked_until: Option<Instant>,
}

/// Wrong-PIN counts per approver.
#[derive(Default)]
pub(crate) struct PinGuard {
    by_staff: HashMap<Uuid, Attempts>,
}

impl PinGuard {
    fn check_not_locked(&mut self, staff: Uuid) -> Result<(), AppError> {
        let a = self.by_staff.entry(staff).or_default();
        if let Some(until) = a.locked_until {
            let now = Instant::now();
            if now < until {
                let secs = (until - now).as_secs().max(1);
                return Err(AppError::new(
                    "PIN_LOCKED",
                    format!("Too many wrong PINs. Wait {secs} s before trying again."),
                ));
            }
            *a = Attempts::default();
        }
        Ok(())
    }

    fn failed(&mut self, staff: Uuid) {
        let a = self.by_staff.entry(staff).or_default();
        a.failures += 1;
        if a.failures >= MAX_FAILURES {
            a.locked_until = Some(Instant::now() + LOCKOUT);
        }
    }

    fn succeeded(&mut self, staff: Uuid) {
        self.by_staff.remove(&staff);
    }
}

impl crate::App {
    /// Verifies `pin` for `staff_id` and that they may act at `outlet` (its own staff, or a
    /// chain role). Returns the staff member with their role.
    pub(crate) fn verify_approver(
        &self,
        staff_id: Uuid,
        pin: &str,
        outlet: Option<Uuid>,
    ) -> Result<StaffMember, AppError> {
        {
            let mut g = self
                .purchasing
                .pins
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            g.check_not_locked(staff_id)?;
        }
        let member = self.store().staff_member(staff_id)?;
        if let (Some(home), Some(here)) = (member.outlet_id, outlet) {
            if home != here && member.role < Role::AreaManager {
                return Err(AppError::new(
                    "STAFF_OTHER_OUTLET",
                    format!(
                        "{} works at another outlet and cannot decide on this outlet's orders.",
                        member.name
                    ),
                ));
            }
        }
        if !self.store().verify_pin(staff_id, pin)? {
            let mut g = self
                .purchasing
                .pins
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            g.failed(staff_id);
            tracing::warn!(staff_id = %staff_id, "wrong approver PIN");
            return Err(AppError::new(
                "PIN_WRONG",
                "That PIN doesn't match. Try again.",
            ));
        }
        self.purchasing
            .pins
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .succeeded(staff_id);
        Ok(member)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_wrong_pins_pause_that_approver_only() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let mut g = PinGuard::default();
        for _ in 0..MAX_FAILURES {
            g.check_not_locked(a).unwrap();
            g.failed(a);
        }
        assert_eq!(g.check_not_locked(a).unwrap_err().code, "PIN_LOCKED");
        assert!(g.check_not_locked(b).is_ok());
    }

    #[test]
    fn a_right_pin_clears_the_count() {
        let a = Uuid::now_v7();
        let mut g = PinGuard::default();
        for _ in 0..MAX_FAILURES - 1 {
            g.failed(a);
        }
        g.succeeded(a);
        g.failed(a);
        assert!(g.check_not_locked(a).is_ok());
    }
}
