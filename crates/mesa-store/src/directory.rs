//! The institution's directory: departments (dependencias), buildings
//! (sedes), teams, and the service catalog.

use chrono::Utc;
use mesa_core::TicketType;
use mesa_core::ticket::Level;
use sqlx::AssertSqlSafe;

use crate::{Store, StoreResult, with_pool};

/// The three simple lists: a name and an optional detail (a building's address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Directory {
    Departments,
    Buildings,
    Teams,
}

impl Directory {
    /// One of them, as errors name it.
    pub fn singular(self) -> &'static str {
        match self {
            Directory::Departments => "department",
            Directory::Buildings => "building",
            Directory::Teams => "team",
        }
    }

    fn table(self) -> &'static str {
        match self {
            Directory::Departments => "departments",
            Directory::Buildings => "buildings",
            Directory::Teams => "teams",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DirectoryItem {
    pub id: i64,
    pub name: String,
    pub detail: Option<String>,
    /// Deactivated items leave the lists and forms; old tickets keep them.
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub id: i64,
    pub name: String,
    pub category: String,
    pub default_type: TicketType,
    pub default_level: Level,
    pub team_id: Option<i64>,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct NewService {
    pub name: String,
    pub category: String,
    pub default_type: TicketType,
    pub default_level: Level,
    pub team_id: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct ServiceRow {
    id: i64,
    name: String,
    category: String,
    default_type: String,
    default_level: i32,
    team_id: Option<i64>,
    active: bool,
}

impl TryFrom<ServiceRow> for Service {
    type Error = crate::StoreError;
    fn try_from(r: ServiceRow) -> StoreResult<Service> {
        Ok(Service {
            id: r.id,
            name: r.name,
            category: r.category,
            default_type: TicketType::parse(&r.default_type)?,
            default_level: Level::new(r.default_level.into())?,
            team_id: r.team_id,
            active: r.active,
        })
    }
}

const SERVICE_COLUMNS: &str = "id, name, category, default_type, default_level, team_id, active";

impl Store {
    /// Adds a department, building or team; `Conflict` if the name exists.
    #[tracing::instrument(skip_all)]
    pub async fn create_item(&self, dir: Directory, name: &str, detail: Option<&str>) -> StoreResult<DirectoryItem> {
        let sql = AssertSqlSafe(format!(
            "INSERT INTO {} (name, detail, created_at) VALUES ($1, $2, $3) RETURNING id, name, detail, active",
            dir.table()
        ));
        Ok(with_pool!(self, write, |pool| sqlx::query_as(sql)
            .bind(name)
            .bind(detail)
            .bind(Utc::now())
            .fetch_one(pool)
            .await)?)
    }

    /// The items of a list, by name; deactivated ones only when asked.
    #[tracing::instrument(skip_all)]
    pub async fn list_items(&self, dir: Directory, include_inactive: bool) -> StoreResult<Vec<DirectoryItem>> {
        let sql = AssertSqlSafe(format!(
            "SELECT id, name, detail, active FROM {} WHERE active OR $1 ORDER BY name",
            dir.table()
        ));
        Ok(with_pool!(self, read, |pool| sqlx::query_as(sql).bind(include_inactive).fetch_all(pool).await)?)
    }

    /// Renames, redescribes, deactivates or reactivates an item;
    /// `Conflict` if the new name is taken.
    #[tracing::instrument(skip_all)]
    pub async fn update_item(&self, dir: Directory, item: &DirectoryItem) -> StoreResult<DirectoryItem> {
        let sql = AssertSqlSafe(format!(
            "UPDATE {} SET name = $1, detail = $2, active = $3 WHERE id = $4 RETURNING id, name, detail, active",
            dir.table()
        ));
        Ok(with_pool!(self, write, |pool| sqlx::query_as(sql)
            .bind(&item.name)
            .bind(&item.detail)
            .bind(item.active)
            .bind(item.id)
            .fetch_one(pool)
            .await)?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn item(&self, dir: Directory, id: i64) -> StoreResult<DirectoryItem> {
        let sql = AssertSqlSafe(format!("SELECT id, name, detail, active FROM {} WHERE id = $1", dir.table()));
        Ok(with_pool!(self, read, |pool| sqlx::query_as(sql).bind(id).fetch_one(pool).await)?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn create_service(&self, new: &NewService) -> StoreResult<Service> {
        let sql = AssertSqlSafe(format!(
            "INSERT INTO services (name, category, default_type, default_level, team_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {SERVICE_COLUMNS}"
        ));
        let row: ServiceRow = with_pool!(self, write, |pool| sqlx::query_as(sql)
            .bind(&new.name)
            .bind(&new.category)
            .bind(new.default_type.as_str())
            .bind(i32::from(new.default_level.get()))
            .bind(new.team_id)
            .bind(Utc::now())
            .fetch_one(pool)
            .await)?;
        row.try_into()
    }

    #[tracing::instrument(skip_all)]
    pub async fn list_services(&self) -> StoreResult<Vec<Service>> {
        let sql = AssertSqlSafe(format!("SELECT {SERVICE_COLUMNS} FROM services ORDER BY category, name"));
        let rows: Vec<ServiceRow> = with_pool!(self, read, |pool| sqlx::query_as(sql).fetch_all(pool).await)?;
        rows.into_iter().map(Service::try_from).collect()
    }

    /// Writes every field of a service; `Conflict` if the name is taken.
    #[tracing::instrument(skip_all)]
    pub async fn update_service(&self, service: &Service) -> StoreResult<Service> {
        let sql = AssertSqlSafe(format!(
            "UPDATE services SET name = $1, category = $2, default_type = $3, default_level = $4, team_id = $5,
                    active = $6
             WHERE id = $7 RETURNING {SERVICE_COLUMNS}"
        ));
        let row: ServiceRow = with_pool!(self, write, |pool| sqlx::query_as(sql)
            .bind(&service.name)
            .bind(&service.category)
            .bind(service.default_type.as_str())
            .bind(i32::from(service.default_level.get()))
            .bind(service.team_id)
            .bind(service.active)
            .bind(service.id)
            .fetch_one(pool)
            .await)?;
        row.try_into()
    }

    #[tracing::instrument(skip_all)]
    pub async fn service(&self, id: i64) -> StoreResult<Service> {
        let sql = AssertSqlSafe(format!("SELECT {SERVICE_COLUMNS} FROM services WHERE id = $1"));
        let row: ServiceRow = with_pool!(self, read, |pool| sqlx::query_as(sql).bind(id).fetch_one(pool).await)?;
        row.try_into()
    }
}
