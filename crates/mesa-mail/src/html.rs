//! HTML bodies: made safe to show, and turned into text.
//!
//! Mail HTML is hostile input: it is shown to agents inside Mesa's own pages, so a
//! script or an `onclick` in it would run with the agent's session. Every HTML body
//! goes through [`sanitize`] before it leaves this crate, and the text version of
//! an HTML-only mail is derived from the sanitised markup, never from the raw one.

use std::sync::LazyLock;

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    // `cid:` (RFC 2392) is how the body points at its inline images; the ticket
    // view rewrites those to attachment URLs. ammonia's default schemes drop it.
    builder.add_url_schemes(["cid"]);
    // A full document's <title> would otherwise leak into the body as text.
    builder.add_clean_content_tags(["title"]);
    builder.link_rel(Some("noopener noreferrer nofollow"));
    builder
});

/// Deepest element nesting handed to the HTML parser. Building a tree is
/// quadratic in its depth (each new element checks the open-element stack), so a
/// few hundred kilobytes of `<div>` can stall a mail worker for minutes. Real mail,
/// nested Outlook tables included, stays far below this.
pub const MAX_HTML_NESTING: usize = 256;

/// Sanitised HTML: an allow-list of tags and attributes (ammonia's defaults: no
/// `<script>`, `<style>`, `<iframe>`, `<form>`, event handlers, `style`, or
/// `javascript:`/`data:` URLs), plus `cid:` image sources.
///
/// HTML nested deeper than [`MAX_HTML_NESTING`] is not parsed: its text is
/// returned escaped in a `<pre>` instead, safe and quick.
pub fn sanitize(html: &str) -> String {
    if is_too_deep(html) {
        return format!("<pre>{}</pre>", escape(&html_to_text(html)));
    }
    SANITIZER.clean(html).to_string().trim().to_owned()
}

/// Points the image sources `src="{scheme}:{key}"` of sanitised HTML at
/// other addresses; `targets` are (key, address) pairs, the addresses plain
/// (no quotes or markup). A mail's `cid:` references become the stored
/// attachments' `mesa-blob:<sha256>`, and those their download address
/// when a page shows the mail. Sources without a target are left as they are.
pub fn repoint_sources(html: &str, scheme: &str, targets: &[(String, String)]) -> String {
    let mut out = html.to_owned();
    for (key, address) in targets {
        debug_assert!(!address.contains(['"', '<', '>', '&']), "a plain address");
        out = out.replace(&format!("src=\"{scheme}:{}\"", escape(key)), &format!("src=\"{address}\""));
    }
    out
}

/// Whether `html` nests elements deeper than [`MAX_HTML_NESTING`]. A linear scan
/// that counts open minus closed tags, ignoring void elements and those the
/// parser closes by itself (`<p>`, `<li>`, `<td>`…), which sloppy HTML leaves open.
pub(crate) fn is_too_deep(html: &str) -> bool {
    const NOT_NESTING: &[&[u8]] = &[
        b"area", b"base", b"br", b"col", b"embed", b"hr", b"img", b"input", b"link", b"meta", b"param", b"source",
        b"track", b"wbr", b"p", b"li", b"td", b"th", b"tr", b"dt", b"dd", b"option",
    ];
    let bytes = html.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(lt) = bytes[i..].iter().position(|&b| b == b'<') {
        i += lt + 1;
        let closing = bytes.get(i) == Some(&b'/');
        let start = if closing { i + 1 } else { i };
        let len = bytes[start..].iter().take_while(|b| b.is_ascii_alphanumeric()).count();
        let name = &bytes[start..start + len];
        if name.is_empty() || NOT_NESTING.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            continue;
        }
        let self_closing = bytes[start + len..]
            .iter()
            .position(|&b| b == b'>')
            .is_some_and(|gt| gt > 0 && bytes[start + len + gt - 1] == b'/');
        if closing {
            depth = depth.saturating_sub(1);
        } else if !self_closing {
            depth += 1;
            if depth > MAX_HTML_NESTING {
                return true;
            }
        }
    }
    false
}

pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Tags after which text continues on a new line.
const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "center",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "section",
    "summary",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "tr",
    "ul",
];

/// Tags that stand apart by a blank line.
const PARAGRAPH_TAGS: &[&str] = &["blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "p", "pre"];

/// Plain text of an HTML fragment, for search, previews, quote folding and the
/// text of HTML-only mail. Meant for sanitised input (no script or style content
/// left to skip), but harmless on any string. Links keep their target as
/// `text <url>` when the text does not already show it.
pub fn html_to_text(html: &str) -> String {
    let mut out = TextWriter::default();
    let mut link: Option<(String, usize)> = None; // (href, where its text starts)
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.text(&decode_entities(&rest[..lt]));
        let after = &rest[lt + 1..];
        let Some(gt) = after.find('>') else {
            out.text(&decode_entities(&rest[lt..]));
            rest = "";
            break;
        };
        let tag = Tag::read(&after[..gt]);
        rest = &after[gt + 1..];
        if !tag.closing && SKIPPED_TAGS.contains(&tag.name.as_str()) {
            // Unsanitised input: drop what a browser would not show as text.
            rest = skip_past_closing(rest, &tag.name);
            continue;
        }
        match tag.name.as_str() {
            "br" => out.raw("\n"),
            "pre" => {
                out.paragraph();
                out.pre = !tag.closing;
            }
            "li" if !tag.closing => {
                out.newline();
                out.raw("- ");
            }
            "td" | "th" if tag.closing => out.raw(" "),
            "a" if !tag.closing => link = tag.href.map(|href| (href, out.buf.len())),
            "a" => {
                if let Some((href, start)) = link.take() {
                    let shown = out.buf.get(start..).unwrap_or_default().trim().to_owned();
                    let bare = href.strip_prefix("mailto:").unwrap_or(&href);
                    if !href.is_empty() && !shown.contains(bare) {
                        out.raw(&format!(" <{bare}>"));
                    }
                }
            }
            name if PARAGRAPH_TAGS.contains(&name) => out.paragraph(),
            name if BLOCK_TAGS.contains(&name) => out.newline(),
            _ => {}
        }
    }
    out.text(&decode_entities(rest));
    out.finish()
}

/// Elements whose content is not text a reader sees.
const SKIPPED_TAGS: &[&str] = &["script", "style", "title", "template", "noscript", "head"];

/// The rest of `html` after the `</name>` that closes an element (or nothing if
/// it is never closed).
fn skip_past_closing<'a>(html: &'a str, name: &str) -> &'a str {
    let bytes = html.as_bytes();
    let mut from = 0;
    while let Some(found) = html[from..].find("</") {
        let at = from + found;
        let candidate = bytes.get(at + 2..at + 2 + name.len());
        if candidate.is_some_and(|c| c.eq_ignore_ascii_case(name.as_bytes())) {
            return html[at..].find('>').map_or("", |gt| &html[at + gt + 1..]);
        }
        from = at + 2;
    }
    ""
}

/// The parts of a tag `html_to_text` cares about.
struct Tag {
    name: String,
    closing: bool,
    href: Option<String>,
}

impl Tag {
    fn read(inside: &str) -> Self {
        let inside = inside.trim();
        let (closing, inside) = match inside.strip_prefix('/') {
            Some(rest) => (true, rest),
            None => (false, inside),
        };
        let name: String =
            inside.chars().take_while(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
        let href = (name == "a").then(|| attribute(inside, "href")).flatten();
        Self { name, closing, href: href.map(|h| decode_entities(&h)) }
    }
}

/// Value of a double- or single-quoted attribute (sanitised HTML always quotes).
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find(name) {
        let at = from + found;
        from = at + name.len();
        let preceded_by_space = lower[..at].ends_with(char::is_whitespace);
        let rest = tag[at + name.len()..].trim_start();
        if !preceded_by_space || !rest.starts_with('=') {
            continue;
        }
        let rest = rest[1..].trim_start();
        let quote = rest.chars().next()?;
        if quote == '"' || quote == '\'' {
            let value = &rest[1..];
            return value.find(quote).map(|end| value[..end].to_owned());
        }
        return rest.split_whitespace().next().map(str::to_owned);
    }
    None
}

