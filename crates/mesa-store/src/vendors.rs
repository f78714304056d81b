//! Vendors, their contacts, support contracts and escalations to them
//! (migration 0013).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::{Store, StoreError, StoreResult, with_pool, with_tx};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct VendorContact {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vendor {
    pub id: i64,
    pub name: String,
    pub nit: String,
    pub contacts: Vec<VendorContact>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Contract {
    pub id: i64,
    pub number: String,
    pub object: String,
    pub vendor_id: i64,
    pub vendor_name: String,
    pub supervisor_id: i64,
    pub supervisor_email: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub response_hours: i64,
    pub resolution_hours: i64,
    pub calendar: String,
    #[sqlx(skip)]
    pub service_ids: Vec<i64>,
}

#[derive(Debug, Clone)]
pub struct NewContract {
    pub number: String,
    pub object: String,
    pub vendor_id: i64,
    pub supervisor_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub response_hours: i64,
    pub resolution_hours: i64,
    pub calendar: String,
    pub service_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Escalation {
    pub id: i64,
    pub ticket_id: i64,
    pub ticket_number: i64,
    pub contract_id: i64,
    pub vendor_case: Option<String>,
    pub note: String,
    pub escalated_by: i64,
    pub escalated_at: DateTime<Utc>,
    pub responded_at: Option<DateTime<Utc>>,
    pub solved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub last_event_at: Option<DateTime<Utc>>,
    pub version: i64,
}

#[derive(Debug, Clone)]
pub struct NewEscalation {
    pub ticket_id: i64,
    pub contract_id: i64,
    pub vendor_case: Option<String>,
    pub note: String,
    pub escalated_by: i64,
    pub escalated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EscalationEvent {
    pub id: i64,
    pub kind: String,
    pub note: Option<String>,
    pub happened_at: DateTime<Utc>,
    pub author_email: String,
}

/// An event to record, with the escalation's instants after it.
#[derive(Debug, Clone)]
pub struct NewEscalationEvent<'a> {
    pub escalation_id: i64,
    /// The version read; the write fails with `Conflict` if it changed.
    pub version: i64,
    pub kind: &'a str,
    pub note: Option<&'a str>,
    pub happened_at: DateTime<Utc>,
    pub author_id: i64,
    pub responded_at: Option<DateTime<Utc>>,
    pub solved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

const CONTRACT_COLUMNS: &str = "c.id, c.number, c.object, c.vendor_id, v.name AS vendor_name, c.supervisor_id, \
     u.email AS supervisor_email, c.starts_on, c.ends_on, c.response_hours, c.resolution_hours, c.calendar";
const CONTRACT_FROM: &str = "contracts c JOIN vendors v ON v.id = c.vendor_id JOIN users u ON u.id = c.supervisor_id";
const ESCALATION_COLUMNS: &str = "e.id, e.ticket_id, t.number AS ticket_number, e.contract_id, e.vendor_case, e.note, \
     e.escalated_by, e.escalated_at, e.responded_at, e.solved_at, e.closed_at, e.last_event_at, e.version";

impl Store {
    /// Adds a vendor with its contacts; `Conflict("vendors_nit_key")` if the NIT exists.
    #[tracing::instrument(skip_all)]
    pub async fn create_vendor(&self, name: &str, nit: &str, contacts: &[VendorContact]) -> StoreResult<Vendor> {
        let id: i64 = with_tx!(self, |tx| {
            let id: i64 =
                sqlx::query_scalar("INSERT INTO vendors (name, nit, created_at) VALUES ($1, $2, $3) RETURNING id")
                    .bind(name)
                    .bind(nit)
                    .bind(Utc::now())
                    .fetch_one(&mut *tx)
                    .await?;
            for (position, c) in contacts.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO vendor_contacts (vendor_id, position, name, email, phone) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(position as i64)
                .bind(&c.name)
                .bind(&c.email)
                .bind(&c.phone)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            id
        });
        self.vendor(id).await
    }

