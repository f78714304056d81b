//! Passwords (Argon2) and API tokens (random, stored as SHA-256).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use mesa_core::user::TokenScope;
use mesa_core::validate::FieldError;
use mesa_core::{Actor, Email, User};
use sha2::{Digest, Sha256};

use crate::{AppError, AppResult, Desk};

pub const MIN_PASSWORD_CHARS: usize = 10;

/// Hashes a password with Argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String, FieldError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(FieldError::new(
            "password",
            "too_short",
            format!("the password must have at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 with default params").to_string())
}

/// Runs Argon2 (tens of milliseconds of CPU) on the blocking pool, so that
/// sign-ins never stall the async threads that serve other requests.
async fn off_the_async_threads<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => value,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// [`hash_password`] on the blocking pool.
pub(crate) async fn hash_password_blocking(password: &str) -> Result<String, FieldError> {
    let password = password.to_owned();
    off_the_async_threads(move || hash_password(&password)).await
}

/// A hash of a random password with the same parameters as real ones: an
/// unknown address is checked against it, so it costs the same time as a
/// known one and the answer's timing does not tell which addresses exist.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&new_token()).expect("a token is long enough for a password"))
}

fn password_matches(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// A new random API token: `mesa_` and 64 hex characters (256 bits).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    format!("mesa_{}", hex(&bytes))
}

pub(crate) fn token_digest(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// How long a token's user is remembered. A user deactivated, or whose
/// role changes, in another process (the CLI, another server) is seen after
/// at most this long; changes made through this process are seen at once.
/// Unknown tokens are never remembered.
pub const TOKEN_CACHE_TTL: Duration = Duration::from_secs(5);
const TOKEN_CACHE_MAX: usize = 1024;

/// A token's user and scope, and when they were read.
type CachedToken = (Instant, (User, TokenScope));

/// Token digest → the user it belonged to, and when that was read.
#[derive(Debug, Clone, Default)]
pub(crate) struct TokenCache(Arc<Mutex<HashMap<String, CachedToken>>>);

impl TokenCache {
    fn get(&self, digest: &str) -> Option<(User, TokenScope)> {
        let cache = self.0.lock().expect("token cache");
        cache.get(digest).filter(|(at, _)| at.elapsed() < TOKEN_CACHE_TTL).map(|(_, user)| user.clone())
    }

    fn put(&self, digest: String, user: (User, TokenScope)) {
        let mut cache = self.0.lock().expect("token cache");
        if cache.len() >= TOKEN_CACHE_MAX {
            cache.retain(|_, (at, _)| at.elapsed() < TOKEN_CACHE_TTL);
            if cache.len() >= TOKEN_CACHE_MAX {
                cache.clear();
            }
        }
        cache.insert(digest, (Instant::now(), user));
    }

    pub(crate) fn clear(&self) {
        self.0.lock().expect("token cache").clear();
    }
}

impl Desk {
    /// The user a bearer token belongs to. Tokens have 256 random bits, so a
    /// fast hash is enough (unlike passwords). Remembered for
    /// [`TOKEN_CACHE_TTL`].
    /// A token of scope `feed` is refused here (403): it reads the feed and
    /// the reports only ([`Desk::authenticate_feed_token`]).
    pub async fn authenticate_token(&self, token: &str) -> AppResult<(Actor, User)> {
        match self.authenticate_feed_token(token).await? {
            (actor, user, TokenScope::Full) => Ok((actor, user)),
            (_, _, TokenScope::Feed) => Err(AppError::forbidden("this token may only read the feed and the reports")),
        }
    }

    /// The user a bearer token of any scope belongs to, and the scope: for
    /// the routes a `feed` token may use (the BI feed and the reports).
    pub async fn authenticate_feed_token(&self, token: &str) -> AppResult<(Actor, User, TokenScope)> {
        if !token.starts_with("mesa_") || token.len() != 69 {
            return Err(AppError::Unauthenticated);
        }
        let digest = token_digest(token);
        let (user, scope) = match self.tokens.get(&digest) {
            Some(found) => found,
            None => {
                let found = self.store.user_by_token_hash(&digest).await?.ok_or(AppError::Unauthenticated)?;
                self.tokens.put(digest, found.clone());
                found
            }
        };
        Ok((Actor { user_id: user.id, role: user.role }, user, scope))
    }

    /// Forgets the users remembered for tokens (after a user changes).
    pub(crate) fn forget_tokens(&self) {
        self.tokens.clear();
    }

    /// Checks an e-mail and password; `None` for any mismatch, so callers
    /// cannot tell an unknown address from a wrong password.
    pub async fn verify_password(&self, email: &str, password: &str) -> AppResult<Option<User>> {
        let user = match Email::parse(email) {
            Ok(email) => self.store.user_by_email(&email).await?,
            Err(_) => None,
        };
        let hash = match &user {
            Some(user) => self.store.password_hash(user.id).await?,
            None => None,
        };
        // The same Argon2 work whether or not the address has a password.
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| dummy_hash().to_owned());
        let password = password.to_owned();
        let ok = off_the_async_threads(move || password_matches(&hash, &password)).await;
        Ok(user.filter(|_| ok && known))
    }

    /// Issues a new API token for the user with this e-mail (a local admin
    /// command). The token is returned once and only its digest is kept.
    pub async fn create_token(&self, email: &str) -> AppResult<String> {
        self.create_scoped_token(email, TokenScope::Full).await
    }

    /// [`Desk::create_token`] with a scope. A `feed` token is only for staff
    /// and managers (requesters never read the feed).
    pub async fn create_scoped_token(&self, email: &str, scope: TokenScope) -> AppResult<String> {
        let email = Email::parse(email)?;
        let user = self.store.user_by_email(&email).await?.ok_or(AppError::NotFound("user"))?;
        if scope == TokenScope::Feed && user.role == mesa_core::Role::Requester {
            return Err(AppError::forbidden("requesters cannot have a feed token"));
        }
        let token = new_token();
        self.store.insert_token(user.id, &token_digest(&token), scope).await?;
        Ok(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hashed_with_argon2id_and_salted() {
        let a = hash_password("correct horse battery").unwrap();
        let b = hash_password("correct horse battery").unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b);
        assert!(!a.contains("correct horse"));
    }

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_does_and_matches_nothing() {
        let real = hash_password("correct horse battery").unwrap();
        let params = |h: &str| h.split('$').nth(3).map(str::to_owned);
        assert_eq!(params(dummy_hash()), params(&real));
        assert!(!password_matches(dummy_hash(), ""));
        assert!(password_matches(&real, "correct horse battery"));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert_eq!(hash_password("corta").unwrap_err().code, "too_short");
    }

    #[test]
    fn tokens_are_long_random_and_prefixed() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 69);
        assert!(a.starts_with("mesa_"));
    }
}