/// Decodes the entities a serialiser emits plus the common named ones, and any
/// numeric reference. Unknown entities are left as written.
pub(crate) fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let decoded =
            after.find(';').filter(|&semi| semi <= 10).and_then(|semi| entity(&after[..semi]).map(|c| (c, semi)));
        match decoded {
            Some((c, semi)) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code).filter(|c| !c.is_control() || c.is_whitespace());
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "aacute" => 'á',
        "eacute" => 'é',
        "iacute" => 'í',
        "oacute" => 'ó',
        "uacute" => 'ú',
        "Aacute" => 'Á',
        "Eacute" => 'É',
        "Iacute" => 'Í',
        "Oacute" => 'Ó',
        "Uacute" => 'Ú',
        "ntilde" => 'ñ',
        "Ntilde" => 'Ñ',
        "uuml" => 'ü',
        "Uuml" => 'Ü',
        "iexcl" => '¡',
        "iquest" => '¿',
        "ordm" => 'º',
        "ordf" => 'ª',
        "euro" => '€',
        "copy" => '©',
        "reg" => '®',
        "laquo" => '«',
        "raquo" => '»',
        "ldquo" => '“',
        "rdquo" => '”',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "middot" => '·',
        "bull" => '•',
        "deg" => '°',
        _ => return None,
    })
}

/// Accumulates text with HTML's whitespace rules: runs of white space collapse to
/// one space except inside `<pre>`; block tags start new lines.
#[derive(Default)]
struct TextWriter {
    buf: String,
    pre: bool,
    pending_space: bool,
}

impl TextWriter {
    fn text(&mut self, text: &str) {
        if self.pre {
            self.buf.push_str(text);
            return;
        }
        for (i, word) in text.split(|c: char| c.is_ascii_whitespace()).enumerate() {
            if i > 0 {
                self.pending_space = true;
            }
            if word.is_empty() {
                continue;
            }
            if self.pending_space && !self.buf.is_empty() && !self.buf.ends_with(['\n', ' ']) {
                self.buf.push(' ');
            }
            self.pending_space = false;
            self.buf.push_str(word);
        }
    }

    fn raw(&mut self, text: &str) {
        self.pending_space = false;
        self.buf.push_str(text);
    }

    /// Starts a new line unless one was just started.
    fn newline(&mut self) {
        self.pending_space = false;
        if !self.buf.is_empty() && !self.buf.ends_with('\n') {
            self.buf.push('\n');
        }
    }

    /// Leaves one blank line, unless there is one already.
    fn paragraph(&mut self) {
        self.newline();
        if !self.buf.is_empty() && !self.buf.ends_with("\n\n") {
            self.buf.push('\n');
        }
    }

