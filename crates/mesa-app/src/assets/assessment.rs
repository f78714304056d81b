//! The technical assessment ("concepto técnico", seed 001 step 6, seed 004's
//! catalog): a signed diagnosis of a device that becomes a numbered PDF,
//! kept as an attachment of the ticket. A `retire` recommendation retires
//! the device once the lead confirms it.

use mesa_core::assets::{AssessmentText, AssetStatus, Recommendation};
use mesa_core::labels::text;
use mesa_core::validate::FieldError;
use mesa_core::{Actor, Lang};
use mesa_store::{AssessmentRow, NewAssessment, StoreError};

use crate::{AppError, AppResult, Desk};

/// The settings key of the institution's name printed on documents.
pub const INSTITUTION_SETTING: &str = "institution";

#[derive(Debug, Clone, Default)]
pub struct AssessmentInput {
    pub asset_id: i64,
    pub diagnosis: String,
    pub tests_done: String,
    pub findings: String,
    pub recommendation: String,
    pub signer_name: String,
    pub signer_role: String,
}

/// An assessment with its printed number.
#[derive(Debug, Clone)]
pub struct AssessmentView {
    pub row: AssessmentRow,
    pub number: String,
}

fn numbered(row: AssessmentRow) -> AssessmentView {
    let number = format!("CT-{}-{:05}", row.created_at.format("%Y"), row.id);
    AssessmentView { row, number }
}

impl Desk {
    /// The institution's name on documents: the `institution` setting, else
    /// the mail sender's name, else a plain default.
    pub async fn institution_name(&self) -> AppResult<String> {
        if let Some(name) = self.store.setting(INSTITUTION_SETTING).await?.filter(|n| !n.trim().is_empty()) {
            return Ok(name);
        }
        Ok(self
            .settings
            .mail
            .as_ref()
            .map(|m| m.display_name.clone())
            .unwrap_or_else(|| text(Lang::Es, "pdf.assessment.default_institution").to_owned()))
    }

    /// Sets the institution's name (administrators only).
    pub async fn set_institution_name(&self, actor: &Actor, name: &str) -> AppResult<()> {
        crate::vendors::require_manage(actor)?;
        let name = mesa_core::validate::required_text("name", name, mesa_core::ticket::limits::NAME)?;
        Ok(self.store.put_setting(INSTITUTION_SETTING, &name).await?)
    }

    /// Writes an assessment of a device on a ticket (staff) and stores its
    /// PDF, in Spanish, as an attachment of the ticket.
    pub async fn write_assessment(
        &self,
        actor: &Actor,
        number: i64,
        input: AssessmentInput,
    ) -> AppResult<(AssessmentView, i64)> {
        if !actor.can_work_tickets() {
            return Err(AppError::forbidden("only agents and administrators write technical assessments"));
        }
        let checked = AssessmentText::parse(
            &input.diagnosis,
            &input.tests_done,
            &input.findings,
            &input.recommendation,
            &input.signer_name,
            &input.signer_role,
        )?;
        let asset = match self.store.asset(input.asset_id).await {
            Ok(a) => a,
            Err(StoreError::NotFound) => {
                let message = format!("asset {} does not exist", input.asset_id);
                return Err(FieldError::new("asset_id", "unknown", message).into());
            }
            Err(e) => return Err(e.into()),
        };
        let view = self.visible(actor, number).await?;
        if view.ticket.status == mesa_core::Status::Closed {
            return Err(AppError::Conflict {
                code: "ticket_closed",
                message: "the ticket is closed; reopen it first".into(),
            });
        }
        let row = self
            .store
            .insert_assessment(&NewAssessment {
                ticket_id: view.ticket.id,
                asset_id: asset.id,
                diagnosis: checked.diagnosis.clone(),
                tests_done: checked.tests_done.clone(),
                findings: checked.findings.clone(),
                recommendation: checked.recommendation.as_str().to_owned(),
                signer_name: checked.signer_name.clone(),
                signer_role: checked.signer_role.clone(),
                created_by: actor.user_id,
            })
            .await?;
        let assessment = numbered(row);
        let es = |key: &str| text(Lang::Es, key).to_owned();
        let tz = self.policy().await?.default_calendar().timezone();
        let optional = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
        let date = |d: Option<chrono::NaiveDate>| d.map_or_else(|| "—".into(), |d| d.to_string());
        let doc = mesa_pdf::Assessment {
            institution: self.institution_name().await?,
            logo: self.document_logo().await?,
            title: es("pdf.assessment.title"),
            number: assessment.number.clone(),
            date_line: format!(
                "{}: {}",
                es("pdf.assessment.date"),
                assessment.row.created_at.with_timezone(&tz).format("%Y-%m-%d")
            ),
            facts: vec![
                (es("pdf.assessment.ticket"), format!("#{} — {}", view.ticket.number, view.ticket.subject)),
                (es("pdf.assessment.asset"), asset.inventory_tag.clone()),
                (es("pdf.assessment.type"), asset.asset_type.clone()),
                (es("pdf.assessment.brand"), optional(&asset.brand)),
                (es("pdf.assessment.model"), optional(&asset.model)),
                (es("pdf.assessment.serial"), optional(&asset.serial)),
                (es("pdf.assessment.purchase_date"), date(asset.purchase_date)),
                (es("pdf.assessment.warranty_end"), date(asset.warranty_end)),
            ],
            sections: vec![
                (es("pdf.assessment.diagnosis"), checked.diagnosis),
                (es("pdf.assessment.tests_done"), checked.tests_done),
                (es("pdf.assessment.findings"), checked.findings),
                (
                    es("pdf.assessment.recommendation"),
                    es(&format!("pdf.recommendation.{}", checked.recommendation.as_str())),
                ),
            ],
            signature: vec![checked.signer_name, checked.signer_role],
        };
        let bytes = mesa_pdf::assessment_pdf(&doc);
        let filename = format!("concepto-tecnico-{}.pdf", assessment.number);
        let attachment = self.attach(actor, number, &filename, "application/pdf", &bytes).await?;
        self.store.set_assessment_attachment(assessment.row.id, attachment.id).await?;
        tracing::info!(number, assessment = %assessment.number, "technical assessment written");
        let row = self.store.assessment(assessment.row.id).await?;
        Ok((numbered(row), attachment.id))
    }

    /// The lead confirms an assessment (administrators); a `retire`
    /// recommendation then retires the device.
    pub async fn confirm_assessment(&self, actor: &Actor, id: i64) -> AppResult<AssessmentView> {
        crate::vendors::require_manage(actor)?;
        let row = match self.store.assessment(id).await {
            Ok(r) => r,
            Err(StoreError::NotFound) => return Err(AppError::NotFound("assessment")),
            Err(e) => return Err(e.into()),
        };
        match self.store.confirm_assessment(id, actor.user_id).await {
            Ok(()) => {}
            Err(StoreError::NotFound) => {
                return Err(AppError::Conflict {
                    code: "assessment_confirmed",
                    message: "the assessment is already confirmed".into(),
                });
            }
            Err(e) => return Err(e.into()),
        }
        if Recommendation::parse(&row.recommendation) == Ok(Recommendation::Retire) {
            self.store.set_asset_status(row.asset_id, AssetStatus::Retired.as_str()).await?;
        }
        Ok(numbered(self.store.assessment(id).await?))
    }
}
