//! The institution's logo at the top of a document: a PNG read once into 8-bit
//! RGB samples and an optional alpha channel, written into the PDF as a
//! Flate-compressed image (with a soft mask when it has transparency).

use pdf_writer::{Content, Filter, Name, Pdf, Ref};

/// The largest PNG file taken, in bytes.
pub const LOGO_MAX_BYTES: usize = 256 * 1024;
/// The largest side of the image, in pixels.
pub const LOGO_MAX_SIDE: u32 = 2_000;
/// How tall the logo is drawn, in points (its width follows, up to
/// [`DRAWN_MAX_WIDTH`]).
const DRAWN_HEIGHT: f32 = 42.0;
const DRAWN_MAX_WIDTH: f32 = 160.0;

/// Why a file is not a logo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoError {
    /// Not a PNG image this reader can decode.
    NotPng,
    /// Wider or taller than [`LOGO_MAX_SIDE`], or a larger file than
    /// [`LOGO_MAX_BYTES`].
    TooLarge,
}

/// A decoded logo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    pub width: u32,
    pub height: u32,
    rgb: Vec<u8>,
    alpha: Option<Vec<u8>>,
}

impl Logo {
    /// Reads a PNG (any colour type and depth; palettes and 16-bit samples
    /// are brought to 8-bit RGB).
    pub fn from_png(bytes: &[u8]) -> Result<Logo, LogoError> {
        if bytes.len() > LOGO_MAX_BYTES {
            return Err(LogoError::TooLarge);
        }
        let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        decoder.set_transformations(png::Transformations::normalize_to_color8());
        let mut reader = decoder.read_info().map_err(|_| LogoError::NotPng)?;
        let (width, height) = (reader.info().width, reader.info().height);
        if width == 0 || height == 0 {
            return Err(LogoError::NotPng);
        }
        if width > LOGO_MAX_SIDE || height > LOGO_MAX_SIDE {
            return Err(LogoError::TooLarge);
        }
        let mut buf = vec![0; reader.output_buffer_size().ok_or(LogoError::TooLarge)?];
        let frame = reader.next_frame(&mut buf).map_err(|_| LogoError::NotPng)?;
        let pixels = &buf[..frame.buffer_size()];
        let (rgb, alpha) = match frame.color_type {
            png::ColorType::Rgb => (pixels.to_vec(), None),
            png::ColorType::Rgba => {
                let rgb = pixels.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
                (rgb, Some(pixels.chunks_exact(4).map(|p| p[3]).collect()))
            }
            png::ColorType::Grayscale => (pixels.iter().flat_map(|g| [*g, *g, *g]).collect(), None),
            png::ColorType::GrayscaleAlpha => {
                let rgb = pixels.chunks_exact(2).flat_map(|p| [p[0], p[0], p[0]]).collect();
                (rgb, Some(pixels.chunks_exact(2).map(|p| p[1]).collect()))
            }
            png::ColorType::Indexed => return Err(LogoError::NotPng),
        };
        // A fully opaque alpha channel is no mask at all.
        let alpha = alpha.filter(|a: &Vec<u8>| a.iter().any(|v| *v != 255));
        Ok(Logo { width, height, rgb, alpha })
    }

    /// The size it is drawn at, in points: a fixed height, the width in
    /// proportion, both shrunk if that is too wide.
    fn drawn_size(&self) -> (f32, f32) {
        let ratio = self.width as f32 / self.height as f32;
        let (w, h) = (DRAWN_HEIGHT * ratio, DRAWN_HEIGHT);
        if w > DRAWN_MAX_WIDTH { (DRAWN_MAX_WIDTH, DRAWN_MAX_WIDTH / ratio) } else { (w, h) }
    }

    /// Draws the logo with its top-right corner at (`right`, `top`) on a
    /// page whose resources name it `/Logo`.
    pub(crate) fn draw(&self, content: &mut Content, right: f32, top: f32) {
        let (w, h) = self.drawn_size();
        content.save_state();
        content.transform([w, 0.0, 0.0, h, right - w, top - h]);
        content.x_object(Name(b"Logo"));
        content.restore_state();
    }

    /// Writes the image (and its mask) as objects `id` and `id + 1`.
    pub(crate) fn write(&self, pdf: &mut Pdf, id: Ref) {
        let rgb = miniz_oxide::deflate::compress_to_vec_zlib(&self.rgb, 6);
        let mut image = pdf.image_xobject(id, &rgb);
        image.filter(Filter::FlateDecode);
        image.width(self.width as i32);
        image.height(self.height as i32);
        image.color_space().device_rgb();
        image.bits_per_component(8);
        let mask = Ref::new(id.get() + 1);
        if self.alpha.is_some() {
            image.s_mask(mask);
        }
        drop(image);
        if let Some(alpha) = &self.alpha {
            let alpha = miniz_oxide::deflate::compress_to_vec_zlib(alpha, 6);
            let mut soft = pdf.image_xobject(mask, &alpha);
            soft.filter(Filter::FlateDecode);
            soft.width(self.width as i32);
            soft.height(self.height as i32);
            soft.color_space().device_gray();
            soft.bits_per_component(8);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A `width` × `height` PNG of `color` (RGBA when `alpha` is given).
    pub(crate) fn png_of(width: u32, height: u32, alpha: Option<u8>) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(if alpha.is_some() { png::ColorType::Rgba } else { png::ColorType::Rgb });
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        let pixel: Vec<u8> = match alpha {
            Some(a) => vec![20, 60, 140, a],
            None => vec![20, 60, 140],
        };
        let data: Vec<u8> = pixel.iter().copied().cycle().take(pixel.len() * (width * height) as usize).collect();
        writer.write_image_data(&data).unwrap();
        drop(writer);
        out
    }

    #[test]
    fn a_png_reads_into_rgb_and_a_mask_only_when_it_is_transparent() {
        let opaque = Logo::from_png(&png_of(4, 2, None)).unwrap();
        assert_eq!((opaque.width, opaque.height, opaque.rgb.len(), opaque.alpha.is_none()), (4, 2, 24, true));
        let solid = Logo::from_png(&png_of(4, 2, Some(255))).unwrap();
        assert!(solid.alpha.is_none(), "an alpha channel that is all opaque is dropped");
        let see_through = Logo::from_png(&png_of(4, 2, Some(100))).unwrap();
        assert_eq!(see_through.alpha.as_ref().map(Vec::len), Some(8));
    }

    #[test]
    fn what_is_not_a_small_png_is_refused() {
        assert_eq!(Logo::from_png(b"GIF89a not a png"), Err(LogoError::NotPng));
        assert_eq!(Logo::from_png(&[]), Err(LogoError::NotPng));
        let mut cut = png_of(8, 8, None);
        cut.truncate(cut.len() / 2);
        assert_eq!(Logo::from_png(&cut), Err(LogoError::NotPng));
        assert_eq!(Logo::from_png(&png_of(LOGO_MAX_SIDE + 1, 1, None)), Err(LogoError::TooLarge));
        assert_eq!(Logo::from_png(&vec![0; LOGO_MAX_BYTES + 1]), Err(LogoError::TooLarge));
    }

    #[test]
    fn a_wide_logo_is_drawn_narrower_not_taller() {
        let wide = Logo { width: 1000, height: 100, rgb: vec![], alpha: None };
        assert_eq!(wide.drawn_size(), (DRAWN_MAX_WIDTH, DRAWN_MAX_WIDTH / 10.0));
        let square = Logo { width: 50, height: 50, rgb: vec![], alpha: None };
        assert_eq!(square.drawn_size(), (DRAWN_HEIGHT, DRAWN_HEIGHT));
    }
}
