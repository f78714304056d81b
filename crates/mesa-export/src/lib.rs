//! The management report (issue 17) as tables ([`sheets`]), and those
//! tables as CSV (stable codes, one figure a line, for machines), XLSX (a
//! sheet per table, numbers as numbers, dates as dates) and PDF (with bar
//! and line charts), in the reader's language.

#![forbid(unsafe_code)]

use chrono::{Datelike, NaiveDate};
use mesa_core::Lang;
use mesa_core::labels::{Labelled, text};
use mesa_core::report::{Compliance, Dimension, NamedCount, Summary};
use mesa_pdf::report::{Block, Report};

/// One value of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Int(i64),
    /// A figure that may be missing (no time measured, nothing judged).
    Num(Option<f64>),
    Date(NaiveDate),
    Text(String),
}

impl Cell {
    /// As a CSV or page shows it (empty when missing).
    pub fn plain(&self) -> String {
        match self {
            Cell::Int(n) => n.to_string(),
            Cell::Num(Some(v)) => format!("{v}"),
            Cell::Num(None) => String::new(),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::Text(t) => t.clone(),
        }
    }

    fn number(&self) -> Option<f64> {
        match self {
            Cell::Int(n) => Some(*n as f64),
            Cell::Num(v) => *v,
            Cell::Date(_) | Cell::Text(_) => None,
        }
    }
}

/// A table row: what it is about, as a stable code and as shown, then its
/// figures (one per column after the first).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub code: String,
    pub label: String,
    /// The row's date, for the rows that are days.
    pub day: Option<NaiveDate>,
    pub cells: Vec<Cell>,
}

/// How a table is drawn besides as a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    None,
    /// A bar per row, of its first figure.
    Bars,
    /// A line per figure, over the rows (days).
    Lines,
}

/// One table of the report: a stable key (CSV), a title, its columns (key
/// and title; the first is the rows' label) and rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub key: String,
    pub title: String,
    pub columns: Vec<(String, String)>,
    pub rows: Vec<Row>,
    pub chart: Chart,
}

fn column(lang: Lang, key: &str, label_key: &str) -> (String, String) {
    (key.to_owned(), text(lang, label_key).to_owned())
}

fn row(code: &str, label: &str, cells: Vec<Cell>) -> Row {
    Row { code: code.to_owned(), label: label.to_owned(), day: None, cells }
}

fn compliance_cells(c: &Compliance) -> [Cell; 3] {
    [Cell::Int(c.met), Cell::Int(c.missed), Cell::Num(c.percent())]
}

/// The label of a breakdown line: enumerated values translated, rows by
/// their name, "none" for tickets without one.
fn breakdown_label(lang: Lang, dimension: Dimension, line: &NamedCount) -> String {
    let label_of = |value: Option<&dyn Labelled>| value.map(|v| v.label(lang).to_owned());
    let translated = match dimension {
        Dimension::Status => label_of(mesa_core::Status::parse(&line.name).ok().as_ref().map(|v| v as _)),
        Dimension::Type => label_of(mesa_core::TicketType::parse(&line.name).ok().as_ref().map(|v| v as _)),
        Dimension::Channel => label_of(mesa_core::Channel::parse(&line.name).ok().as_ref().map(|v| v as _)),
        _ if dimension.names_rows() && line.id.is_none() => Some(text(lang, "ui.reports.none").to_owned()),
        _ => None,
    };
    translated.unwrap_or_else(|| line.name.clone())
}

