//! The knowledge base (issue 16): articles with their revisions, searched
//! term by term in a folded copy of their text (`mesa_core::search::fold`,
//! as tickets are), and lessons learned waiting for an administrator.

use chrono::{DateTime, Utc};

use crate::{Store, StoreResult, with_pool, with_tx};

/// An article's fields as written (the body is Markdown).
#[derive(Debug, Clone)]
pub struct ArticleFields {
    pub title: String,
    pub body: String,
    pub category: Option<String>,
    /// `public` or `internal`.
    pub audience: &'static str,
    pub published: bool,
    /// Folded title, category and body, for the search.
    pub search_text: String,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ArticleRow {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub category: Option<String>,
    pub audience: String,
    pub published: bool,
    pub ticket_id: Option<i64>,
    /// The number of `ticket_id` (a lesson's case).
    pub ticket_number: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub author_id: Option<i64>,
    pub revision: i64,
}

const ARTICLE_COLUMNS: &str = "id, title, body, category, audience, published, ticket_id, \
     (SELECT number FROM tickets WHERE tickets.id = articles.ticket_id) AS ticket_number, created_at, updated_at, \
     author_id, revision";

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RevisionRow {
    pub revision: i64,
    pub title: String,
    pub author_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// Which articles a list may show.
#[derive(Debug, Clone, Default)]
pub struct ArticleFilter {
    /// Folded alphanumeric terms; all must match.
    pub terms: Vec<String>,
    /// Only `public` articles (requesters, anonymous readers).
    pub public_only: bool,
    /// Only published ones.
    pub published_only: bool,
    pub limit: i64,
}

#[derive(Debug, Clone)]
pub struct NewLesson<'a> {
    pub ticket_id: i64,
    pub title: &'a str,
    pub what_happened: &'a str,
    pub cause: &'a str,
    pub next_time: &'a str,
    pub proposed_by: i64,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct LessonRow {
    pub id: i64,
    pub ticket_id: i64,
    pub ticket_number: i64,
    pub title: String,
    pub what_happened: String,
    pub cause: String,
    pub next_time: String,
    pub proposed_by: i64,
    pub created_at: DateTime<Utc>,
    pub decision: Option<String>,
    pub reason: Option<String>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
    pub article_id: Option<i64>,
}

const LESSON_COLUMNS: &str = "l.id, l.ticket_id, t.number AS ticket_number, l.title, l.what_happened, l.cause, \
     l.next_time, l.proposed_by, l.created_at, l.decision, l.reason, l.decided_by, l.decided_at, l.article_id";

/// Inserts an article and its first revision inside `$tx`; evaluates to its id.
macro_rules! insert_article {
    ($tx:ident, $f:expr, $author:expr, $ticket:expr, $now:expr) => {{
        let f: &ArticleFields = $f;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO articles (title, body, category, audience, published, ticket_id, search_text, created_at,
                                   updated_at, author_id, revision)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, 1) RETURNING id",
        )
        .bind(&f.title)
        .bind(&f.body)
        .bind(&f.category)
        .bind(f.audience)
        .bind(f.published)
        .bind($ticket)
        .bind(&f.search_text)
        .bind($now)
        .bind($author)
        .fetch_one(&mut *$tx)
        .await?;
        insert_revision!($tx, id, 1i64, f, $author, $now);
        id
    }};
}

