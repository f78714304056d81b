//! Logbooks ("bitácoras", seeds 002 and 004): dated entries per
//! infrastructure item, written by hand or from a solved maintenance ticket
//! (`execution.rs`), with an optional file kept in the blob store; exported
//! as CSV.

use chrono::Utc;
use mesa_core::Actor;
use mesa_core::maintenance::LogbookFields;
use mesa_core::validate::{optional_text, required_text};
use mesa_store::{LogbookEntryRow, LogbookFile, LogbookRow, NewLogbookEntry, StoreError};

use super::require_read;
use crate::tickets::sanitize_filename;
use crate::{AppError, AppResult, Desk, NewFile};

/// An entry as written (API body or form).
#[derive(Debug, Clone, Default)]
pub struct LogbookInput {
    pub item: String,
    /// `YYYY-MM-DD`; today (desk calendar) when blank.
    pub date: String,
    pub work: String,
    pub readings: Option<String>,
    pub file: Option<NewFile>,
}

/// A cell a spreadsheet will not run as a formula (OWASP "CSV injection").
pub(crate) fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() }
}

impl Desk {
    pub async fn logbooks(&self, actor: &Actor) -> AppResult<Vec<LogbookRow>> {
        require_read(actor)?;
        Ok(self.store.logbooks().await?)
    }

    /// An item's entries, newest first (an item with no entry has an empty logbook).
    pub async fn logbook(&self, actor: &Actor, item: &str) -> AppResult<Vec<LogbookEntryRow>> {
        require_read(actor)?;
        let item = required_text("item", item, mesa_core::maintenance::plan_limits::ITEM)?;
        Ok(self.store.logbook_entries(&item).await?)
    }

    /// Staff write entries by hand.
    pub async fn add_logbook_entry(&self, actor: &Actor, input: LogbookInput) -> AppResult<LogbookEntryRow> {
        if !actor.can_work_tickets() {
            return Err(AppError::forbidden("only agents write in logbooks"));
        }
        let date = if input.date.trim().is_empty() {
            let calendar = self.policy().await?.default_calendar().clone();
            Utc::now().with_timezone(&calendar.timezone()).date_naive().format("%Y-%m-%d").to_string()
        } else {
            input.date.clone()
        };
        let fields = LogbookFields::parse(&input.item, &date, &input.work, input.readings.as_deref())?;
        let file = match input.file {
            Some(f) if !f.bytes.is_empty() || !f.filename.trim().is_empty() => {
                let limit = self.settings.max_attachment_bytes;
                if f.bytes.len() > limit {
                    return Err(AppError::TooLarge { limit });
                }
                let name = required_text("filename", &sanitize_filename(&f.filename), 255)?;
                let content_type = optional_text("content_type", Some(&f.content_type), 255)?
                    .unwrap_or_else(|| "application/octet-stream".into());
                let sha256 = self.blobs.put(&f.bytes).await?;
                Some(LogbookFile { name, content_type, sha256, size: f.bytes.len() as i64 })
            }
            _ => None,
        };
        let entry = NewLogbookEntry {
            item: fields.item,
            entry_date: fields.date,
            author_id: Some(actor.user_id),
            work: fields.work,
            readings: fields.readings,
            file,
            ticket_id: None,
        };
        let id = self.store.add_logbook_entry(&entry, Utc::now()).await?;
        Ok(self.store.logbook_entry(id).await?)
    }

    /// An entry's file and its bytes.
    pub async fn logbook_file(&self, actor: &Actor, id: i64) -> AppResult<(LogbookEntryRow, Vec<u8>)> {
        require_read(actor)?;
        let entry = match self.store.logbook_entry(id).await {
            Ok(e) => e,
            Err(StoreError::NotFound) => return Err(AppError::NotFound("logbook entry")),
            Err(e) => return Err(e.into()),
        };
        let Some(sha) = entry.attachment_sha256.clone() else {
            return Err(AppError::NotFound("logbook file"));
        };
        let bytes = self.blobs.get(&sha).await?;
        Ok((entry, bytes))
    }

    /// An item's logbook as CSV (oldest first), for a spreadsheet or an audit.
    pub async fn logbook_csv(&self, actor: &Actor, item: &str) -> AppResult<Vec<u8>> {
        let mut entries = self.logbook(actor, item).await?;
        entries.reverse();
        let mut out = csv::Writer::from_writer(Vec::new());
        let csv_error = |e: csv::Error| AppError::Internal(StoreError::Corrupt(format!("writing CSV: {e}")));
        out.write_record(["date", "item", "author", "work", "readings", "ticket", "file"]).map_err(csv_error)?;
        for e in &entries {
            out.write_record([
                e.entry_date.format("%Y-%m-%d").to_string(),
                cell(&e.item),
                cell(e.author_name.as_deref().unwrap_or_default()),
                cell(&e.work),
                cell(e.readings.as_deref().unwrap_or_default()),
                e.ticket_number.map(|n| n.to_string()).unwrap_or_default(),
                cell(e.attachment_name.as_deref().unwrap_or_default()),
            ])
            .map_err(csv_error)?;
        }
        out.into_inner().map_err(|e| AppError::Internal(StoreError::Corrupt(format!("writing CSV: {e}"))))
    }
}