/// How long a browser session lasts.
pub const SESSION_HOURS: i64 = 12;

/// A signed-in browser: who, and the token its forms must carry.
#[derive(Debug, Clone)]
pub struct Session {
    pub actor: Actor,
    pub user: User,
    pub csrf_token: String,
    /// Opened by a ticket mail's link: reaches this ticket only (anything
    /// else asks for the password).
    pub ticket_number: Option<i64>,
    /// How the desk names statuses and reasons on its pages.
    pub words: std::sync::Arc<mesa_core::words::DeskWords>,
}

impl Desk {
    /// Checks the password and opens a session; returns the cookie value.
    pub async fn sign_in(&self, email: &str, password: &str) -> AppResult<Option<String>> {
        let Some(user) = self.verify_password(email, password).await? else { return Ok(None) };
        Ok(Some(self.open_session(&user, None).await?))
    }

    /// Opens a session for `user` (limited to one ticket when
    /// `ticket_number` is given); returns the cookie value.
    pub(crate) async fn open_session(&self, user: &User, ticket_number: Option<i64>) -> AppResult<String> {
        let id = new_token();
        let csrf = new_token();
        let expires = chrono::Utc::now() + chrono::Duration::hours(SESSION_HOURS);
        self.store.create_session(&token_digest(&id), user.id, &csrf, expires, ticket_number).await?;
        Ok(id)
    }

    /// The session a cookie value belongs to, if it is valid and unexpired.
    pub async fn session(&self, cookie: &str) -> AppResult<Option<Session>> {
        if !cookie.starts_with("mesa_") || cookie.len() != 69 {
            return Ok(None);
        }
        let Some(s) = self.store.session(&token_digest(cookie), chrono::Utc::now()).await? else { return Ok(None) };
        Ok(Some(Session {
            actor: Actor { user_id: s.user.id, role: s.user.role },
            user: s.user,
            csrf_token: s.csrf_token,
            ticket_number: s.ticket_number,
            words: self.desk_words().await?,
        }))
    }

    pub async fn sign_out(&self, cookie: &str) -> AppResult<()> {
        Ok(self.store.delete_session(&token_digest(cookie)).await?)
    }

    /// Changes a password after checking the current one; ends every
    /// session of the user (the caller signs in again).
    pub async fn change_password(&self, user: &User, current: &str, new: &str) -> AppResult<()> {
        if self.verify_password(user.email.as_str(), current).await?.is_none() {
            return Err(FieldError::new("current_password", "wrong", "the current password is not right").into());
        }
        self.set_password(user.id, new).await?;
        Ok(self.store.delete_sessions_of(user.id).await?)
    }
}

/// Compares two secrets in constant time (CSRF tokens).
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
