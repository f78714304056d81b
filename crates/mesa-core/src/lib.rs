//! Mesa's domain: the rules of a help desk, free of HTTP, SQL and async.
//!
//! Adapters (web, mail, CLI) parse their input into these types, ask this crate
//! what is allowed, and hand the result to the store.

#![forbid(unsafe_code)]

pub mod access;
pub mod account;
pub mod automation;
pub mod calendar;
pub mod courtesy;
pub mod labels;
pub mod lifecycle;
pub mod people;
pub mod routing;
pub mod search;
pub mod sla;
pub mod survey;
#[macro_use]
pub mod ticket;
pub mod user;
pub mod validate;
pub mod words;
// Vendors, contracts, assets and warranty (issue 15).
pub mod assets;
pub mod vendors;
// Maintenance plans and logbooks (issue 17).
pub mod maintenance;
// Reports and the BI feed (issue 17).
pub mod report;
// Indicators with goals and improvement actions (issue 17).
pub mod indicator;

pub use access::Actor;
pub use labels::Lang;
pub use ticket::{Channel, HoldReason, Outcome, Priority, Status, Ticket, TicketType};
pub use user::{Email, Role, User};
