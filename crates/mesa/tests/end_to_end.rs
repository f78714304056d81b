//! End-to-end tests: each starts the real `mesa` binary on a random port,
//! on SQLite and (when MESA_TEST_POSTGRES_URL is set) on PostgreSQL.

#![forbid(unsafe_code)]

mod support;

#[path = "end_to_end/accounts.rs"]
mod accounts;
#[path = "end_to_end/attachments.rs"]
mod attachments;
#[path = "end_to_end/authorisation.rs"]
mod authorisation;
#[path = "end_to_end/automation.rs"]
mod automation;
#[path = "end_to_end/bad_input.rs"]
mod bad_input;
#[path = "end_to_end/calendars.rs"]
mod calendars;
#[path = "end_to_end/cli.rs"]
mod cli;
#[path = "end_to_end/hardening.rs"]
mod hardening;
#[path = "end_to_end/lifecycle.rs"]
mod lifecycle;
#[path = "end_to_end/mail_flow.rs"]
mod mail_flow;
#[path = "end_to_end/mail_ingest.rs"]
mod mail_ingest;
#[path = "end_to_end/mail_oauth.rs"]
mod mail_oauth;
#[path = "end_to_end/mail_trust.rs"]
mod mail_trust;
#[path = "end_to_end/numbering.rs"]
mod numbering;
#[path = "end_to_end/routing.rs"]
mod routing;
#[path = "end_to_end/search.rs"]
mod search;
#[path = "end_to_end/web.rs"]
mod web;
// Vendors, contracts, assets and warranty (issue 15).
#[path = "end_to_end/assets.rs"]
mod assets;
#[path = "end_to_end/vendors.rs"]
mod vendors;
// Surveys and knowledge (issue 16).
#[path = "end_to_end/surveys.rs"]
mod surveys;
// Maintenance plans and logbooks (issue 17).
#[path = "end_to_end/maintenance.rs"]
mod maintenance;
// Reports and the BI feed (issue 17).
#[path = "end_to_end/indicators.rs"]
mod indicators;
#[path = "end_to_end/institution.rs"]
mod institution;
#[path = "end_to_end/reports.rs"]
mod reports;
