//! The knowledge base (issue 16): articles in Markdown, rendered to
//! sanitised HTML, for requesters (`public`) or staff (`internal`), with
//! revisions; searched with the same folding as tickets. Staff write;
//! requesters read only published public articles. Lessons learned are in
//! [`lessons`].

mod lessons;

use mesa_core::search::{fold, terms};
use mesa_core::validate::{FieldError, optional_text, required_text};
use mesa_core::{Actor, Role};
use mesa_store::{ArticleFields, ArticleFilter, ArticleRow, RevisionRow, StoreError};

pub use lessons::{LessonDecision, LessonInput};

use crate::{AppError, AppResult, Desk};

pub mod limits {
    pub const TITLE: usize = 250;
    /// Small enough that the longest article, every character escaped as a
    /// JSON surrogate pair (12 bytes), fits the API's 1 MiB body limit.
    pub const BODY: usize = 60_000;
    pub const CATEGORY: usize = 100;
    /// A lesson's what happened, cause and next time.
    pub const LESSON_TEXT: usize = 10_000;
    /// Why a lesson was rejected.
    pub const REASON: usize = 1_000;
}

/// Who an article is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Requesters (how-to guides, seed 000).
    Public,
    /// Staff only (lessons learned, seed 001).
    Internal,
}

impl Audience {
    pub const ALL: [Audience; 2] = [Audience::Public, Audience::Internal];

    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Public => "public",
            Audience::Internal => "internal",
        }
    }

    pub fn parse(raw: &str) -> Result<Audience, FieldError> {
        match raw {
            "public" => Ok(Audience::Public),
            "internal" => Ok(Audience::Internal),
            _ => Err(FieldError::new("audience", "invalid", "audience must be one of: public, internal")),
        }
    }
}

/// An article as written by staff.
#[derive(Debug, Clone)]
pub struct ArticleInput {
    pub title: String,
    pub body: String,
    pub category: Option<String>,
    pub audience: String,
    pub published: bool,
}

impl ArticleInput {
    fn parse(&self) -> Result<ArticleFields, FieldError> {
        let title = required_text("title", &self.title, limits::TITLE)?;
        let body = required_text("body", &self.body, limits::BODY)?;
        let category = optional_text("category", self.category.as_deref(), limits::CATEGORY)?;
        let audience = Audience::parse(&self.audience)?;
        Ok(fields(title, body, category, audience, self.published))
    }
}

pub(crate) fn fields(
    title: String,
    body: String,
    category: Option<String>,
    audience: Audience,
    published: bool,
) -> ArticleFields {
    let search_text = fold(&format!("{title}\n{}\n{body}", category.as_deref().unwrap_or_default()));
    ArticleFields { title, body, category, audience: audience.as_str(), published, search_text }
}

/// An article with its body rendered.
#[derive(Debug, Clone)]
pub struct Article {
    pub row: ArticleRow,
    /// The Markdown body as sanitised HTML (no scripts, styles or event
    /// attributes; links get `rel="noopener noreferrer"`).
    pub html: String,
}

/// Markdown to HTML, then through ammonia's allow-list.
pub fn render_markdown(markdown: &str) -> String {
    use pulldown_cmark::{Options, Parser, html};
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(markdown, options));
    ammonia::Builder::default().link_rel(Some("noopener noreferrer")).clean(&raw).to_string()
}

fn article(row: ArticleRow) -> Article {
    Article { html: render_markdown(&row.body), row }
}

/// What a reader may see: staff everything (drafts too), managers every
/// published article, requesters published public ones.
fn may_read(actor: &Actor, row: &ArticleRow) -> bool {
    match actor.role {
        Role::Agent | Role::Admin => true,
        Role::Manager => row.published,
        Role::Requester => row.published && row.audience == "public",
    }
}

fn require_writer(actor: &Actor) -> AppResult<()> {
    if actor.role.is_staff() {
        Ok(())
    } else {
        Err(AppError::forbidden("only agents and administrators write articles"))
    }
}

