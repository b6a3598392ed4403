//! Photos of damage, from the webview's camera or a file picker. The bytes are checked
//! to really be an image (JPEG, PNG or WebP, within size and pixel limits), turned
//! upright from the EXIF orientation, downscaled and re-encoded as JPEG. Re-encoding
//! drops every metadata block (EXIF with GPS location, XMP, comments), so what is stored
//! and uploaded carries only pixels. The raw camera bytes are never written to disk.

use std::io::Cursor;

use base64::Engine;
use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use crate::error::AppError;

/// Largest width or height decoded (a decompression bomb stops here, not in memory).
const MAX_DIMENSION: u32 = 12_000;
/// Memory the decoder may use.
const MAX_DECODE_ALLOC: u64 = 512 * 1024 * 1024;
/// JPEG quality of the stored photo.
const PHOTO_QUALITY: u8 = 85;
/// JPEG quality of thumbnails.
const THUMB_QUALITY: u8 = 75;

/// A photo ready to store: metadata-free JPEG bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessedPhoto {
    /// The JPEG to store and upload.
    pub jpeg: Vec<u8>,
    /// Width after orientation and downscaling.
    pub width: u32,
    /// Height after orientation and downscaling.
    pub height: u32,
}

/// Decodes base64 from the UI; a `data:image/...;base64,` prefix is allowed.
pub fn decode_base64(data: &str) -> Result<Vec<u8>, AppError> {
    let body = match data.split_once(";base64,") {
        Some((head, body)) if head.starts_with("data:") => body,
        _ => data,
    };
    base64::engine::general_purpose::STANDARD
        .decode(body.trim())
        .map_err(|_| {
            AppError::new(
                "PHOTO_NOT_AN_IMAGE",
                "The photo did not arrive intact. Take it again.",
            )
        })
}

fn unreadable(e: impl std::fmt::Display) -> AppError {
    AppError::new(
        "PHOTO_UNREADABLE",
        format!("That image file is damaged or cut short and cannot be read ({e}). Take the photo again."),
    )
}

fn decode(bytes: &[u8], max_bytes: usize) -> Result<DynamicImage, AppError> {
    if bytes.is_empty() {
        return Err(AppError::new(
            "PHOTO_EMPTY",
            "The photo is empty. Take it again.",
        ));
    }
    if bytes.len() > max_bytes {
        return Err(AppError::new(
            "PHOTO_TOO_LARGE",
            format!(
                "That photo is {:.1} MB; the limit is {:.0} MB. Use the camera or pick a smaller file.",
                bytes.len() as f64 / 1_048_576.0,
                max_bytes as f64 / 1_048_576.0
            ),
        ));
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(unreadable)?;
    match reader.format() {
        Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP) => {}
        Some(other) => {
            return Err(AppError::new(
                "PHOTO_FORMAT_UNSUPPORTED",
                format!(
                    "{} images are not accepted. Use a JPEG, PNG or WebP photo.",
                    other
                        .extensions_str()
                        .first()
                        .unwrap_or(&"These")
                        .to_uppercase()
                ),
            ))
        }
        None => {
            return Err(AppError::new(
                "PHOTO_NOT_AN_IMAGE",
                "That file is not a photo (JPEG, PNG or WebP). Pick an image file.",
            ))
        }
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DIMENSION);
    limits.max_image_height = Some(MAX_DIMENSION);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let orientation = decoder.orientation().map_err(unreadable)?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| match e {
        image::ImageError::Limits(_) => AppError::new(
            "PHOTO_TOO_LARGE",
            format!("That image is too large (over {MAX_DIMENSION} pixels a side)."),
        ),
        other => unreadable(other),
    })?;
    img.apply_orientation(orientation);
    Ok(img)
}

fn jpeg(img: &DynamicImage, quality: u8) -> Result<Vec<u8>, AppError> {
    let rgb = img.to_rgb8();
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(&rgb)
        .map_err(|e| {
            AppError::new(
                "PHOTO_ENCODE_FAILED",
                format!("The photo could not be saved: {e}"),
            )
        })?;
    Ok(out)
}

fn fit(img: DynamicImage, edge: u32) -> DynamicImage {
    if img.width().max(img.height()) > edge {
        img.resize(edge, edge, FilterType::Triangle)
    } else {
        img
    }
}

/// Checks, uprights, downscales to `max_edge` and re-encodes a photo without metadata.
pub fn process_photo(
    bytes: &[u8],
    max_bytes: usize,
    max_edge: u32,
) -> Result<ProcessedPhoto, AppError> {
    let img = fit(decode(bytes, max_bytes)?, max_edge);
    Ok(ProcessedPhoto {
        jpeg: jpeg(&img, PHOTO_QUALITY)?,
        width: img.width(),
        height: img.height(),
    })
}

/// A small JPEG of a stored photo.
pub fn thumbnail_jpeg(bytes: &[u8], edge: u32) -> Result<Vec<u8>, AppError> {
    jpeg(&fit(decode(bytes, usize::MAX)?, edge), THUMB_QUALITY)
}