    /// Every vendor with its contacts, by name.
    #[tracing::instrument(skip_all)]
    pub async fn vendors(&self) -> StoreResult<Vec<Vendor>> {
        let rows: Vec<(i64, String, String)> =
            with_pool!(self, read, |pool| sqlx::query_as("SELECT id, name, nit FROM vendors ORDER BY name, id")
                .fetch_all(pool)
                .await)?;
        let contacts: Vec<(i64, String, Option<String>, Option<String>)> = with_pool!(self, read, |pool| {
            sqlx::query_as("SELECT vendor_id, name, email, phone FROM vendor_contacts ORDER BY vendor_id, position")
                .fetch_all(pool)
                .await
        })?;
        let mut by_vendor: HashMap<i64, Vec<VendorContact>> = HashMap::new();
        for (vendor, name, email, phone) in contacts {
            by_vendor.entry(vendor).or_default().push(VendorContact { name, email, phone });
        }
        Ok(rows
            .into_iter()
            .map(|(id, name, nit)| Vendor { id, name, nit, contacts: by_vendor.remove(&id).unwrap_or_default() })
            .collect())
    }

    #[tracing::instrument(skip_all)]
    pub async fn vendor(&self, id: i64) -> StoreResult<Vendor> {
        let (id, name, nit): (i64, String, String) =
            with_pool!(self, read, |pool| sqlx::query_as("SELECT id, name, nit FROM vendors WHERE id = $1")
                .bind(id)
                .fetch_one(pool)
                .await)?;
        let contacts: Vec<VendorContact> = with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT name, email, phone FROM vendor_contacts WHERE vendor_id = $1 ORDER BY position"
        )
        .bind(id)
        .fetch_all(pool)
        .await)?;
        Ok(Vendor { id, name, nit, contacts })
    }

