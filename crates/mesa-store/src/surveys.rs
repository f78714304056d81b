//! Surveys (issue 16): versions, links (only the SHA-256 of each token is
//! kept), answers (one per link, written with the link's use in one
//! transaction), the rows the results and the weekly sample read, and the
//! weeks already sampled.

use chrono::{DateTime, Utc};

use crate::{Store, StoreResult, with_pool, with_tx};

/// A link to make; agent, service and building are the ticket's now.
#[derive(Debug, Clone)]
pub struct NewSurveyLink {
    pub token_hash: String,
    pub ticket_id: i64,
    pub requester_id: i64,
    pub agent_id: Option<i64>,
    pub service_id: Option<i64>,
    pub building_id: Option<i64>,
    /// `solved` (the solved mail), `sample` (the weekly sample) or `staff`.
    pub origin: &'static str,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SurveyLink {
    pub id: i64,
    pub ticket_id: i64,
    pub requester_id: i64,
    pub agent_id: Option<i64>,
    pub origin: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
}

const LINK_COLUMNS: &str = "id, ticket_id, requester_id, agent_id, origin, created_at, expires_at, answered_at";

/// A stored answer: the survey version it answered and the answers as JSON.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SurveyAnswerRow {
    pub survey_version: i64,
    pub answers: String,
    pub created_at: DateTime<Utc>,
}

/// One sent link for the results, with the names it groups by.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SurveyResultRow {
    pub agent_id: Option<i64>,
    pub agent_name: Option<String>,
    pub service_id: Option<i64>,
    pub service_name: Option<String>,
    pub building_id: Option<i64>,
    pub building_name: Option<String>,
    /// The answers as JSON; `None`: not answered.
    pub answers: Option<String>,
}

/// A ticket solved in a week, for the sample.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SampleCandidateRow {
    pub ticket_id: i64,
    pub number: i64,
    pub agent_id: i64,
    pub requester_id: i64,
    pub ticket_type: String,
    pub service_id: Option<i64>,
    pub building_id: Option<i64>,
}

/// Binds a new link's `$1…$9` (`$8` is now).
macro_rules! bind_link {
    ($query:expr, $new:expr, $now:expr $(,)?) => {{
        let new: &NewSurveyLink = $new;
        $query
            .bind(new.token_hash.as_str())
            .bind(new.ticket_id)
            .bind(new.requester_id)
            .bind(new.agent_id)
            .bind(new.service_id)
            .bind(new.building_id)
            .bind(new.origin)
            .bind($now)
            .bind(new.expires_at)
    }};
}

