//! The BI feed (issue 17): one row per ticket with its dimensions and
//! times, no free text, read a page at a time by id so a year of tickets
//! never sits in memory.

use chrono::{DateTime, Utc};
use mesa_core::Actor;
use mesa_store::FeedRow;

use super::require_read;
use crate::{AppResult, Desk};

/// How many tickets one page of the feed reads.
pub const FEED_PAGE: i64 = 1_000;

/// A ticket of the feed, with its first response and resolution in business
/// minutes of the desk calendar (`None`: not yet).
#[derive(Debug, Clone)]
pub struct FeedTicket {
    pub row: FeedRow,
    pub first_response_minutes: Option<i64>,
    pub resolution_minutes: Option<i64>,
}

impl Desk {
    /// The next page of the feed: tickets changed at or after `since` with
    /// an id above `after`, in id order; empty at the end.
    pub async fn feed_page(
        &self,
        actor: &Actor,
        since: DateTime<Utc>,
        after: i64,
        limit: i64,
    ) -> AppResult<Vec<FeedTicket>> {
        require_read(actor)?;
        let policy = self.policy().await?;
        let calendar = policy.default_calendar();
        let rows = self.store.feed_page(since, after, limit.clamp(1, 10 * FEED_PAGE)).await?;
        Ok(rows
            .into_iter()
            .map(|row| FeedTicket {
                first_response_minutes: row
                    .first_response_at
                    .map(|at| calendar.business_time_between(row.created_at, at).num_minutes()),
                resolution_minutes: row
                    .solved_at
                    .map(|at| calendar.business_time_between(row.created_at, at).num_minutes()),
                row,
            })
            .collect())
    }
}
