//! What the reports and the BI feed read (issue 17): counts and group-bys
//! done by the database, the few columns the times need, and the feed's
//! pages by id (keyset), so no answer holds a year of tickets.

use chrono::{DateTime, Utc};
use mesa_core::report::{Counts, Dimension, NamedCount};
use mesa_core::{Channel, TicketType};
use sqlx::AssertSqlSafe;

use crate::policy::StatusRecord;
use crate::{Store, StoreResult, with_pool};

/// Which tickets a report counts (each `None`: any).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFilter {
    pub service_id: Option<i64>,
    pub ticket_type: Option<TicketType>,
    pub building_id: Option<i64>,
    pub department_id: Option<i64>,
    pub team_id: Option<i64>,
    /// The assignee.
    pub agent_id: Option<i64>,
    pub level: Option<i64>,
    pub channel: Option<Channel>,
}

enum Arg {
    Int(i64),
    Text(&'static str),
}

impl ReportFilter {
    /// ` AND …` over `tickets t`, its placeholders numbered from `$first`.
    fn sql(&self, first: usize) -> (String, Vec<Arg>) {
        let mut sql = String::new();
        let mut args = Vec::new();
        let mut push = |column: &str, arg: Arg| {
            args.push(arg);
            sql.push_str(&format!(" AND t.{column} = ${}", first + args.len() - 1));
        };
        for (column, value) in [
            ("service_id", self.service_id),
            ("building_id", self.building_id),
            ("department_id", self.department_id),
            ("team_id", self.team_id),
            ("assignee_id", self.agent_id),
            ("level", self.level),
        ] {
            if let Some(v) = value {
                push(column, Arg::Int(v));
            }
        }
        if let Some(t) = self.ticket_type {
            push("type", Arg::Text(t.as_str()));
        }
        if let Some(c) = self.channel {
            push("channel", Arg::Text(c.as_str()));
        }
        (sql, args)
    }
}

/// Binds `$1 = start`, `$2 = end` and then the filter's arguments.
macro_rules! bind_report {
    ($query:expr, $start:expr, $end:expr, $args:expr) => {{
        let mut q = $query.bind($start).bind($end);
        for arg in $args {
            q = match arg {
                Arg::Int(v) => q.bind(*v),
                Arg::Text(v) => q.bind(*v),
            };
        }
        q
    }};
}

/// A ticket opened in the period, with what its clocks need.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportTicket {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub solved_at: Option<DateTime<Utc>>,
    pub service_id: Option<i64>,
    pub priority: String,
}

/// A ticket of the feed: its dimensions and times, no free text.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FeedRow {
    pub id: i64,
    pub number: i64,
    #[sqlx(rename = "type")]
    pub ticket_type: String,
    pub status: String,
    pub priority: String,
    pub channel: String,
    pub level: i32,
    pub service: Option<String>,
    pub department: Option<String>,
    pub building: Option<String>,
    pub team: Option<String>,
    pub agent: Option<String>,
    pub outcome: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub solved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// The name a breakdown gives to tickets without the dimension's row.
pub const NONE_NAME: &str = "none";

