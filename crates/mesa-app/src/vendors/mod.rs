//! Vendors and their support contracts (issue 15; seeds 001 and 003).

mod escalations;
mod report;

pub use escalations::{EscalationInput, EscalationView};
pub use report::{ContractCompliance, VendorReport};

use chrono::{NaiveDate, Utc};
use mesa_core::validate::FieldError;
use mesa_core::vendors::{self, Contact, ContractTerms, VendorInput};
use mesa_core::{Actor, Email};
use mesa_store::{Contract, NewContract, StoreError, Vendor, VendorContact};

use crate::{AppError, AppResult, DEFAULT_CALENDAR, Desk};

/// A contact as sent.
#[derive(Debug, Clone, Default)]
pub struct ContactInput {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// A new contract as sent.
#[derive(Debug, Clone)]
pub struct ContractInput {
    pub vendor_id: i64,
    pub number: String,
    pub object: String,
    pub supervisor_email: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub service_ids: Vec<i64>,
    pub response_hours: i64,
    pub resolution_hours: i64,
    /// A calendar's name; `None`: the default one.
    pub calendar: Option<String>,
}

/// A contract with whether it is in force and about to end, today.
#[derive(Debug, Clone)]
pub struct ContractView {
    pub contract: Contract,
    pub active: bool,
    pub expiring: bool,
}

/// Which contracts a list shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct ContractQuery {
    /// Only those ending within 30 days (seed 003: the supervisor renews them).
    pub expiring: bool,
    /// Only those that may take this ticket's escalation (active, covering its service).
    pub for_ticket: Option<i64>,
}

pub(crate) fn require_read(actor: &Actor) -> AppResult<()> {
    if vendors::may_read(actor.role) {
        Ok(())
    } else {
        Err(AppError::forbidden("requesters do not see vendors, contracts or the inventory"))
    }
}

pub(crate) fn require_manage(actor: &Actor) -> AppResult<()> {
    if vendors::may_manage(actor.role) {
        Ok(())
    } else {
        Err(AppError::forbidden("only administrators manage vendors, contracts and the inventory"))
    }
}

fn taken(code: &'static str, message: &str) -> impl FnOnce(StoreError) -> AppError {
    move |e| match e {
        StoreError::Conflict(_) => AppError::Conflict { code, message: message.to_owned() },
        other => other.into(),
    }
}

impl Desk {
    /// Today's date where the desk is (its default calendar's time zone).
    pub(crate) async fn desk_today(&self) -> AppResult<NaiveDate> {
        let policy = self.policy().await?;
        Ok(Utc::now().with_timezone(&policy.default_calendar().timezone()).date_naive())
    }

    pub async fn vendors(&self, actor: &Actor) -> AppResult<Vec<Vendor>> {
        require_read(actor)?;
        Ok(self.store.vendors().await?)
    }

    pub async fn create_vendor(
        &self,
        actor: &Actor,
        name: &str,
        nit: &str,
        contacts: &[ContactInput],
    ) -> AppResult<Vendor> {
        require_manage(actor)?;
        let contacts = contacts
            .iter()
            .map(|c| Contact::parse(&c.name, c.email.as_deref(), c.phone.as_deref()))
            .collect::<Result<Vec<_>, _>>()?;
        let input = VendorInput::parse(name, nit, contacts)?;
        let rows: Vec<VendorContact> = input
            .contacts
            .iter()
            .map(|c| VendorContact {
                name: c.name.clone(),
                email: c.email.as_ref().map(|e| e.as_str().to_owned()),
                phone: c.phone.clone(),
            })
            .collect();
        self.store
            .create_vendor(&input.name, input.nit.as_str(), &rows)
            .await
            .map_err(taken("nit_taken", "a vendor with that NIT exists"))
    }

    /// A vendor id sent in a body: it must exist (422 otherwise).
    pub(crate) async fn existing_vendor(&self, id: i64) -> AppResult<Vendor> {
        match self.store.vendor(id).await {
            Ok(v) => Ok(v),
            Err(StoreError::NotFound) => {
                Err(FieldError::new("vendor_id", "unknown", format!("vendor {id} does not exist")).into())
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn create_contract(&self, actor: &Actor, input: ContractInput) -> AppResult<ContractView> {
        require_manage(actor)?;
        let terms = ContractTerms::parse(
            &input.number,
            &input.object,
            input.starts_on,
            input.ends_on,
            input.response_hours,
            input.resolution_hours,
        )?;
        self.existing_vendor(input.vendor_id).await?;
        let email = Email::parse(&input.supervisor_email).map_err(|e| FieldError { field: "supervisor_email", ..e })?;
        let supervisor = match self.store.user_by_email(&email).await? {
            Some(u) if u.active => u,
            _ => {
                return Err(
                    FieldError::new("supervisor_email", "unknown", "the supervisor must be an active user").into()
                );
            }
        };
        let mut service_ids = input.service_ids.clone();
        service_ids.sort_unstable();
        service_ids.dedup();
        if service_ids.is_empty() {
            return Err(FieldError::new("service_ids", "required", "a contract covers at least one service").into());
        }
        for id in &service_ids {
            match self.store.service(*id).await {
                Ok(_) => {}
                Err(StoreError::NotFound) => {
                    return Err(
                        FieldError::new("service_ids", "unknown", format!("service {id} does not exist")).into()
                    );
                }
                Err(e) => return Err(e.into()),
            }
        }
        let calendar = input.calendar.as_deref().map(str::trim).filter(|c| !c.is_empty()).unwrap_or(DEFAULT_CALENDAR);
        if self.policy().await?.calendar_named(calendar).is_none() {
            return Err(
                FieldError::new("calendar", "unknown", format!("there is no calendar named {calendar:?}")).into()
            );
        }
        let new = NewContract {
            number: terms.number,
            object: terms.object,
            vendor_id: input.vendor_id,
            supervisor_id: supervisor.id,
            starts_on: terms.starts_on,
            ends_on: terms.ends_on,
            response_hours: terms.response_hours,
            resolution_hours: terms.resolution_hours,
            calendar: calendar.to_owned(),
            service_ids,
        };
        let contract = self
            .store
            .create_contract(&new)
            .await
            .map_err(taken("number_taken", "a contract with that number exists"))?;
        let today = self.desk_today().await?;
        Ok(contract_view(contract, today))
    }

    /// Contracts, the latest ending first.
    pub async fn contracts(&self, actor: &Actor, query: ContractQuery) -> AppResult<Vec<ContractView>> {
        require_read(actor)?;
        let today = self.desk_today().await?;
        let service = match query.for_ticket {
            Some(number) => Some(self.visible(actor, number).await?.ticket.service_id),
            None => None,
        };
        Ok(self
            .store
            .contracts()
            .await?
            .into_iter()
            .map(|c| contract_view(c, today))
            .filter(|v| !query.expiring || v.expiring)
            .filter(|v| {
                service.is_none_or(|s| {
                    vendors::may_take(v.contract.starts_on, v.contract.ends_on, &v.contract.service_ids, s, today)
                })
            })
            .collect())
    }
}

fn contract_view(contract: Contract, today: NaiveDate) -> ContractView {
    ContractView {
        active: vendors::is_active(contract.starts_on, contract.ends_on, today),
        expiring: vendors::is_expiring(contract.starts_on, contract.ends_on, today),
        contract,
    }
}
