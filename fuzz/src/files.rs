//! Targets for files an officer or administrator opens: MRZ text, images,
//! reference templates.

use std::hint::black_box;
use std::io::Cursor;
use std::path::Path;

use tdverify_document::reference::Template;
use tdverify_mrz::MrzDate;

/// The largest image side the app's import accepts (`tdverify::capture::import::MAX_SIDE`;
/// the root crate links OpenCV, which this crate does not build).
pub const APP_MAX_IMAGE_SIDE: u32 = 20_000;

/// MRZ text as typed, pasted or read: parse, every check, the JSON report.
pub fn mrz(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let today = MrzDate::new(2026, 6, 15);
    if let Ok(mrz) = tdverify_mrz::parse(&text) {
        let checks = tdverify_mrz::checks(&mrz, today);
        black_box(tdverify_mrz::report_json(&mrz, &checks, today));
        black_box(tdverify_mrz::suggest_corrections(&mrz));
    }
}

/// Image import the way the app decodes a file: guess the format, refuse
/// sides over the limit, decode under the same limits.
pub fn image(data: &[u8]) {
    let Ok(reader) = image::ImageReader::new(Cursor::new(data)).with_guessed_format() else {
        return;
    };
    let Some(format) = reader.format() else {
        return;
    };
    let Ok((width, height)) = reader.into_dimensions() else {
        return;
    };
    if width > APP_MAX_IMAGE_SIDE || height > APP_MAX_IMAGE_SIDE {
        return;
    }
    let mut decoder = image::ImageReader::with_format(Cursor::new(data), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(APP_MAX_IMAGE_SIDE);
    limits.max_image_height = Some(APP_MAX_IMAGE_SIDE);
    decoder.limits(limits);
    black_box(decoder.decode().ok());
}

/// A reference library `template.toml`.
pub fn template(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    black_box(Template::from_toml_str(text, Path::new("fuzz/UTO/passport/template.toml")).ok());
}