    /// Adds a contract with the services it covers; `Conflict("contracts_number_key")`
    /// if the number exists.
    #[tracing::instrument(skip_all)]
    pub async fn create_contract(&self, new: &NewContract) -> StoreResult<Contract> {
        let id: i64 = with_tx!(self, |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO contracts (number, object, vendor_id, supervisor_id, starts_on, ends_on, response_hours,
                    resolution_hours, calendar, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(&new.number)
            .bind(&new.object)
            .bind(new.vendor_id)
            .bind(new.supervisor_id)
            .bind(new.starts_on)
            .bind(new.ends_on)
            .bind(new.response_hours)
            .bind(new.resolution_hours)
            .bind(&new.calendar)
            .bind(Utc::now())
            .fetch_one(&mut *tx)
            .await?;
            for service in &new.service_ids {
                sqlx::query("INSERT INTO contract_services (contract_id, service_id) VALUES ($1, $2)")
                    .bind(id)
                    .bind(service)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            id
        });
        self.contract(id).await
    }

    /// Every contract, the latest ending first.
    #[tracing::instrument(skip_all)]
    pub async fn contracts(&self) -> StoreResult<Vec<Contract>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {CONTRACT_COLUMNS} FROM {CONTRACT_FROM} ORDER BY c.ends_on DESC, c.number"
        ));
        let mut rows: Vec<Contract> = with_pool!(self, read, |pool| sqlx::query_as(sql).fetch_all(pool).await)?;
        let links: Vec<(i64, i64)> = with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT contract_id, service_id FROM contract_services ORDER BY contract_id, service_id"
        )
        .fetch_all(pool)
        .await)?;
        let mut by_contract: HashMap<i64, Vec<i64>> = HashMap::new();
        for (contract, service) in links {
            by_contract.entry(contract).or_default().push(service);
        }
        for row in &mut rows {
            row.service_ids = by_contract.remove(&row.id).unwrap_or_default();
        }
        Ok(rows)
    }

    #[tracing::instrument(skip_all)]
    pub async fn contract(&self, id: i64) -> StoreResult<Contract> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {CONTRACT_COLUMNS} FROM {CONTRACT_FROM} WHERE c.id = $1"));
        let mut row: Contract = with_pool!(self, read, |pool| sqlx::query_as(sql).bind(id).fetch_one(pool).await)?;
        row.service_ids = with_pool!(self, read, |pool| sqlx::query_scalar(
            "SELECT service_id FROM contract_services WHERE contract_id = $1 ORDER BY service_id"
        )
        .bind(id)
        .fetch_all(pool)
        .await)?;
        Ok(row)
    }

    #[tracing::instrument(skip_all)]
    pub async fn insert_escalation(&self, new: &NewEscalation) -> StoreResult<Escalation> {
        let id: i64 = with_pool!(self, write, |pool| sqlx::query_scalar(
            "INSERT INTO vendor_escalations (ticket_id, contract_id, vendor_case, note, escalated_by, escalated_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
        )
        .bind(new.ticket_id)
        .bind(new.contract_id)
        .bind(&new.vendor_case)
        .bind(&new.note)
        .bind(new.escalated_by)
        .bind(new.escalated_at)
        .fetch_one(pool)
        .await)?;
        self.escalation(id).await
    }

    #[tracing::instrument(skip_all)]
    pub async fn escalation(&self, id: i64) -> StoreResult<Escalation> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {ESCALATION_COLUMNS} FROM vendor_escalations e JOIN tickets t ON t.id = e.ticket_id WHERE e.id = $1"
        ));
        Ok(with_pool!(self, read, |pool| sqlx::query_as(sql).bind(id).fetch_one(pool).await)?)
    }

    /// A ticket's escalations, oldest first.
    #[tracing::instrument(skip_all)]
    pub async fn ticket_escalations(&self, ticket_id: i64) -> StoreResult<Vec<Escalation>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {ESCALATION_COLUMNS} FROM vendor_escalations e JOIN tickets t ON t.id = e.ticket_id
             WHERE e.ticket_id = $1 ORDER BY e.id"
        ));
        Ok(with_pool!(self, read, |pool| sqlx::query_as(sql).bind(ticket_id).fetch_all(pool).await)?)
    }

    /// Records an event and the escalation's new instants, if nobody changed
    /// it since it was read (`Conflict("stale")` otherwise).
    #[tracing::instrument(skip_all)]
    pub async fn record_escalation_event(&self, e: &NewEscalationEvent<'_>) -> StoreResult<()> {
        with_tx!(self, |tx| {
            let updated = sqlx::query(
                "UPDATE vendor_escalations SET responded_at = $1, solved_at = $2, closed_at = $3, last_event_at = $4,
                    version = version + 1
                 WHERE id = $5 AND version = $6",
            )
            .bind(e.responded_at)
            .bind(e.solved_at)
            .bind(e.closed_at)
            .bind(e.happened_at)
            .bind(e.escalation_id)
            .bind(e.version)
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() != 1 {
                return Err(StoreError::Conflict("stale".into()));
            }
            sqlx::query(
                "INSERT INTO escalation_events (escalation_id, kind, note, happened_at, author_id, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(e.escalation_id)
            .bind(e.kind)
            .bind(e.note)
            .bind(e.happened_at)
            .bind(e.author_id)
            .bind(Utc::now())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    pub async fn escalation_events(&self, escalation_id: i64) -> StoreResult<Vec<EscalationEvent>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT ev.id, ev.kind, ev.note, ev.happened_at, u.email AS author_email
             FROM escalation_events ev JOIN users u ON u.id = ev.author_id
             WHERE ev.escalation_id = $1 ORDER BY ev.happened_at, ev.id"
        )
        .bind(escalation_id)
        .fetch_all(pool)
        .await)?)
    }

    /// Per contract: escalations, and how many met or missed each target,
    /// as counted by the caller (the clocks need the calendar).
    #[tracing::instrument(skip_all)]
    pub async fn all_escalations(&self) -> StoreResult<Vec<Escalation>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {ESCALATION_COLUMNS} FROM vendor_escalations e JOIN tickets t ON t.id = e.ticket_id ORDER BY e.id"
        ));
        Ok(with_pool!(self, read, |pool| sqlx::query_as(sql).fetch_all(pool).await)?)
    }
}