    /// Trims line ends and squeezes runs of blank lines to one.
    fn finish(self) -> String {
        let mut out = String::with_capacity(self.buf.len());
        let mut blank_run = 0;
        for line in self.buf.lines() {
            let line = line.trim_end();
            if line.trim().is_empty() {
                blank_run += 1;
                if blank_run > 1 {
                    continue;
                }
                out.push('\n');
            } else {
                blank_run = 0;
                out.push_str(line);
                out.push('\n');
            }
        }
        out.trim().to_owned()
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn image_sources_are_repointed_by_key_and_others_are_left_alone() {
        let html =
            sanitize(r#"<p>Mire:<img src="cid:foto1@x"> y <img src="cid:otra@x"> <a href="cid:foto1@x">x</a></p>"#);
        let blob = repoint_sources(&html, "cid", &[("foto1@x".into(), "mesa-blob:ab12".into())]);
        assert!(blob.contains(r#"<img src="mesa-blob:ab12">"#), "{blob}");
        assert!(blob.contains(r#"<img src="cid:otra@x">"#), "{blob}");
        assert!(blob.contains(r#"href="cid:foto1@x""#), "links are not images: {blob}");
        let shown = repoint_sources(&blob, "mesa-blob", &[("ab12".into(), "/files/7".into())]);
        assert!(shown.contains(r#"<img src="/files/7">"#), "{shown}");
    }

    use super::*;

    #[test]
    fn scripts_styles_handlers_and_javascript_links_are_removed() {
        let dirty = r#"<html><head><title>Aviso</title><style>p{color:red}</style>
            <script>alert('x')</script></head><body>
            <p onclick="steal()" style="x">Hola <b>equipo</b></p>
            <a href="javascript:alert(1)">clic</a> <a href="https://villaesperanza.gov.co">sitio</a>
            <img src="cid:logo@x" onerror="boom()"><iframe src="https://evil"></iframe></body></html>"#;
        let clean = sanitize(dirty);
        for bad in ["script", "alert", "<style", "color:red", "onclick", "onerror", "javascript:", "iframe", "Aviso"] {
            assert!(!clean.contains(bad), "{bad} left in {clean}");
        }
        assert!(clean.contains("<b>equipo</b>"), "{clean}");
        assert!(clean.contains(r#"src="cid:logo@x""#), "{clean}");
        assert!(clean.contains(r#"href="https://villaesperanza.gov.co""#), "{clean}");
    }

    #[test]
    fn text_keeps_paragraphs_lists_and_links() {
        let html = "<p>Buenos días,</p><p>La impresora&nbsp;del <b>piso 3</b>\n   no imprime.</p>\
            <ul><li>Modelo: HP</li><li>Serie: 123</li></ul>\
            <p>Ver <a href=\"https://x.gov.co/manual\">el manual</a> o \
            <a href=\"mailto:soporte@x.gov.co\">soporte@x.gov.co</a>.<br>Gracias</p>";
        assert_eq!(
            html_to_text(html),
            "Buenos días,\n\nLa impresora del piso 3 no imprime.\n\n- Modelo: HP\n- Serie: 123\n\n\
             Ver el manual <https://x.gov.co/manual> o soporte@x.gov.co.\nGracias"
        );
    }

    #[test]
    fn entities_decode_and_unknown_ones_survive() {
        assert_eq!(
            decode_entities("Tel&eacute;fono &amp; m&#243;vil &#x20AC;5 &bogus; AT&T"),
            "Teléfono & móvil €5 &bogus; AT&T"
        );
    }

    #[test]
    fn pre_keeps_its_line_breaks() {
        assert_eq!(html_to_text("<pre>a\n  b</pre>c"), "a\n  b\n\nc");
    }

    #[test]
    fn raw_html_to_text_skips_scripts_styles_and_head() {
        let raw = "<html><head><title>T</title><style>p{}</style></head><body><script>alert(1)</script><p>Hola</p></body></html>";
        assert_eq!(html_to_text(raw), "Hola");
    }

    #[test]
    fn too_deep_html_is_not_parsed_but_its_text_survives_escaped() {
        let deep = format!(
            "{}<script>x()</script><b>Texto & más</b>{}",
            "<div>".repeat(MAX_HTML_NESTING + 1),
            "</div>".repeat(MAX_HTML_NESTING + 1)
        );
        assert!(is_too_deep(&deep));
        assert_eq!(sanitize(&deep), "<pre>Texto &amp; más</pre>");
        let fine = format!("{}x{}", "<div>".repeat(MAX_HTML_NESTING), "</div>".repeat(MAX_HTML_NESTING));
        assert!(!is_too_deep(&fine));
        // Unclosed auto-closing and void elements do not count as nesting.
        assert!(!is_too_deep(&"<p>uno<br><li>dos<img src=x/>".repeat(5000)));
    }

    #[test]
    fn broken_markup_does_not_lose_text() {
        assert_eq!(html_to_text("uno <b>dos"), "uno dos");
        assert_eq!(html_to_text("tres < cuatro"), "tres < cuatro");
    }
}
