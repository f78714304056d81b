//! What the reports need from vendors and the inventory (issue 15): per
//! contract, how many escalations met or missed each target; warranty
//! claims by result; devices by status.

use std::collections::BTreeMap;

use chrono::Utc;
use mesa_core::Actor;
use mesa_core::sla::ClockState;
use mesa_core::vendors::{self, EscalationTimes};

use super::require_read;
use crate::{AppResult, Desk};

/// One contract's compliance. A clock still running in time counts in neither.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContractCompliance {
    pub contract_id: i64,
    pub number: String,
    pub vendor_name: String,
    pub escalations: i64,
    pub response_met: i64,
    pub response_missed: i64,
    pub resolution_met: i64,
    pub resolution_missed: i64,
}

#[derive(Debug, Clone, Default)]
pub struct VendorReport {
    pub contracts: Vec<ContractCompliance>,
    /// `repaired`, `replaced`, `refused` or `open`, with their counts.
    pub claims_by_result: BTreeMap<String, i64>,
    pub assets_by_status: BTreeMap<String, i64>,
}

impl Desk {
    /// The vendors' compliance and the inventory's figures (staff and managers).
    pub async fn vendor_report(&self, actor: &Actor) -> AppResult<VendorReport> {
        require_read(actor)?;
        let policy = self.policy().await?;
        let contracts = self.store.contracts().await?;
        let mut rows: BTreeMap<i64, ContractCompliance> = contracts
            .iter()
            .map(|c| {
                let row = ContractCompliance {
                    contract_id: c.id,
                    number: c.number.clone(),
                    vendor_name: c.vendor_name.clone(),
                    ..Default::default()
                };
                (c.id, row)
            })
            .collect();
        let now = Utc::now();
        for e in self.store.all_escalations().await? {
            let (Some(contract), Some(row)) =
                (contracts.iter().find(|c| c.id == e.contract_id), rows.get_mut(&e.contract_id))
            else {
                continue;
            };
            let calendar = policy.calendar_named(&contract.calendar).unwrap_or(policy.default_calendar());
            let times = EscalationTimes {
                escalated_at: e.escalated_at,
                responded_at: e.responded_at,
                solved_at: e.solved_at,
                closed_at: e.closed_at,
                last_event_at: e.last_event_at,
            };
            let (response, resolution) =
                vendors::vendor_clocks(calendar, contract.response_hours, contract.resolution_hours, &times, now);
            row.escalations += 1;
            match response.state {
                ClockState::Met => row.response_met += 1,
                ClockState::Breached => row.response_missed += 1,
                _ => {}
            }
            match resolution.state {
                ClockState::Met => row.resolution_met += 1,
                ClockState::Breached => row.resolution_missed += 1,
                _ => {}
            }
        }
        let (assets, claims) = self.store.asset_and_claim_counts().await?;
        Ok(VendorReport {
            contracts: rows.into_values().collect(),
            claims_by_result: claims.into_iter().map(|(r, n)| (r.unwrap_or_else(|| "open".into()), n)).collect(),
            assets_by_status: assets.into_iter().collect(),
        })
    }
}
