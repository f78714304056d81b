//! The asset inventory: devices, a ticket's device, and the CSV import
//! (issue 15; PRODUCT §7; seed 004 keeps it in GLPI today).

mod assessment;
mod import;
mod warranty;

pub use assessment::{AssessmentInput, AssessmentView, INSTITUTION_SETTING};
pub use warranty::{ClaimInput, ClaimResultInput};

use mesa_core::assets::{AssetFields, RawAsset};
use mesa_core::validate::FieldError;
use mesa_core::{Actor, Email, Role};
use mesa_store::{Asset, AssetFilter, AssetRecord, AssetTicket, Directory, StoreError};

use crate::vendors::require_manage;
use crate::{AppError, AppResult, Desk};

/// A device as sent (API body); references by id, the assignee by e-mail.
#[derive(Debug, Clone, Default)]
pub struct AssetInput {
    pub raw: RawAsset,
    pub building_id: Option<i64>,
    pub department_id: Option<i64>,
    pub assigned_to_email: Option<String>,
    pub vendor_id: Option<i64>,
}

/// Which devices to list.
#[derive(Debug, Clone, Default)]
pub struct AssetQuery {
    pub status: Option<String>,
    pub q: Option<String>,
    pub assigned_to_email: Option<String>,
    pub building_id: Option<i64>,
    pub department_id: Option<i64>,
    pub vendor_id: Option<i64>,
    pub limit: Option<i64>,
}

pub const MAX_ASSETS_LISTED: i64 = 1_000;

fn asset_not_found(e: StoreError) -> AppError {
    match e {
        StoreError::NotFound => AppError::NotFound("asset"),
        other => other.into(),
    }
}

impl Desk {
    /// Checks a device's fields and resolves its references.
    pub(crate) async fn asset_record(&self, input: &AssetInput) -> AppResult<AssetRecord> {
        let fields = AssetFields::parse(&input.raw)?;
        let building_id = match input.building_id {
            Some(id) => Some(self.existing(Directory::Buildings, id, "building_id").await?),
            None => None,
        };
        let department_id = match input.department_id {
            Some(id) => Some(self.existing(Directory::Departments, id, "department_id").await?),
            None => None,
        };
        let assigned_to = match input.assigned_to_email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            Some(raw) => {
                let email = Email::parse(raw).map_err(|e| FieldError { field: "assigned_to_email", ..e })?;
                match self.store.user_by_email(&email).await? {
                    Some(u) => Some(u.id),
                    None => {
                        let message = format!("nobody has the address {email}");
                        return Err(FieldError::new("assigned_to_email", "unknown", message).into());
                    }
                }
            }
            None => None,
        };
        let vendor_id = match input.vendor_id {
            Some(id) => Some(self.existing_vendor(id).await?.id),
            None => None,
        };
        Ok(AssetRecord {
            inventory_tag: fields.inventory_tag,
            asset_type: fields.asset_type,
            brand: fields.brand,
            model: fields.model,
            serial: fields.serial,
            building_id,
            department_id,
            assigned_to,
            vendor_id,
            purchase_date: fields.purchase_date,
            warranty_end: fields.warranty_end,
            status: fields.status.as_str().to_owned(),
        })
    }

    pub async fn create_asset(&self, actor: &Actor, input: AssetInput) -> AppResult<Asset> {
        require_manage(actor)?;
        let record = self.asset_record(&input).await?;
        self.store.create_asset(&record).await.map_err(|e| match e {
            StoreError::Conflict(_) => AppError::Conflict {
                code: "inventory_tag_taken",
                message: format!("a device is already tagged {}", record.inventory_tag),
            },
            other => other.into(),
        })
    }

    /// Devices: staff and managers see the inventory; a requester, the
    /// devices assigned to them (what they may name on a ticket).
    pub async fn assets(&self, actor: &Actor, query: AssetQuery) -> AppResult<Vec<Asset>> {
        let limit = query.limit.unwrap_or(MAX_ASSETS_LISTED);
        if !(1..=MAX_ASSETS_LISTED).contains(&limit) {
            let message = format!("limit must be 1 to {MAX_ASSETS_LISTED}");
            return Err(FieldError::new("limit", "out_of_range", message).into());
        }
        let status = match query.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Some(mesa_core::assets::AssetStatus::parse(s)?.as_str().to_owned()),
            None => None,
        };
        let assigned_to = if actor.role == Role::Requester {
            Some(actor.user_id)
        } else {
            match query.assigned_to_email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
                Some(raw) => {
                    let email = Email::parse(raw).map_err(|e| FieldError { field: "assigned_to_email", ..e })?;
                    // Nobody by that address has anything.
                    Some(self.store.user_by_email(&email).await?.map_or(-1, |u| u.id))
                }
                None => None,
            }
        };
        let filter = AssetFilter {
            status,
            assigned_to,
            building_id: query.building_id,
            department_id: query.department_id,
            vendor_id: query.vendor_id,
            q: query.q.map(|q| q.trim().to_owned()).filter(|q| !q.is_empty()),
            limit,
        };
        Ok(self.store.list_assets(&filter).await?)
    }

    /// A device with the tickets about it.
    pub async fn asset(&self, actor: &Actor, id: i64) -> AppResult<(Asset, Vec<AssetTicket>)> {
        let asset = self.store.asset(id).await.map_err(asset_not_found)?;
        let own = actor.role == Role::Requester && asset.assigned_to == Some(actor.user_id);
        if !(mesa_core::vendors::may_read(actor.role) || own) {
            return Err(AppError::NotFound("asset"));
        }
        let mut tickets = self.store.asset_tickets(id).await?;
        if actor.role == Role::Requester {
            // Only their own tickets about it.
            let mut mine = Vec::new();
            for t in tickets {
                if self.visible(actor, t.number).await.is_ok() {
                    mine.push(t);
                }
            }
            tickets = mine;
        }
        Ok((asset, tickets))
    }

    /// Names (or with `None` clears) the device a ticket is about. Staff
    /// name any device; a requester, one assigned to them on their own ticket.
    pub async fn set_ticket_asset(&self, actor: &Actor, number: i64, asset_id: Option<i64>) -> AppResult<Option<i64>> {
        let view = self.visible(actor, number).await?;
        if !actor.can_reply(&view.ticket) {
            return Err(AppError::forbidden("you may not change this ticket"));
        }
        if let Some(id) = asset_id {
            self.check_asset_choice(actor, id).await?;
        }
        self.store.set_ticket_asset(view.ticket.id, asset_id).await?;
        Ok(asset_id)
    }

    /// Checks that `actor` may name device `id` on a ticket: staff any
    /// device; a requester, one assigned to them.
    pub async fn check_asset_choice(&self, actor: &Actor, id: i64) -> AppResult<()> {
        let asset = match self.store.asset(id).await {
            Ok(a) => a,
            Err(StoreError::NotFound) => {
                return Err(FieldError::new("asset_id", "unknown", format!("asset {id} does not exist")).into());
            }
            Err(e) => return Err(e.into()),
        };
        if !actor.role.is_staff() && asset.assigned_to != Some(actor.user_id) {
            return Err(FieldError::new("asset_id", "not_yours", "pick one of the devices assigned to you").into());
        }
        Ok(())
    }

    /// The device a ticket is about, if any.
    pub async fn ticket_asset(&self, actor: &Actor, number: i64) -> AppResult<Option<i64>> {
        let view = self.visible(actor, number).await?;
        Ok(self.store.ticket_asset(view.ticket.id).await?)
    }
}
