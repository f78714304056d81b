//! Warranty claims (seed 001 step 6): from a ticket whose device is under
//! warranty, the device goes to its vendor or maker and the ticket waits
//! (`on_hold`, reason `warranty`); the result brings it back.

use chrono::{NaiveDate, Utc};
use mesa_core::assets::{self, AssetStatus, ClaimOpening, ClaimResult};
use mesa_core::lifecycle::{self, Change, TransitionInput};
use mesa_core::validate::{FieldError, optional_text};
use mesa_core::{Actor, HoldReason, Status};
use mesa_store::{NewWarrantyClaim, StoreError, WarrantyClaim};

use crate::tickets::Planned;
use crate::{AppError, AppResult, Desk};

#[derive(Debug, Clone, Default)]
pub struct ClaimInput {
    pub vendor_id: Option<i64>,
    pub maker: Option<String>,
    pub case_number: Option<String>,
    /// `None`: today.
    pub sent_on: Option<NaiveDate>,
    pub note: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ClaimResultInput {
    pub result: ClaimResult,
    /// `None`: today.
    pub returned_on: Option<NaiveDate>,
    pub note: Option<String>,
}

fn hold_change(reason: Option<HoldReason>) -> TransitionInput {
    match reason {
        Some(r) => {
            TransitionInput { to: Some(Status::OnHold), reason: Some(r.as_str().to_owned()), ..Default::default() }
        }
        None => TransitionInput { to: Some(Status::InProgress), ..Default::default() },
    }
}

impl Desk {
    /// Opens a claim for the ticket's device, which must be under warranty
    /// today; the ticket holds for `warranty` and the device is `in_repair`.
    pub async fn open_warranty_claim(&self, actor: &Actor, number: i64, input: ClaimInput) -> AppResult<WarrantyClaim> {
        if !actor.can_work_tickets() {
            return Err(AppError::forbidden("only agents and administrators record warranty claims"));
        }
        let today = self.desk_today().await?;
        let opening = ClaimOpening::parse(
            input.vendor_id.is_some(),
            input.maker.as_deref(),
            input.case_number.as_deref(),
            input.sent_on.unwrap_or(today),
            input.note.as_deref(),
            today,
        )?;
        if let Some(id) = input.vendor_id {
            self.existing_vendor(id).await?;
        }
        let view = self.visible(actor, number).await?;
        let Some(asset_id) = self.store.ticket_asset(view.ticket.id).await? else {
            return Err(FieldError::new("asset_id", "required", "name the ticket's device first").into());
        };
        let asset = self.store.asset(asset_id).await?;
        if !assets::under_warranty(asset.warranty_end, today) {
            return Err(AppError::Conflict {
                code: "not_under_warranty",
                message: format!("the device {} is not under warranty", asset.inventory_tag),
            });
        }
        let claims = self.store.ticket_warranty_claims(view.ticket.id).await?;
        if claims.iter().any(|c| c.result.is_none()) {
            return Err(AppError::Conflict {
                code: "claim_open",
                message: "the ticket already has an open warranty claim".into(),
            });
        }
        let tag = asset.inventory_tag.clone();
        self.change_ticket(actor, number, |view| {
            let (next, changes) =
                lifecycle::plan(&view.ticket, actor.role, hold_change(Some(HoldReason::Warranty)), Utc::now())?;
            let mut history = vec![(Change::new("warranty_claim", None, Some(tag.clone())), false)];
            history.extend(changes.into_iter().map(|c| (c, false)));
            Ok(Planned { ticket: next, entry: None, history })
        })
        .await?;
        self.store.set_asset_status(asset_id, AssetStatus::InRepair.as_str()).await?;
        let new = NewWarrantyClaim {
            ticket_id: view.ticket.id,
            asset_id,
            vendor_id: input.vendor_id,
            maker: opening.maker,
            case_number: opening.case_number,
            sent_on: opening.sent_on,
            note: opening.note,
            opened_by: actor.user_id,
        };
        Ok(self.store.insert_warranty_claim(&new).await?)
    }

    /// Records how a claim ended, once. The ticket resumes `in_progress`
    /// (to be solved after a repair or replacement; after a refusal the
    /// agent writes a technical assessment); a device that came back
    /// working is `active` again.
    pub async fn decide_warranty_claim(
        &self,
        actor: &Actor,
        id: i64,
        input: ClaimResultInput,
    ) -> AppResult<WarrantyClaim> {
        if !actor.can_work_tickets() {
            return Err(AppError::forbidden("only agents and administrators record warranty claims"));
        }
        let claim = match self.store.warranty_claim(id).await {
            Ok(c) => c,
            Err(StoreError::NotFound) => return Err(AppError::NotFound("warranty claim")),
            Err(e) => return Err(e.into()),
        };
        // Hidden like its ticket.
        self.visible(actor, claim.ticket_number).await.map_err(|_| AppError::NotFound("warranty claim"))?;
        let today = self.desk_today().await?;
        let returned_on = input.returned_on.unwrap_or(today);
        assets::check_returned_on(claim.sent_on, returned_on, today)?;
        let note = optional_text("note", input.note.as_deref(), assets::asset_limits::NOTE)?;
        match self
            .store
            .decide_warranty_claim(id, input.result.as_str(), returned_on, note.as_deref(), actor.user_id)
            .await
        {
            Ok(()) => {}
            Err(StoreError::NotFound) => {
                return Err(AppError::Conflict { code: "claim_decided", message: "the claim has a result".into() });
            }
            Err(e) => return Err(e.into()),
        }
        if input.result.is_positive() {
            self.store.set_asset_status(claim.asset_id, AssetStatus::Active.as_str()).await?;
        }
        let result = self
            .change_ticket(actor, claim.ticket_number, |view| {
                let t = &view.ticket;
                if t.status != Status::OnHold || t.hold_reason != Some(HoldReason::Warranty) {
                    return Err(AppError::Conflict { code: "not_waiting", message: String::new() });
                }
                let (next, changes) = lifecycle::plan(t, actor.role, hold_change(None), Utc::now())?;
                let mut history =
                    vec![(Change::new("warranty_result", None, Some(input.result.as_str().to_owned())), false)];
                history.extend(changes.into_iter().map(|c| (c, false)));
                Ok(Planned { ticket: next, entry: None, history })
            })
            .await;
        match result {
            Ok(_) | Err(AppError::Conflict { code: "not_waiting", .. }) => {}
            Err(e) => return Err(e),
        }
        Ok(self.store.warranty_claim(id).await?)
    }

    /// A ticket's warranty claims (staff and managers).
    pub async fn ticket_warranty_claims(&self, actor: &Actor, number: i64) -> AppResult<Vec<WarrantyClaim>> {
        let view = self.visible(actor, number).await?;
        if !mesa_core::vendors::may_read(actor.role) {
            return Ok(Vec::new());
        }
        Ok(self.store.ticket_warranty_claims(view.ticket.id).await?)
    }
}