/// A `data:` URL the webview can show (CSP allows `img-src data:`).
pub fn data_url(jpeg: &[u8]) -> String {
    format!(
        "data:image/jpeg;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(jpeg)
    )
}

/// Any stored image (photo or signature PNG) as RGB pixels fitted to `edge`, for the PDF.
pub fn rgb_pixels(bytes: &[u8], edge: u32) -> Result<(u32, u32, Vec<u8>), AppError> {
    let img = fit(decode(bytes, usize::MAX)?, edge).to_rgb8();
    Ok((img.width(), img.height(), img.into_raw()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use image::{ImageEncoder, Rgb, RgbImage};

    /// A JPEG `w`×`h`, left half red, with an EXIF block saying "rotate 90° clockwise"
    /// and a GPS-looking marker, as phones write them.
    pub(crate) fn jpeg_with_exif(w: u32, h: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(w, h, |x, _| {
            if x < w / 2 {
                Rgb([220, 30, 30])
            } else {
                Rgb([30, 30, 220])
            }
        });
        let mut plain = Vec::new();
        JpegEncoder::new_with_quality(&mut plain, 90)
            .write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
            .unwrap();
        // TIFF, big-endian: IFD0 with one entry, Orientation (0x0112) SHORT = 6.
        let mut tiff = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
        tiff.extend_from_slice(&[
            0x00, 0x01, 0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1, 0x00, 0x06, 0, 0,
        ]);
        tiff.extend_from_slice(&[0, 0, 0, 0]);
        tiff.extend_from_slice(b"GPSLatitude -36.8485 174.7633");
        let mut app1 = b"Exif\x00\x00".to_vec();
        app1.extend_from_slice(&tiff);
        let len = (app1.len() + 2) as u16;
        let mut out = plain[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&app1);
        out.extend_from_slice(&plain[2..]);
        out
    }

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn exif_is_stripped_and_the_photo_turned_upright() {
        let raw = jpeg_with_exif(80, 40);
        assert!(contains(&raw, b"Exif") && contains(&raw, b"GPSLatitude"));
        let p = process_photo(&raw, 1 << 20, 2048).unwrap();
        assert!(!contains(&p.jpeg, b"Exif"), "EXIF block gone");
        assert!(!contains(&p.jpeg, b"GPSLatitude"), "location gone");
        assert_eq!(
            (p.width, p.height),
            (40, 80),
            "rotated by the orientation tag"
        );
        let back = image::load_from_memory(&p.jpeg).unwrap().to_rgb8();
        // After a 90° clockwise turn the red (left) half is on top.
        let top = back.get_pixel(20, 5);
        assert!(top.0[0] > 150 && top.0[2] < 100, "top is red: {top:?}");
    }

    #[test]
    fn large_photos_are_downscaled_keeping_their_shape() {
        let img = RgbImage::from_pixel(3000, 1500, Rgb([10, 120, 10]));
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(img.as_raw(), 3000, 1500, image::ExtendedColorType::Rgb8)
            .unwrap();
        let p = process_photo(&png, 20 << 20, 1024).unwrap();
        assert_eq!((p.width, p.height), (1024, 512));
        assert_eq!(image::guess_format(&p.jpeg).unwrap(), ImageFormat::Jpeg);
    }

    #[test]
    fn bytes_that_are_not_an_image_are_refused_clearly() {
        assert_eq!(
            process_photo(b"%PDF-1.7 not a photo", 1 << 20, 2048)
                .unwrap_err()
                .code,
            "PHOTO_NOT_AN_IMAGE"
        );
        assert_eq!(
            process_photo(b"", 1 << 20, 2048).unwrap_err().code,
            "PHOTO_EMPTY"
        );
        let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;";
        assert_eq!(
            process_photo(gif, 1 << 20, 2048).unwrap_err().code,
            "PHOTO_FORMAT_UNSUPPORTED"
        );
    }

    #[test]
    fn a_truncated_jpeg_is_unreadable_not_a_panic() {
        let raw = jpeg_with_exif(64, 64);
        let cut = &raw[..raw.len() / 2];
        assert_eq!(
            process_photo(cut, 1 << 20, 2048).unwrap_err().code,
            "PHOTO_UNREADABLE"
        );
    }

    #[test]
    fn a_photo_over_the_size_limit_is_refused() {
        let raw = jpeg_with_exif(64, 64);
        assert_eq!(
            process_photo(&raw, raw.len() - 1, 2048).unwrap_err().code,
            "PHOTO_TOO_LARGE"
        );
    }

    #[test]
    fn base64_with_or_without_a_data_url_prefix_decodes() {
        assert_eq!(decode_base64("aGk=").unwrap(), b"hi");
        assert_eq!(decode_base64("data:image/jpeg;base64,aGk=").unwrap(), b"hi");
        assert_eq!(
            decode_base64("not base64 !!").unwrap_err().code,
            "PHOTO_NOT_AN_IMAGE"
        );
    }
}
