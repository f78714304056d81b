//! The technical assessment ("concepto técnico") over HTTP (issue 15), and
//! the institution's name and logo printed on documents.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use mesa_app::assets::{AssessmentInput, AssessmentView};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::contract::{Conflict, Forbidden, capabilities, fields};
use crate::extract::{ApiJson, Auth, parse_id};
use crate::{ApiError, AppState};

#[derive(Serialize, ToSchema)]
pub struct AssessmentOut {
    id: i64,
    /// Printed on the PDF, e.g. `CT-2026-00012`.
    number: String,
    ticket_number: i64,
    asset_id: i64,
    /// `repair`, `replace` or `retire`.
    recommendation: String,
    signer_name: String,
    signer_role: String,
    /// The PDF, an attachment of the ticket (`GET /api/v1/attachments/{id}`).
    attachment_id: Option<i64>,
    created_at: DateTime<Utc>,
    /// When the lead confirmed it (a `retire` then retires the device).
    confirmed_at: Option<DateTime<Utc>>,
}

impl From<AssessmentView> for AssessmentOut {
    fn from(v: AssessmentView) -> Self {
        let r = v.row;
        Self {
            id: r.id,
            number: v.number,
            ticket_number: r.ticket_number,
            asset_id: r.asset_id,
            recommendation: r.recommendation,
            signer_name: r.signer_name,
            signer_role: r.signer_role,
            attachment_id: r.attachment_id,
            created_at: r.created_at,
            confirmed_at: r.confirmed_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentIn {
    asset_id: i64,
    #[schema(schema_with = capabilities::asset_note)]
    diagnosis: String,
    #[schema(schema_with = capabilities::asset_note)]
    tests_done: String,
    #[schema(schema_with = capabilities::asset_note)]
    findings: String,
    /// `repair`, `replace` or `retire`.
    #[schema(schema_with = capabilities::recommendation)]
    recommendation: String,
    #[schema(schema_with = fields::name)]
    signer_name: String,
    #[schema(schema_with = fields::name)]
    signer_role: String,
}

/// Writes a technical assessment of a device (staff): a numbered PDF in
/// Spanish (institution, date, the device's data, diagnosis, tests, findings,
/// recommendation, signer) stored as an attachment of the ticket.
#[utoipa::path(post, path = "/tickets/{number}/assessments", tag = "assets", security(("bearer" = [])),
    request_body = AssessmentIn, params(("number" = i64, Path, description = "ticket number")),
    responses((status = 201, body = AssessmentOut), Forbidden, Conflict))]
pub async fn write_assessment(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
    ApiJson(i): ApiJson<AssessmentIn>,
) -> Result<(StatusCode, Json<AssessmentOut>), ApiError> {
    let number = parse_id(&number, "ticket")?;
    let input = AssessmentInput {
        asset_id: i.asset_id,
        diagnosis: i.diagnosis,
        tests_done: i.tests_done,
        findings: i.findings,
        recommendation: i.recommendation,
        signer_name: i.signer_name,
        signer_role: i.signer_role,
    };
    let (view, _) = state.desk.write_assessment(&auth.actor, number, input).await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

/// The lead confirms an assessment (administrators, once); a `retire`
/// recommendation sets the device `retired`.
#[utoipa::path(post, path = "/assessments/{id}/confirm", tag = "assets", security(("bearer" = [])),
    params(("id" = i64, Path, description = "assessment id")),
    responses((status = 200, body = AssessmentOut), Forbidden, Conflict))]
pub async fn confirm_assessment(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<AssessmentOut>, ApiError> {
    let view = state.desk.confirm_assessment(&auth.actor, parse_id(&id, "assessment")?).await?;
    Ok(Json(view.into()))
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstitutionIo {
    /// The institution's name printed on documents.
    #[schema(schema_with = fields::name)]
    name: String,
}

/// The institution's name printed on documents.
#[utoipa::path(get, path = "/settings/institution", tag = "assets", security(("bearer" = [])),
    responses((status = 200, body = InstitutionIo)))]
pub async fn get_institution(State(state): State<AppState>, _auth: Auth) -> Result<Json<InstitutionIo>, ApiError> {
    Ok(Json(InstitutionIo { name: state.desk.institution_name().await? }))
}

/// Sets the institution's name printed on documents (administrators only).
#[utoipa::path(put, path = "/settings/institution", tag = "assets", security(("bearer" = [])),
    request_body = InstitutionIo, responses((status = 204), Forbidden))]
pub async fn put_institution(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<InstitutionIo>,
) -> Result<StatusCode, ApiError> {
    state.desk.set_institution_name(&auth.actor, &input.name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The institution's logo as uploaded (PNG); 404 when none is set.
#[utoipa::path(get, path = "/settings/logo", tag = "assets", security(("bearer" = [])),
    responses((status = 200, description = "the logo", content_type = "image/png"),
        (status = 404, description = "`not_found`: no logo is set")))]
pub async fn get_logo(State(state): State<AppState>, _auth: Auth) -> Result<Response, ApiError> {
    let png = state.desk.logo_png().await?.ok_or(mesa_app::AppError::NotFound("logo"))?;
    Ok(logo_response(png))
}

/// The logo as a PNG answer, for the API and the administration page.
pub(crate) fn logo_response(png: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "image/png"), (header::CACHE_CONTROL, "private, no-cache")], png).into_response()
}

/// Sets the institution's logo, printed at the top of the report and the
/// technical assessment (administrators only): the body is a PNG file of at
/// most 256 KiB and 2,000 pixels a side. 422 `validation_failed` (field
/// `logo`) for anything else.
#[utoipa::path(put, path = "/settings/logo", tag = "assets", security(("bearer" = [])),
    request_body(content = String, content_type = "image/png", description = "a PNG file"),
    responses((status = 204), Forbidden))]
pub async fn put_logo(State(state): State<AppState>, auth: Auth, body: Bytes) -> Result<StatusCode, ApiError> {
    state.desk.set_logo(&auth.actor, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes the logo away (administrators only).
#[utoipa::path(delete, path = "/settings/logo", tag = "assets", security(("bearer" = [])),
    responses((status = 204), Forbidden))]
pub async fn delete_logo(State(state): State<AppState>, auth: Auth) -> Result<StatusCode, ApiError> {
    state.desk.clear_logo(&auth.actor).await?;
    Ok(StatusCode::NO_CONTENT)
}
