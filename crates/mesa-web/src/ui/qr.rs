//! QR codes of survey links, drawn in the binary: the `qrcode` crate makes
//! the modules (no renderer features), this draws them as SVG (one path)
//! or as a grayscale PNG (the `png` crate).

use qrcode::{Color, EcLevel, QrCode};

/// Modules of white border around the code (the standard's quiet zone).
const QUIET: usize = 4;
/// Pixels per module in the PNG: large enough to print or show on a phone.
const PNG_SCALE: usize = 8;

fn modules(text: &str) -> Option<(usize, Vec<bool>)> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    Some((width, code.to_colors().into_iter().map(|c| c == Color::Dark).collect()))
}

/// The code as an SVG image (`None` if the text is too long for a QR code).
pub fn svg(text: &str, title: &str) -> Option<String> {
    let (width, dark) = modules(text)?;
    let size = width + 2 * QUIET;
    let mut path = String::with_capacity(width * width * 4);
    for y in 0..width {
        for x in 0..width {
            if dark[y * width + x] {
                path.push_str(&format!("M{} {}h1v1h-1z", x + QUIET, y + QUIET));
            }
        }
    }
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" width=\"{px}\" height=\"{px}\" \
         role=\"img\" aria-label=\"{label}\" shape-rendering=\"crispEdges\"><rect width=\"{size}\" height=\"{size}\" \
         fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>",
        px = size * PNG_SCALE,
        label = escape_attr(title),
    ))
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The code as a PNG image.
pub fn png(text: &str) -> Option<Vec<u8>> {
    let (width, dark) = modules(text)?;
    let side = (width + 2 * QUIET) * PNG_SCALE;
    let mut pixels = vec![255u8; side * side];
    for y in 0..width {
        for x in 0..width {
            if dark[y * width + x] {
                for dy in 0..PNG_SCALE {
                    let row = (y + QUIET) * PNG_SCALE + dy;
                    let start = row * side + (x + QUIET) * PNG_SCALE;
                    pixels[start..start + PNG_SCALE].fill(0);
                }
            }
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().ok()?;
    writer.write_image_data(&pixels).ok()?;
    writer.finish().ok()?;
    Some(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Reads a QR code back from a PNG (as a phone's camera would).
    pub(crate) fn decode_png(bytes: &[u8]) -> String {
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().expect("a PNG");
        let mut buf = vec![0; reader.output_buffer_size().expect("a size")];
        let info = reader.next_frame(&mut buf).expect("a frame");
        let (w, h) = (info.width as usize, info.height as usize);
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * w + x]);
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code in the image");
        grids[0].decode().expect("the code decodes").1
    }

    #[test]
    fn a_png_code_decodes_back_to_its_link() {
        let link = "https://mesa.funza.gov.co/s/0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
        assert_eq!(decode_png(&png(link).unwrap()), link);
    }

    #[test]
    fn an_svg_code_has_one_path_and_a_label() {
        let svg = svg("https://mesa.test/s/abc", "Encuesta \"1\"").unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<path").count(), 1);
        assert!(svg.contains("aria-label=\"Encuesta &quot;1&quot;\""));
    }
}
