//! Mesa's printable documents: the technical assessment ("concepto
//! técnico", seeds 001 and 004) of a device, and the management report
//! (issue 17, [`report`]), as A4 PDFs in the standard Helvetica fonts (no
//! font files, nothing fetched at run time).
//!
//! The caller gives every text already in the reader's language; this crate
//! only lays it out.

#![forbid(unsafe_code)]

use pdf_writer::{Content, Name, Pdf, Rect, Ref, Str, TextStr};

pub mod logo;
pub mod report;

pub use logo::{LOGO_MAX_BYTES, LOGO_MAX_SIDE, Logo, LogoError};

/// What a technical assessment shows, in the order printed.
#[derive(Debug, Clone, Default)]
pub struct Assessment {
    /// The institution's name (the heading).
    pub institution: String,
    /// The document's title, e.g. "Concepto técnico".
    pub title: String,
    /// Its number, e.g. "CT-2026-00012".
    pub number: String,
    /// The date line, e.g. "Fecha: 2026-11-30".
    pub date_line: String,
    /// Label and value pairs: the ticket and the device's data.
    pub facts: Vec<(String, String)>,
    /// Headed paragraphs: diagnosis, tests, findings, recommendation.
    pub sections: Vec<(String, String)>,
    /// The signature block's lines (name, role).
    pub signature: Vec<String>,
    /// The institution's logo, top right of the first page.
    pub logo: Option<Logo>,
}

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 56.0;
const BODY_SIZE: f32 = 10.5;
/// Characters per line at the body size (Helvetica averages about half an
/// em per character; this keeps lines inside the margins).
const BODY_CHARS: usize = 92;

/// Lays an assessment out on as many A4 pages as it needs.
pub fn assessment_pdf(doc: &Assessment) -> Vec<u8> {
    let mut lines: Vec<Line> = Vec::new();
    lines.push(Line::new(&doc.institution, Style::Heading));
    lines.push(Line::new(&format!("{} {}", doc.title, doc.number), Style::Title));
    lines.push(Line::new(&doc.date_line, Style::Body));
    lines.push(Line::gap());
    for (label, value) in &doc.facts {
        for part in wrap(&format!("{label}: {value}"), BODY_CHARS) {
            lines.push(Line::new(&part, Style::Body));
        }
    }
    for (heading, text) in &doc.sections {
        lines.push(Line::gap());
        lines.push(Line::new(heading, Style::Bold));
        for paragraph in text.lines() {
            for part in wrap(paragraph, BODY_CHARS) {
                lines.push(Line::new(&part, Style::Body));
            }
        }
    }
    lines.push(Line::gap());
    lines.push(Line::gap());
    lines.push(Line::new("______________________________", Style::Body));
    for s in &doc.signature {
        lines.push(Line::new(s, Style::Body));
    }
    render(&lines, &format!("{} {}", doc.title, doc.number), doc.logo.as_ref())
}

#[derive(Clone, Copy, PartialEq)]
enum Style {
    Heading,
    Title,
    Bold,
    Body,
    Gap,
}

impl Style {
    fn font(self) -> (Name<'static>, f32) {
        match self {
            Style::Heading => (Name(b"F2"), 14.0),
            Style::Title => (Name(b"F2"), 16.0),
            Style::Bold => (Name(b"F2"), BODY_SIZE),
            Style::Body | Style::Gap => (Name(b"F1"), BODY_SIZE),
        }
    }

    fn advance(self) -> f32 {
        match self {
            Style::Heading => 20.0,
            Style::Title => 24.0,
            Style::Gap => 8.0,
            _ => 14.0,
        }
    }
}

struct Line {
    text: Vec<u8>,
    style: Style,
}

impl Line {
    fn new(text: &str, style: Style) -> Line {
        Line { text: win_ansi(text), style }
    }

    fn gap() -> Line {
        Line { text: Vec::new(), style: Style::Gap }
    }
}

/// The text in WinAnsiEncoding (what the standard fonts read here): Latin-1
/// letters keep their code, the few others in the encoding are mapped, and
/// anything else becomes `?`.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .filter(|c| !c.is_control())
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '€' => 0x80,
            '‚' => 0x82,
            '„' => 0x84,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            _ => b'?',
        })
        .collect()
}

/// Breaks a paragraph into lines of at most `width` characters, at spaces
/// where it can (a longer word is cut).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_owned();
        while word.chars().count() > width {
            if !line.is_empty() {
                out.push(std::mem::take(&mut line));
            }
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            out.push(head);
        }
        let needed =
            if line.is_empty() { word.chars().count() } else { line.chars().count() + 1 + word.chars().count() };
        if needed > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