impl Store {
    /// Opened, solved and closed in `[start, end)`, and the backlog (neither
    /// solved nor closed) at `start` and at `end`. Each figure is an indexed
    /// count (migration 0019).
    #[tracing::instrument(skip_all)]
    pub async fn report_counts(
        &self,
        filter: &ReportFilter,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> StoreResult<Counts> {
        let (f, args) = filter.sql(3);
        let backlog = |at: &str| {
            format!(
                "(SELECT COUNT(*) FROM tickets t WHERE t.created_at < {at}{f}) \
                 - (SELECT COUNT(*) FROM tickets t WHERE t.solved_at < {at}{f}) \
                 - (SELECT COUNT(*) FROM tickets t WHERE t.solved_at IS NULL AND t.closed_at < {at}{f})"
            )
        };
        let sql = AssertSqlSafe(format!(
            "SELECT (SELECT COUNT(*) FROM tickets t WHERE t.created_at >= $1 AND t.created_at < $2{f}),
                    (SELECT COUNT(*) FROM tickets t WHERE t.solved_at >= $1 AND t.solved_at < $2{f}),
                    (SELECT COUNT(*) FROM tickets t WHERE t.closed_at >= $1 AND t.closed_at < $2{f}),
                    {}, {}",
            backlog("$1"),
            backlog("$2")
        ));
        let (opened, solved, closed, backlog_start, backlog_end): (i64, i64, i64, i64, i64) =
            with_pool!(self, read, |pool| bind_report!(sqlx::query_as(sql), start, end, &args).fetch_one(pool).await)?;
        Ok(Counts { opened, solved, closed, backlog_start, backlog_end })
    }

    /// The tickets opened in `[start, end)` counted by `dimension`, most
    /// first. Enumerated dimensions are named by their stable value (`new`,
    /// `incident`, `2`, `mail`); the others by their row's name, with its id
    /// ([`NONE_NAME`] and no id for tickets without one).
    #[tracing::instrument(skip_all)]
    pub async fn report_breakdown(
        &self,
        dimension: Dimension,
        filter: &ReportFilter,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> StoreResult<Vec<NamedCount>> {
        let (f, args) = filter.sql(3);
        let (key, id, join) = match dimension {
            Dimension::Status => ("t.status", "NULL", ""),
            Dimension::Type => ("t.type", "NULL", ""),
            Dimension::Channel => ("t.channel", "NULL", ""),
            Dimension::Level => ("CAST(t.level AS TEXT)", "NULL", ""),
            Dimension::Service => ("n.name", "t.service_id", " LEFT JOIN services n ON n.id = t.service_id"),
            Dimension::Building => ("n.name", "t.building_id", " LEFT JOIN buildings n ON n.id = t.building_id"),
            Dimension::Department => {
                ("n.name", "t.department_id", " LEFT JOIN departments n ON n.id = t.department_id")
            }
            Dimension::Team => ("n.name", "t.team_id", " LEFT JOIN teams n ON n.id = t.team_id"),
            Dimension::Agent => ("n.name", "t.assignee_id", " LEFT JOIN users n ON n.id = t.assignee_id"),
        };
        // PostgreSQL refuses a constant in GROUP BY.
        let group = if id == "NULL" { key.to_owned() } else { format!("{key}, {id}") };
        let sql = AssertSqlSafe(format!(
            "SELECT {key} AS name, CAST({id} AS BIGINT) AS id, COUNT(*) AS count FROM tickets t{join}
             WHERE t.created_at >= $1 AND t.created_at < $2{f} GROUP BY {group}"
        ));
        let rows: Vec<(Option<String>, Option<i64>, i64)> =
            with_pool!(self, read, |pool| bind_report!(sqlx::query_as(sql), start, end, &args).fetch_all(pool).await)?;
        let mut out: Vec<NamedCount> = rows
            .into_iter()
            .map(|(name, id, count)| NamedCount {
                name: name.filter(|_| id.is_some() || !dimension.names_rows()).unwrap_or_else(|| NONE_NAME.into()),
                id,
                count,
            })
            .collect();
        out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        Ok(out)
    }

    /// The tickets opened in `[start, end)`, with what their clocks need.
    #[tracing::instrument(skip_all)]
    pub async fn report_opened(
        &self,
        filter: &ReportFilter,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> StoreResult<Vec<ReportTicket>> {
        let (f, args) = filter.sql(3);
        let sql = AssertSqlSafe(format!(
            "SELECT t.id, t.created_at, t.first_response_at, t.solved_at, t.service_id, t.priority FROM tickets t
             WHERE t.created_at >= $1 AND t.created_at < $2{f}"
        ));
        Ok(with_pool!(self, read, |pool| bind_report!(sqlx::query_as(sql), start, end, &args).fetch_all(pool).await)?)
    }

    /// When each ticket solved in `[start, end)` was opened and solved.
    #[tracing::instrument(skip_all)]
    pub async fn report_solved(
        &self,
        filter: &ReportFilter,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> StoreResult<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
        let (f, args) = filter.sql(3);
        let sql = AssertSqlSafe(format!(
            "SELECT t.created_at, t.solved_at FROM tickets t WHERE t.solved_at >= $1 AND t.solved_at < $2{f}"
        ));
        Ok(with_pool!(self, read, |pool| bind_report!(sqlx::query_as(sql), start, end, &args).fetch_all(pool).await)?)
    }

    /// The status history of the tickets opened in `[start, end)` that were
    /// ever on hold (the others' clocks never paused), by ticket id.
    #[tracing::instrument(skip_all)]
    pub async fn report_holds(
        &self,
        filter: &ReportFilter,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> StoreResult<std::collections::HashMap<i64, Vec<StatusRecord>>> {
        let (f, args) = filter.sql(3);
        let sql = AssertSqlSafe(format!(
            "SELECT h.ticket_id, h.created_at, h.field, h.after_value FROM ticket_history h
             JOIN tickets t ON t.id = h.ticket_id
             WHERE t.created_at >= $1 AND t.created_at < $2{f} AND h.field IN ('status', 'hold_reason')
               AND t.id IN (SELECT ticket_id FROM ticket_history WHERE field = 'status' AND after_value = 'on_hold')
             ORDER BY h.id"
        ));
        let rows: Vec<(i64, DateTime<Utc>, String, Option<String>)> =
            with_pool!(self, read, |pool| bind_report!(sqlx::query_as(sql), start, end, &args).fetch_all(pool).await)?;
        let mut out: std::collections::HashMap<i64, Vec<StatusRecord>> = Default::default();
        for (ticket_id, at, field, after) in rows {
            out.entry(ticket_id).or_default().push((at, field, after));
        }
        Ok(out)
    }

    /// The history lines of `field` written in `[start, end)`: each value
    /// and how many times it was written (`routing`: the routing decisions,
    /// `mesa_core::routing::Reason`; `reassignment_criterion`: why a case
    /// changed hands).
    #[tracing::instrument(skip_all)]
    pub async fn report_history_values(
        &self,
        field: &'static str,
        filter: &ReportFilter,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> StoreResult<Vec<(String, i64)>> {
        let (f, args) = filter.sql(3);
        // `field` is one of our constants.
        let sql = AssertSqlSafe(format!(
            "SELECT COALESCE(h.after_value, ''), COUNT(*) FROM ticket_history h JOIN tickets t ON t.id = h.ticket_id
             WHERE h.field = '{field}' AND h.created_at >= $1 AND h.created_at < $2{f} GROUP BY h.after_value"
        ));
        Ok(with_pool!(self, read, |pool| bind_report!(sqlx::query_as(sql), start, end, &args).fetch_all(pool).await)?)
    }

    /// In `[start, end)`: reassignments (the assignee changed from someone to
    /// someone else or nobody), escalations and de-escalations.
    #[tracing::instrument(skip_all)]
    pub async fn report_moves(
        &self,
        filter: &ReportFilter,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> StoreResult<(i64, i64, i64)> {
        let (f, args) = filter.sql(3);
        let count = |condition: &str| {
            format!(
                "(SELECT COUNT(*) FROM ticket_history h JOIN tickets t ON t.id = h.ticket_id
                  WHERE {condition} AND h.created_at >= $1 AND h.created_at < $2{f})"
            )
        };
        let sql = AssertSqlSafe(format!(
            "SELECT {}, {}, {}",
            count("h.field = 'assignee' AND h.before_value IS NOT NULL"),
            count("h.field = 'escalation'"),
            count("h.field = 'de_escalation'")
        ));
        Ok(with_pool!(self, read, |pool| bind_report!(sqlx::query_as(sql), start, end, &args).fetch_one(pool).await)?)
    }

    /// A page of the feed: up to `limit` tickets with an id above `after`,
    /// changed at or after `since`, in id order.
    #[tracing::instrument(skip_all)]
    pub async fn feed_page(&self, since: DateTime<Utc>, after: i64, limit: i64) -> StoreResult<Vec<FeedRow>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT t.id, t.number, t.type, t.status, t.priority, t.channel, t.level,
                    s.name AS service, d.name AS department, b.name AS building, tm.name AS team,
                    a.name AS agent, t.outcome, t.created_at, t.updated_at, t.first_response_at, t.solved_at,
                    t.closed_at
             FROM tickets t
             LEFT JOIN services s ON s.id = t.service_id
             LEFT JOIN departments d ON d.id = t.department_id
             LEFT JOIN buildings b ON b.id = t.building_id
             LEFT JOIN teams tm ON tm.id = t.team_id
             LEFT JOIN users a ON a.id = t.assignee_id
             WHERE t.id > $1 AND t.updated_at >= $2 ORDER BY t.id LIMIT $3"
        )
        .bind(after)
        .bind(since)
        .bind(limit)
        .fetch_all(pool)
        .await)?)
    }
}
