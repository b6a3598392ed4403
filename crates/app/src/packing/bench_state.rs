//! What a bench remembers between calls without writing it down: the container chosen
//! for each consignment's next box. A box is only created by its first scan, so an empty
//! box never exists (the hub cannot close a box without a weight, and an open box stops
//! the consignment being marked packed).

use std::collections::HashMap;
use std::sync::Mutex;

use uuid::Uuid;

/// In-memory packing choices of one bench.
#[derive(Debug, Default)]
pub struct BenchState {
    next_container: Mutex<HashMap<Uuid, String>>,
}

impl BenchState {
    /// Remembers the container for the consignment's next box.
    pub(crate) fn choose_container(&self, consignment_id: Uuid, code: &str) {
        self.lock().insert(consignment_id, code.to_string());
    }

    /// The container chosen for the next box, if any.
    pub(crate) fn chosen_container(&self, consignment_id: Uuid) -> Option<String> {
        self.lock().get(&consignment_id).cloned()
    }

    /// Forgets the choice once the box exists.
    pub(crate) fn box_opened(&self, consignment_id: Uuid) {
        self.lock().remove(&consignment_id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, String>> {
        // A poisoned map only means a panic elsewhere mid-insert; the data is still usable.
        self.next_container
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_choice_lasts_until_the_box_is_opened() {
        let s = BenchState::default();
        let c = Uuid::now_v7();
        assert_eq!(s.chosen_container(c), None);
        s.choose_container(c, "BOX-L");
        assert_eq!(s.chosen_container(c).as_deref(), Some("BOX-L"));
        assert_eq!(s.chosen_container(Uuid::now_v7()), None, "per consignment");
        s.box_opened(c);
        assert_eq!(s.chosen_container(c), None);
    }
}
