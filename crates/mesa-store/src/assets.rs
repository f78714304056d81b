//! The asset inventory, tickets' assets and warranty claims (migration 0013).

use chrono::{DateTime, NaiveDate, Utc};

use crate::{Store, StoreResult, with_pool, with_tx};

/// A device as stored, with its assignee's e-mail.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Asset {
    pub id: i64,
    pub inventory_tag: String,
    #[sqlx(rename = "type")]
    pub asset_type: String,
    pub brand: Option<String>,
    pub model: Option<String>,
    pub serial: Option<String>,
    pub building_id: Option<i64>,
    pub department_id: Option<i64>,
    pub assigned_to: Option<i64>,
    pub assigned_to_email: Option<String>,
    pub vendor_id: Option<i64>,
    pub purchase_date: Option<NaiveDate>,
    pub warranty_end: Option<NaiveDate>,
    pub status: String,
}

/// Every field of a device an import or a form writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetRecord {
    pub inventory_tag: String,
    pub asset_type: String,
    pub brand: Option<String>,
    pub model: Option<String>,
    pub serial: Option<String>,
    pub building_id: Option<i64>,
    pub department_id: Option<i64>,
    pub assigned_to: Option<i64>,
    pub vendor_id: Option<i64>,
    pub purchase_date: Option<NaiveDate>,
    pub warranty_end: Option<NaiveDate>,
    pub status: String,
}

impl AssetRecord {
    pub fn of(a: &Asset) -> AssetRecord {
        AssetRecord {
            inventory_tag: a.inventory_tag.clone(),
            asset_type: a.asset_type.clone(),
            brand: a.brand.clone(),
            model: a.model.clone(),
            serial: a.serial.clone(),
            building_id: a.building_id,
            department_id: a.department_id,
            assigned_to: a.assigned_to,
            vendor_id: a.vendor_id,
            purchase_date: a.purchase_date,
            warranty_end: a.warranty_end,
            status: a.status.clone(),
        }
    }
}

/// Which devices a list shows.
#[derive(Debug, Clone, Default)]
pub struct AssetFilter {
    pub status: Option<String>,
    pub assigned_to: Option<i64>,
    pub building_id: Option<i64>,
    pub department_id: Option<i64>,
    pub vendor_id: Option<i64>,
    /// Matched against tag, type, brand, model and serial (case-insensitive, contains).
    pub q: Option<String>,
    pub limit: i64,
}