/// The report's tables, in the order they are shown.
pub fn sheets(s: &Summary, lang: Lang) -> Vec<Sheet> {
    let t = |key: &str| text(lang, key);
    let mut out = Vec::new();
    let count_columns = || vec![column(lang, "name", "ui.reports.name"), column(lang, "count", "ui.reports.count")];
    let mut summary_rows: Vec<Row> = [
        ("opened", s.counts.opened),
        ("solved", s.counts.solved),
        ("closed", s.counts.closed),
        ("backlog_start", s.counts.backlog_start),
        ("backlog_end", s.counts.backlog_end),
        ("reassignments", s.reassignments),
        ("escalations", s.escalations),
        ("de_escalations", s.de_escalations),
    ]
    .into_iter()
    .map(|(code, n)| row(code, t(&format!("ui.reports.{code}")), vec![Cell::Int(n)]))
    .collect();
    if let Some(f) = &s.surveys {
        summary_rows.push(row("surveys_sent", t("ui.reports.sent"), vec![Cell::Int(f.sent as i64)]));
        summary_rows.push(row("surveys_answered", t("ui.reports.answered"), vec![Cell::Int(f.answered as i64)]));
        summary_rows.push(row(
            "surveys_response_rate",
            t("ui.reports.response_rate"),
            vec![Cell::Num(Some(f.response_rate))],
        ));
    }
    out.push(Sheet {
        key: "summary".into(),
        title: t("ui.reports.counts").into(),
        columns: count_columns(),
        rows: summary_rows,
        chart: Chart::None,
    });
    out.push(Sheet {
        key: "times".into(),
        title: t("ui.reports.times").into(),
        columns: vec![
            column(lang, "measure", "ui.reports.name"),
            column(lang, "count", "ui.reports.measured"),
            column(lang, "median_hours", "ui.reports.median"),
            column(lang, "p90_hours", "ui.reports.p90"),
        ],
        rows: [("first_response", &s.first_response), ("resolution", &s.resolution)]
            .into_iter()
            .map(|(code, f)| {
                let cells = vec![Cell::Int(f.count as i64), Cell::Num(f.median_hours()), Cell::Num(f.p90_hours())];
                row(code, t(&format!("ui.reports.{code}")), cells)
            })
            .collect(),
        chart: Chart::None,
    });
    for (dimension, lines) in &s.breakdowns {
        out.push(Sheet {
            key: format!("by_{dimension}"),
            title: t(&format!("ui.reports.dimension.{dimension}")).into(),
            columns: count_columns(),
            rows: lines
                .iter()
                .map(|l| {
                    let code = if l.id.is_none() && dimension.names_rows() { "none" } else { &l.name };
                    row(code, &breakdown_label(lang, *dimension, l), vec![Cell::Int(l.count)])
                })
                .collect(),
            chart: Chart::Bars,
        });
    }
    let judged = |prefix: &str| {
        [
            column(lang, &format!("{prefix}_met"), &format!("ui.reports.{prefix}_met")),
            column(lang, &format!("{prefix}_missed"), &format!("ui.reports.{prefix}_missed")),
            column(lang, &format!("{prefix}_percent"), "ui.reports.percent"),
        ]
    };
    let mut target_columns =
        vec![column(lang, "target", "ui.reports.target"), column(lang, "tickets", "ui.reports.count")];
    target_columns.extend(judged("response"));
    target_columns.extend(judged("resolution"));
    out.push(Sheet {
        key: "targets".into(),
        title: t("ui.reports.targets").into(),
        columns: target_columns,
        rows: s
            .targets
            .iter()
            .map(|target| {
                let service = target.service.clone();
                let code = format!("{}/{}", service.as_deref().unwrap_or("default"), target.priority);
                let label = format!(
                    "{} · {}",
                    service.as_deref().unwrap_or(t("ui.reports.default_target")),
                    target.priority.label(lang)
                );
                let mut cells = vec![Cell::Int(target.tickets)];
                cells.extend(compliance_cells(&target.response));
                cells.extend(compliance_cells(&target.resolution));
                row(&code, &label, cells)
            })
            .collect(),
        chart: Chart::None,
    });
    out.push(Sheet {
        key: "routing".into(),
        title: t("ui.reports.routing").into(),
        columns: count_columns(),
        rows: s
            .assignments_by_criterion
            .iter()
            .map(|c| {
                let key = format!("ui.reports.criterion.{}", c.name);
                let label = if mesa_core::report::CRITERIA.contains(&c.name.as_str()) { t(&key) } else { &c.name };
                row(&c.name, label, vec![Cell::Int(c.count)])
            })
            .collect(),
        chart: Chart::Bars,
    });
    out.push(Sheet {
        key: "reassignments".into(),
        title: t("ui.reports.reassignments").into(),
        columns: count_columns(),
        rows: s
            .reassignments_by_criterion
            .iter()
            .map(|c| {
                let key = format!("criterion.{}", c.name);
                let label = if text(lang, &key) == "??" { c.name.as_str() } else { text(lang, &key) };
                row(&c.name, label, vec![Cell::Int(c.count)])
            })
            .collect(),
        chart: Chart::Bars,
    });
    let mut vendor_columns = vec![
        column(lang, "contract", "ui.reports.contract"),
        column(lang, "escalations", "ui.reports.vendor_escalations"),
    ];
    vendor_columns.extend(judged("response"));
    vendor_columns.extend(judged("resolution"));
    out.push(Sheet {
        key: "vendors".into(),
        title: t("ui.reports.vendors").into(),
        columns: vendor_columns,
        rows: s
            .vendors
            .iter()
            .map(|v| {
                let mut cells = vec![Cell::Int(v.escalations)];
                cells.extend(compliance_cells(&v.response));
                cells.extend(compliance_cells(&v.resolution));
                row(&v.contract, &format!("{} · {}", v.vendor, v.contract), cells)
            })
            .collect(),
        chart: Chart::None,
    });
    out.push(Sheet {
        key: "maintenance".into(),
        title: t("ui.reports.maintenance").into(),
        columns: vec![
            column(lang, "plan", "maintenance.plan"),
            column(lang, "on_time", "ui.maintenance.status.on_time"),
            column(lang, "late", "ui.maintenance.status.late"),
            column(lang, "missed", "ui.maintenance.status.missed"),
            column(lang, "upcoming", "ui.maintenance.status.upcoming"),
            column(lang, "on_time_percent", "ui.reports.on_time_percent"),
        ],
        rows: s
            .maintenance
            .iter()
            .map(|m| {
                let c = &m.counts;
                let cells = [c.on_time, c.late, c.missed, c.upcoming].map(|n| Cell::Int(i64::from(n)));
                let mut cells = cells.to_vec();
                let due = c.on_time + c.late + c.missed;
                cells.push(Cell::Num(mesa_core::report::percent_of(f64::from(c.on_time), f64::from(due))));
                row(&m.plan, &m.plan, cells)
            })
            .collect(),
        chart: Chart::None,
    });
    out.push(Sheet {
        key: "improvement_actions".into(),
        title: t("ui.reports.improvement_actions").into(),
        columns: vec![
            column(lang, "action", "ui.indicators.action"),
            column(lang, "indicator", "ui.indicators.code"),
            column(lang, "month", "ui.indicators.month"),
            column(lang, "owner", "ui.indicators.owner"),
            column(lang, "due_date", "ui.indicators.due_date"),
            column(lang, "status", "ui.indicators.status"),
        ],
        rows: s
            .improvement_actions
            .iter()
            .map(|a| {
                let status = text(lang, &format!("ui.indicators.status.{}", a.status));
                let cells = vec![
                    Cell::Text(a.indicator.clone()),
                    Cell::Text(a.month.clone()),
                    Cell::Text(a.owner.clone()),
                    Cell::Date(a.due),
                    Cell::Text(status.to_owned()),
                ];
                row(&a.id.to_string(), &a.what, cells)
            })
            .collect(),
        chart: Chart::None,
    });
    if let Some(f) = &s.surveys {
        out.push(Sheet {
            key: "surveys".into(),
            title: t("ui.reports.surveys").into(),
            columns: vec![
                column(lang, "question", "ui.reports.question"),
                column(lang, "answers", "ui.reports.answered"),
                column(lang, "average", "ui.reports.average"),
            ],
            rows: f
                .questions
                .iter()
                .map(|q| row(&q.key, &q.key, vec![Cell::Int(q.answers as i64), Cell::Num(q.average)]))
                .collect(),
            chart: Chart::None,
        });
    }
    out.push(Sheet {
        key: "days".into(),
        title: t("ui.reports.daily").into(),
        columns: vec![
            column(lang, "day", "ui.reports.day"),
            column(lang, "opened", "ui.reports.opened"),
            column(lang, "solved", "ui.reports.solved"),
        ],
        rows: s
            .days
            .iter()
            .map(|d| {
                let code = d.day.format("%Y-%m-%d").to_string();
                Row { day: Some(d.day), ..row(&code, &code, vec![Cell::Int(d.opened), Cell::Int(d.solved)]) }
            })
            .collect(),
        chart: Chart::Lines,
    });
    out
}

