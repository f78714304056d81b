//! The asset inventory, a ticket's device and warranty claims over HTTP (issue 15).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use mesa_app::assets::{AssetInput, AssetQuery, ClaimInput, ClaimResultInput};
use mesa_app::{AppError, Asset, AssetTicket, WarrantyClaim};
use mesa_core::assets::{ClaimResult, RawAsset};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::contract::{Conflict, Forbidden, capabilities, fields};
use super::routing::nullable;
use crate::extract::{ApiJson, ApiQuery, Auth, parse_id};
use crate::{ApiError, AppState};

#[derive(Serialize, ToSchema)]
pub struct AssetOut {
    id: i64,
    inventory_tag: String,
    #[serde(rename = "type")]
    asset_type: String,
    brand: Option<String>,
    model: Option<String>,
    serial: Option<String>,
    building_id: Option<i64>,
    department_id: Option<i64>,
    assigned_to_email: Option<String>,
    vendor_id: Option<i64>,
    purchase_date: Option<NaiveDate>,
    warranty_end: Option<NaiveDate>,
    /// `active`, `in_repair` or `retired`.
    status: String,
}

impl From<Asset> for AssetOut {
    fn from(a: Asset) -> Self {
        Self {
            id: a.id,
            inventory_tag: a.inventory_tag,
            asset_type: a.asset_type,
            brand: a.brand,
            model: a.model,
            serial: a.serial,
            building_id: a.building_id,
            department_id: a.department_id,
            assigned_to_email: a.assigned_to_email,
            vendor_id: a.vendor_id,
            purchase_date: a.purchase_date,
            warranty_end: a.warranty_end,
            status: a.status,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AssetList {
    items: Vec<AssetOut>,
}

#[derive(Serialize, ToSchema)]
pub struct AssetTicketOut {
    number: i64,
    subject: String,
    status: String,
    created_at: DateTime<Utc>,
}

impl From<AssetTicket> for AssetTicketOut {
    fn from(t: AssetTicket) -> Self {
        Self { number: t.number, subject: t.subject, status: t.status, created_at: t.created_at }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AssetDetail {
    #[serde(flatten)]
    asset: AssetOut,
    /// The tickets about the device, newest first.
    tickets: Vec<AssetTicketOut>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAssetIn {
    #[schema(schema_with = capabilities::inventory_tag)]
    inventory_tag: String,
    #[serde(rename = "type")]
    #[schema(schema_with = capabilities::asset_text)]
    asset_type: String,
    #[schema(schema_with = capabilities::optional_asset_text)]
    brand: Option<String>,
    #[schema(schema_with = capabilities::optional_asset_text)]
    model: Option<String>,
    #[schema(schema_with = capabilities::optional_asset_text)]
    serial: Option<String>,
    building_id: Option<i64>,
    department_id: Option<i64>,
    #[schema(schema_with = fields::optional_email)]
    assigned_to_email: Option<String>,
    vendor_id: Option<i64>,
    purchase_date: Option<NaiveDate>,
    /// Not before `purchase_date`.
    warranty_end: Option<NaiveDate>,
    /// `active` (default), `in_repair` or `retired`.
    #[schema(schema_with = capabilities::asset_status)]
    status: Option<String>,
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct AssetParams {
    /// `active`, `in_repair` or `retired`; empty: any.
    #[param(schema_with = capabilities::asset_status_filter)]
    status: Option<String>,
    /// Part of the tag, type, brand, model or serial (any case).
    q: Option<String>,
    /// The assigned person (staff and managers); empty: anyone.
    #[param(schema_with = fields::email_or_none)]
    assigned_to_email: Option<String>,
    building_id: Option<i64>,
    department_id: Option<i64>,
    vendor_id: Option<i64>,
    /// 1 to 1000, default 1000.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
}

/// Devices by tag. Staff and managers see the inventory; a requester, the
/// devices assigned to them.
#[utoipa::path(get, path = "/assets", tag = "assets", security(("bearer" = [])), params(AssetParams),
    responses((status = 200, body = AssetList)))]
pub async fn list_assets(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(p): ApiQuery<AssetParams>,
) -> Result<Json<AssetList>, ApiError> {
    let query = AssetQuery {
        status: p.status,
        q: p.q,
        assigned_to_email: p.assigned_to_email,
        building_id: p.building_id,
        department_id: p.department_id,
        vendor_id: p.vendor_id,
        limit: p.limit,
    };
    let items = state.desk.assets(&auth.actor, query).await?.into_iter().map(Into::into).collect();
    Ok(Json(AssetList { items }))
}

/// Adds a device (administrators only); a tag already in use is `inventory_tag_taken`.
#[utoipa::path(post, path = "/assets", tag = "assets", security(("bearer" = [])), request_body = NewAssetIn,
    responses((status = 201, body = AssetOut), Forbidden, Conflict))]
pub async fn create_asset(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(i): ApiJson<NewAssetIn>,
) -> Result<(StatusCode, Json<AssetOut>), ApiError> {
    let input = AssetInput {
        raw: RawAsset {
            inventory_tag: i.inventory_tag,
            asset_type: i.asset_type,
            brand: i.brand,
            model: i.model,
            serial: i.serial,
            status: i.status,
            purchase_date: i.purchase_date.map(|d| d.to_string()),
            warranty_end: i.warranty_end.map(|d| d.to_string()),
        },
        building_id: i.building_id,
        department_id: i.department_id,
        assigned_to_email: i.assigned_to_email,
        vendor_id: i.vendor_id,
    };
    let asset = state.desk.create_asset(&auth.actor, input).await?;
    Ok((StatusCode::CREATED, Json(asset.into())))
}

/// A device with its tickets.
#[utoipa::path(get, path = "/assets/{id}", tag = "assets", security(("bearer" = [])),
    params(("id" = i64, Path, description = "asset id")),
    responses((status = 200, body = AssetDetail)))]
pub async fn get_asset(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<AssetDetail>, ApiError> {
    let (asset, tickets) = state.desk.asset(&auth.actor, parse_id(&id, "asset")?).await?;
    Ok(Json(AssetDetail { asset: asset.into(), tickets: tickets.into_iter().map(Into::into).collect() }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct TicketAssetIo {
    /// The device the ticket is about; null: none.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    asset_id: Option<Option<i64>>,
}

/// The device a ticket is about.
#[utoipa::path(get, path = "/tickets/{number}/asset", tag = "assets", security(("bearer" = [])),
    params(("number" = i64, Path, description = "ticket number")),
    responses((status = 200, body = TicketAssetIo)))]
pub async fn get_ticket_asset(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
) -> Result<Json<TicketAssetIo>, ApiError> {
    let asset_id = state.desk.ticket_asset(&auth.actor, parse_id(&number, "ticket")?).await?;
    Ok(Json(TicketAssetIo { asset_id: Some(asset_id) }))
}

/// Names the device a ticket is about (staff: any; a requester: one assigned
/// to them, on their own ticket); null clears it.
#[utoipa::path(put, path = "/tickets/{number}/asset", tag = "assets", security(("bearer" = [])),
    request_body = TicketAssetIo, params(("number" = i64, Path, description = "ticket number")),
    responses((status = 200, body = TicketAssetIo), Forbidden))]
pub async fn put_ticket_asset(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
    ApiJson(input): ApiJson<TicketAssetIo>,
) -> Result<Json<TicketAssetIo>, ApiError> {
    let number = parse_id(&number, "ticket")?;
    let Some(asset_id) = input.asset_id else {
        return Err(ApiError::validation(Some("asset_id"), "asset_id is required (null clears it)"));
    };
    let asset_id = state.desk.set_ticket_asset(&auth.actor, number, asset_id).await?;
    Ok(Json(TicketAssetIo { asset_id: Some(asset_id) }))
}

#[derive(Serialize, ToSchema)]
pub struct ClaimOut {
    id: i64,
    ticket_number: i64,
    asset_id: i64,
    vendor_id: Option<i64>,
    maker: Option<String>,
    case_number: Option<String>,
    sent_on: NaiveDate,
    note: Option<String>,
    /// `repaired`, `replaced`, `refused`; null while open.
    result: Option<String>,
    returned_on: Option<NaiveDate>,
    result_note: Option<String>,
}

impl From<WarrantyClaim> for ClaimOut {
    fn from(c: WarrantyClaim) -> Self {
        Self {
            id: c.id,
            ticket_number: c.ticket_number,
            asset_id: c.asset_id,
            vendor_id: c.vendor_id,
            maker: c.maker,
            case_number: c.case_number,
            sent_on: c.sent_on,
            note: c.note,
            result: c.result,
            returned_on: c.returned_on,
            result_note: c.result_note,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ClaimList {
    items: Vec<ClaimOut>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimIn {
    /// The vendor that takes the claim; or name the `maker`.
    vendor_id: Option<i64>,
    #[schema(schema_with = fields::optional_name)]
    maker: Option<String>,
    /// Their case number.
    #[schema(schema_with = capabilities::optional_asset_text)]
    case_number: Option<String>,
    /// Default today; not in the future.
    sent_on: Option<NaiveDate>,
    #[schema(schema_with = capabilities::optional_asset_note)]
    note: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimResultIn {
    /// `repaired`, `replaced` or `refused`.
    #[schema(schema_with = capabilities::claim_result)]
    result: String,
    /// Default today; not before `sent_on`, not in the future.
    returned_on: Option<NaiveDate>,
    #[schema(schema_with = capabilities::optional_asset_note)]
    note: Option<String>,
}

/// Opens a warranty claim for the ticket's device, which must be under
/// warranty (`not_under_warranty` otherwise); the ticket goes `on_hold` with
/// reason `warranty` and the device `in_repair` (staff only).
#[utoipa::path(post, path = "/tickets/{number}/warranty-claims", tag = "assets", security(("bearer" = [])),
    request_body = ClaimIn, params(("number" = i64, Path, description = "ticket number")),
    responses((status = 201, body = ClaimOut), Forbidden, Conflict))]
pub async fn open_claim(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
    ApiJson(i): ApiJson<ClaimIn>,
) -> Result<(StatusCode, Json<ClaimOut>), ApiError> {
    let number = parse_id(&number, "ticket")?;
    let input = ClaimInput {
        vendor_id: i.vendor_id,
        maker: i.maker,
        case_number: i.case_number,
        sent_on: i.sent_on,
        note: i.note,
    };
    let claim = state.desk.open_warranty_claim(&auth.actor, number, input).await?;
    Ok((StatusCode::CREATED, Json(claim.into())))
}

/// A ticket's warranty claims (empty for requesters).
#[utoipa::path(get, path = "/tickets/{number}/warranty-claims", tag = "assets", security(("bearer" = [])),
    params(("number" = i64, Path, description = "ticket number")),
    responses((status = 200, body = ClaimList)))]
pub async fn ticket_claims(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
) -> Result<Json<ClaimList>, ApiError> {
    let number = parse_id(&number, "ticket")?;
    let items = state.desk.ticket_warranty_claims(&auth.actor, number).await?.into_iter().map(Into::into).collect();
    Ok(Json(ClaimList { items }))
}

/// Records how a claim ended (once: `claim_decided` after). The ticket resumes
/// `in_progress`; a repaired or replaced device is `active` again.
#[utoipa::path(post, path = "/warranty-claims/{id}/result", tag = "assets", security(("bearer" = [])),
    request_body = ClaimResultIn, params(("id" = i64, Path, description = "claim id")),
    responses((status = 200, body = ClaimOut), Forbidden, Conflict))]
pub async fn claim_result(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(i): ApiJson<ClaimResultIn>,
) -> Result<Json<ClaimOut>, ApiError> {
    let id = parse_id(&id, "warranty claim")?;
    let result = ClaimResult::parse(i.result.trim()).map_err(AppError::from)?;
    let input = ClaimResultInput { result, returned_on: i.returned_on, note: i.note };
    let claim = state.desk.decide_warranty_claim(&auth.actor, id, input).await?;
    Ok(Json(claim.into()))
}
