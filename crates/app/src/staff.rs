//! Staff at this station: the sign-in list and the signed-in session.

use serde::Serialize;
use tally_domain::Role;

/// A staff member as the sign-in screen shows them (never their PIN hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct StaffCard {
    /// Staff id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Role, for the badge.
    pub role: Role,
    /// Two letters for the avatar.
    pub initials: String,
}

/// The signed-in staff member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Session {
    /// Who is signed in.
    pub staff: StaffCard,
    /// When they signed in (RFC 3339).
    pub started_at: String,
}

/// Initials for an avatar: first letters of the first and last words.
pub fn initials(name: &str) -> String {
    let mut words = name.split_whitespace().filter_map(|w| w.chars().next());
    let first = words.next();
    let last = words.next_back();
    first
        .into_iter()
        .chain(last)
        .flat_map(char::to_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::initials;

    #[test]
    fn initials_take_first_and_last_names() {
        assert_eq!(initials("Aroha Ngata"), "AN");
        assert_eq!(initials("mere   te  whare"), "MW");
        assert_eq!(initials("Sione"), "S");
        assert_eq!(initials(""), "");
    }
}
