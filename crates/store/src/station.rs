//! This station: its id (the sync `client_id`), its outlet, and its blocks of
//! reference numbers for consignments made offline.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::catalog::outlet_name;
use crate::error::{Result, StoreError};
use crate::sql::{ms, now, RowExt};
use crate::store::{Store, Tx};

/// `meta` key of the chain's rules sent by the hub.
const HUB_POLICIES_KEY: &str = "hub_policies";

/// Who this station is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StationInfo {
    /// The station's id: the `client_id` of its pushes.
    pub station_id: Uuid,
    /// The outlet it belongs to.
    pub outlet_id: Uuid,
    /// That outlet's name.
    pub outlet_name: String,
    /// The station's own name ("Bench 2").
    pub name: String,
    /// When it was provisioned.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Reference numbers still available offline.
    pub reference_numbers_left: u64,
}

impl Store {
    /// Keeps the chain's rules as the hub last sent them (JSON), for offline starts.
    pub fn set_hub_policies(&self, json: &str) -> Result<()> {
        self.write_local(|tx| crate::store::meta_set(tx, HUB_POLICIES_KEY, json))
    }

    /// The chain's rules as the hub last sent them, if it has.
    pub fn hub_policies(&self) -> Result<Option<String>> {
        self.read(|c| crate::store::meta_get(c, HUB_POLICIES_KEY))
    }

    /// Records that `actor` changed one of this station's own settings (`setting`, e.g.
    /// `devices`), with before and after, in the audit log. Nothing is sent to the hub.
    pub fn audit_station_setting(
        &self,
        actor: &crate::audit::Actor,
        setting: &str,
        before: &impl Serialize,
        after: &impl Serialize,
    ) -> Result<()> {
        self.transact_local(actor, |t| {
            t.audit(
                "station.setting_changed",
                "station_setting",
                setting,
                Some(before),
                Some(after),
                None,
            )?;
            Ok(())
        })
    }
    /// Provisions this station once. Re-provisioning with the same id is a no-op; a
    /// different id is refused (a station never changes identity under its outbox).
    pub fn init_station(&self, station_id: Uuid, outlet_id: Uuid, name: &str) -> Result<()> {
        self.write_local(|tx| {
            if outlet_name(tx, outlet_id)?.is_none() {
                return Err(StoreError::not_found("outlet", outlet_id));
            }
            let existing: Option<String> = tx
                .query_row(
                    "SELECT station_id FROM station WHERE singleton = 1",
                    [],
                    |r| r.get(0),
                )
                .optional()?;
            match existing {
                Some(id) if id == station_id.to_string() => Ok(()),
                Some(id) => Err(StoreError::bad_input(
                    "station_id",
                    format!("this database already belongs to station {id}"),
                )),
                None => {
                    tx.execute(
                        "INSERT INTO station (singleton, station_id, outlet_id, name, created_at)
                         VALUES (1, ?1, ?2, ?3, ?4)",
                        params![
                            station_id.to_string(),
                            outlet_id.to_string(),
                            name,
                            ms(now())
                        ],
                    )?;
                    Ok(())
                }
            }
        })
    }

    /// This station, or `None` before provisioning.
    pub fn station(&self) -> Result<Option<StationInfo>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT s.station_id, s.outlet_id, o.name AS outlet_name, s.name, s.created_at,
                        (SELECT COALESCE(SUM(last - next + 1), 0) FROM reference_blocks) AS left
                 FROM station s JOIN outlets o ON o.id = s.outlet_id WHERE s.singleton = 1",
            )?;
            let mut rows = stmt.query([])?;
            let Some(r) = rows.next()? else {
                return Ok(None);
            };
            Ok(Some(StationInfo {
                station_id: r.uuid("station_id")?,
                outlet_id: r.uuid("outlet_id")?,
                outlet_name: r.text("outlet_name")?,
                name: r.text("name")?,
                created_at: r.time("created_at")?,
                reference_numbers_left: r.int("left")? as u64,
            }))
        })
    }

    /// This station's outlet (`STATION_NOT_SET` before provisioning).
    pub fn station_outlet(&self) -> Result<Uuid> {
        let id: Option<String> = self.read(|c| {
            Ok(c.query_row(
                "SELECT outlet_id FROM station WHERE singleton = 1",
                [],
                |r| r.get(0),
            )
            .optional()?)
        })?;
        crate::sql::parse_uuid(&id.ok_or(StoreError::StationNotSet)?)
    }

    /// Adds a block of reference numbers `first..=last` handed out by the hub. The
    /// same block again is a no-op (the hub sends a block again until the station
    /// reports holding it); a different block overlapping one held is refused.
    pub fn add_reference_block(&self, first: u32, last: u32) -> Result<()> {
        if first > last {
            return Err(StoreError::bad_input(
                "reference block",
                "first is after last",
            ));
        }
        self.write_local(|tx| {
            let same: i64 = tx.query_row(
                "SELECT COUNT(*) FROM reference_blocks WHERE first = ?1 AND last = ?2",
                params![first, last],
                |r| r.get(0),
            )?;
            if same > 0 {
                return Ok(());
            }
            let overlap: i64 = tx.query_row(
                "SELECT COUNT(*) FROM reference_blocks WHERE first <= ?2 AND last >= ?1",
                params![first, last],
                |r| r.get(0),
            )?;
            if overlap > 0 {
                return Err(StoreError::bad_input(
                    "reference block",
                    "overlaps a block this station already has",
                ));
            }
            tx.execute(
                "INSERT INTO reference_blocks (first, last, next) VALUES (?1, ?2, ?1)",
                params![first, last],
            )?;
            Ok(())
        })
    }
}

/// This station's reference numbers, as it reports them to the hub with each pull.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferencePool {
    /// Numbers not used yet, over all blocks.
    pub left: u64,
    /// The last number of the highest block held (0 for none).
    pub highest: u32,
}

impl Store {
    /// How many reference numbers are left and the top of the highest block (works
    /// before the station is provisioned: the first pull may bring its first block).
    pub fn reference_pool(&self) -> Result<ReferencePool> {
        self.read(|c| {
            let (left, highest): (i64, i64) = c.query_row(
                "SELECT COALESCE(SUM(last - next + 1), 0), COALESCE(MAX(last), 0)
                 FROM reference_blocks",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            Ok(ReferencePool {
                left: u64::try_from(left).unwrap_or(0),
                highest: u32::try_from(highest)
                    .map_err(|_| StoreError::decode(format!("reference block end {highest}")))?,
            })
        })
    }
}

impl Tx<'_> {
    /// Takes the next unused reference number (lowest block first), inside the
    /// action's transaction so a rolled-back action gives it back.
    pub fn next_reference_number(&mut self) -> Result<u32> {
        let row: Option<(i64, i64)> = self
            .conn()
            .query_row(
                "SELECT first, next FROM reference_blocks WHERE next <= last ORDER BY first LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (first, next) = row.ok_or(StoreError::ReferenceBlockExhausted)?;
        self.conn().execute(
            "UPDATE reference_blocks SET next = next + 1 WHERE first = ?1",
            [first],
        )?;
        u32::try_from(next).map_err(|_| StoreError::decode(format!("reference number {next}")))
    }

    /// This station's outlet (refuses before provisioning).
    pub fn station_outlet(&self) -> Result<Uuid> {
        let id: Option<String> = self
            .conn()
            .query_row(
                "SELECT outlet_id FROM station WHERE singleton = 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        crate::sql::parse_uuid(&id.ok_or(StoreError::StationNotSet)?)
    }
}
