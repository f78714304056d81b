//! Listing and searching tickets: the filter, the page, the total.

use chrono::{DateTime, Utc};
pub use mesa_core::ticket::{SlaFilter, SortOrder};
use mesa_core::{Priority, Status};
use sqlx::AssertSqlSafe;

use super::{TicketView, VIEW_SELECT, ViewRow};
use crate::{Backend, Store, StoreResult, with_pool};

/// Which tickets a list shows, and which page of them.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub statuses: Vec<Status>,
    /// `Some(None)`: unassigned only.
    pub assignee_id: Option<Option<i64>>,
    pub requester_id: Option<i64>,
    pub priority: Option<Priority>,
    pub service_id: Option<i64>,
    pub department_id: Option<i64>,
    pub building_id: Option<i64>,
    pub team_id: Option<i64>,
    /// Created at or after this instant.
    pub created_from: Option<DateTime<Utc>>,
    /// Created before this instant.
    pub created_before: Option<DateTime<Utc>>,
    /// Folded search terms (`mesa_core::search::terms`); all must match.
    pub terms: Vec<String>,
    /// Whether internal notes count for the search.
    pub search_internal: bool,
    /// Only tickets whose running clocks are breached, or at risk.
    pub sla: Option<SlaFilter>,
    /// The instant `sla` is judged at.
    pub now: Option<DateTime<Utc>>,
    pub sort: SortOrder,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
    /// Count at most this many matches (`None`: count them all); see
    /// `mesa_core::search::COUNT_LIMIT`. Lists by status alone are always
    /// counted exactly: their counts are kept.
    pub count_limit: Option<u32>,
    /// Leave security incidents out (seed 003: only the security team,
    /// administrators and the requester see them).
    pub hide_security_incidents: bool,
    /// Only tickets waiting for this person's authorisation (seed 004).
    pub awaiting_approver: Option<i64>,
    /// Only tickets that came by this channel.
    pub channel: Option<mesa_core::Channel>,
    /// Only tickets on hold for this reason (issue 13).
    pub hold_reason: Option<mesa_core::HoldReason>,
}

/// How many tickets a list matches in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Total {
    /// The number of matches, or the filter's `count_limit` when more match.
    pub count: i64,
    /// False when more than `count` match.
    pub exact: bool,
}

enum Arg {
    Int(i64),
    Text(String),
    Time(DateTime<Utc>),
}

impl Store {
    /// A page of tickets, newest first, and how many match in all.
    ///
    /// The page's ids are found first (from an index alone when the filter
    /// allows), then only those rows are read with their names. The total
    /// comes from the per-status counts or from the search index alone when
    /// the filter is only statuses or only search terms, and stops at the
    /// filter's `count_limit`.
    #[tracing::instrument(skip_all)]
    pub async fn list_tickets(&self, filter: &TicketFilter) -> StoreResult<(Vec<TicketView>, Total)> {
        let (where_sql, mut args) = self.where_clause(filter);
        let per_page = filter.per_page.max(1);
        let offset = i64::from(filter.page.max(1) - 1) * i64::from(per_page);
        let order = match filter.sort {
            SortOrder::Newest => "t.id DESC",
            SortOrder::Oldest => "t.id ASC",
            SortOrder::Due => "CASE WHEN t.resolution_due_at IS NULL THEN 1 ELSE 0 END, t.resolution_due_at, t.id",
        };
        let count_sql = AssertSqlSafe(self.count_sql(filter, &where_sql));
        let count_args = args.len();
        args.push(Arg::Int(i64::from(per_page)));
        args.push(Arg::Int(offset));
        let (limit, offset) = (args.len() - 1, args.len());
        let page_sql = match self.search_page_sql(filter) {
            Some(search) => format!("{search} LIMIT ${limit} OFFSET ${offset}"),
            None => format!("SELECT t.id FROM tickets t{where_sql} ORDER BY {order} LIMIT ${limit} OFFSET ${offset}"),
        };
        let list_sql =
            AssertSqlSafe(format!("{VIEW_SELECT} JOIN ({page_sql}) page ON page.id = t.id ORDER BY {order}"));
        let (rows, total): (Vec<ViewRow>, i64) = with_pool!(self, read, |pool| {
            // PostgreSQL plans a search for its terms (common words walk the
            // newest tickets, rare ones read their few matches): a prepared
            // statement would settle on one generic plan for all of them.
            let cached = filter.terms.is_empty() || self.backend() == Backend::Sqlite;
            let mut list = sqlx::query_as(list_sql).persistent(cached);
            let mut count = sqlx::query_scalar(count_sql).persistent(cached);
            for (i, arg) in args.iter().enumerate() {
                let counted = i < count_args;
                match arg {
                    Arg::Int(v) => {
                        list = list.bind(*v);
                        if counted {
                            count = count.bind(*v);
                        }
                    }
                    Arg::Text(v) => {
                        list = list.bind(v.clone());
                        if counted {
                            count = count.bind(v.clone());
                        }
                    }
                    Arg::Time(v) => {
                        list = list.bind(*v);
                        if counted {
                            count = count.bind(*v);
                        }
                    }
                }
            }
            // Two connections: the page and the count cost about the same.
            let (rows, total): (_, Option<i64>) = tokio::try_join!(list.fetch_all(pool), count.fetch_one(pool))?;
            (rows, total.unwrap_or(0))
        });
        let items = rows.into_iter().map(TicketView::try_from).collect::<StoreResult<_>>()?;
        let total = match filter.count_limit.map(i64::from) {
            Some(limit) if total > limit => Total { count: limit, exact: false },
            _ => Total { count: total, exact: true },
        };
        Ok((items, total))
    }

