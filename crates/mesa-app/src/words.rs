//! The desk's own words for statuses, reasons, types, priorities and roles
//! (`mesa_core::words`), stored as a setting and cached for a few seconds
//! like the other policies, so every page and mail can read them.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mesa_core::Actor;
use mesa_core::words::DeskWords;
use mesa_store::StoreError;

use crate::{AppError, AppResult, Desk};

pub const WORDS_KEY: &str = "labels";

/// Another process's change is seen within this long.
const WORDS_TTL: Duration = Duration::from_secs(5);

/// The words and when they were read.
type Cached = (Instant, Arc<DeskWords>);

#[derive(Debug, Clone, Default)]
pub(crate) struct WordsCache(Arc<Mutex<Option<Cached>>>);

/// Language code → label key → word, as the API reads and writes them.
pub type WordsMap = BTreeMap<String, BTreeMap<String, String>>;

impl Desk {
    /// The desk's words (cached for a few seconds).
    pub async fn desk_words(&self) -> AppResult<Arc<DeskWords>> {
        if let Some((at, words)) = self.words.0.lock().expect("words cache").as_ref()
            && at.elapsed() < WORDS_TTL
        {
            return Ok(words.clone());
        }
        let words = match self.store.setting(WORDS_KEY).await? {
            Some(raw) => {
                let map: WordsMap = serde_json::from_str(&raw).map_err(|e| {
                    AppError::Internal(StoreError::Config(format!("stored labels are unreadable: {e}")))
                })?;
                // Checked when written; a key a newer version dropped is skipped, not fatal.
                DeskWords::parse(map.clone()).unwrap_or_else(|_| lenient(map))
            }
            None => DeskWords::default(),
        };
        let words = Arc::new(words);
        *self.words.0.lock().expect("words cache") = Some((Instant::now(), words.clone()));
        Ok(words)
    }

    /// Replaces the desk's words (administrators only). Words equal to the
    /// built-in ones are dropped; an empty map restores every built-in word.
    pub async fn set_desk_words(&self, actor: &Actor, map: WordsMap) -> AppResult<Arc<DeskWords>> {
        if !actor.can_manage_catalog() {
            return Err(AppError::forbidden("only administrators rename statuses"));
        }
        let words = DeskWords::parse(map)?;
        let raw = serde_json::to_string(words.overrides()).expect("labels serialise");
        self.store.put_setting(WORDS_KEY, &raw).await?;
        *self.words.0.lock().expect("words cache") = None;
        self.forget_mail_context();
        self.desk_words().await
    }
}

/// Keeps the entries that still check, one by one.
fn lenient(map: WordsMap) -> DeskWords {
    let mut kept = WordsMap::new();
    for (lang, by_key) in map {
        for (key, word) in by_key {
            let one = WordsMap::from([(lang.clone(), BTreeMap::from([(key.clone(), word.clone())]))]);
            if DeskWords::parse(one).is_ok() {
                kept.entry(lang.clone()).or_default().insert(key, word);
            }
        }
    }
    DeskWords::parse(kept).unwrap_or_default()
}