impl Store {
    /// The active survey: (version, questions as JSON).
    #[tracing::instrument(skip_all)]
    pub async fn active_survey(&self) -> StoreResult<Option<(i64, String)>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT version, questions FROM surveys WHERE active ORDER BY version DESC LIMIT 1"
        )
        .fetch_optional(pool)
        .await)?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn survey_version(&self, version: i64) -> StoreResult<Option<String>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_scalar("SELECT questions FROM surveys WHERE version = $1")
            .bind(version)
            .fetch_optional(pool)
            .await)?)
    }

    /// Stores the first version (the default) unless some version exists.
    #[tracing::instrument(skip_all)]
    pub async fn ensure_first_survey(&self, questions: &str) -> StoreResult<()> {
        with_pool!(self, write, |pool| sqlx::query(
            "INSERT INTO surveys (version, questions, active, created_at)
             SELECT 1, $1, TRUE, $2 WHERE NOT EXISTS (SELECT 1 FROM surveys)"
        )
        .bind(questions)
        .bind(Utc::now())
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Stores a new version and makes it the active one; returns its number.
    #[tracing::instrument(skip_all)]
    pub async fn put_survey(&self, questions: &str, by: i64) -> StoreResult<i64> {
        with_tx!(self, |tx| {
            let version: i64 =
                sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) + 1 FROM surveys").fetch_one(&mut *tx).await?;
            sqlx::query("UPDATE surveys SET active = FALSE WHERE active").execute(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO surveys (version, questions, active, created_at, created_by) VALUES ($1, $2, TRUE, $3, $4)",
            )
            .bind(version)
            .bind(questions)
            .bind(Utc::now())
            .bind(by)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(version)
        })
    }

    /// The link of (ticket, requester), made now if there is none. With
    /// `renew`, an unanswered link that expires before `expires_at` is given
    /// that expiry (the ticket was solved again, or sampled).
    #[tracing::instrument(skip_all)]
    pub async fn survey_link_for(&self, new: &NewSurveyLink, renew: bool) -> StoreResult<SurveyLink> {
        let on_conflict = if renew {
            "DO UPDATE SET expires_at = excluded.expires_at
             WHERE survey_links.answered_at IS NULL AND survey_links.expires_at < excluded.expires_at"
        } else {
            "DO NOTHING"
        };
        let sql = format!(
            "INSERT INTO survey_links (token_hash, ticket_id, requester_id, agent_id, service_id, building_id, origin,
                                       created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (ticket_id, requester_id) {on_conflict}"
        );
        with_pool!(self, write, |pool| bind_link!(sqlx::query(sqlx::AssertSqlSafe(sql.clone())), new, Utc::now())
            .execute(pool)
            .await
            .map(|_| ()))?;
        let sql = format!("SELECT {LINK_COLUMNS} FROM survey_links WHERE ticket_id = $1 AND requester_id = $2");
        Ok(with_pool!(self, write, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(new.ticket_id)
            .bind(new.requester_id)
            .fetch_one(pool)
            .await)?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn survey_link_by_hash(&self, token_hash: &str) -> StoreResult<Option<SurveyLink>> {
        let sql = format!("SELECT {LINK_COLUMNS} FROM survey_links WHERE token_hash = $1");
        Ok(with_pool!(self, read, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .fetch_optional(pool)
            .await)?)
    }

    /// The links of a ticket (one per requester it was sent to).
    #[tracing::instrument(skip_all)]
    pub async fn survey_links_of_ticket(&self, ticket_id: i64) -> StoreResult<Vec<SurveyLink>> {
        let sql = format!("SELECT {LINK_COLUMNS} FROM survey_links WHERE ticket_id = $1 ORDER BY id");
        Ok(with_pool!(self, read, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(ticket_id)
            .fetch_all(pool)
            .await)?)
    }

    /// Spends the link and stores its answer in one transaction. `false`:
    /// the link was already answered or has expired (nothing written).
    #[tracing::instrument(skip_all)]
    pub async fn answer_survey(
        &self,
        link_id: i64,
        version: i64,
        answers: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        with_tx!(self, |tx| {
            let spent = sqlx::query(
                "UPDATE survey_links SET answered_at = $2 WHERE id = $1 AND answered_at IS NULL AND expires_at > $2",
            )
            .bind(link_id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if spent != 1 {
                return Ok(false);
            }
            sqlx::query(
                "INSERT INTO survey_answers (link_id, survey_version, answers, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(link_id)
            .bind(version)
            .bind(answers)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    #[tracing::instrument(skip_all)]
    pub async fn survey_answer(&self, link_id: i64) -> StoreResult<Option<SurveyAnswerRow>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT survey_version, answers, created_at FROM survey_answers WHERE link_id = $1"
        )
        .bind(link_id)
        .fetch_optional(pool)
        .await)?)
    }

    /// The links made in `[from, to)`, with their answers and group names.
    #[tracing::instrument(skip_all)]
    pub async fn survey_results(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> StoreResult<Vec<SurveyResultRow>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT l.agent_id, u.name AS agent_name, l.service_id, s.name AS service_name,
                    l.building_id, b.name AS building_name, a.answers
             FROM survey_links l
             LEFT JOIN users u ON u.id = l.agent_id
             LEFT JOIN services s ON s.id = l.service_id
             LEFT JOIN buildings b ON b.id = l.building_id
             LEFT JOIN survey_answers a ON a.link_id = l.id
             WHERE l.created_at >= $1 AND l.created_at < $2
             ORDER BY l.id"
        )
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await)?)
    }

    /// Tickets solved in `[from, to)` by an assignee, opened by an active
    /// requester: what the weekly sample chooses from.
    #[tracing::instrument(skip_all)]
    pub async fn sample_candidates(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<SampleCandidateRow>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT t.id AS ticket_id, t.number, t.assignee_id AS agent_id, t.requester_id, t.type AS ticket_type,
                    t.service_id, t.building_id
             FROM tickets t JOIN users r ON r.id = t.requester_id
             WHERE t.solved_at >= $1 AND t.solved_at < $2 AND t.assignee_id IS NOT NULL
               AND r.role = 'requester' AND r.active
             ORDER BY t.id"
        )
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await)?)
    }

    /// The requesters sent a survey link since `since`.
    #[tracing::instrument(skip_all)]
    pub async fn requesters_asked_since(&self, since: DateTime<Utc>) -> StoreResult<Vec<i64>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_scalar(
            "SELECT DISTINCT requester_id FROM survey_links WHERE created_at >= $1"
        )
        .bind(since)
        .fetch_all(pool)
        .await)?)
    }

    /// Records the week's sample and makes its links, in one transaction.
    /// `false`: the week was already sampled (by another process or run);
    /// nothing is written.
    #[tracing::instrument(skip_all)]
    pub async fn record_sample(&self, week: &str, seed: u64, links: &[NewSurveyLink]) -> StoreResult<bool> {
        let now = Utc::now();
        with_tx!(self, |tx| {
            let claimed = sqlx::query(
                "INSERT INTO survey_samples (week, seed, sampled, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (week) DO NOTHING",
            )
            .bind(week)
            .bind(seed as i64)
            .bind(links.len() as i64)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if claimed != 1 {
                return Ok(false);
            }
            for link in links {
                bind_link!(
                    sqlx::query(
                        "INSERT INTO survey_links (token_hash, ticket_id, requester_id, agent_id, service_id,
                                                   building_id, origin, created_at, expires_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                         ON CONFLICT (ticket_id, requester_id) DO UPDATE SET expires_at = excluded.expires_at
                         WHERE survey_links.answered_at IS NULL",
                    ),
                    link,
                    now,
                )
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Whether a week was sampled.
    #[tracing::instrument(skip_all)]
    pub async fn week_sampled(&self, week: &str) -> StoreResult<bool> {
        let n: i64 =
            with_pool!(self, read, |pool| sqlx::query_scalar("SELECT COUNT(*) FROM survey_samples WHERE week = $1")
                .bind(week)
                .fetch_one(pool)
                .await)?;
        Ok(n > 0)
    }
}