impl Desk {
    pub async fn create_article(&self, actor: &Actor, input: &ArticleInput) -> AppResult<Article> {
        require_writer(actor)?;
        let f = input.parse()?;
        Ok(article(self.store.create_article(&f, actor.user_id).await?))
    }

    /// Writes a new revision (the old ones are kept, with author and date).
    pub async fn update_article(&self, actor: &Actor, id: i64, input: &ArticleInput) -> AppResult<Article> {
        require_writer(actor)?;
        let f = input.parse()?;
        self.article(actor, id).await?;
        Ok(article(self.store.update_article(id, &f, actor.user_id).await?))
    }

    /// One article, if the reader may see it (otherwise not found).
    pub async fn article(&self, actor: &Actor, id: i64) -> AppResult<Article> {
        let row = match self.store.article(id).await {
            Ok(row) => row,
            Err(StoreError::NotFound) => return Err(AppError::NotFound("article")),
            Err(e) => return Err(e.into()),
        };
        if !may_read(actor, &row) {
            return Err(AppError::NotFound("article"));
        }
        Ok(article(row))
    }

    pub async fn article_revisions(&self, actor: &Actor, id: i64) -> AppResult<Vec<RevisionRow>> {
        self.article(actor, id).await?;
        Ok(self.store.article_revisions(id).await?)
    }

    /// The articles the reader may see, newest first; `query`: words that
    /// must all appear (accents and case ignored, as in the ticket search).
    pub async fn articles(&self, actor: &Actor, query: Option<&str>, limit: i64) -> AppResult<Vec<Article>> {
        let filter = ArticleFilter {
            terms: query.map(terms).unwrap_or_default(),
            public_only: actor.role == Role::Requester,
            published_only: !actor.role.is_staff(),
            limit,
        };
        let rows = self.store.articles(&filter).await?;
        Ok(rows.into_iter().filter(|r| may_read(actor, r)).map(article).collect())
    }

    /// Articles that match what someone is typing (a new request's subject,
    /// a ticket's text): published ones the reader may see, any of the
    /// longer words matching, best first (most words matched).
    pub async fn suggest_articles(&self, actor: &Actor, text: &str, limit: usize) -> AppResult<Vec<Article>> {
        let words: Vec<String> = terms(text).into_iter().filter(|t| t.chars().count() >= 4).collect();
        let mut scored: Vec<(usize, Article)> = Vec::new();
        for word in &words {
            let filter = ArticleFilter {
                terms: vec![word.clone()],
                public_only: actor.role == Role::Requester,
                published_only: true,
                limit: 50,
            };
            for row in self.store.articles(&filter).await? {
                if !may_read(actor, &row) {
                    continue;
                }
                match scored.iter_mut().find(|(_, a)| a.row.id == row.id) {
                    Some((n, _)) => *n += 1,
                    None => scored.push((1, article(row))),
                }
            }
        }
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.row.updated_at.cmp(&a.1.row.updated_at)));
        Ok(scored.into_iter().take(limit).map(|(_, a)| a).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_rendered_and_scripts_are_removed() {
        let html = render_markdown(
            "# Cambiar la contraseña\n\n1. Abra **Mi cuenta**\n\n<script>alert(1)</script>\n\n[guía](javascript:alert(1)) <img src=x onerror=alert(1)>",
        );
        assert!(html.contains("<h1>Cambiar la contraseña</h1>"), "{html}");
        assert!(html.contains("<strong>Mi cuenta</strong>"));
        assert!(!html.contains("<script") && !html.contains("onerror") && !html.contains("javascript:"), "{html}");
    }

    #[test]
    fn the_search_text_is_folded() {
        let f = fields("Impresión".into(), "Configurar el CORREO".into(), Some("Guías".into()), Audience::Public, true);
        assert_eq!(f.search_text, "impresion\nguias\nconfigurar el correo");
        assert_eq!(Audience::parse("secret").unwrap_err().field, "audience");
    }
}
