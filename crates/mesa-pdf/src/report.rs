//! The management report (issue 17) as the PDF a desk lead hands to
//! management: the institution, the period, tables, bar charts and a line
//! chart drawn as vector paths. The caller gives every text already in the
//! reader's language.

use pdf_writer::{Content, Name, Pdf, Rect, Ref, Str, TextStr};

use super::{MARGIN, PAGE_HEIGHT, PAGE_WIDTH, win_ansi};

/// One part of the report, laid out top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A section heading.
    Heading(String),
    /// A line of body text.
    Text(String),
    /// A table: the column titles, then rows of as many cells. The first
    /// column is left-aligned, the others right-aligned (figures).
    Table { columns: Vec<String>, rows: Vec<Vec<String>> },
    /// A horizontal bar chart: one bar per label, its value printed after it.
    Bars { bars: Vec<(String, f64)> },
    /// A line chart of series over the same points (e.g. days): each series
    /// a name and its values; `first` and `last` label the axis ends.
    Lines { series: Vec<(String, Vec<f64>)>, first: String, last: String },
}

/// The report as given by the caller.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// The institution's name (the heading of every page's first line).
    pub institution: String,
    pub title: String,
    /// E.g. "Periodo: 2026-11-01 – 2026-11-30".
    pub period_line: String,
    pub blocks: Vec<Block>,
    /// The institution's logo, top right of the first page.
    pub logo: Option<super::Logo>,
}

const BODY: f32 = 9.5;
const ROW: f32 = 13.0;
const BAR_HEIGHT: f32 = 9.0;
const CHART_HEIGHT: f32 = 120.0;
/// The chart colours: a dark blue and an orange, both readable in grey.
const COLOURS: [(f32, f32, f32); 2] = [(0.12, 0.31, 0.55), (0.85, 0.45, 0.1)];

/// Pages being written: each page's drawing, and where the next line goes.
struct Layout {
    pages: Vec<Content>,
    y: f32,
}

impl Layout {
    fn new() -> Layout {
        Layout { pages: vec![Content::new()], y: PAGE_HEIGHT - MARGIN }
    }

    fn page(&mut self) -> &mut Content {
        self.pages.last_mut().expect("a page")
    }

    /// Room for `height` more, on a new page if this one is full.
    fn room(&mut self, height: f32) {
        if self.y - height < MARGIN {
            self.pages.push(Content::new());
            self.y = PAGE_HEIGHT - MARGIN;
        }
    }

    fn text_at(&mut self, x: f32, y: f32, bold: bool, size: f32, text: &str) {
        let font = if bold { Name(b"F2") } else { Name(b"F1") };
        let bytes = win_ansi(text);
        self.page().begin_text().set_font(font, size).next_line(x, y).show(Str(&bytes)).end_text();
    }

    fn line(&mut self, bold: bool, size: f32, advance: f32, text: &str) {
        self.room(advance);
        self.y -= advance;
        let y = self.y;
        self.text_at(MARGIN, y, bold, size, text);
    }
}

/// Roughly how wide `text` is in Helvetica at `size` (half an em a character).
fn width(text: &str, size: f32) -> f32 {
    text.chars().count() as f32 * size * 0.5
}

/// `text` cut to `max` characters, with an ellipsis when cut.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn table(l: &mut Layout, columns: &[String], rows: &[Vec<String>]) {
    let usable = PAGE_WIDTH - 2.0 * MARGIN;
    let n = columns.len().max(1);
    let first = if n == 1 { usable } else { usable * 0.4 };
    let other = if n == 1 { 0.0 } else { (usable - first) / (n - 1) as f32 };
    let first_chars = (first / (BODY * 0.5)) as usize;
    let other_chars = (other / (BODY * 0.5)) as usize;
    let draw = |l: &mut Layout, cells: &[String], bold: bool| {
        l.room(ROW);
        l.y -= ROW;
        let y = l.y;
        for (i, cell) in cells.iter().enumerate() {
            if i == 0 {
                l.text_at(MARGIN, y, bold, BODY, &cut(cell, first_chars));
            } else {
                let text = cut(cell, other_chars.saturating_sub(1));
                let right = MARGIN + first + other * i as f32;
                l.text_at(right - width(&text, BODY), y, bold, BODY, &text);
            }
        }
    };
    draw(l, columns, true);
    for row in rows {
        draw(l, row, false);
    }
}

