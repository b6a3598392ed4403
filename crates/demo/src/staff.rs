//! Demo staff: a staff member and a store manager at every outlet, and the chain's
//! managers, each role with a PIN that is easy to remember (and printed in the README).

use tally_domain::Role;
use tally_hub::{Hub, HubError};
use tally_testkit::demo_data::DemoData;

/// The demo PIN of each role.
pub const DEMO_PINS: &[(Role, &str)] = &[
    (Role::Staff, "1111"),
    (Role::StoreManager, "2222"),
    (Role::AreaManager, "3333"),
    (Role::OpsManager, "4444"),
    (Role::FinancialController, "5555"),
    (Role::Director, "6666"),
];

/// A demo staff member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoStaff {
    /// Hub staff id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// PIN (demo only).
    pub pin: String,
    /// Home outlet (`None` for chain roles).
    pub outlet_id: Option<String>,
}

const FIRST: &[&str] = &[
    "Aroha", "Liam", "Mere", "Noah", "Anahera", "Jack", "Kiri", "Oliver", "Ngaio", "Leo", "Hana",
    "Tama",
];
const LAST: &[&str] = &[
    "Ngata", "Walker", "Smith", "Tane", "Wilson", "Parata", "Brown", "Lee", "Tipene", "Singh",
    "Williams", "Chen",
];

fn pin_of(role: Role) -> &'static str {
    DEMO_PINS
        .iter()
        .find(|(r, _)| *r == role)
        .map(|(_, p)| *p)
        .unwrap_or("0000")
}

/// Adds the demo staff to the hub.
pub async fn add_demo_staff(hub: &Hub, data: &DemoData) -> Result<Vec<DemoStaff>, HubError> {
    let mut people: Vec<(String, Role, Option<String>)> = Vec::new();
    for (i, o) in data.outlets.iter().enumerate() {
        let a = (2 * i) % FIRST.len();
        let b = (2 * i + 1) % FIRST.len();
        people.push((
            format!("{} {}", FIRST[a], LAST[(a + 3) % LAST.len()]),
            Role::Staff,
            Some(o.id.clone()),
        ));
        people.push((
            format!("{} {}", FIRST[b], LAST[(b + 5) % LAST.len()]),
            Role::StoreManager,
            Some(o.id.clone()),
        ));
    }
    for (name, role) in [
        ("Rangi Parata", Role::AreaManager),
        ("Sophie Tane", Role::OpsManager),
        ("Priya Singh", Role::FinancialController),
        ("Hemi Walker", Role::Director),
    ] {
        people.push((name.to_string(), role, None));
    }
    let mut out = Vec::with_capacity(people.len());
    for (name, role, outlet) in people {
        let pin = pin_of(role).to_string();
        let id = hub.add_staff(&name, role, outlet.as_deref(), &pin).await?;
        out.push(DemoStaff {
            id,
            name,
            role,
            pin,
            outlet_id: outlet,
        });
    }
    Ok(out)
}
