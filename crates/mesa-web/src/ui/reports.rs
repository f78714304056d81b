//! The report page (issue 17): filters, tables and SVG charts drawn on the
//! server (no JavaScript), and the report's CSV, XLSX and PDF downloads for
//! a signed-in browser or a bearer token.

use askama::Template;
use axum::extract::{FromRequestParts, Query, RawQuery, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use mesa_app::{Directory, DirectoryItem, Service};
use mesa_core::validate::FieldError;
use mesa_core::{Actor, Channel, Lang, TicketType, User};
use mesa_export::{Chart, Sheet};

use super::session::{SESSION_COOKIE, Viewer, cookie};
use super::{Chrome, UiError, UiResult, page};
use crate::AppState;
use crate::api::reports::SummaryParams;

/// Who downloads a report: a bearer token (any scope) or a signed-in browser.
pub struct Reader {
    actor: Actor,
    lang: Lang,
}

impl FromRequestParts<AppState> for Reader {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let found: Result<Option<User>, mesa_app::AppError> = match crate::extract::bearer(parts) {
            Some(token) => state.desk.authenticate_feed_token(token).await.map(|(_, user, _)| Some(user)),
            None => match cookie(&parts.headers, SESSION_COOKIE) {
                Some(value) => state.desk.session(&value).await.map(|s| {
                    // A session opened by a ticket link reaches that ticket only.
                    s.filter(|s| s.ticket_number.is_none()).map(|s| s.user)
                }),
                None => Ok(None),
            },
        };
        match found {
            Ok(Some(user)) => Ok(Reader { actor: Actor { user_id: user.id, role: user.role }, lang: user.language }),
            Ok(None) => Err(super::session::ToLogin.into_response()),
            Err(e) => Err(UiError::from(e).into_response()),
        }
    }
}

/// The filled parameters of a query string: the filter form sends every
/// field, the empty ones ("all") too, and those are dropped.
fn filled(raw: Option<&str>) -> String {
    raw.unwrap_or_default().split('&').filter(|p| !p.is_empty() && !p.ends_with('=')).collect::<Vec<_>>().join("&")
}

/// The report's parameters; `None` when they cannot be read (a malformed
/// date or number typed into the address).
fn report_params(raw: Option<&str>) -> Option<SummaryParams> {
    let uri: axum::http::Uri = format!("/reports?{}", filled(raw)).parse().ok()?;
    Query::<SummaryParams>::try_from_uri(&uri).ok().map(|Query(p)| p)
}

/// The query string again, for the download links.
fn query_string(raw: Option<&str>) -> String {
    let kept = filled(raw);
    if kept.is_empty() { kept } else { format!("?{kept}") }
}

async fn download(
    state: &AppState,
    reader: &Reader,
    raw: Option<&str>,
    ext: &str,
) -> Result<(mesa_core::report::Summary, String), UiError> {
    let params = report_params(raw)
        .ok_or_else(|| mesa_app::AppError::Invalid(FieldError::new("query", "invalid", "unreadable parameters")))?;
    let query = params.query(state).await?;
    let summary = state.desk.report_summary(&reader.actor, &query).await?;
    let name = format!("mesa-report-{}-{}.{ext}", summary.period.from, summary.period.to);
    Ok((summary, name))
}

fn attachment(content_type: &'static str, name: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    ([(header::CONTENT_TYPE, content_type.to_owned()), (header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response()
}

pub async fn summary_csv(State(state): State<AppState>, reader: Reader, RawQuery(raw): RawQuery) -> UiResult<Response> {
    let (summary, name) = download(&state, &reader, raw.as_deref(), "csv").await?;
    Ok(attachment("text/csv; charset=utf-8", &name, mesa_export::csv(&summary)))
}