fn render(lines: &[Line], title: &str, logo: Option<&Logo>) -> Vec<u8> {
    // Pages: split where the next line would cross the bottom margin.
    let mut pages: Vec<&[Line]> = Vec::new();
    let (mut start, mut y) = (0, PAGE_HEIGHT - MARGIN);
    for (i, line) in lines.iter().enumerate() {
        if y - line.style.advance() < MARGIN {
            pages.push(&lines[start..i]);
            start = i;
            y = PAGE_HEIGHT - MARGIN;
        }
        y -= line.style.advance();
    }
    pages.push(&lines[start..]);

    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let first_page = 6;
    let page_ids: Vec<Ref> = (0..pages.len()).map(|i| Ref::new(first_page + 2 * i as i32)).collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_ids.iter().copied()).count(pages.len() as i32);
    pdf.type1_font(regular).base_font(Name(b"Helvetica")).encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold).base_font(Name(b"Helvetica-Bold")).encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info).title(TextStr(title)).producer(TextStr("Mesa"));
    let image = Ref::new(first_page + 2 * pages.len() as i32);
    for (i, (page_lines, page_id)) in pages.iter().zip(&page_ids).enumerate() {
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(*page_id);
        page.parent(tree).media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT)).contents(content_id);
        let mut resources = page.resources();
        resources.fonts().pair(Name(b"F1"), regular).pair(Name(b"F2"), bold);
        if i == 0 && logo.is_some() {
            resources.x_objects().pair(Name(b"Logo"), image);
        }
        drop(resources);
        drop(page);
        let mut content = Content::new();
        if let (0, Some(logo)) = (i, logo) {
            logo.draw(&mut content, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - MARGIN / 2.0);
        }
        let mut y = PAGE_HEIGHT - MARGIN;
        for line in page_lines.iter() {
            y -= line.style.advance();
            if line.text.is_empty() {
                continue;
            }
            let (font, size) = line.style.font();
            content.begin_text().set_font(font, size).next_line(MARGIN, y).show(Str(&line.text)).end_text();
        }
        pdf.stream(content_id, &content.finish());
    }
    if let Some(logo) = logo {
        logo.write(&mut pdf, image);
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(findings: &str) -> Assessment {
        Assessment {
            institution: "Alcaldía Municipal de Funza".into(),
            title: "Concepto técnico".into(),
            number: "CT-2026-00007".into(),
            date_line: "Fecha: 2026-11-30".into(),
            facts: vec![("Serial".into(), "CN12345".into()), ("Placa de inventario".into(), "IMP-1".into())],
            sections: vec![("Hallazgos".into(), findings.into()), ("Recomendación".into(), "Dar de baja".into())],
            signature: vec!["Ana Gómez".into(), "Técnica de soporte".into()],
            logo: None,
        }
    }

    /// The image objects of a PDF: width, height, and whether it has a mask.
    pub(crate) fn images(bytes: &[u8]) -> Vec<(i64, i64, bool)> {
        let doc = lopdf::Document::load_mem(bytes).expect("a readable PDF");
        doc.objects
            .values()
            .filter_map(|o| o.as_stream().ok())
            .filter(|s| s.dict.get(b"Subtype").and_then(|v| v.as_name()).ok() == Some(b"Image".as_slice()))
            .filter(|s| s.dict.get(b"ColorSpace").and_then(|v| v.as_name()).ok() == Some(b"DeviceRGB".as_slice()))
            .map(|s| {
                let n = |k: &[u8]| s.dict.get(k).and_then(|v| v.as_i64()).unwrap_or(-1);
                (n(b"Width"), n(b"Height"), s.dict.has(b"SMask"))
            })
            .collect()
    }

    #[test]
    fn the_logo_is_an_image_on_the_first_page_only_and_the_text_stays() {
        let mut doc = sample("Sin novedad.");
        assert!(images(&assessment_pdf(&doc)).is_empty());
        doc.logo = Some(Logo::from_png(&logo::tests::png_of(6, 3, Some(90))).unwrap());
        let bytes = assessment_pdf(&doc);
        assert_eq!(images(&bytes), vec![(6, 3, true)]);
        assert!(text_of(&bytes).contains("Alcaldía Municipal de Funza"));
    }

    fn text_of(bytes: &[u8]) -> String {
        let doc = lopdf::Document::load_mem(bytes).expect("a readable PDF");
        let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
        doc.extract_text(&pages).expect("its text")
    }

    #[test]
    fn the_text_reads_back_with_its_accents() {
        let bytes = assessment_pdf(&sample("El fusor está dañado; reparación no rentable."));
        assert!(bytes.starts_with(b"%PDF-"));
        let text = text_of(&bytes);
        for expected in [
            "Alcaldía Municipal de Funza",
            "Concepto técnico CT-2026-00007",
            "Serial: CN12345",
            "Dar de baja",
            "Ana Gómez",
            "El fusor está dañado",
        ] {
            assert!(text.contains(expected), "{expected:?} missing from {text:?}");
        }
    }

    #[test]
    fn long_texts_wrap_and_flow_onto_more_pages() {
        let long = "palabra ".repeat(3_000);
        let bytes = assessment_pdf(&sample(&long));
        let doc = lopdf::Document::load_mem(&bytes).unwrap();
        assert!(doc.get_pages().len() > 1);
        assert!(text_of(&bytes).contains("Ana Gómez"), "the signature follows on the last page");
    }

    #[test]
    fn wrapping_keeps_words_and_cuts_only_overlong_ones() {
        assert_eq!(wrap("uno dos tres", 7), ["uno dos", "tres"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 10), [""]);
        assert_eq!(win_ansi("ñ€ж"), [0xf1, 0x80, b'?']);
    }
}