fn bars(l: &mut Layout, bars: &[(String, f64)]) {
    let label_width = 170.0;
    let value_room = 50.0;
    let track = PAGE_WIDTH - 2.0 * MARGIN - label_width - value_room;
    let max = bars.iter().map(|(_, v)| *v).fold(0.0_f64, f64::max);
    for (label, value) in bars {
        l.room(ROW);
        l.y -= ROW;
        let y = l.y;
        l.text_at(MARGIN, y, false, BODY, &cut(label, 34));
        let length = if max > 0.0 { (value / max) as f32 * track } else { 0.0 };
        let (r, g, b) = COLOURS[0];
        let x = MARGIN + label_width;
        l.page().set_fill_rgb(r, g, b).rect(x, y - 1.0, length.max(0.5), BAR_HEIGHT).fill_nonzero();
        l.page().set_fill_gray(0.0);
        l.text_at(x + length + 4.0, y, false, BODY, &format_value(*value));
    }
}

fn lines(l: &mut Layout, series: &[(String, Vec<f64>)], first: &str, last: &str) {
    let height = CHART_HEIGHT + 2.0 * ROW;
    l.room(height);
    let top = l.y - 6.0;
    let bottom = top - CHART_HEIGHT;
    let left = MARGIN + 30.0;
    let right = PAGE_WIDTH - MARGIN;
    let max = series.iter().flat_map(|(_, v)| v.iter().copied()).fold(0.0_f64, f64::max).max(1.0);
    let points = series.iter().map(|(_, v)| v.len()).max().unwrap_or(0);
    // Axes, the top value and the ends' labels.
    l.page().set_stroke_gray(0.3).set_line_width(0.6);
    l.page().move_to(left, top).line_to(left, bottom).line_to(right, bottom).stroke();
    l.text_at(MARGIN, top - BODY, false, BODY, &format_value(max));
    l.text_at(MARGIN, bottom, false, BODY, "0");
    l.text_at(left, bottom - ROW, false, BODY, first);
    l.text_at(right - width(last, BODY), bottom - ROW, false, BODY, last);
    let step = if points > 1 { (right - left) / (points - 1) as f32 } else { 0.0 };
    let mut legend_x = left + 100.0;
    for (i, (name, values)) in series.iter().enumerate() {
        let (r, g, b) = COLOURS[i % COLOURS.len()];
        l.page().set_stroke_rgb(r, g, b).set_line_width(1.4);
        for (j, v) in values.iter().enumerate() {
            let (x, y) = (left + step * j as f32, bottom + (*v / max) as f32 * CHART_HEIGHT);
            if j == 0 {
                l.page().move_to(x, y);
            } else {
                l.page().line_to(x, y);
            }
        }
        if !values.is_empty() {
            l.page().stroke();
        }
        l.page().set_fill_rgb(r, g, b).rect(legend_x, bottom - ROW, 10.0, 6.0).fill_nonzero();
        l.page().set_fill_gray(0.0);
        l.text_at(legend_x + 14.0, bottom - ROW, false, BODY, name);
        legend_x += 24.0 + width(name, BODY);
    }
    l.y = bottom - 2.0 * ROW;
}

/// A figure as printed: whole numbers without decimals, others with two.
fn format_value(v: f64) -> String {
    if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.2}") }
}

