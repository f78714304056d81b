//! People and the institution's directory: users, departments, buildings,
//! teams and the service catalog.

use mesa_core::ticket::{Level, limits};
use mesa_core::validate::{optional_text, required_text};
use mesa_core::{Actor, Email, Role, TicketType, User};
use mesa_store::{Directory, DirectoryItem, NewService, NewUser, Service, StoreError};

use crate::auth::hash_password_blocking;
use crate::{AppError, AppResult, Desk};

/// Who asks for an administrative change: a signed-in actor, or the local
/// command line (whoever can run `mesa` on the server is trusted).
fn require_admin(actor: Option<&Actor>, allowed: bool) -> AppResult<()> {
    match actor {
        Some(_) if !allowed => Err(AppError::forbidden("only administrators may do this")),
        _ => Ok(()),
    }
}

#[derive(Debug, Clone)]
pub struct NewServiceInput {
    pub name: String,
    pub category: String,
    pub default_type: Option<TicketType>,
    pub default_level: Option<i64>,
    pub team_id: Option<i64>,
}

impl Desk {
    /// Adds a user. `password` is hashed with Argon2 before it is stored.
    pub async fn add_user(
        &self,
        actor: Option<&Actor>,
        email: &str,
        name: &str,
        role: Role,
        password: Option<&str>,
    ) -> AppResult<User> {
        require_admin(actor, actor.is_some_and(Actor::can_manage_users))?;
        let email = Email::parse(email)?;
        let name = required_text("name", name, limits::NAME)?;
        let mut new = NewUser::new(email, name, role);
        new.password_hash = match password {
            Some(p) => Some(hash_password_blocking(p).await?),
            None => None,
        };
        self.store.create_user(&new).await.map_err(|e| match e {
            StoreError::Conflict(_) => {
                AppError::Conflict { code: "email_taken", message: "a user with that e-mail already exists".into() }
            }
            other => other.into(),
        })
    }

    /// Sets a user's password (the CLI, and later the profile page).
    pub async fn set_password(&self, user_id: i64, password: &str) -> AppResult<()> {
        let hash = hash_password_blocking(password).await?;
        Ok(self.store.set_password_hash(user_id, &hash).await?)
    }

    pub async fn user_by_email(&self, email: &str) -> AppResult<Option<User>> {
        Ok(self.store.user_by_email(&Email::parse(email)?).await?)
    }

    pub async fn list_users(&self, actor: &Actor) -> AppResult<Vec<User>> {
        require_admin(Some(actor), actor.can_manage_users())?;
        Ok(self.store.list_users().await?)
    }

    /// Agents and administrators, active or not, by name: who a ticket can be
    /// assigned to or filtered by (for those who see internal notes).
    pub async fn staff_members(&self, actor: &Actor) -> AppResult<Vec<User>> {
        crate::internal_readers_only(actor)?;
        Ok(self.store.list_staff().await?)
    }

    /// Adds a department, building or team (admins, or the CLI).
    pub async fn add_item(
        &self,
        actor: Option<&Actor>,
        dir: Directory,
        name: &str,
        detail: Option<&str>,
    ) -> AppResult<DirectoryItem> {
        require_admin(actor, actor.is_some_and(Actor::can_manage_catalog))?;
        let name = required_text("name", name, limits::NAME)?;
        let detail = optional_text("detail", detail, limits::NAME)?;
        self.store.create_item(dir, &name, detail.as_deref()).await.map_err(name_taken)
    }

    /// Any signed-in user may read the directory (the request form needs
    /// it); active items only.
    pub async fn list_items(&self, dir: Directory) -> AppResult<Vec<DirectoryItem>> {
        Ok(self.store.list_items(dir, false).await?)
    }

    pub async fn add_service(&self, actor: Option<&Actor>, input: NewServiceInput) -> AppResult<Service> {
        require_admin(actor, actor.is_some_and(Actor::can_manage_catalog))?;
        let team_id = match input.team_id {
            Some(id) => Some(self.existing(Directory::Teams, id, "team_id").await?),
            None => None,
        };
        let new = NewService {
            name: required_text("name", &input.name, limits::NAME)?,
            category: required_text("category", &input.category, limits::NAME)?,
            default_type: input.default_type.unwrap_or(TicketType::Incident),
            default_level: Level::new(input.default_level.unwrap_or(1))?,
            team_id,
        };
        self.store.create_service(&new).await.map_err(name_taken)
    }

    /// The active services (what forms offer).
    pub async fn list_services(&self) -> AppResult<Vec<Service>> {
        self.list_services_with(false).await
    }

    /// Checks that a referenced row exists; a dangling id is the caller's
    /// mistake (422), not a missing page (404).
    pub(crate) async fn existing(&self, dir: Directory, id: i64, field: &'static str) -> AppResult<i64> {
        // A deactivated item is kept on old records, never put on new ones.
        match self.store.item(dir, id).await {
            Ok(item) if item.active => Ok(item.id),
            Ok(_) | Err(StoreError::NotFound) => {
                Err(mesa_core::validate::FieldError::new(field, "unknown", format!("{field} {id} does not exist"))
                    .into())
            }
            Err(e) => Err(e.into()),
        }
    }
}

fn name_taken(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(_) => {
            AppError::Conflict { code: "name_taken", message: "that name is already in use".into() }
        }
        other => other.into(),
    }
}

impl Desk {
    /// The language a user's pages and mails are in.
    pub async fn set_language(&self, user_id: i64, lang: mesa_core::Lang) -> AppResult<()> {
        self.store.set_language(user_id, lang.code()).await?;
        self.forget_tokens();
        Ok(())
    }
}

/// What an administrator may change about a user.
#[derive(Debug, Clone)]
pub struct UserChanges {
    pub role: Role,
    pub team_id: Option<i64>,
    pub level: i64,
    pub active: bool,
}

impl Desk {
    /// Changes a user's role, team, level or access (administrators only).
    /// An administrator cannot lock themself out.
    pub async fn update_user(&self, actor: &Actor, user_id: i64, changes: UserChanges) -> AppResult<()> {
        require_admin(Some(actor), actor.can_manage_users())?;
        if user_id == actor.user_id && (changes.role != Role::Admin || !changes.active) {
            return Err(mesa_core::validate::FieldError::new(
                "role",
                "self_lockout",
                "you cannot remove your own administration rights",
            )
            .into());
        }
        let level = Level::new(changes.level)?;
        let team_id = match changes.team_id {
            Some(id) => Some(self.existing(Directory::Teams, id, "team_id").await?),
            None => None,
        };
        let result = self.store.update_user(user_id, changes.role, team_id, level.get().into(), changes.active).await;
        self.forget_tokens();
        match result {
            Err(StoreError::NotFound) => Err(AppError::NotFound("user")),
            other => Ok(other?),
        }
    }
}
