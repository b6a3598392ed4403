//! Consignment and line operations. Writes are not repeated blindly: a POST whose
//! answer was lost comes back as an error with `may_have_applied() == true`, and
//! [`LightspeedClient::create_consignment_once`] shows the safe way to create.

use reqwest::Method;
use serde::Deserialize;
use tally_domain::LsConsignmentStatus;

use crate::client::{decode, LightspeedClient};
use crate::error::LsError;
use crate::models::{
    Consignment, ConsignmentLine, ConsignmentTotals, ConsignmentUpdate, LineValues, NewConsignment,
    NewLine, Versioned,
};

/// Most lines Lightspeed takes in one bulk call.
pub const BULK_LIMIT: usize = 500;

#[derive(Deserialize)]
struct One<T> {
    data: T,
}

fn consignment_path(id: &str) -> String {
    format!("/consignments/{id}")
}

fn line_path(id: &str, product_id: &str) -> String {
    format!("/consignments/{id}/products/{product_id}")
}

/// Whether `create_consignment_once` made the consignment or found it.
#[derive(Debug, Clone, PartialEq)]
pub enum Created {
    /// This call created it.
    New(Consignment),
    /// It already existed with this reference (an earlier attempt, maybe with a
    /// lost acknowledgement, had created it).
    Found(Consignment),
}

impl Created {
    /// The consignment either way.
    pub fn consignment(&self) -> &Consignment {
        match self {
            Created::New(c) | Created::Found(c) => c,
        }
    }
}

impl LightspeedClient {
    /// `POST /consignments` (201). Not repeated after an unknown outcome.
    pub async fn create_consignment(&self, new: &NewConsignment) -> Result<Consignment, LsError> {
        let a = self
            .send(Method::POST, "/consignments", &[], Some(new))
            .await?;
        decode::<One<Consignment>>(&a).map(|o| o.data)
    }

