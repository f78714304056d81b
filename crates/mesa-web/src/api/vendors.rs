//! Vendors, contracts and escalations to vendors over HTTP (issue 15).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use mesa_app::vendors::{ContactInput, ContractInput, ContractQuery, EscalationInput, EscalationView};
use mesa_app::{AppError, Contract, Vendor};
use mesa_core::sla::Clock;
use mesa_core::vendors::EventKind;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::contract::{Conflict, Forbidden, capabilities, fields};
use crate::extract::{ApiJson, ApiQuery, Auth, parse_id};
use crate::{ApiError, AppState};

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ContactOut {
    #[schema(schema_with = fields::name)]
    name: String,
    #[schema(schema_with = fields::optional_email)]
    email: Option<String>,
    #[schema(schema_with = fields::phone)]
    phone: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct VendorOut {
    id: i64,
    name: String,
    /// Normalised as `digits-check` (the DIAN check digit).
    nit: String,
    contacts: Vec<ContactOut>,
}

impl From<Vendor> for VendorOut {
    fn from(v: Vendor) -> Self {
        Self {
            id: v.id,
            name: v.name,
            nit: v.nit,
            contacts: v
                .contacts
                .into_iter()
                .map(|c| ContactOut { name: c.name, email: c.email, phone: c.phone })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct VendorList {
    items: Vec<VendorOut>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVendorIn {
    #[schema(schema_with = fields::name)]
    name: String,
    /// Colombian NIT, with or without dots and check digit (checked when given).
    #[schema(schema_with = capabilities::nit)]
    nit: String,
    /// Each needs an e-mail or a phone.
    #[serde(default)]
    contacts: Vec<ContactOut>,
}

/// Vendors with their contacts (staff and managers).
#[utoipa::path(get, path = "/vendors", tag = "vendors", security(("bearer" = [])),
    responses((status = 200, body = VendorList), Forbidden))]
pub async fn list_vendors(State(state): State<AppState>, auth: Auth) -> Result<Json<VendorList>, ApiError> {
    let items = state.desk.vendors(&auth.actor).await?.into_iter().map(Into::into).collect();
    Ok(Json(VendorList { items }))
}

/// Adds a vendor (administrators only); a NIT already in use is `nit_taken`.
#[utoipa::path(post, path = "/vendors", tag = "vendors", security(("bearer" = [])), request_body = NewVendorIn,
    responses((status = 201, body = VendorOut), Forbidden, Conflict))]
pub async fn create_vendor(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<NewVendorIn>,
) -> Result<(StatusCode, Json<VendorOut>), ApiError> {
    let contacts: Vec<ContactInput> =
        input.contacts.into_iter().map(|c| ContactInput { name: c.name, email: c.email, phone: c.phone }).collect();
    let vendor = state.desk.create_vendor(&auth.actor, &input.name, &input.nit, &contacts).await?;
    Ok((StatusCode::CREATED, Json(vendor.into())))
}

#[derive(Serialize, ToSchema)]
pub struct ContractOut {
    id: i64,
    number: String,
    object: String,
    vendor_id: i64,
    vendor_name: String,
    supervisor_email: String,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    service_ids: Vec<i64>,
    /// Business hours on `calendar`.
    response_hours: i64,
    resolution_hours: i64,
    calendar: String,
    /// In force today.
    active: bool,
    /// In force and ending within 30 days.
    expiring: bool,
}

impl From<mesa_app::vendors::ContractView> for ContractOut {
    fn from(v: mesa_app::vendors::ContractView) -> Self {
        let c: Contract = v.contract;
        Self {
            id: c.id,
            number: c.number,
            object: c.object,
            vendor_id: c.vendor_id,
            vendor_name: c.vendor_name,
            supervisor_email: c.supervisor_email,
            starts_on: c.starts_on,
            ends_on: c.ends_on,
            service_ids: c.service_ids,
            response_hours: c.response_hours,
            resolution_hours: c.resolution_hours,
            calendar: c.calendar,
            active: v.active,
            expiring: v.expiring,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ContractList {
    items: Vec<ContractOut>,
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ContractParams {
    /// `true`: only contracts in force that end within 30 days.
    #[serde(default)]
    expiring: bool,
    /// A ticket number: only the contracts that may take its escalation.
    #[param(minimum = 1)]
    ticket: Option<i64>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContractIn {
    vendor_id: i64,
    #[schema(schema_with = capabilities::contract_number)]
    number: String,
    /// What the contract is for.
    #[schema(schema_with = capabilities::contract_object)]
    object: String,
    /// The Mesa user who follows the vendor's cases up.
    #[schema(schema_with = fields::email)]
    supervisor_email: String,
    starts_on: NaiveDate,
    /// Not before `starts_on`.
    ends_on: NaiveDate,
    /// At least one service.
    #[schema(min_items = 1)]
    service_ids: Vec<i64>,
    #[schema(minimum = 1, maximum = 20000)]
    response_hours: i64,
    /// Not less than `response_hours`.
    #[schema(minimum = 1, maximum = 20000)]
    resolution_hours: i64,
    /// A calendar's name; default `default`.
    calendar: Option<String>,
}

/// Contracts, the latest ending first (staff and managers).
#[utoipa::path(get, path = "/contracts", tag = "vendors", security(("bearer" = [])), params(ContractParams),
    responses((status = 200, body = ContractList), Forbidden, (status = 404, body = crate::error::ErrorBody)))]
pub async fn list_contracts(
    State(state): State<AppState>,
    auth: Auth,
    ApiQuery(params): ApiQuery<ContractParams>,
) -> Result<Json<ContractList>, ApiError> {
    let query = ContractQuery { expiring: params.expiring, for_ticket: params.ticket };
    let items = state.desk.contracts(&auth.actor, query).await?.into_iter().map(Into::into).collect();
    Ok(Json(ContractList { items }))
}

/// Adds a contract (administrators only); a number already in use is `number_taken`.
#[utoipa::path(post, path = "/contracts", tag = "vendors", security(("bearer" = [])), request_body = NewContractIn,
    responses((status = 201, body = ContractOut), Forbidden, Conflict))]
pub async fn create_contract(
    State(state): State<AppState>,
    auth: Auth,
    ApiJson(input): ApiJson<NewContractIn>,
) -> Result<(StatusCode, Json<ContractOut>), ApiError> {
    let input = ContractInput {
        vendor_id: input.vendor_id,
        number: input.number,
        object: input.object,
        supervisor_email: input.supervisor_email,
        starts_on: input.starts_on,
        ends_on: input.ends_on,
        service_ids: input.service_ids,
        response_hours: input.response_hours,
        resolution_hours: input.resolution_hours,
        calendar: input.calendar,
    };
    let contract = state.desk.create_contract(&auth.actor, input).await?;
    Ok((StatusCode::CREATED, Json(contract.into())))
}

#[derive(Serialize, ToSchema)]
pub struct EscalationEventOut {
    /// `responded`, `solved`, `follow_up` or `closed`.
    kind: String,
    note: Option<String>,
    at: DateTime<Utc>,
    author_email: String,
}

#[derive(Serialize, ToSchema)]
pub struct EscalationOut {
    id: i64,
    ticket_number: i64,
    contract_id: i64,
    contract_number: String,
    vendor_name: String,
    vendor_case: Option<String>,
    note: String,
    /// `open`, `responded`, `solved` or `closed`.
    status: &'static str,
    escalated_at: DateTime<Utc>,
    responded_at: Option<DateTime<Utc>>,
    solved_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    /// The contract's response target on its business calendar.
    response_due_at: Option<DateTime<Utc>>,
    resolution_due_at: Option<DateTime<Utc>>,
    /// true: met; false: missed (also while still running past due); null: running in time.
    response_met: Option<bool>,
    resolution_met: Option<bool>,
    /// `running`, `met` or `breached`.
    response_state: &'static str,
    resolution_state: &'static str,
    events: Vec<EscalationEventOut>,
}

fn state_of(c: &Clock) -> &'static str {
    c.state.as_str()
}

impl From<EscalationView> for EscalationOut {
    fn from(v: EscalationView) -> Self {
        let status = v.status();
        let e = v.escalation;
        Self {
            id: e.id,
            ticket_number: e.ticket_number,
            contract_id: e.contract_id,
            contract_number: v.contract.number,
            vendor_name: v.contract.vendor_name,
            vendor_case: e.vendor_case,
            note: e.note,
            status,
            escalated_at: e.escalated_at,
            responded_at: e.responded_at,
            solved_at: e.solved_at,
            closed_at: e.closed_at,
            response_due_at: v.response.due_at,
            resolution_due_at: v.resolution.due_at,
            response_met: EscalationView::met(&v.response),
            resolution_met: EscalationView::met(&v.resolution),
            response_state: state_of(&v.response),
            resolution_state: state_of(&v.resolution),
            events: v
                .events
                .into_iter()
                .map(|ev| EscalationEventOut {
                    kind: ev.kind,
                    note: ev.note,
                    at: ev.happened_at,
                    author_email: ev.author_email,
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EscalationList {
    items: Vec<EscalationOut>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalationIn {
    /// An active contract that covers the ticket's service.
    contract_id: i64,
    /// The vendor's own case number.
    #[schema(schema_with = capabilities::vendor_case)]
    vendor_case: Option<String>,
    /// What was sent to the vendor.
    #[schema(schema_with = capabilities::vendor_note)]
    note: String,
    /// When it was sent (RFC 3339), if before now; default now.
    at: Option<DateTime<Utc>>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalationEventIn {
    /// `responded`, `solved`, `follow_up` (needs a note) or `closed`.
    #[schema(schema_with = capabilities::event_kind)]
    kind: String,
    #[schema(schema_with = capabilities::optional_vendor_note)]
    note: Option<String>,
    /// When it happened (RFC 3339), not before the previous event nor in the future; default now.
    at: Option<DateTime<Utc>>,
}

/// Escalates a ticket to a vendor: the ticket goes `on_hold` with reason `vendor`
/// (staff only; `not_applicable` when the contract is not in force or does not
/// cover the ticket's service).
#[utoipa::path(post, operation_id = "escalate_to_vendor", path = "/tickets/{number}/escalations", tag = "vendors", security(("bearer" = [])),
    request_body = EscalationIn, params(("number" = i64, Path, description = "ticket number")),
    responses((status = 201, body = EscalationOut), Forbidden, Conflict))]
pub async fn escalate(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
    ApiJson(input): ApiJson<EscalationIn>,
) -> Result<(StatusCode, Json<EscalationOut>), ApiError> {
    let number = parse_id(&number, "ticket")?;
    let input = EscalationInput {
        contract_id: input.contract_id,
        vendor_case: input.vendor_case,
        note: input.note,
        at: input.at,
    };
    let view = state.desk.escalate_to_vendor(&auth.actor, number, input).await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

/// A ticket's escalations to vendors (empty for requesters).
#[utoipa::path(get, path = "/tickets/{number}/escalations", tag = "vendors", security(("bearer" = [])),
    params(("number" = i64, Path, description = "ticket number")),
    responses((status = 200, body = EscalationList)))]
pub async fn ticket_escalations(
    State(state): State<AppState>,
    auth: Auth,
    Path(number): Path<String>,
) -> Result<Json<EscalationList>, ApiError> {
    let number = parse_id(&number, "ticket")?;
    let items = state.desk.ticket_escalations(&auth.actor, number).await?.into_iter().map(Into::into).collect();
    Ok(Json(EscalationList { items }))
}

/// An escalation with the vendor's clocks on the contract's business calendar.
#[utoipa::path(get, path = "/escalations/{id}", tag = "vendors", security(("bearer" = [])),
    params(("id" = i64, Path, description = "escalation id")),
    responses((status = 200, body = EscalationOut)))]
pub async fn get_escalation(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> Result<Json<EscalationOut>, ApiError> {
    let view = state.desk.escalation(&auth.actor, parse_id(&id, "escalation")?).await?;
    Ok(Json(view.into()))
}

/// Records the vendor's response or solution, a follow-up note or the closing
/// (staff or the contract's supervisor). A solution or closing takes the
/// ticket off its vendor hold, back to `in_progress`.
#[utoipa::path(post, path = "/escalations/{id}/events", tag = "vendors", security(("bearer" = [])),
    request_body = EscalationEventIn, params(("id" = i64, Path, description = "escalation id")),
    responses((status = 201, body = EscalationOut), Forbidden, Conflict))]
pub async fn add_event(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<EscalationEventIn>,
) -> Result<(StatusCode, Json<EscalationOut>), ApiError> {
    let id = parse_id(&id, "escalation")?;
    let kind = EventKind::parse(input.kind.trim()).map_err(AppError::from)?;
    let view = state.desk.escalation_event(&auth.actor, id, kind, input.note.as_deref(), input.at).await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

#[derive(Serialize, ToSchema)]
pub struct ContractComplianceOut {
    contract_id: i64,
    number: String,
    vendor_name: String,
    escalations: i64,
    response_met: i64,
    response_missed: i64,
    resolution_met: i64,
    resolution_missed: i64,
}

#[derive(Serialize, ToSchema)]
pub struct VendorReportOut {
    /// Per contract; a clock still running in time counts in neither column.
    contracts: Vec<ContractComplianceOut>,
    /// `repaired`, `replaced`, `refused`, `open` → count.
    #[schema(value_type = Object)]
    claims_by_result: std::collections::BTreeMap<String, i64>,
    /// `active`, `in_repair`, `retired` → count.
    #[schema(value_type = Object)]
    assets_by_status: std::collections::BTreeMap<String, i64>,
}

/// Vendor compliance per contract, warranty claims by result and devices by
/// status (staff and managers).
#[utoipa::path(get, path = "/reports/vendors", tag = "vendors", security(("bearer" = [])),
    responses((status = 200, body = VendorReportOut), Forbidden))]
pub async fn vendor_report(State(state): State<AppState>, auth: Auth) -> Result<Json<VendorReportOut>, ApiError> {
    let r = state.desk.vendor_report(&auth.actor).await?;
    Ok(Json(VendorReportOut {
        contracts: r
            .contracts
            .into_iter()
            .map(|c| ContractComplianceOut {
                contract_id: c.contract_id,
                number: c.number,
                vendor_name: c.vendor_name,
                escalations: c.escalations,
                response_met: c.response_met,
                response_missed: c.response_missed,
                resolution_met: c.resolution_met,
                resolution_missed: c.resolution_missed,
            })
            .collect(),
        claims_by_result: r.claims_by_result,
        assets_by_status: r.assets_by_status,
    }))
}
