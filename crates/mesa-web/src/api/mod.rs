//! The `/api/v1` routes.

mod accounts;
mod calendars;
mod catalog;
pub(crate) mod contract;
mod directory;
mod knowledge;
mod mail;
mod meta;
mod people;
mod policy;
mod routing;
mod surveys;
mod tickets;
mod words;
// Vendors, contracts, assets and warranty (issue 15).
mod assessments;
mod assets;
mod vendors;
// Maintenance plans and logbooks (issue 17).
mod maintenance;
// Reports and the BI feed (issue 17).
pub(crate) mod reports;
// Indicators and improvement actions (issue 17).
mod indicators;

pub(crate) use accounts::spawn_password_mail;
pub(crate) use assessments::logo_response;

pub(crate) use mail::raw_message_download;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

/// All routes; uploads may be up to `max_attachment_bytes`.
pub fn routes(max_attachment_bytes: usize) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(meta::health))
        .routes(routes!(meta::labels))
        .routes(routes!(meta::me))
        .routes(routes!(tickets::create_ticket, tickets::list_tickets))
        .routes(routes!(tickets::get_ticket, tickets::patch_ticket))
        .routes(routes!(tickets::add_reply))
        .routes(routes!(tickets::assign))
        .routes(routes!(tickets::transition))
        .routes(routes!(tickets::history))
        .merge(tickets::attachment_routes(max_attachment_bytes))
        .routes(routes!(directory::list_users, directory::create_user))
        .routes(routes!(people::patch_user))
        .routes(routes!(accounts::request_password_reset))
        .routes(routes!(directory::list_departments, directory::create_department))
        .routes(routes!(directory::list_buildings, directory::create_building))
        .routes(routes!(directory::list_teams, directory::create_team))
        .routes(routes!(directory::list_services, directory::create_service))
        .routes(routes!(catalog::patch_department))
        .routes(routes!(catalog::patch_building))
        .routes(routes!(catalog::patch_team))
        .routes(routes!(catalog::patch_service))
        .routes(routes!(words::get_labels, words::put_labels))
        .routes(routes!(policy::get_sla_settings, policy::put_sla_settings))
        .routes(routes!(policy::get_automation_settings, policy::put_automation_settings))
        .routes(routes!(policy::list_targets, policy::put_target))
        .routes(routes!(calendars::list_calendars))
        .routes(routes!(calendars::get_calendar, calendars::put_calendar))
        .routes(routes!(calendars::preview_due))
        .routes(routes!(calendars::settings_history))
        .routes(routes!(mail::get_mail_settings, mail::put_mail_settings))
        .routes(routes!(mail::get_templates, mail::put_templates))
        .routes(routes!(mail::list_mailboxes))
        .routes(routes!(mail::put_mailbox, mail::delete_mailbox))
        .routes(routes!(mail::list_held))
        .routes(routes!(mail::held_raw))
        .routes(routes!(mail::release_held))
        .routes(routes!(mail::list_outbox))
        .merge(routing_routes())
        .merge(vendor_routes())
        .merge(knowledge_routes())
        .merge(maintenance_routes())
        .merge(report_routes())
}

/// Reports, the BI feed and indicators (issue 17), kept apart so it merges
/// as one block.
fn report_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(reports::summary))
        .routes(routes!(reports::feed_csv))
        .routes(routes!(reports::feed_json))
        .routes(routes!(indicators::list_indicators, indicators::create_indicator))
        .routes(routes!(indicators::get_indicator, indicators::put_indicator))
        .routes(routes!(indicators::values))
        .routes(routes!(indicators::values_csv))
        .routes(routes!(indicators::list_actions, indicators::create_action))
        .routes(routes!(indicators::move_action))
}

/// Routing (issue 14), kept apart so it merges as one block.
fn routing_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(routing::get_routing, routing::put_routing))
        .routes(routes!(routing::escalate))
        .routes(routes!(routing::de_escalate))
        .routes(routes!(routing::authorization))
        .routes(routes!(routing::list_absences, routing::add_absence))
        .routes(routes!(routing::delete_absence))
        .routes(routes!(routing::put_building))
        .routes(routes!(routing::put_department))
        .routes(routes!(routing::put_service))
}

/// Vendors, contracts, escalations to vendors, assets and warranty claims
/// (issue 15), kept apart so it merges as one block.
fn vendor_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(vendors::list_vendors, vendors::create_vendor))
        .routes(routes!(vendors::list_contracts, vendors::create_contract))
        .routes(routes!(vendors::escalate, vendors::ticket_escalations))
        .routes(routes!(vendors::get_escalation))
        .routes(routes!(vendors::add_event))
        .routes(routes!(vendors::vendor_report))
        .routes(routes!(assets::list_assets, assets::create_asset))
        .routes(routes!(assets::get_asset))
        .routes(routes!(assets::get_ticket_asset, assets::put_ticket_asset))
        .routes(routes!(assets::open_claim, assets::ticket_claims))
        .routes(routes!(assets::claim_result))
        .routes(routes!(assessments::write_assessment))
        .routes(routes!(assessments::confirm_assessment))
        .routes(routes!(assessments::get_institution, assessments::put_institution))
        .routes(routes!(assessments::get_logo, assessments::put_logo, assessments::delete_logo))
}

/// Surveys and knowledge (issue 16), kept apart so it merges as one block.
fn knowledge_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(surveys::ticket_survey))
        .routes(routes!(surveys::results))
        .routes(routes!(surveys::get_settings, surveys::put_settings))
        .routes(routes!(surveys::get_survey, surveys::put_survey))
        .routes(routes!(knowledge::list_articles, knowledge::create_article))
        .routes(routes!(knowledge::suggest_articles))
        .routes(routes!(knowledge::get_article, knowledge::put_article))
        .routes(routes!(knowledge::article_revisions))
        .routes(routes!(knowledge::propose_lesson))
        .routes(routes!(knowledge::list_lessons))
        .routes(routes!(knowledge::decide_lesson))
}

/// Maintenance plans, checklists and logbooks (issue 17), kept apart so it
/// merges as one block.
fn maintenance_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(maintenance::list_plans, maintenance::create_plan))
        .routes(routes!(maintenance::compliance))
        .routes(routes!(maintenance::get_plan, maintenance::put_plan))
        .routes(routes!(maintenance::archive_plan))
        .routes(routes!(maintenance::get_checklist))
        .routes(routes!(maintenance::put_step))
        .routes(routes!(maintenance::list_logbooks))
        .routes(routes!(maintenance::logbook_entries, maintenance::add_logbook_entry))
        .routes(routes!(maintenance::logbook_csv))
        .routes(routes!(maintenance::logbook_file))
}