pub async fn summary_xlsx(
    State(state): State<AppState>,
    reader: Reader,
    RawQuery(raw): RawQuery,
) -> UiResult<Response> {
    let (summary, name) = download(&state, &reader, raw.as_deref(), "xlsx").await?;
    let bytes = match mesa_export::xlsx(&summary, reader.lang) {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "the report's spreadsheet failed");
            return Ok(super::status_page(axum::http::StatusCode::INTERNAL_SERVER_ERROR));
        }
    };
    Ok(attachment("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &name, bytes))
}

pub async fn summary_pdf(State(state): State<AppState>, reader: Reader, RawQuery(raw): RawQuery) -> UiResult<Response> {
    let (summary, name) = download(&state, &reader, raw.as_deref(), "pdf").await?;
    Ok(attachment("application/pdf", &name, mesa_export::pdf(&summary, reader.lang, state.desk.document_logo().await?)))
}

/// Text for SVG and HTML: `&`, `<`, `>` and quotes escaped.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const BAR_ROW: usize = 22;
const CHART_WIDTH: usize = 640;
const LABEL_WIDTH: usize = 220;

/// A horizontal bar per row of `sheet` (its first figure), as an SVG with
/// a title and a description that say where the values are.
fn bar_chart(sheet: &Sheet, id: &str, description: &str) -> String {
    let values: Vec<f64> = sheet.rows.iter().map(|r| r.cells.first().map_or(0.0, number)).collect();
    let max = values.iter().copied().fold(0.0, f64::max);
    let height = BAR_ROW * sheet.rows.len() + 4;
    let track = (CHART_WIDTH - LABEL_WIDTH - 60) as f64;
    let mut svg = format!(
        "<svg class=\"chart\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" viewBox=\"0 0 {CHART_WIDTH} {height}\" \
         width=\"100%\" preserveAspectRatio=\"xMinYMin meet\"><title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        escape(&sheet.title),
        escape(description)
    );
    for (i, (row, value)) in sheet.rows.iter().zip(&values).enumerate() {
        let y = i * BAR_ROW;
        let length = if max > 0.0 { value / max * track } else { 0.0 };
        let label: String = row.label.chars().take(32).collect();
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-size=\"13\" fill=\"#1d2733\">{}</text>\
             <rect x=\"{LABEL_WIDTH}\" y=\"{}\" width=\"{:.1}\" height=\"14\" fill=\"#1f4f8c\"></rect>\
             <text x=\"{:.1}\" y=\"{}\" font-size=\"13\" fill=\"#1d2733\">{}</text>",
            y + 15,
            escape(&label),
            y + 4,
            length.max(1.0),
            LABEL_WIDTH as f64 + length + 6.0,
            y + 15,
            escape(&row.cells.first().map(|c| c.plain()).unwrap_or_default()),
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// A line per figure of `sheet` (opened, solved) over its rows (days).
fn line_chart(sheet: &Sheet, id: &str, description: &str) -> String {
    let (width, height, left, bottom) = (CHART_WIDTH as f64, 200.0, 40.0, 170.0);
    let series = sheet.columns.len().saturating_sub(1);
    let max = sheet.rows.iter().flat_map(|r| r.cells.iter().map(number)).fold(1.0, f64::max);
    let step = if sheet.rows.len() > 1 { (width - left - 10.0) / (sheet.rows.len() - 1) as f64 } else { 0.0 };
    let mut svg = format!(
        "<svg class=\"chart\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" viewBox=\"0 0 {width} {height}\" \
         width=\"100%\" preserveAspectRatio=\"xMinYMin meet\"><title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>\
         <path d=\"M{left} 10 V{bottom} H{}\" stroke=\"#555\" fill=\"none\"></path>\
         <text x=\"0\" y=\"20\" font-size=\"12\" fill=\"#1d2733\">{max}</text>\
         <text x=\"0\" y=\"{bottom}\" font-size=\"12\" fill=\"#1d2733\">0</text>",
        escape(&sheet.title),
        escape(description),
        width - 10.0,
    );
    let colours = ["#1f4f8c", "#b35900"];
    for s in 0..series {
        let points: Vec<String> = sheet
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let v = r.cells.get(s).map_or(0.0, number);
                format!("{:.1},{:.1}", left + step * i as f64, bottom - v / max * (bottom - 10.0))
            })
            .collect();
        let colour = colours[s % colours.len()];
        svg.push_str(&format!(
            "<polyline points=\"{}\" stroke=\"{colour}\" stroke-width=\"2\" fill=\"none\"></polyline>\
             <rect x=\"{}\" y=\"186\" width=\"12\" height=\"8\" fill=\"{colour}\"></rect>\
             <text x=\"{}\" y=\"195\" font-size=\"12\" fill=\"#1d2733\">{}</text>",
            points.join(" "),
            left + 150.0 * s as f64,
            left + 16.0 + 150.0 * s as f64,
            escape(&sheet.columns[s + 1].1),
        ));
    }
    svg.push_str("</svg>");
    svg
}

fn number(c: &mesa_export::Cell) -> f64 {
    match c {
        mesa_export::Cell::Int(n) => *n as f64,
        mesa_export::Cell::Num(v) => v.unwrap_or(0.0),
        mesa_export::Cell::Date(_) | mesa_export::Cell::Text(_) => 0.0,
    }
}

/// A table of the page, with its chart (already SVG) if it has one.
pub struct Section {
    pub sheet: Sheet,
    pub chart: Option<String>,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportPage {
    c: Chrome,
    period_line: String,
    institution: String,
    from: String,
    to: String,
    query: String,
    sections: Vec<Section>,
    error: Option<String>,
    services: Vec<Service>,
    departments: Vec<DirectoryItem>,
    buildings: Vec<DirectoryItem>,
    teams: Vec<DirectoryItem>,
    types: Vec<(&'static str, String)>,
    channels: Vec<(&'static str, String)>,
    chosen: SummaryParams,
}

impl ReportPage {
    fn selected_id(&self, chosen: &Option<i64>, id: &i64) -> bool {
        chosen.as_ref() == Some(id)
    }

    fn selected_name(&self, chosen: &Option<String>, name: &str) -> bool {
        chosen.as_deref() == Some(name)
    }
}

/// The report page: the filter form, then each table with its chart.
pub async fn index(State(state): State<AppState>, viewer: Viewer, RawQuery(raw): RawQuery) -> UiResult<Response> {
    let session = &viewer.0;
    let c = Chrome::new(session, "ui.reports.title", "reports");
    let lang = session.user.language;
    let (chosen, mut error) = match report_params(raw.as_deref()) {
        Some(p) => (p, None),
        None => (SummaryParams::default(), Some(c.tr.t("ui.error.invalid").to_owned())),
    };
    let summary = match chosen.query(&state).await {
        Ok(query) => match state.desk.report_summary(&session.actor, &query).await {
            Ok(summary) => Some(summary),
            Err(mesa_app::AppError::Invalid(f)) => {
                error = Some(format!("{}: {}", f.field, c.tr.t(&format!("ui.error.{}", f.code))));
                None
            }
            Err(e) => return Err(e.into()),
        },
        Err(mesa_app::AppError::Invalid(f)) => {
            error = Some(format!("{}: {}", f.field, c.tr.t(&format!("ui.error.{}", f.code))));
            None
        }
        Err(e) => return Err(e.into()),
    };
    let summary = match summary {
        Some(s) => s,
        None => {
            let default = state.desk.report_period(None, None).await?;
            let query = mesa_app::reports::ReportQuery { period: default, filter: Default::default() };
            state.desk.report_summary(&session.actor, &query).await?
        }
    };
    let described = c.tr.t("ui.reports.chart_bar").to_owned();
    let sections = mesa_export::sheets(&summary, lang)
        .into_iter()
        .enumerate()
        .map(|(i, sheet)| {
            let id = format!("chart-{i}");
            let chart = match sheet.chart {
                Chart::Bars if !sheet.rows.is_empty() => Some(bar_chart(&sheet, &id, &described)),
                Chart::Lines if !sheet.rows.is_empty() => Some(line_chart(&sheet, &id, &described)),
                _ => None,
            };
            Section { sheet, chart }
        })
        .collect();
    let tr = c.tr.clone();
    let body = ReportPage {
        period_line: mesa_export::period_line(&summary, lang),
        institution: summary.institution.clone(),
        // What was asked for stays in the form, even when it was refused.
        from: chosen.from.unwrap_or(summary.period.from).to_string(),
        to: chosen.to.unwrap_or(summary.period.to).to_string(),
        query: query_string(raw.as_deref()),
        sections,
        error,
        services: state.desk.list_services().await?,
        departments: state.desk.list_items(Directory::Departments).await?,
        buildings: state.desk.list_items(Directory::Buildings).await?,
        teams: state.desk.list_items(Directory::Teams).await?,
        types: TicketType::ALL.iter().map(|t| (t.as_str(), tr.label(t))).collect(),
        channels: Channel::ALL.iter().map(|t| (t.as_str(), tr.label(t))).collect(),
        chosen,
        c,
    };
    Ok(page(&body))
}

#[cfg(test)]
mod tests {
    use super::{query_string, report_params};

    #[test]
    fn all_in_the_filter_form_is_no_filter_and_a_bad_date_is_unreadable() {
        let p = report_params(Some("from=2026-11-01&to=2026-11-30&service_id=&type=&channel=phone")).unwrap();
        assert_eq!((p.service_id, p.ticket_type.as_deref(), p.channel.as_deref()), (None, None, Some("phone")));
        assert_eq!(p.from.map(|d| d.to_string()).as_deref(), Some("2026-11-01"));
        assert!(report_params(None).is_some());
        assert!(report_params(Some("from=ayer")).is_none());
        assert!(report_params(Some("service_id=uno")).is_none());
        assert_eq!(query_string(Some("from=2026-11-01&service_id=&level=2")), "?from=2026-11-01&level=2");
        assert_eq!(query_string(Some("service_id=")), "");
    }
}