    /// For a search by terms alone: the ids (`id`) of the matching tickets,
    /// each once, straight from the search index, without first collecting
    /// every match as `where_clause` does. Takes the same `$n` arguments (the
    /// terms).
    fn matches_sql(&self, filter: &TicketFilter) -> Option<String> {
        if !only_terms(filter) {
            return None;
        }
        let internal = filter.search_internal;
        if self.backend() == Backend::Postgres {
            let docs = postgres_docs(internal);
            return Some(format!(
                "SELECT ticket_id AS id FROM {docs} WHERE doc @@ ({})",
                postgres_query(filter.terms.len())
            ));
        }
        let public_only = if internal { "" } else { " AND (rowid & 1) = 0" };
        let mut sql =
            format!("SELECT DISTINCT rowid >> 21 AS id FROM ticket_fts WHERE ticket_fts MATCH $1{public_only}");
        for i in 2..=filter.terms.len() {
            let matches = self.term_matches(&format!("${i}"), internal);
            sql.push_str(&format!(" AND (rowid >> 21) IN ({matches})"));
        }
        Some(sql)
    }

    /// For a newest-first search by terms alone: `matches_sql` in the search
    /// index's order. SQLite's FTS5 index hands the ids out in rowid order;
    /// PostgreSQL, with one row per ticket (migration 0008), can walk the
    /// primary key backwards when the words are common. To be followed by
    /// LIMIT and OFFSET.
    fn search_page_sql(&self, filter: &TicketFilter) -> Option<String> {
        if filter.sort != SortOrder::Newest {
            return None;
        }
        let order = match self.backend() {
            Backend::Sqlite => "rowid DESC",
            Backend::Postgres => "ticket_id DESC",
        };
        self.matches_sql(filter).map(|sql| format!("{sql} ORDER BY {order}"))
    }

    /// The query counting what `filter` matches, with the same `$n` arguments
    /// as `where_clause` (which gave `where_sql`), up to one more than the
    /// filter's `count_limit`. A filter of statuses alone is summed from the
    /// counts kept by triggers (migration 0005); one of search terms alone
    /// counts index entries without reading the tickets.
    fn count_sql(&self, filter: &TicketFilter, where_sql: &str) -> String {
        if statuses_and_terms_only(filter) && filter.terms.is_empty() {
            let marks: Vec<String> = (1..=filter.statuses.len()).map(|i| format!("${i}")).collect();
            let only =
                if marks.is_empty() { String::new() } else { format!(" WHERE status IN ({})", marks.join(", ")) };
            // SUM of BIGINT is NUMERIC on PostgreSQL.
            return format!("SELECT CAST(COALESCE(SUM(tickets), 0) AS BIGINT) FROM ticket_status_counts{only}");
        }
        let rows = self.matches_sql(filter).unwrap_or_else(|| format!("SELECT t.id FROM tickets t{where_sql}"));
        match filter.count_limit {
            Some(limit) => format!("SELECT COUNT(*) FROM ({rows} LIMIT {}) counted", u64::from(limit) + 1),
            None => format!("SELECT COUNT(*) FROM ({rows}) counted"),
        }
    }

    /// The ids of the tickets whose text matches the search term `mark` (a
    /// `$n`), internal notes included only when `internal`. On SQLite the
    /// rowid holds the ticket id and the internal flag (migration 0005), and
    /// a ticket comes once per matching text; PostgreSQL has one row per
    /// ticket (migration 0008).
    fn term_matches(&self, mark: &str, internal: bool) -> String {
        match self.backend() {
            Backend::Sqlite => {
                let public_only = if internal { "" } else { " AND (rowid & 1) = 0" };
                format!("SELECT rowid >> 21 FROM ticket_fts WHERE ticket_fts MATCH {mark}{public_only}")
            }
            Backend::Postgres => {
                let docs = postgres_docs(internal);
                format!("SELECT ticket_id FROM {docs} WHERE doc @@ to_tsquery('simple', {mark})")
            }
        }
    }