macro_rules! insert_revision {
    ($tx:ident, $id:expr, $revision:expr, $f:expr, $author:expr, $now:expr) => {{
        let f: &ArticleFields = $f;
        sqlx::query(
            "INSERT INTO article_revisions (article_id, revision, title, body, category, audience, published,
                                            author_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind($id)
        .bind($revision)
        .bind(&f.title)
        .bind(&f.body)
        .bind(&f.category)
        .bind(f.audience)
        .bind(f.published)
        .bind($author)
        .bind($now)
        .execute(&mut *$tx)
        .await?;
    }};
}

impl Store {
    #[tracing::instrument(skip_all)]
    pub async fn create_article(&self, f: &ArticleFields, author: i64) -> StoreResult<ArticleRow> {
        let now = Utc::now();
        let id = with_tx!(self, |tx| {
            let id = insert_article!(tx, f, author, Option::<i64>::None, now);
            tx.commit().await?;
            id
        });
        self.article(id).await
    }

    /// Writes a new revision of an article.
    #[tracing::instrument(skip_all)]
    pub async fn update_article(&self, id: i64, f: &ArticleFields, author: i64) -> StoreResult<ArticleRow> {
        let now = Utc::now();
        with_tx!(self, |tx| {
            let revision: i64 = sqlx::query_scalar(
                "UPDATE articles SET title = $2, body = $3, category = $4, audience = $5, published = $6,
                        search_text = $7, updated_at = $8, author_id = $9, revision = revision + 1
                 WHERE id = $1 RETURNING revision",
            )
            .bind(id)
            .bind(&f.title)
            .bind(&f.body)
            .bind(&f.category)
            .bind(f.audience)
            .bind(f.published)
            .bind(&f.search_text)
            .bind(now)
            .bind(author)
            .fetch_one(&mut *tx)
            .await?;
            insert_revision!(tx, id, revision, f, author, now);
            tx.commit().await?;
        });
        self.article(id).await
    }

    #[tracing::instrument(skip_all)]
    pub async fn article(&self, id: i64) -> StoreResult<ArticleRow> {
        let sql = format!("SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = $1");
        Ok(with_pool!(self, read, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id)
            .fetch_one(pool)
            .await)?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn article_revisions(&self, id: i64) -> StoreResult<Vec<RevisionRow>> {
        Ok(with_pool!(self, read, |pool| sqlx::query_as(
            "SELECT revision, title, author_id, created_at FROM article_revisions WHERE article_id = $1
             ORDER BY revision DESC"
        )
        .bind(id)
        .fetch_all(pool)
        .await)?)
    }

    /// Articles, most recently updated first. Terms are letters and digits
    /// only (`mesa_core::search::terms`), so they go into LIKE patterns as is.
    #[tracing::instrument(skip_all)]
    pub async fn articles(&self, filter: &ArticleFilter) -> StoreResult<Vec<ArticleRow>> {
        let mut clauses = Vec::new();
        if filter.public_only {
            clauses.push("audience = 'public'".to_owned());
        }
        if filter.published_only {
            clauses.push("published".to_owned());
        }
        for (i, _) in filter.terms.iter().enumerate() {
            clauses.push(format!("search_text LIKE ${}", i + 1));
        }
        let where_sql = if clauses.is_empty() { String::new() } else { format!(" WHERE {}", clauses.join(" AND ")) };
        let sql = format!(
            "SELECT {ARTICLE_COLUMNS} FROM articles{where_sql} ORDER BY updated_at DESC, id DESC LIMIT {}",
            filter.limit.clamp(1, 500)
        );
        with_pool!(self, read, |pool| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for term in &filter.terms {
                q = q.bind(format!("%{term}%"));
            }
            Ok(q.fetch_all(pool).await?)
        })
    }

    #[tracing::instrument(skip_all)]
    pub async fn create_lesson(&self, new: &NewLesson<'_>) -> StoreResult<LessonRow> {
        let id: i64 = with_pool!(self, write, |pool| sqlx::query_scalar(
            "INSERT INTO lessons (ticket_id, title, what_happened, cause, next_time, proposed_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
        )
        .bind(new.ticket_id)
        .bind(new.title)
        .bind(new.what_happened)
        .bind(new.cause)
        .bind(new.next_time)
        .bind(new.proposed_by)
        .bind(Utc::now())
        .fetch_one(pool)
        .await)?;
        self.lesson(id).await
    }

    #[tracing::instrument(skip_all)]
    pub async fn lesson(&self, id: i64) -> StoreResult<LessonRow> {
        let sql =
            format!("SELECT {LESSON_COLUMNS} FROM lessons l JOIN tickets t ON t.id = l.ticket_id WHERE l.id = $1");
        Ok(with_pool!(self, write, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id)
            .fetch_one(pool)
            .await)?)
    }

    /// Lessons, oldest first; `pending_only`: those still waiting for a decision.
    #[tracing::instrument(skip_all)]
    pub async fn lessons(&self, pending_only: bool) -> StoreResult<Vec<LessonRow>> {
        let filter = if pending_only { " WHERE l.decision IS NULL" } else { "" };
        let sql = format!(
            "SELECT {LESSON_COLUMNS} FROM lessons l JOIN tickets t ON t.id = l.ticket_id{filter} ORDER BY l.id LIMIT 500"
        );
        Ok(with_pool!(self, read, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).fetch_all(pool).await)?)
    }

    /// Records a decision on a pending lesson; an accepted one becomes the
    /// article `article` (linked to the lesson's ticket) in the same
    /// transaction. `false`: it had been decided already (nothing written).
    #[tracing::instrument(skip_all)]
    pub async fn decide_lesson(
        &self,
        id: i64,
        decision: &str,
        reason: Option<&str>,
        by: i64,
        article: Option<&ArticleFields>,
    ) -> StoreResult<bool> {
        let now = Utc::now();
        with_tx!(self, |tx| {
            let ticket_id: Option<i64> = sqlx::query_scalar(
                "UPDATE lessons SET decision = $2, reason = $3, decided_by = $4, decided_at = $5
                 WHERE id = $1 AND decision IS NULL RETURNING ticket_id",
            )
            .bind(id)
            .bind(decision)
            .bind(reason)
            .bind(by)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(ticket_id) = ticket_id else { return Ok(false) };
            if let Some(f) = article {
                let article_id = insert_article!(tx, f, by, Some(ticket_id), now);
                sqlx::query("UPDATE lessons SET article_id = $2 WHERE id = $1")
                    .bind(id)
                    .bind(article_id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }
}
