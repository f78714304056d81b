//! The vendors, contracts and inventory page (issue 15): what the desk has
//! under contract, which contracts end soon, and the devices.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use mesa_app::assets::AssetQuery;
use mesa_app::vendors::{ContractQuery, ContractView};
use mesa_app::{Asset, Vendor};

use super::session::Viewer;
use super::{Chrome, UiResult, page};
use crate::AppState;

/// How many devices the page lists (the API filters and pages the rest).
const ASSETS_SHOWN: i64 = 200;

#[derive(Template)]
#[template(path = "vendors.html")]
struct VendorsPage {
    c: Chrome,
    vendors: Vec<Vendor>,
    contracts: Vec<ContractView>,
    assets: Vec<Asset>,
}

impl VendorsPage {
    fn contacts(&self, v: &Vendor) -> String {
        v.contacts
            .iter()
            .map(|c| {
                let reach: Vec<&str> = c.email.iter().chain(c.phone.iter()).map(String::as_str).collect();
                format!("{} ({})", c.name, reach.join(", "))
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn status_label(&self, status: &str) -> String {
        self.c.tr.t(&format!("ui.asset.status.{status}")).to_owned()
    }
}

/// Staff and managers (the use cases refuse requesters).
pub async fn index(State(state): State<AppState>, viewer: Viewer) -> UiResult<Response> {
    let actor = &viewer.0.actor;
    let vendors = state.desk.vendors(actor).await?;
    let contracts = state.desk.contracts(actor, ContractQuery::default()).await?;
    let assets = state.desk.assets(actor, AssetQuery { limit: Some(ASSETS_SHOWN), ..AssetQuery::default() }).await?;
    let c = Chrome::new(&viewer.0, "ui.vendors.title", "admin");
    Ok(page(&VendorsPage { c, vendors, contracts, assets }))
}