/// Lays the report out on as many A4 pages as it needs.
pub fn report_pdf(doc: &Report) -> Vec<u8> {
    let mut l = Layout::new();
    l.line(true, 14.0, 18.0, &doc.institution);
    l.line(true, 16.0, 24.0, &doc.title);
    l.line(false, BODY + 1.0, 16.0, &doc.period_line);
    for block in &doc.blocks {
        match block {
            Block::Heading(text) => {
                l.room(3.0 * ROW);
                l.y -= 8.0;
                l.line(true, 12.0, 16.0, text);
            }
            Block::Text(text) => l.line(false, BODY, ROW, text),
            Block::Table { columns, rows } => table(&mut l, columns, rows),
            Block::Bars { bars: items } => bars(&mut l, items),
            Block::Lines { series, first, last } => lines(&mut l, series, first, last),
        }
    }

    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let page_ids: Vec<Ref> = (0..l.pages.len()).map(|i| Ref::new(6 + 2 * i as i32)).collect();
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_ids.iter().copied()).count(page_ids.len() as i32);
    pdf.type1_font(regular).base_font(Name(b"Helvetica")).encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold).base_font(Name(b"Helvetica-Bold")).encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info).title(TextStr(&doc.title)).producer(TextStr("Mesa"));
    let image = Ref::new(6 + 2 * page_ids.len() as i32);
    if let Some(logo) = &doc.logo {
        logo.draw(&mut l.pages[0], PAGE_WIDTH - MARGIN, PAGE_HEIGHT - MARGIN / 2.0);
    }
    for (i, (content, page_id)) in l.pages.into_iter().zip(&page_ids).enumerate() {
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(*page_id);
        page.parent(tree).media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT)).contents(content_id);
        let mut resources = page.resources();
        resources.fonts().pair(Name(b"F1"), regular).pair(Name(b"F2"), bold);
        if i == 0 && doc.logo.is_some() {
            resources.x_objects().pair(Name(b"Logo"), image);
        }
        drop(resources);
        drop(page);
        pdf.stream(content_id, &content.finish());
    }
    if let Some(logo) = &doc.logo {
        logo.write(&mut pdf, image);
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(bytes: &[u8]) -> String {
        let doc = lopdf::Document::load_mem(bytes).expect("a readable PDF");
        let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
        doc.extract_text(&pages).expect("its text")
    }

    fn sample(rows: usize) -> Report {
        Report {
            institution: "Alcaldía de Funza".into(),
            title: "Informe de gestión".into(),
            period_line: "Periodo: 2026-11-01 – 2026-11-30".into(),
            blocks: vec![
                Block::Heading("Cifras del periodo".into()),
                Block::Table {
                    columns: vec!["Nombre".into(), "Casos".into()],
                    rows: (0..rows).map(|i| vec![format!("Servicio {i}"), (i * 3).to_string()]).collect(),
                },
                Block::Bars { bars: vec![("Correo".into(), 12.0), ("Teléfono".into(), 3.5)] },
                Block::Lines {
                    series: vec![
                        ("Abiertos".into(), vec![1.0, 4.0, 2.0]),
                        ("Solucionados".into(), vec![0.0, 2.0, 5.0]),
                    ],
                    first: "2026-11-01".into(),
                    last: "2026-11-03".into(),
                },
            ],
            logo: None,
        }
    }

    #[test]
    fn the_report_carries_the_logo_once_however_many_pages() {
        let mut doc = sample(200);
        doc.logo = Some(super::super::Logo::from_png(&crate::logo::tests::png_of(5, 2, None)).unwrap());
        let bytes = report_pdf(&doc);
        assert_eq!(crate::tests::images(&bytes), vec![(5, 2, false)]);
        let pages = lopdf::Document::load_mem(&bytes).unwrap().get_pages().len();
        assert!(pages > 1, "200 rows take more than a page");
        assert!(text_of(&bytes).contains("Servicio 199"));
    }

    #[test]
    fn the_report_reads_back_with_its_figures() {
        let bytes = report_pdf(&sample(3));
        assert!(bytes.starts_with(b"%PDF-"));
        let text = text_of(&bytes);
        for expected in ["Alcaldía de Funza", "Informe de gestión", "Servicio 2", "Teléfono", "3.50", "Solucionados"]
        {
            assert!(text.contains(expected), "{expected:?} missing from {text:?}");
        }
    }

    #[test]
    fn long_tables_flow_onto_more_pages() {
        let bytes = report_pdf(&sample(200));
        let doc = lopdf::Document::load_mem(&bytes).unwrap();
        assert!(doc.get_pages().len() > 2);
        assert!(text_of(&bytes).contains("Servicio 199"));
    }

    #[test]
    fn cells_are_cut_with_an_ellipsis() {
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut("abc", 4), "abc");
        assert_eq!(format_value(3.0), "3");
        assert_eq!(format_value(2.5), "2.50");
    }
}