    /// Creates a consignment exactly once, keyed by its `reference` (which must be
    /// set, e.g. to the mutation id): searches first, creates, and after a lost
    /// acknowledgement searches again before trying another create.
    pub async fn create_consignment_once(&self, new: &NewConsignment) -> Result<Created, LsError> {
        let reference = new
            .reference
            .as_deref()
            .filter(|r| !r.is_empty())
            .ok_or_else(|| {
                LsError::InvalidRequest("create_consignment_once needs a reference".into())
            })?;
        let max_attempts = self.config().retry.max_attempts.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            if let Some(found) = self
                .find_consignments_by_reference(reference)
                .await?
                .into_iter()
                .next()
            {
                return Ok(Created::Found(found));
            }
            match self.create_consignment(new).await {
                Ok(c) => return Ok(Created::New(c)),
                Err(e) if e.may_have_applied() && attempt < max_attempts => {
                    tracing::warn!(
                        code = e.code(),
                        reference,
                        "create outcome unknown; searching by reference before retrying"
                    );
                    tokio::time::sleep(self.config().retry.backoff(attempt)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// `GET /consignments/{id}`.
    pub async fn get_consignment(&self, id: &str) -> Result<Consignment, LsError> {
        self.get_data(&consignment_path(id), &[]).await
    }

    /// Live consignments whose `reference` is exactly `reference` (every page).
    pub async fn find_consignments_by_reference(
        &self,
        reference: &str,
    ) -> Result<Vec<Consignment>, LsError> {
        self.find_consignments("reference", reference, |c| c.reference.as_deref())
            .await
    }

    /// Live consignments whose `name` is exactly `name` (every page).
    pub async fn find_consignments_by_name(&self, name: &str) -> Result<Vec<Consignment>, LsError> {
        self.find_consignments("name", name, |c| c.name.as_deref())
            .await
    }

    /// Filters server-side and checks again client-side, so a server that ignores
    /// the filter (UNCERTAIN for the real API) only costs pages, never a false match.
    async fn find_consignments(
        &self,
        field: &'static str,
        value: &str,
        get: impl Fn(&Consignment) -> Option<&str>,
    ) -> Result<Vec<Consignment>, LsError> {
        let mut w = self
            .walker::<Consignment>("consignments", 0)
            .filter(field, value);
        let mut out = Vec::new();
        while let Some(page) = w.next_page().await? {
            out.extend(
                page.into_iter()
                    .filter(|c| get(c) == Some(value) && !c.is_deleted()),
            );
        }
        Ok(out)
    }

    /// `PUT /consignments/{id}` with the fields set in `update`.
    pub async fn update_consignment(
        &self,
        id: &str,
        update: &ConsignmentUpdate,
    ) -> Result<Consignment, LsError> {
        let a = self
            .send(Method::PUT, &consignment_path(id), &[], Some(update))
            .await?;
        decode::<One<Consignment>>(&a).map(|o| o.data)
    }

    /// Changes the status (Lightspeed enforces its transitions; re-read first).
    pub async fn set_consignment_status(
        &self,
        id: &str,
        status: LsConsignmentStatus,
    ) -> Result<Consignment, LsError> {
        self.update_consignment(
            id,
            &ConsignmentUpdate {
                status: Some(status),
                ..ConsignmentUpdate::default()
            },
        )
        .await
    }

    /// `DELETE /consignments/{id}`.
    pub async fn delete_consignment(&self, id: &str) -> Result<(), LsError> {
        self.send(Method::DELETE, &consignment_path(id), &[], None::<&()>)
            .await
            .map(|_| ())
    }

    /// `GET /consignments/{id}/totals`.
    pub async fn consignment_totals(&self, id: &str) -> Result<ConsignmentTotals, LsError> {
        self.get_data(&format!("/consignments/{id}/totals"), &[])
            .await
    }

    /// `GET /consignments/{id}/products`.
    pub async fn consignment_lines(&self, id: &str) -> Result<Vec<ConsignmentLine>, LsError> {
        self.get_data(&format!("/consignments/{id}/products"), &[])
            .await
    }

    /// `POST /consignments/{id}/products`: adds one line. Not repeated after an
    /// unknown outcome; prefer [`LightspeedClient::put_line`] when the line may exist.
    pub async fn add_line(&self, id: &str, line: &NewLine) -> Result<ConsignmentLine, LsError> {
        let a = self
            .send(
                Method::POST,
                &format!("/consignments/{id}/products"),
                &[],
                Some(line),
            )
            .await?;
        decode::<One<ConsignmentLine>>(&a).map(|o| o.data)
    }

    /// `PUT /consignments/{id}/products/{product_id}`: absolute values, safe to repeat.
    pub async fn put_line(
        &self,
        id: &str,
        product_id: &str,
        values: &LineValues,
    ) -> Result<ConsignmentLine, LsError> {
        let a = self
            .send(Method::PUT, &line_path(id, product_id), &[], Some(values))
            .await?;
        decode::<One<ConsignmentLine>>(&a).map(|o| o.data)
    }

    /// Sets a line to absolute values whether or not it exists yet: PUT, and when
    /// the line is missing, add it; after an add whose outcome is unknown, re-read
    /// the lines and PUT again. Safe to repeat; never doubles a quantity.
    pub async fn upsert_line(&self, id: &str, line: &NewLine) -> Result<ConsignmentLine, LsError> {
        let values = LineValues {
            count: Some(line.count),
            received: line.received,
            cost: line.cost,
        };
        let max_attempts = self.config().retry.max_attempts.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.put_line(id, &line.product_id, &values).await {
                Err(LsError::Rejected { status: 404, .. }) => {}
                other => return other,
            }
            match self.add_line(id, line).await {
                Ok(added) => return Ok(added),
                // Someone (an earlier attempt whose answer was lost) added it: set it.
                Err(LsError::Rejected { status: 400, .. }) if attempt < max_attempts => {}
                Err(e) if e.may_have_applied() && attempt < max_attempts => {
                    tracing::warn!(code = e.code(), "line add outcome unknown; re-reading");
                    tokio::time::sleep(self.config().retry.backoff(attempt)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// `DELETE /consignments/{id}/products/{product_id}`.
    pub async fn delete_line(&self, id: &str, product_id: &str) -> Result<(), LsError> {
        self.send(Method::DELETE, &line_path(id, product_id), &[], None::<&()>)
            .await
            .map(|_| ())
    }

    /// `POST /consignments/{id}/bulk` with at most [`BULK_LIMIT`] lines. On SUPPLIER
    /// consignments Lightspeed ADDS these to existing counts: never repeat a bulk
    /// call whose outcome is unknown; re-read the lines and correct with `put_line`.
    pub async fn bulk_add_lines(
        &self,
        id: &str,
        lines: &[NewLine],
    ) -> Result<Vec<ConsignmentLine>, LsError> {
        if lines.is_empty() || lines.len() > BULK_LIMIT {
            return Err(LsError::InvalidRequest(format!(
                "a bulk call takes 1 to {BULK_LIMIT} lines, not {}",
                lines.len()
            )));
        }
        let a = self
            .send(
                Method::POST,
                &format!("/consignments/{id}/bulk"),
                &[],
                Some(lines),
            )
            .await?;
        decode::<One<Vec<ConsignmentLine>>>(&a).map(|o| o.data)
    }
}
