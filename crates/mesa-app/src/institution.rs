//! The institution's logo on its documents (issue 17: the report a lead
//! hands to management carries the institution's name and logo; the
//! technical assessment too). The PNG is kept in the settings, so every
//! server of a desk prints the same one.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use mesa_core::Actor;
use mesa_core::validate::FieldError;
pub use mesa_pdf::{LOGO_MAX_BYTES, LOGO_MAX_SIDE};
use mesa_pdf::{Logo, LogoError};

use crate::{AppError, AppResult, Desk};

/// The settings key of the logo (a PNG, base64).
pub const LOGO_SETTING: &str = "institution_logo";

impl Desk {
    /// Sets the logo from a PNG file (administrators only): at most
    /// [`LOGO_MAX_BYTES`] and [`LOGO_MAX_SIDE`] pixels a side.
    pub async fn set_logo(&self, actor: &Actor, png: &[u8]) -> AppResult<()> {
        if !actor.can_manage_catalog() {
            return Err(AppError::forbidden("only administrators set the logo"));
        }
        if png.len() > LOGO_MAX_BYTES {
            return Err(AppError::TooLarge { limit: LOGO_MAX_BYTES });
        }
        Logo::from_png(png).map_err(|e| match e {
            LogoError::NotPng => FieldError::new("logo", "invalid", "the logo is a PNG image"),
            LogoError::TooLarge => {
                FieldError::new("logo", "too_large", format!("the logo is at most {LOGO_MAX_SIDE} pixels a side"))
            }
        })?;
        self.store.put_setting(LOGO_SETTING, &STANDARD.encode(png)).await?;
        tracing::info!(bytes = png.len(), "institution logo set");
        Ok(())
    }

    /// Takes the logo away (administrators only).
    pub async fn clear_logo(&self, actor: &Actor) -> AppResult<()> {
        if !actor.can_manage_catalog() {
            return Err(AppError::forbidden("only administrators set the logo"));
        }
        Ok(self.store.put_setting(LOGO_SETTING, "").await?)
    }

    /// The logo's PNG as uploaded, if there is one.
    pub async fn logo_png(&self) -> AppResult<Option<Vec<u8>>> {
        let stored = self.store.setting(LOGO_SETTING).await?.filter(|v| !v.is_empty());
        Ok(stored.and_then(|b64| match STANDARD.decode(b64.as_bytes()) {
            Ok(png) => Some(png),
            Err(e) => {
                tracing::warn!(error = %e, "the stored logo is not base64; documents go without it");
                None
            }
        }))
    }

    /// The logo ready for a document; `None` without one (or if the stored
    /// one no longer reads, which is logged: a document is never refused
    /// for its logo).
    pub async fn document_logo(&self) -> AppResult<Option<Logo>> {
        Ok(self.logo_png().await?.and_then(|png| match Logo::from_png(&png) {
            Ok(logo) => Some(logo),
            Err(e) => {
                tracing::warn!(error = ?e, "the stored logo does not read; documents go without it");
                None
            }
        }))
    }
}
