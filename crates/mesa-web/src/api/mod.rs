//! The `/api/v1` routes.

pub(crate) mod contract;
mod directory;
mod mail;
mod meta;
mod policy;
mod tickets;

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
        .routes(routes!(directory::list_departments, directory::create_department))
        .routes(routes!(directory::list_buildings, directory::create_building))
        .routes(routes!(directory::list_teams, directory::create_team))
        .routes(routes!(directory::list_services, directory::create_service))
        .routes(routes!(policy::get_sla_settings, policy::put_sla_settings))
        .routes(routes!(policy::get_automation_settings, policy::put_automation_settings))
        .routes(routes!(policy::list_targets, policy::put_target))
        .routes(routes!(policy::list_calendars))
        .routes(routes!(policy::put_calendar))
        .routes(routes!(mail::get_mail_settings, mail::put_mail_settings))
        .routes(routes!(mail::get_templates, mail::put_templates))
        .routes(routes!(mail::list_mailboxes))
        .routes(routes!(mail::put_mailbox, mail::delete_mailbox))
        .routes(routes!(mail::list_held))
        .routes(routes!(mail::held_raw))
        .routes(routes!(mail::release_held))
        .routes(routes!(mail::list_outbox))
}