/// The period as a line: "Periodo: 2026-11-01 – 2026-11-30", and the
/// filters after it.
pub fn period_line(s: &Summary, lang: Lang) -> String {
    let mut line = format!("{}: {} – {}", text(lang, "ui.reports.period"), s.period.from, s.period.to);
    for (dimension, name) in &s.filters.0 {
        let shown = match dimension {
            Dimension::Type => mesa_core::TicketType::parse(name).map(|v| v.label(lang).to_owned()).ok(),
            Dimension::Channel => mesa_core::Channel::parse(name).map(|v| v.label(lang).to_owned()).ok(),
            _ => None,
        };
        line.push_str(&format!(
            " · {}: {}",
            text(lang, &format!("ui.reports.dimension.{dimension}")),
            shown.unwrap_or_else(|| name.clone())
        ));
    }
    line
}

/// The report as CSV: `section,item,measure,value`, one figure a line, with
/// stable codes (not translated) so a spreadsheet or a BI tool can pivot it.
/// The period is in the first lines.
pub fn csv(s: &Summary) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut write = |fields: [&str; 4]| w.write_record(fields).expect("writing to memory");
    write(["section", "item", "measure", "value"]);
    write(["period", "", "from", &s.period.from.to_string()]);
    write(["period", "", "to", &s.period.to.to_string()]);
    for (dimension, name) in &s.filters.0 {
        write(["filter", dimension.as_str(), "name", name]);
    }
    for sheet in sheets(s, Lang::En) {
        for r in &sheet.rows {
            for ((measure, _), cell) in sheet.columns.iter().skip(1).zip(&r.cells) {
                write([&sheet.key, &r.code, measure, &cell.plain()]);
            }
        }
    }
    w.into_inner().expect("writing to memory")
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`,
/// and unlike the names already taken.
fn sheet_name(title: &str, taken: &mut Vec<String>) -> String {
    let clean: String = title.chars().map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c }).collect();
    let mut name: String = clean.trim().chars().take(31).collect();
    let base: String = name.chars().take(27).collect();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        name = format!("{base} {n}");
        n += 1;
    }
    taken.push(name.clone());
    name
}

/// The report as an XLSX workbook: a sheet per table, a bold header row,
/// figures as numbers and days as dates. The first sheet starts with the
/// institution and the period (two dates).
pub fn xlsx(s: &Summary, lang: Lang) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let excel_date = |d: NaiveDate| ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8);
    let mut taken = Vec::new();
    for (i, sheet) in sheets(s, lang).iter().enumerate() {
        let ws = book.add_worksheet();
        ws.set_name(sheet_name(&sheet.title, &mut taken))?;
        let mut top = 0;
        if i == 0 {
            ws.write_string_with_format(0, 0, &s.institution, &bold)?;
            ws.write_string(1, 0, text(lang, "ui.reports.period"))?;
            ws.write_datetime_with_format(1, 1, excel_date(s.period.from)?, &date)?;
            ws.write_datetime_with_format(1, 2, excel_date(s.period.to)?, &date)?;
            top = 3;
        }
        for (c, (_, title)) in sheet.columns.iter().enumerate() {
            ws.write_string_with_format(top, c as u16, title, &bold)?;
        }
        for (r, line) in sheet.rows.iter().enumerate() {
            let at = top + 1 + r as u32;
            match line.day {
                Some(day) => ws.write_datetime_with_format(at, 0, excel_date(day)?, &date)?,
                None => ws.write_string(at, 0, &line.label)?,
            };
            for (c, cell) in line.cells.iter().enumerate() {
                let col = 1 + c as u16;
                match cell {
                    Cell::Date(d) => ws.write_datetime_with_format(at, col, excel_date(*d)?, &date).map(|_| ())?,
                    Cell::Text(t) => ws.write_string(at, col, t).map(|_| ())?,
                    _ => {
                        if let Some(v) = cell.number() {
                            ws.write_number(at, col, v)?;
                        }
                    }
                }
            }
        }
        ws.set_column_width(0, 36)?;
        for c in 1..sheet.columns.len() {
            ws.set_column_width(c as u16, 16)?;
        }
    }
    book.save_to_buffer()
}

/// The report as a PDF: each table, with a bar chart for the breakdowns and
/// a line chart of the days. Empty tables are left out.
pub fn pdf(s: &Summary, lang: Lang, logo: Option<mesa_pdf::Logo>) -> Vec<u8> {
    let mut blocks = Vec::new();
    for sheet in sheets(s, lang) {
        if sheet.rows.is_empty() {
            continue;
        }
        let heading = match sheet.key.strip_prefix("by_") {
            Some(_) => format!("{} {}", text(lang, "ui.reports.breakdowns"), sheet.title.to_lowercase()),
            None => sheet.title.clone(),
        };
        blocks.push(Block::Heading(heading));
        match sheet.chart {
            Chart::Lines => {
                let series = sheet
                    .columns
                    .iter()
                    .skip(1)
                    .enumerate()
                    .map(|(c, (_, title))| {
                        (title.clone(), sheet.rows.iter().map(|r| r.cells[c].number().unwrap_or(0.0)).collect())
                    })
                    .collect();
                let first = sheet.rows.first().map(|r| r.label.clone()).unwrap_or_default();
                let last = sheet.rows.last().map(|r| r.label.clone()).unwrap_or_default();
                blocks.push(Block::Lines { series, first, last });
                continue;
            }
            Chart::Bars => blocks.push(Block::Bars {
                bars: sheet.rows.iter().map(|r| (r.label.clone(), r.cells[0].number().unwrap_or(0.0))).collect(),
            }),
            Chart::None => {}
        }
        blocks.push(Block::Table {
            columns: sheet.columns.iter().map(|(_, title)| title.clone()).collect(),
            rows: sheet
                .rows
                .iter()
                .map(|r| std::iter::once(r.label.clone()).chain(r.cells.iter().map(Cell::plain)).collect())
                .collect(),
        });
    }
    mesa_pdf::report::report_pdf(&Report {
        institution: s.institution.clone(),
        title: text(lang, "ui.reports.title").to_owned(),
        period_line: period_line(s, lang),
        blocks,
        logo,
    })
}

#[cfg(test)]
mod tests;