    /// Builds ` WHERE …` over `tickets t` with `$n` placeholders.
    fn where_clause(&self, filter: &TicketFilter) -> (String, Vec<Arg>) {
        let mut clauses: Vec<String> = Vec::new();
        let mut args = Vec::new();
        let next = |arg: Arg, args: &mut Vec<Arg>| {
            args.push(arg);
            format!("${}", args.len())
        };
        if !filter.statuses.is_empty() {
            let marks: Vec<String> =
                filter.statuses.iter().map(|s| next(Arg::Text(s.as_str().into()), &mut args)).collect();
            clauses.push(format!("t.status IN ({})", marks.join(", ")));
        }
        match filter.assignee_id {
            Some(Some(id)) => clauses.push(format!("t.assignee_id = {}", next(Arg::Int(id), &mut args))),
            Some(None) => clauses.push("t.assignee_id IS NULL".into()),
            None => {}
        }
        for (column, value) in [
            ("t.requester_id", filter.requester_id),
            ("t.service_id", filter.service_id),
            ("t.department_id", filter.department_id),
            ("t.building_id", filter.building_id),
            ("t.team_id", filter.team_id),
        ] {
            if let Some(id) = value {
                clauses.push(format!("{column} = {}", next(Arg::Int(id), &mut args)));
            }
        }
        if let Some(t) = filter.created_from {
            clauses.push(format!("t.created_at >= {}", next(Arg::Time(t), &mut args)));
        }
        if let Some(t) = filter.created_before {
            clauses.push(format!("t.created_at < {}", next(Arg::Time(t), &mut args)));
        }
        if let Some(p) = filter.priority {
            clauses.push(format!("t.priority = {}", next(Arg::Text(p.as_str().into()), &mut args)));
        }
        if let Some(c) = filter.channel {
            clauses.push(format!("t.channel = {}", next(Arg::Text(c.as_str().into()), &mut args)));
        }
        if let Some(r) = filter.hold_reason {
            let reason = next(Arg::Text(r.as_str().into()), &mut args);
            clauses.push(format!("t.status = 'on_hold' AND t.hold_reason = {reason}"));
        }
        if let Some(sla) = filter.sla {
            let now = next(Arg::Time(filter.now.unwrap_or_else(Utc::now)), &mut args);
            // Running clocks only: the store keeps due instants of those alone.
            clauses.push(match sla {
                SlaFilter::Breached => {
                    format!("NOT t.sla_paused AND (t.resolution_due_at < {now} OR t.response_due_at < {now})")
                }
                SlaFilter::AtRisk => format!(
                    "NOT t.sla_paused AND ((t.resolution_warn_at <= {now} AND t.resolution_due_at >= {now}) \
                     OR (t.response_warn_at <= {now} AND t.response_due_at >= {now}))"
                ),
            });
        }
        if filter.hide_security_incidents {
            clauses.push("t.type <> 'security_incident'".into());
        }
        if let Some(approver) = filter.awaiting_approver {
            let mark = next(Arg::Int(approver), &mut args);
            clauses.push(format!(
                "t.id IN (SELECT ticket_id FROM ticket_authorizations WHERE approver_id = {mark} AND decision IS NULL)"
            ));
        }
        for term in &filter.terms {
            // Terms are letters and digits only (mesa_core::search::terms).
            let pattern = match self.backend() {
                Backend::Sqlite => format!("\"{term}\"*"),
                Backend::Postgres => format!("{term}:*"),
            };
            let mark = next(Arg::Text(pattern), &mut args);
            clauses.push(format!("t.id IN ({})", self.term_matches(&mark, filter.search_internal)));
        }
        let sql = if clauses.is_empty() { String::new() } else { format!(" WHERE {}", clauses.join(" AND ")) };
        (sql, args)
    }
}

/// Whether `filter` filters by statuses and search terms, or by nothing.
fn statuses_and_terms_only(filter: &TicketFilter) -> bool {
    matches!(
        filter,
        TicketFilter {
            assignee_id: None,
            requester_id: None,
            priority: None,
            service_id: None,
            department_id: None,
            building_id: None,
            team_id: None,
            created_from: None,
            created_before: None,
            sla: None,
            hide_security_incidents: false,
            awaiting_approver: None,
            channel: None,
            hold_reason: None,
            ..
        }
    )
}

/// Whether `filter` is search terms and nothing else (the sort and page aside).
fn only_terms(filter: &TicketFilter) -> bool {
    statuses_and_terms_only(filter) && filter.statuses.is_empty() && !filter.terms.is_empty()
}

/// The PostgreSQL search documents of the tickets: with internal notes or without.
fn postgres_docs(internal: bool) -> &'static str {
    if internal { "ticket_docs_staff" } else { "ticket_docs_public" }
}

/// One PostgreSQL text query matching all of the terms `$1…$terms`.
fn postgres_query(terms: usize) -> String {
    let each: Vec<String> = (1..=terms).map(|i| format!("to_tsquery('simple', ${i})")).collect();
    each.join(" && ")
}
