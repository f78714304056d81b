//! `mesa asset import FILE.csv [--dry-run]`: the inventory from a
//! spreadsheet, idempotent by inventory tag.

use std::collections::HashMap;

use mesa_core::assets::{OPTIONAL_COLUMNS, REQUIRED_COLUMNS, RawAsset};
use mesa_core::validate::FieldError;
use mesa_store::AssetRecord;

use super::AssetInput;
use crate::{AppError, AppResult, Desk, ImportReport};

impl Desk {
    /// Imports devices from CSV (header with at least
    /// `inventory_tag,type,brand,model,serial,status,purchase_date,warranty_end`;
    /// optionally `building_id,department_id,assigned_to_email,vendor_id`, in
    /// any order). A known tag is updated only when something differs; every
    /// refused row is reported with its line and why. The writes go in one
    /// transaction. The local command line only (whoever runs `mesa` on the
    /// server is trusted).
    pub async fn import_assets(&self, csv: &[u8], dry_run: bool) -> AppResult<ImportReport> {
        let (mut reader, headers) = crate::people::csv_with_columns(csv, &REQUIRED_COLUMNS)?;
        let column = |name: &str| headers.iter().position(|h| h == name);
        if let Some(extra) = headers.iter().find(|h| !REQUIRED_COLUMNS.contains(&h.as_str()))
            && !OPTIONAL_COLUMNS.contains(&extra.as_str())
        {
            tracing::info!(column = %extra, "asset import: column ignored");
        }
        let existing: HashMap<String, (i64, AssetRecord)> = self
            .store
            .all_assets()
            .await?
            .into_iter()
            .map(|a| (a.inventory_tag.to_lowercase(), (a.id, AssetRecord::of(&a))))
            .collect();
        let mut report = ImportReport::default();
        let mut seen: HashMap<String, u64> = HashMap::new();
        let (mut inserts, mut updates) = (Vec::new(), Vec::new());
        for (index, record) in reader.records().enumerate() {
            // Line numbers as a spreadsheet shows them: the header is line 1.
            let line = record.as_ref().ok().and_then(|r| r.position()).map_or(index as u64 + 2, |p| p.line());
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    report.refused.push(format!("line {line}: unreadable row ({e})"));
                    continue;
                }
            };
            if record.iter().all(str::is_empty) {
                continue;
            }
            let cell = |name: &str| column(name).and_then(|i| record.get(i)).map(str::to_owned);
            let id = |name: &'static str| -> Result<Option<i64>, String> {
                match cell(name).filter(|c| !c.is_empty()) {
                    None => Ok(None),
                    Some(c) => c.parse::<i64>().map(Some).map_err(|_| format!("{name} {c:?} is not a number")),
                }
            };
            let ids = (|| Ok::<_, String>((id("building_id")?, id("department_id")?, id("vendor_id")?)))();
            let (building_id, department_id, vendor_id) = match ids {
                Ok(ids) => ids,
                Err(why) => {
                    report.refused.push(format!("line {line}: {why}"));
                    continue;
                }
            };
            let input = AssetInput {
                raw: RawAsset {
                    inventory_tag: cell("inventory_tag").unwrap_or_default(),
                    asset_type: cell("type").unwrap_or_default(),
                    brand: cell("brand"),
                    model: cell("model"),
                    serial: cell("serial"),
                    status: cell("status"),
                    purchase_date: cell("purchase_date"),
                    warranty_end: cell("warranty_end"),
                },
                building_id,
                department_id,
                assigned_to_email: cell("assigned_to_email"),
                vendor_id,
            };
            let row = match self.asset_record(&input).await {
                Ok(row) => row,
                Err(AppError::Invalid(e)) => {
                    report.refused.push(format!("line {line}: {}", e.message));
                    continue;
                }
                Err(e) => return Err(e),
            };
            let key = row.inventory_tag.to_lowercase();
            if let Some(first) = seen.insert(key.clone(), line) {
                report.refused.push(format!("line {line}: {} is already on line {first}", row.inventory_tag));
                continue;
            }
            match existing.get(&key) {
                Some((_, old)) if *old == row => report.unchanged += 1,
                Some((id, _)) => {
                    updates.push((*id, row));
                    report.updated += 1;
                }
                None => {
                    inserts.push(row);
                    report.imported += 1;
                }
            }
        }
        let nothing_to_write = inserts.is_empty() && updates.is_empty();
        if !dry_run && !nothing_to_write {
            self.store.import_assets(&inserts, &updates).await.map_err(|e| match e {
                mesa_store::StoreError::Conflict(_) => AppError::Conflict {
                    code: "inventory_tag_taken",
                    message: "a device was added meanwhile; run the import again".into(),
                },
                other => other.into(),
            })?;
        }
        Ok(report)
    }
}

impl Desk {
    /// The whole inventory as CSV, in the import's columns, so an export
    /// edited in a spreadsheet imports back (the local command line only).
    pub async fn export_assets(&self) -> AppResult<Vec<u8>> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let internal = |e: csv::Error| AppError::Invalid(FieldError::new("file", "unwritable", e.to_string()));
        writer.write_record(REQUIRED_COLUMNS.iter().chain(OPTIONAL_COLUMNS.iter())).map_err(internal)?;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let id = |v: Option<i64>| v.map(|i| i.to_string()).unwrap_or_default();
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        for a in self.store.all_assets().await? {
            writer
                .write_record([
                    a.inventory_tag.clone(),
                    a.asset_type.clone(),
                    text(&a.brand),
                    text(&a.model),
                    text(&a.serial),
                    a.status.clone(),
                    date(a.purchase_date),
                    date(a.warranty_end),
                    id(a.building_id),
                    id(a.department_id),
                    text(&a.assigned_to_email),
                    id(a.vendor_id),
                ])
                .map_err(internal)?;
        }
        writer.into_inner().map_err(|e| internal(e.into_error().into()))
    }
}
