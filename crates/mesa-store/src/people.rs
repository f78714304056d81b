//! What an administrator (or an import) changes about a person.

use mesa_core::Role;

use crate::{Store, StoreError, StoreResult, with_pool};

/// Every field of a person that can change after they are created. The use
/// case reads the person, applies a change and writes the whole record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub name: String,
    pub role: Role,
    pub department_id: Option<i64>,
    pub building_id: Option<i64>,
    pub team_id: Option<i64>,
    pub phone: Option<String>,
    pub level: i32,
    pub active: bool,
    pub dispatcher: bool,
}

impl UserRecord {
    pub fn of(user: &mesa_core::User) -> UserRecord {
        UserRecord {
            name: user.name.clone(),
            role: user.role,
            department_id: user.department_id,
            building_id: user.building_id,
            team_id: user.team_id,
            phone: user.phone.clone(),
            level: user.level.get().into(),
            active: user.active,
            dispatcher: user.dispatcher,
        }
    }
}

impl Store {
    #[tracing::instrument(skip_all)]
    pub async fn write_user_record(&self, user_id: i64, r: &UserRecord) -> StoreResult<()> {
        let done = with_pool!(self, write, |pool| sqlx::query(
            "UPDATE users SET name = $1, role = $2, department_id = $3, building_id = $4, team_id = $5, phone = $6,
                    level = $7, active = $8, dispatcher = $9
             WHERE id = $10"
        )
        .bind(&r.name)
        .bind(r.role.as_str())
        .bind(r.department_id)
        .bind(r.building_id)
        .bind(r.team_id)
        .bind(&r.phone)
        .bind(r.level)
        .bind(r.active)
        .bind(r.dispatcher)
        .bind(user_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
