//! Editing the catalog: departments, buildings, teams and services are
//! renamed, changed, deactivated and reactivated, never deleted (tickets
//! keep pointing at them). A deactivated item leaves the lists and forms
//! unless asked for (`include_inactive`).

use mesa_core::ticket::{Level, limits};
use mesa_core::validate::{optional_text, required_text};
use mesa_core::{Actor, TicketType};
use mesa_store::{Directory, DirectoryItem, Service, StoreError};

use crate::{AppError, AppResult, Desk};

/// A change to a department, building or team; `None` keeps a field.
#[derive(Debug, Clone, Default)]
pub struct ItemChanges {
    pub name: Option<String>,
    /// `Some(None)` clears the detail.
    pub detail: Option<Option<String>>,
    pub active: Option<bool>,
}

/// A change to a service; `None` keeps a field.
#[derive(Debug, Clone, Default)]
pub struct ServiceChanges {
    pub name: Option<String>,
    pub category: Option<String>,
    pub default_type: Option<TicketType>,
    pub default_level: Option<i64>,
    /// `Some(None)`: no team.
    pub team_id: Option<Option<i64>>,
    pub active: Option<bool>,
}

fn require_catalog(actor: &Actor) -> AppResult<()> {
    if actor.can_manage_catalog() { Ok(()) } else { Err(AppError::forbidden("only administrators edit the catalog")) }
}

fn taken_or_missing(e: StoreError, what: &'static str) -> AppError {
    match e {
        StoreError::Conflict(_) => {
            AppError::Conflict { code: "name_taken", message: "that name is already in use".into() }
        }
        StoreError::NotFound => AppError::NotFound(what),
        other => other.into(),
    }
}

impl Desk {
    /// A list's items; deactivated ones too when `include_inactive`.
    pub async fn list_items_with(&self, dir: Directory, include_inactive: bool) -> AppResult<Vec<DirectoryItem>> {
        Ok(self.store.list_items(dir, include_inactive).await?)
    }

    /// The catalog; deactivated services too when `include_inactive`.
    pub async fn list_services_with(&self, include_inactive: bool) -> AppResult<Vec<Service>> {
        let mut services = self.store.list_services().await?;
        services.retain(|s| include_inactive || s.active);
        Ok(services)
    }

    pub async fn change_item(
        &self,
        actor: &Actor,
        dir: Directory,
        id: i64,
        changes: ItemChanges,
    ) -> AppResult<DirectoryItem> {
        require_catalog(actor)?;
        let mut item = self.store.item(dir, id).await.map_err(|e| taken_or_missing(e, "item"))?;
        if let Some(name) = &changes.name {
            item.name = required_text("name", name, limits::NAME)?;
        }
        if let Some(detail) = &changes.detail {
            item.detail = optional_text("detail", detail.as_deref(), limits::NAME)?;
        }
        if let Some(active) = changes.active {
            item.active = active;
        }
        self.store.update_item(dir, &item).await.map_err(|e| taken_or_missing(e, "item"))
    }

    pub async fn change_service(&self, actor: &Actor, id: i64, changes: ServiceChanges) -> AppResult<Service> {
        require_catalog(actor)?;
        let mut service = self.store.service(id).await.map_err(|e| taken_or_missing(e, "service"))?;
        if let Some(name) = &changes.name {
            service.name = required_text("name", name, limits::NAME)?;
        }
        if let Some(category) = &changes.category {
            service.category = required_text("category", category, limits::NAME)?;
        }
        if let Some(t) = changes.default_type {
            service.default_type = t;
        }
        if let Some(level) = changes.default_level {
            service.default_level = Level::new(level)?;
        }
        if let Some(team) = changes.team_id {
            service.team_id = match team {
                Some(id) => Some(self.existing(Directory::Teams, id, "team_id").await?),
                None => None,
            };
        }
        if let Some(active) = changes.active {
            service.active = active;
        }
        self.store.update_service(&service).await.map_err(|e| taken_or_missing(e, "service"))
    }
}