/// A ticket as an asset's page lists it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AssetTicket {
    pub number: i64,
    pub subject: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WarrantyClaim {
    pub id: i64,
    pub ticket_id: i64,
    pub ticket_number: i64,
    pub asset_id: i64,
    pub vendor_id: Option<i64>,
    pub maker: Option<String>,
    pub case_number: Option<String>,
    pub sent_on: NaiveDate,
    pub note: Option<String>,
    pub result: Option<String>,
    pub returned_on: Option<NaiveDate>,
    pub result_note: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewWarrantyClaim {
    pub ticket_id: i64,
    pub asset_id: i64,
    pub vendor_id: Option<i64>,
    pub maker: Option<String>,
    pub case_number: Option<String>,
    pub sent_on: NaiveDate,
    pub note: Option<String>,
    pub opened_by: i64,
}

const ASSET_COLUMNS: &str = "a.id, a.inventory_tag, a.type, a.brand, a.model, a.serial, a.building_id, \
     a.department_id, a.assigned_to, u.email AS assigned_to_email, a.vendor_id, a.purchase_date, a.warranty_end, a.status";
const ASSET_FROM: &str = "assets a LEFT JOIN users u ON u.id = a.assigned_to";
const CLAIM_COLUMNS: &str = "w.id, w.ticket_id, t.number AS ticket_number, w.asset_id, w.vendor_id, w.maker, \
     w.case_number, w.sent_on, w.note, w.result, w.returned_on, w.result_note";

macro_rules! bind_record {
    ($query:expr, $r:expr) => {
        $query
            .bind(&$r.inventory_tag)
            .bind(&$r.asset_type)
            .bind(&$r.brand)
            .bind(&$r.model)
            .bind(&$r.serial)
            .bind($r.building_id)
            .bind($r.department_id)
            .bind($r.assigned_to)
            .bind($r.vendor_id)
            .bind($r.purchase_date)
            .bind($r.warranty_end)
            .bind(&$r.status)
    };
}

const INSERT_ASSET: &str = "INSERT INTO assets (inventory_tag, type, brand, model, serial, building_id, department_id,
        assigned_to, vendor_id, purchase_date, warranty_end, status, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id";
const UPDATE_ASSET: &str = "UPDATE assets SET inventory_tag = $1, type = $2, brand = $3, model = $4, serial = $5,
        building_id = $6, department_id = $7, assigned_to = $8, vendor_id = $9, purchase_date = $10,
        warranty_end = $11, status = $12, updated_at = $13
     WHERE id = $14";

impl Store {
    /// Adds a device; `Conflict("assets_inventory_tag_key")` if the tag exists.
    #[tracing::instrument(skip_all)]
    pub async fn create_asset(&self, r: &AssetRecord) -> StoreResult<Asset> {
        let id: i64 = with_pool!(self, write, |pool| bind_record!(sqlx::query_scalar(INSERT_ASSET), r)
            .bind(Utc::now())
            .fetch_one(pool)
            .await)?;
        self.asset(id).await
    }

    /// Writes the inserts and updates of an import in one transaction.
    #[tracing::instrument(skip_all)]
    pub async fn import_assets(&self, inserts: &[AssetRecord], updates: &[(i64, AssetRecord)]) -> StoreResult<()> {
        let now = Utc::now();
        with_tx!(self, |tx| {
            for r in inserts {
                let _: i64 = bind_record!(sqlx::query_scalar(INSERT_ASSET), r).bind(now).fetch_one(&mut *tx).await?;
            }
            for (id, r) in updates {
                bind_record!(sqlx::query(UPDATE_ASSET), r).bind(now).bind(id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    #[tracing::instrument(skip_all)]
    pub async fn set_asset_status(&self, id: i64, status: &str) -> StoreResult<()> {
        with_pool!(self, write, |pool| sqlx::query("UPDATE assets SET status = $1, updated_at = $2 WHERE id = $3")
            .bind(status)
            .bind(Utc::now())
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    pub async fn asset(&self, id: i64) -> StoreResult<Asset> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {ASSET_COLUMNS} FROM {ASSET_FROM} WHERE a.id = $1"));
        Ok(with_pool!(self, read, |pool| sqlx::query_as(sql).bind(id).fetch_one(pool).await)?)
    }

    /// Every device, for an import to match tags against.
    #[tracing::instrument(skip_all)]
    pub async fn all_assets(&self) -> StoreResult<Vec<Asset>> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {ASSET_COLUMNS} FROM {ASSET_FROM} ORDER BY a.inventory_tag"));
        Ok(with_pool!(self, read, |pool| sqlx::query_as(sql).fetch_all(pool).await)?)
    }

    /// Devices matching a filter, by tag.
    #[tracing::instrument(skip_all)]
    pub async fn list_assets(&self, f: &AssetFilter) -> StoreResult<Vec<Asset>> {
        let pattern = f.q.as_ref().map(|q| format!("%{}%", q.to_lowercase().replace(['%', '_'], "")));
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {ASSET_COLUMNS} FROM {ASSET_FROM}
             WHERE ($1 IS NULL OR a.status = $1) AND ($2 IS NULL OR a.assigned_to = $2)
               AND ($3 IS NULL OR a.building_id = $3) AND ($4 IS NULL OR a.department_id = $4)
               AND ($5 IS NULL OR a.vendor_id = $5)
               AND ($6 IS NULL OR LOWER(a.inventory_tag) LIKE $6 OR LOWER(a.type) LIKE $6
                    OR LOWER(COALESCE(a.brand, '')) LIKE $6 OR LOWER(COALESCE(a.model, '')) LIKE $6
                    OR LOWER(COALESCE(a.serial, '')) LIKE $6)
             ORDER BY a.inventory_tag LIMIT $7"
        ));
        Ok(with_pool!(self, read, |pool| sqlx::query_as(sql)
            .bind(&f.status)
            .bind(f.assigned_to)
            .bind(f.building_id)
            .bind(f.department_id)
            .bind(f.vendor_id)
            .bind(&pattern)
            .bind(f.limit)
            .fetch_all(pool)
            .await)?)
    }

    /// Names (or with `None` clears) a ticket's asset.
    #[tracing::instrument(skip_all)]
    pub async fn set_ticket_asset(&self, ticket_id: i64, asset_id: Option<i64>) -> StoreResult<()> {
        with_pool!(self, write, |pool| match asset_id {
            Some(asset) => sqlx::query(
                "INSERT INTO ticket_assets (ticket_id, asset_id) VALUES ($1, $2)
                 ON CONFLICT (ticket_id) DO UPDATE SET asset_id = excluded.asset_id",
            )
            .bind(ticket_id)
            .bind(asset)
            .execute(pool)
            .await
            .map(|_| ()),
            None => sqlx::query("DELETE FROM ticket_assets WHERE ticket_id = $1")
                .bind(ticket_id)
                .execute(pool)
                .await
                .map(|_| ()),
        })?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    pub async fn ticket_asset(&self, ticket_id: i64) -> StoreResult<Option<i64>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_scalar(
            "SELECT asset_id FROM ticket_assets WHERE ticket_id = $1"
        )
        .bind(ticket_id)
        .fetch_optional(pool)
        .await)?)
    }

    /// The tickets about a device, newest first.
    #[tracing::instrument(skip_all)]
    pub async fn asset_tickets(&self, asset_id: i64) -> StoreResult<Vec<AssetTicket>> {
        Ok(with_pool!(self, read, |pool| {
            sqlx::query_as(
            "SELECT t.number, t.subject, t.status, t.created_at FROM ticket_assets ta JOIN tickets t ON t.id = ta.ticket_id
             WHERE ta.asset_id = $1 ORDER BY t.number DESC"
        )
        .bind(asset_id)
        .fetch_all(pool)
        .await
        })?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn insert_warranty_claim(&self, new: &NewWarrantyClaim) -> StoreResult<WarrantyClaim> {
        let id: i64 = with_pool!(self, write, |pool| {
            sqlx::query_scalar(
            "INSERT INTO warranty_claims (ticket_id, asset_id, vendor_id, maker, case_number, sent_on, note, opened_by,
                created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"
        )
        .bind(new.ticket_id)
        .bind(new.asset_id)
        .bind(new.vendor_id)
        .bind(&new.maker)
        .bind(&new.case_number)
        .bind(new.sent_on)
        .bind(&new.note)
        .bind(new.opened_by)
        .bind(Utc::now())
        .fetch_one(pool)
        .await
        })?;
        self.warranty_claim(id).await
    }

    #[tracing::instrument(skip_all)]
    pub async fn warranty_claim(&self, id: i64) -> StoreResult<WarrantyClaim> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {CLAIM_COLUMNS} FROM warranty_claims w JOIN tickets t ON t.id = w.ticket_id WHERE w.id = $1"
        ));
        Ok(with_pool!(self, read, |pool| sqlx::query_as(sql).bind(id).fetch_one(pool).await)?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn ticket_warranty_claims(&self, ticket_id: i64) -> StoreResult<Vec<WarrantyClaim>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {CLAIM_COLUMNS} FROM warranty_claims w JOIN tickets t ON t.id = w.ticket_id
             WHERE w.ticket_id = $1 ORDER BY w.id"
        ));
        Ok(with_pool!(self, read, |pool| sqlx::query_as(sql).bind(ticket_id).fetch_all(pool).await)?)
    }

    /// Records a claim's result once: `NotFound` if it already has one.
    #[tracing::instrument(skip_all)]
    pub async fn decide_warranty_claim(
        &self,
        id: i64,
        result: &str,
        returned_on: NaiveDate,
        note: Option<&str>,
        decided_by: i64,
    ) -> StoreResult<()> {
        let updated = with_pool!(self, write, |pool| sqlx::query(
            "UPDATE warranty_claims SET result = $1, returned_on = $2, result_note = $3, decided_by = $4,
                decided_at = $5
             WHERE id = $6 AND result IS NULL"
        )
        .bind(result)
        .bind(returned_on)
        .bind(note)
        .bind(decided_by)
        .bind(Utc::now())
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        if updated != 1 {
            return Err(crate::StoreError::NotFound);
        }
        Ok(())
    }
}

/// A technical assessment as stored (migration 0015).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AssessmentRow {
    pub id: i64,
    pub ticket_id: i64,
    pub ticket_number: i64,
    pub asset_id: i64,
    pub diagnosis: String,
    pub tests_done: String,
    pub findings: String,
    pub recommendation: String,
    pub signer_name: String,
    pub signer_role: String,
    pub attachment_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct NewAssessment {
    pub ticket_id: i64,
    pub asset_id: i64,
    pub diagnosis: String,
    pub tests_done: String,
    pub findings: String,
    pub recommendation: String,
    pub signer_name: String,
    pub signer_role: String,
    pub created_by: i64,
}

const ASSESSMENT_COLUMNS: &str = "s.id, s.ticket_id, t.number AS ticket_number, s.asset_id, s.diagnosis, \
     s.tests_done, s.findings, s.recommendation, s.signer_name, s.signer_role, s.attachment_id, s.created_at, \
     s.confirmed_at";

impl Store {
    /// Records an assessment; its number is its id (the PDF comes after).
    #[tracing::instrument(skip_all)]
    pub async fn insert_assessment(&self, new: &NewAssessment) -> StoreResult<AssessmentRow> {
        let id: i64 = with_pool!(self, write, |pool| {
            sqlx::query_scalar(
                "INSERT INTO assessments (ticket_id, asset_id, diagnosis, tests_done, findings, recommendation,
                    signer_name, signer_role, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(new.ticket_id)
            .bind(new.asset_id)
            .bind(&new.diagnosis)
            .bind(&new.tests_done)
            .bind(&new.findings)
            .bind(&new.recommendation)
            .bind(&new.signer_name)
            .bind(&new.signer_role)
            .bind(new.created_by)
            .bind(Utc::now())
            .fetch_one(pool)
            .await
        })?;
        self.assessment(id).await
    }

    #[tracing::instrument(skip_all)]
    pub async fn set_assessment_attachment(&self, id: i64, attachment_id: i64) -> StoreResult<()> {
        with_pool!(self, write, |pool| sqlx::query("UPDATE assessments SET attachment_id = $1 WHERE id = $2")
            .bind(attachment_id)
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Records the lead's confirmation once; `NotFound` if already confirmed.
    #[tracing::instrument(skip_all)]
    pub async fn confirm_assessment(&self, id: i64, by: i64) -> StoreResult<()> {
        let updated = with_pool!(self, write, |pool| sqlx::query(
            "UPDATE assessments SET confirmed_by = $1, confirmed_at = $2 WHERE id = $3 AND confirmed_at IS NULL"
        )
        .bind(by)
        .bind(Utc::now())
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        if updated != 1 {
            return Err(crate::StoreError::NotFound);
        }
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    pub async fn assessment(&self, id: i64) -> StoreResult<AssessmentRow> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {ASSESSMENT_COLUMNS} FROM assessments s JOIN tickets t ON t.id = s.ticket_id WHERE s.id = $1"
        ));
        Ok(with_pool!(self, read, |pool| sqlx::query_as(sql).bind(id).fetch_one(pool).await)?)
    }
}

/// Devices per status, and claims per result (`None`: still open).
pub type AssetAndClaimCounts = (Vec<(String, i64)>, Vec<(Option<String>, i64)>);

impl Store {
    /// How many devices are in each status, and how many claims ended each
    /// way, for the reports.
    #[tracing::instrument(skip_all)]
    pub async fn asset_and_claim_counts(&self) -> StoreResult<AssetAndClaimCounts> {
        let assets: Vec<(String, i64)> = with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT status, COUNT(*) FROM assets GROUP BY status ORDER BY status"
        )
        .fetch_all(pool)
        .await)?;
        let claims: Vec<(Option<String>, i64)> = with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT result, COUNT(*) FROM warranty_claims GROUP BY result ORDER BY result"
        )
        .fetch_all(pool)
        .await)?;
        Ok((assets, claims))
    }
}
