//! People and their API tokens.

use chrono::Utc;
use mesa_core::user::TokenScope;
use mesa_core::{Email, Role, User};
use sqlx::AssertSqlSafe;

use crate::rows::{USER_COLUMNS, USER_COLUMNS_U, UserRow};
use crate::{Store, StoreResult, with_pool};

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub name: String,
    pub role: Role,
    /// An Argon2 PHC string, never a password.
    pub password_hash: Option<String>,
    pub department_id: Option<i64>,
    pub building_id: Option<i64>,
    pub team_id: Option<i64>,
    pub phone: Option<String>,
    pub level: i32,
}

impl NewUser {
    pub fn new(email: Email, name: impl Into<String>, role: Role) -> Self {
        Self {
            email,
            name: name.into(),
            role,
            password_hash: None,
            department_id: None,
            building_id: None,
            team_id: None,
            phone: None,
            level: 1,
        }
    }
}

impl Store {
    /// Creates a user; `Conflict` if the e-mail is taken.
    #[tracing::instrument(skip_all)]
    pub async fn create_user(&self, new: &NewUser) -> StoreResult<User> {
        let sql = AssertSqlSafe(format!(
            "INSERT INTO users (email, name, role, password_hash, department_id, building_id, team_id, phone, level, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {USER_COLUMNS}"
        ));
        let row: UserRow = with_pool!(self, write, |pool| sqlx::query_as(sql)
            .bind(new.email.as_str())
            .bind(&new.name)
            .bind(new.role.as_str())
            .bind(&new.password_hash)
            .bind(new.department_id)
            .bind(new.building_id)
            .bind(new.team_id)
            .bind(&new.phone)
            .bind(new.level)
            .bind(Utc::now())
            .fetch_one(pool)
            .await)?;
        row.try_into()
    }

    #[tracing::instrument(skip_all)]
    pub async fn user_by_email(&self, email: &Email) -> StoreResult<Option<User>> {
        let sql = AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1"));
        let row: Option<UserRow> =
            with_pool!(self, read, |pool| sqlx::query_as(sql).bind(email.as_str()).fetch_optional(pool).await)?;
        row.map(User::try_from).transpose()
    }

    #[tracing::instrument(skip_all)]
    pub async fn user_by_id(&self, id: i64) -> StoreResult<User> {
        let sql = AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"));
        let row: UserRow = with_pool!(self, read, |pool| sqlx::query_as(sql).bind(id).fetch_one(pool).await)?;
        row.try_into()
    }

    #[tracing::instrument(skip_all)]
    pub async fn list_users(&self) -> StoreResult<Vec<User>> {
        let sql = AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users ORDER BY name, id"));
        let rows: Vec<UserRow> = with_pool!(self, read, |pool| sqlx::query_as(sql).fetch_all(pool).await)?;
        rows.into_iter().map(User::try_from).collect()
    }

    /// Agents and administrators (active or not), by name: the people a
    /// ticket can be assigned to, without reading every requester.
    #[tracing::instrument(skip_all)]
    pub async fn list_staff(&self) -> StoreResult<Vec<User>> {
        let sql = AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users WHERE role IN ('agent', 'admin') ORDER BY name, id"
        ));
        let rows: Vec<UserRow> = with_pool!(self, read, |pool| sqlx::query_as(sql).fetch_all(pool).await)?;
        rows.into_iter().map(User::try_from).collect()
    }

    /// The stored Argon2 hash of an active user, for sign-in.
    #[tracing::instrument(skip_all)]
    pub async fn password_hash(&self, user_id: i64) -> StoreResult<Option<String>> {
        let hash: Option<Option<String>> = with_pool!(self, read, |pool| sqlx::query_scalar(
            "SELECT password_hash FROM users WHERE id = $1 AND active"
        )
        .bind(user_id)
        .fetch_optional(pool)
        .await)?;
        Ok(hash.flatten())
    }

    #[tracing::instrument(skip_all)]
    pub async fn set_password_hash(&self, user_id: i64, hash: &str) -> StoreResult<()> {
        let done = with_pool!(self, write, |pool| sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        if done == 0 {
            return Err(crate::StoreError::NotFound);
        }
        Ok(())
    }

    /// Stores the SHA-256 of a new API token (the token itself is never stored).
    #[tracing::instrument(skip_all)]
    pub async fn insert_token(&self, user_id: i64, token_hash: &str, scope: TokenScope) -> StoreResult<()> {
        with_pool!(self, write, |pool| sqlx::query(
            "INSERT INTO api_tokens (user_id, token_hash, created_at, scope) VALUES ($1, $2, $3, $4)"
        )
        .bind(user_id)
        .bind(token_hash)
        .bind(Utc::now())
        .bind(scope.as_str())
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// The active user owning the token with this hash, and the token's scope.
    #[tracing::instrument(skip_all)]
    pub async fn user_by_token_hash(&self, token_hash: &str) -> StoreResult<Option<(User, TokenScope)>> {
        let sql = AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS_U}, t.scope AS token_scope FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND u.active"
        ));
        let row: Option<ScopedUserRow> =
            with_pool!(self, read, |pool| sqlx::query_as(sql).bind(token_hash).fetch_optional(pool).await)?;
        row.map(|r| Ok((User::try_from(r.user)?, TokenScope::parse(&r.token_scope)?))).transpose()
    }
}

impl Store {
    #[tracing::instrument(skip_all)]
    pub async fn set_language(&self, user_id: i64, code: &str) -> StoreResult<()> {
        with_pool!(self, write, |pool| sqlx::query("UPDATE users SET language = $1 WHERE id = $2")
            .bind(code)
            .bind(user_id)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }
}

impl Store {
    /// Changes what a user is: role, team, level, and whether they may sign in.
    #[tracing::instrument(skip_all)]
    pub async fn update_user(
        &self,
        user_id: i64,
        role: Role,
        team_id: Option<i64>,
        level: i32,
        active: bool,
    ) -> StoreResult<()> {
        let done = with_pool!(self, write, |pool| sqlx::query(
            "UPDATE users SET role = $1, team_id = $2, level = $3, active = $4 WHERE id = $5"
        )
        .bind(role.as_str())
        .bind(team_id)
        .bind(level)
        .bind(active)
        .bind(user_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        if done == 0 {
            return Err(crate::StoreError::NotFound);
        }
        Ok(())
    }
}

/// A token's user and its scope.
#[derive(sqlx::FromRow)]
struct ScopedUserRow {
    #[sqlx(flatten)]
    user: UserRow,
    token_scope: String,
}
