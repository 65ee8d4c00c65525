//! Lays the report out on A4 pages and writes the PDF objects.

use std::collections::BTreeMap;

use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use tdverify_core::{Check, CheckStatus, Verdict};

use crate::{ReportCapture, ReportFont, ReportInput};

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 50.0;
const BOTTOM: f32 = PAGE_HEIGHT - 60.0;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// Longest side of an embedded capture, in pixels: enough to print, small enough to mail.
const MAX_IMAGE_PIXELS: u32 = 1400;
const FONT_NAME: &[u8] = b"F1";

type Rgb = (f32, f32, f32);
const BLACK: Rgb = (0.0, 0.0, 0.0);
const GREY: Rgb = (0.4, 0.4, 0.4);

/// Colour of a status in tables and region outlines.
fn status_colour(status: CheckStatus) -> Rgb {
    match status {
        CheckStatus::Fail => (0.80, 0.08, 0.08),
        CheckStatus::Error => (0.55, 0.10, 0.60),
        CheckStatus::Warn => (0.85, 0.50, 0.00),
        CheckStatus::NotChecked => (0.30, 0.50, 0.70),
        CheckStatus::Pass => (0.05, 0.50, 0.15),
        CheckStatus::NotApplicable => GREY,
    }
}

struct Page {
    content: Content,
    /// Image XObjects this page uses: resource name and object.
    images: Vec<(String, Ref)>,
}

struct EncodedImage {
    id: Ref,
    jpeg: Vec<u8>,
    width: u32,
    height: u32,
}

/// The layout state: pages so far, the cursor (from the top), the glyphs used.
struct Layout<'f> {
    font: &'f ReportFont,
    pages: Vec<Page>,
    /// Distance of the cursor from the top of the page, in points.
    y: f32,
    used_glyphs: BTreeMap<u16, char>,
    images: Vec<EncodedImage>,
    next_id: i32,
}

impl<'f> Layout<'f> {
    fn new(font: &'f ReportFont) -> Layout<'f> {
        let mut layout = Layout {
            font,
            pages: Vec::new(),
            y: 0.0,
            used_glyphs: BTreeMap::new(),
            images: Vec::new(),
            next_id: 100,
        };
        layout.new_page();
        layout
    }

    fn allocate(&mut self) -> Ref {
        self.next_id += 1;
        Ref::new(self.next_id)
    }

    fn new_page(&mut self) {
        self.pages.push(Page {
            content: Content::new(),
            images: Vec::new(),
        });
        self.y = MARGIN;
    }

    fn page(&mut self) -> &mut Page {
        if self.pages.is_empty() {
            self.new_page();
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Starts a new page unless `height` more points fit on this one.
    fn ensure(&mut self, height: f32) {
        if self.y + height > BOTTOM {
            self.new_page();
        }
    }

    fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(text.len() * 2);
        for character in text.chars() {
            let glyph = self.font.glyph(character);
            self.used_glyphs.entry(glyph).or_insert(character);
            bytes.extend_from_slice(&glyph.to_be_bytes());
        }
        bytes
    }

    /// Draws one line of text with its baseline `baseline` points from the top.
    fn text_at(&mut self, x: f32, baseline: f32, size: f32, colour: Rgb, text: &str) {
        let encoded = self.encode(text);
        let content = &mut self.page().content;
        content.set_fill_rgb(colour.0, colour.1, colour.2);
        content.begin_text();
        content.set_font(Name(FONT_NAME), size);
        content.next_line(x, PAGE_HEIGHT - baseline);
        content.show(Str(&encoded));
        content.end_text();
    }

    /// Splits text into lines no wider than `width` at `size`, breaking at spaces
    /// (and inside words longer than a line).
    fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            for word in paragraph.split(' ') {
                let candidate = if line.is_empty() {
                    word.to_string()
                } else {
                    format!("{line} {word}")
                };
                if self.font.text_width(&candidate, size) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // A word too long for a line is cut where it no longer fits.
                let mut piece = String::new();
                for character in word.chars() {
                    piece.push(character);
                    if self.font.text_width(&piece, size) > width && piece.chars().count() > 1 {
                        piece.pop();
                        lines.push(std::mem::take(&mut piece));
                        piece.push(character);
                    }
                }
                line = piece;
            }
            lines.push(line);
        }
        lines
    }

    /// Wrapped text at the cursor, moving it down.
    fn paragraph(&mut self, x: f32, width: f32, size: f32, colour: Rgb, text: &str) {
        for line in self.wrap(text, size, width) {
            self.ensure(size * 1.4);
            self.y += size * 1.25;
            self.text_at(x, self.y, size, colour, &line);
            self.y += size * 0.15;
        }
    }

    fn heading(&mut self, text: &str) {
        self.ensure(40.0);
        self.y += 14.0;
        self.paragraph(MARGIN, CONTENT_WIDTH, 13.0, BLACK, text);
        let y = PAGE_HEIGHT - self.y - 3.0;
        let content = &mut self.page().content;
        content.set_stroke_rgb(0.6, 0.6, 0.6);
        content.set_line_width(0.5);
        content.move_to(MARGIN, y);
        content.line_to(PAGE_WIDTH - MARGIN, y);
        content.stroke();
        self.y += 8.0;
    }

    /// Label / value rows.
    fn fields(&mut self, rows: &[(&str, String)]) {
        let label_width = 130.0;
        for (label, value) in rows {
            let lines = self.wrap(value, 10.0, CONTENT_WIDTH - label_width);
            self.ensure(lines.len() as f32 * 13.0 + 2.0);
            self.y += 12.5;
            self.text_at(MARGIN, self.y, 10.0, GREY, label);
            for (index, line) in lines.iter().enumerate() {
                if index > 0 {
                    self.y += 12.5;
                }
                self.text_at(MARGIN + label_width, self.y, 10.0, BLACK, line);
            }
            self.y += 1.5;
        }
    }

    /// The checks table: id, status, message (wrapped), one row per check.
    fn checks_table(&mut self, checks: &[(usize, &Check)]) {
        let (number_x, id_x, status_x, message_x) =
            (MARGIN, MARGIN + 22.0, MARGIN + 200.0, MARGIN + 262.0);
        let header = |layout: &mut Layout| {
            layout.ensure(30.0);
            layout.y += 12.0;
            for (x, title) in [
                (number_x, "#"),
                (id_x, "Check"),
                (status_x, "Status"),
                (message_x, "Message"),
            ] {
                layout.text_at(x, layout.y, 8.5, GREY, title);
            }
            layout.y += 3.0;
        };
        header(self);
        for (number, check) in checks {
            let id_lines = self.wrap(&check.id, 8.5, status_x - id_x - 6.0);
            let message_lines = self.wrap(&check.message, 8.5, PAGE_WIDTH - MARGIN - message_x);
            let rows = id_lines.len().max(message_lines.len()).max(1);
            let height = rows as f32 * 11.0 + 3.0;
            if self.y + height > BOTTOM {
                self.new_page();
                header(self);
            }
            let top = self.y;
            self.text_at(number_x, top + 10.0, 8.5, GREY, &number.to_string());
            self.text_at(
                status_x,
                top + 10.0,
                8.5,
                status_colour(check.status),
                check.status.as_str(),
            );
            for (index, line) in id_lines.iter().enumerate() {
                self.text_at(id_x, top + 10.0 + index as f32 * 11.0, 8.5, BLACK, line);
            }
            for (index, line) in message_lines.iter().enumerate() {
                self.text_at(
                    message_x,
                    top + 10.0 + index as f32 * 11.0,
                    8.5,
                    BLACK,
                    line,
                );
            }
            self.y = top + height;
            let y = PAGE_HEIGHT - self.y;
            let content = &mut self.page().content;
            content.set_stroke_rgb(0.85, 0.85, 0.85);
            content.set_line_width(0.3);
            content.move_to(MARGIN, y);
            content.line_to(PAGE_WIDTH - MARGIN, y);
            content.stroke();
        }
    }

    /// One capture scaled to the page width, with numbered outlines on the evidence
    /// regions that refer to its light.
    fn capture(&mut self, capture: &ReportCapture, checks: &[(usize, &Check)]) {
        let title = format!("{} light", capture.light.as_str().to_uppercase());
        let Some(image) = decode_capture(&capture.image) else {
            self.paragraph(
                MARGIN,
                CONTENT_WIDTH,
                10.0,
                GREY,
                &format!("{title}: the stored image cannot be read."),
            );
            return;
        };
        let (pixel_width, pixel_height) =
            (image.original_width as f32, image.original_height as f32);
        let scale = (CONTENT_WIDTH / pixel_width).min(300.0 / pixel_height);
        let (width, height) = (pixel_width * scale, pixel_height * scale);
        self.ensure(height + 24.0);
        self.paragraph(MARGIN, CONTENT_WIDTH, 10.0, BLACK, &title);
        self.y += 3.0;
        let id = self.allocate();
        let name = format!("Im{}", self.images.len() + 1);
        self.images.push(EncodedImage {
            id,
            jpeg: image.jpeg,
            width: image.width,
            height: image.height,
        });
        let left = MARGIN;
        let bottom = PAGE_HEIGHT - self.y - height;
        let mut labels = Vec::new();
        let image_top = self.y;
        {
            let page = self.page();
            page.images.push((name.clone(), id));
            let content = &mut page.content;
            content.save_state();
            content.transform([width, 0.0, 0.0, height, left, bottom]);
            content.x_object(Name(name.as_bytes()));
            content.restore_state();
            content.set_stroke_rgb(0.7, 0.7, 0.7);
            content.set_line_width(0.5);
            content.rect(left, bottom, width, height);
            content.stroke();
            for (number, check) in checks {
                for evidence in &check.evidence {
                    let (Some(light), Some(region)) = (evidence.light, evidence.region) else {
                        continue;
                    };
                    if light != capture.light || !region.x.is_finite() || !region.y.is_finite() {
                        continue;
                    }
                    // Clamp to the image so a bad region cannot draw over the page.
                    let x0 = region.x.clamp(0.0, pixel_width);
                    let y0 = region.y.clamp(0.0, pixel_height);
                    let x1 = (region.x + region.w).clamp(0.0, pixel_width);
                    let y1 = (region.y + region.h).clamp(0.0, pixel_height);
                    let (r, g, b) = status_colour(check.status);
                    content.set_stroke_rgb(r, g, b);
                    content.set_line_width(1.5);
                    content.rect(
                        left + x0 * scale,
                        bottom + (pixel_height - y1) * scale,
                        (x1 - x0) * scale,
                        (y1 - y0) * scale,
                    );
                    content.stroke();
                    labels.push((
                        *number,
                        left + x0 * scale,
                        image_top + y0 * scale,
                        check.status,
                    ));
                }
            }
        }
        for (number, x, top, status) in labels {
            let label = number.to_string();
            let label_width = self.font.text_width(&label, 8.0) + 4.0;
            let baseline = if top - 10.0 > self.y {
                top - 2.0
            } else {
                top + 9.0
            };
            let (r, g, b) = status_colour(status);
            let content = &mut self.page().content;
            content.set_fill_rgb(r, g, b);
            content.rect(x, PAGE_HEIGHT - baseline - 2.0, label_width, 10.0);
            content.fill_nonzero();
            self.text_at(x + 2.0, baseline, 8.0, (1.0, 1.0, 1.0), &label);
        }
        self.y += height + 6.0;
    }

    fn signature_lines(&mut self, officer: &str, reviewer: Option<&str>) {
        self.ensure(90.0);
        self.y += 50.0;
        let line_y = PAGE_HEIGHT - self.y;
        let column = (CONTENT_WIDTH - 30.0) / 2.0;
        {
            let content = &mut self.page().content;
            content.set_stroke_rgb(0.0, 0.0, 0.0);
            content.set_line_width(0.6);
            for x in [MARGIN, MARGIN + column + 30.0] {
                content.move_to(x, line_y);
                content.line_to(x + column, line_y);
                content.stroke();
            }
        }
        self.text_at(
            MARGIN,
            self.y + 12.0,
            9.0,
            GREY,
            &format!("Officer: {officer}   Date:"),
        );
        let supervisor = format!("Supervisor: {}   Date:", reviewer.unwrap_or(""));
        self.text_at(
            MARGIN + column + 30.0,
            self.y + 12.0,
            9.0,
            GREY,
            &supervisor,
        );
        self.y += 20.0;
    }
}

struct DecodedCapture {
    jpeg: Vec<u8>,
    width: u32,
    height: u32,
    original_width: u32,
    original_height: u32,
}

/// Decodes a stored capture and re-encodes it as a JPEG no larger than
/// [`MAX_IMAGE_PIXELS`]; `None` if the bytes are not a readable image.
fn decode_capture(bytes: &[u8]) -> Option<DecodedCapture> {
    let image = image::load_from_memory(bytes).ok()?;
    let (original_width, original_height) = (image.width(), image.height());
    if original_width == 0 || original_height == 0 {
        return None;
    }
    let image = if original_width.max(original_height) > MAX_IMAGE_PIXELS {
        image.thumbnail(MAX_IMAGE_PIXELS, MAX_IMAGE_PIXELS)
    } else {
        image
    };
    let rgb = image.to_rgb8();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode_image(&rgb)
        .ok()?;
    Some(DecodedCapture {
        jpeg,
        width: rgb.width(),
        height: rgb.height(),
        original_width,
        original_height,
    })
}

fn verdict_text(verdict: Option<Verdict>) -> String {
    verdict
        .map(|v| v.as_str().to_string())
        .unwrap_or_else(|| "—".to_string())
}

fn optional(text: &Option<String>) -> String {
    text.clone()
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "—".to_string())
}

/// Renders the report to PDF bytes. Never fails: unreadable captures are reported in
/// the PDF as such, and characters missing from the font show as the font's box.
pub fn render_pdf(input: &ReportInput, font: &ReportFont) -> Vec<u8> {
    let mut layout = Layout::new(font);
    let case = &input.case;
    layout.y += 6.0;
    layout.paragraph(
        MARGIN,
        CONTENT_WIDTH,
        18.0,
        BLACK,
        "Document inspection — case report",
    );
    layout.paragraph(
        MARGIN,
        CONTENT_WIDTH,
        9.0,
        GREY,
        "tdverify · for official use · contains personal data of the case",
    );

    layout.heading("Summary");
    let mut document = optional(&case.issuing_state);
    if let Some(code) = case.document_code.as_ref().filter(|c| !c.is_empty()) {
        document.push_str(&format!(" · type {code}"));
    }
    let mut summary = vec![
        ("Case", case.case_id.clone()),
        ("Status", case.status.clone()),
        ("Opened (UTC)", case.opened.clone()),
        ("Last change (UTC)", case.updated.clone()),
        ("Officer", case.officer.clone()),
        ("Document", document),
    ];
    if let Some(reviewer) = &case.reviewed_by {
        summary.push((
            "Reviewed by",
            format!(
                "{reviewer} at {}",
                case.reviewed_at.as_deref().unwrap_or("?")
            ),
        ));
    }
    layout.fields(&summary);

    layout.heading("Verdict and classification");
    let methods = if case.forgery_methods.is_empty() {
        "—".to_string()
    } else {
        case.forgery_methods
            .iter()
            .map(|m| m.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    layout.fields(&[
        ("Proposed by tdverify", verdict_text(case.proposed_verdict)),
        ("Officer's verdict", verdict_text(case.officer_verdict)),
        (
            "Fraud type",
            case.fraud_type
                .map(|f| f.as_str().to_string())
                .unwrap_or_else(|| "—".into()),
        ),
        ("Forgery methods", methods),
    ]);

    let numbered: Vec<(usize, &Check)> = input
        .checks
        .iter()
        .enumerate()
        .map(|(i, c)| (i + 1, c))
        .collect();
    if !input.captures.is_empty() {
        layout.heading("Captures and findings");
        layout.paragraph(
            MARGIN,
            CONTENT_WIDTH,
            8.5,
            GREY,
            "Outlined regions carry the number of the check in the table below; the colour is its status.",
        );
        for capture in &input.captures {
            layout.capture(capture, &numbered);
        }
    }

    let is_section = |check: &Check, prefix: &str| check.id.starts_with(prefix);
    let chip: Vec<(usize, &Check)> = numbered
        .iter()
        .copied()
        .filter(|(_, c)| is_section(c, "chip."))
        .collect();
    let face: Vec<(usize, &Check)> = numbered
        .iter()
        .copied()
        .filter(|(_, c)| is_section(c, "face."))
        .collect();
    let other: Vec<(usize, &Check)> = numbered
        .iter()
        .copied()
        .filter(|(_, c)| !is_section(c, "chip.") && !is_section(c, "face."))
        .collect();
    layout.heading("Checks");
    if other.is_empty() {
        layout.paragraph(
            MARGIN,
            CONTENT_WIDTH,
            10.0,
            GREY,
            "No document checks recorded.",
        );
    } else {
        layout.checks_table(&other);
    }
    if !chip.is_empty() {
        layout.heading("Chip");
        layout.checks_table(&chip);
    }
    if !face.is_empty() {
        layout.heading("Face");
        layout.checks_table(&face);
    }
    if !case.notes.is_empty() {
        layout.heading("Notes");
        for note in &case.notes {
            layout.paragraph(MARGIN, CONTENT_WIDTH, 9.5, BLACK, note);
        }
    }
    layout.heading("Signatures");
    layout.signature_lines(&case.officer, case.reviewed_by.as_deref());

    let page_count = layout.pages.len();
    for index in 0..page_count {
        let footer = format!(
            "Case {} · page {} of {}",
            case.case_id,
            index + 1,
            page_count
        );
        let encoded = layout.encode(&footer);
        if let Some(page) = layout.pages.get_mut(index) {
            let content = &mut page.content;
            content.set_fill_rgb(GREY.0, GREY.1, GREY.2);
            content.begin_text();
            content.set_font(Name(FONT_NAME), 8.0);
            content.next_line(MARGIN, 30.0);
            content.show(Str(&encoded));
            content.end_text();
        }
    }
    write_document(layout, &case.case_id)
}

/// zlib-compresses a stream (FlateDecode): the embedded font shrinks to about half.
fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

fn write_document(layout: Layout, case_id: &str) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let catalog_id = Ref::new(1);
    let pages_id = Ref::new(2);
    let font_id = crate::font::FONT_ID;
    let info_id = Ref::new(8);
    let mut next_id = layout.next_id;
    let mut allocate = || {
        next_id += 1;
        Ref::new(next_id)
    };

    pdf.catalog(catalog_id).pages(pages_id);
    let title = format!("Case report {case_id}");
    pdf.document_info(info_id)
        .title(TextStr(&title))
        .producer(TextStr("tdverify"));

    let page_ids: Vec<(Ref, Ref)> = layout
        .pages
        .iter()
        .map(|_| (allocate(), allocate()))
        .collect();
    pdf.pages(pages_id)
        .kids(page_ids.iter().map(|(page, _)| *page))
        .count(page_ids.len() as i32);
    for (page, (page_id, content_id)) in layout.pages.into_iter().zip(&page_ids) {
        let mut writer = pdf.page(*page_id);
        writer.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT));
        writer.parent(pages_id);
        writer.contents(*content_id);
        let mut resources = writer.resources();
        resources.fonts().pair(Name(FONT_NAME), font_id);
        if !page.images.is_empty() {
            let mut objects = resources.x_objects();
            for (name, id) in &page.images {
                objects.pair(Name(name.as_bytes()), *id);
            }
        }
        resources.finish();
        writer.finish();
        let compressed = deflate(&page.content.finish());
        pdf.stream(*content_id, &compressed)
            .filter(Filter::FlateDecode);
    }
    for image in &layout.images {
        let mut object = pdf.image_xobject(image.id, &image.jpeg);
        object.filter(Filter::DctDecode);
        object.width(image.width as i32);
        object.height(image.height as i32);
        object.color_space().device_rgb();
        object.bits_per_component(8);
        object.finish();
    }

    crate::font::write_font_objects(&mut pdf, layout.font, &layout.used_glyphs);
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ReportCase;
    use proptest::prelude::*;
    use tdverify_core::{Evidence, FraudType, Light};

    /// The report font; `cargo xtask setup` installs it (fonts-dejavu-core),
    /// so a missing one fails the test.
    #[track_caller]
    fn font() -> ReportFont {
        ReportFont::system().unwrap_or_else(|e| {
            tdverify_core::test_data::missing_project_piece(
                format!("the report font ({e})"),
                "run cargo xtask setup (Debian fonts-dejavu-core)",
            )
        })
    }

    fn sample_capture() -> Vec<u8> {
        let image = image::RgbImage::from_fn(400, 280, |x, y| {
            if (30..370).contains(&x) && (200..260).contains(&y) {
                image::Rgb([235, 235, 225])
            } else {
                image::Rgb([(60 + x / 4) as u8, (90 + y / 4) as u8, 150])
            }
        });
        let mut png = Vec::new();
        image::DynamicImage::ImageRgb8(image)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("encode test image");
        png
    }

    fn sample_input() -> ReportInput {
        ReportInput {
            case: ReportCase {
                case_id: "TEST-case-0001".into(),
                status: "submitted".into(),
                opened: "2026-11-25T10:00:00Z".into(),
                updated: "2026-11-25T10:05:00Z".into(),
                officer: "officer.test".into(),
                issuing_state: Some("UTO".into()),
                document_code: Some("P".into()),
                proposed_verdict: Some(Verdict::Fraudulent),
                officer_verdict: Some(Verdict::Fraudulent),
                fraud_type: Some(FraudType::Forged),
                notes: vec!["2026-11-25T10:04:00Z officer.test: photo edge looks cut; é ü ß".into()],
                ..ReportCase::default()
            },
            captures: vec![ReportCapture { light: Light::White, image: sample_capture() }],
            checks: vec![
                Check::fail("mrz.check_digit.number", "The document number's check digit does not match.")
                    .with_evidence(Evidence::region(Light::White, tdverify_core::Rect::new(30.0, 200.0, 340.0, 60.0))),
                Check::warn("image.sharpness", "The white-light image is slightly blurred; a long message that must wrap onto a second line of the table to show wrapping works.")
                    .with_evidence(Evidence::region(Light::White, tdverify_core::Rect::new(250.0, 20.0, 120.0, 150.0))),
                Check::pass("chip.passive_auth", "The chip's data is signed by a trusted issuer (TEST)."),
                Check::pass("face.match", "The bearer matches the chip photo."),
            ],
        }
    }

    #[test]
    fn renders_a_pdf_with_text_images_and_every_page_closed() {
        let font = font();
        let pdf = render_pdf(&sample_input(), &font);
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/DCTDecode"));
        assert!(text.contains("/Identity-H"));
        assert!(text.trim_end().ends_with("%%EOF"));
    }

    #[test]
    fn many_checks_flow_onto_more_pages() {
        let font = font();
        let mut input = sample_input();
        input.checks = (0..200)
            .map(|i| Check::warn(format!("test.check_{i}"), "TEST message"))
            .collect();
        let pdf = render_pdf(&input, &font);
        let text = String::from_utf8_lossy(&pdf);
        assert!(
            text.matches("/Type /Page\n").count() + text.matches("/Type /Page\r").count() >= 1
                || text.contains("/Count")
        );
        let pages = text.matches("/MediaBox").count();
        assert!(pages >= 4, "expected several pages, got {pages}");
    }

    #[test]
    fn an_unreadable_capture_is_reported_not_fatal() {
        let font = font();
        let mut input = sample_input();
        input.captures = vec![ReportCapture {
            light: Light::Uv,
            image: b"not an image".to_vec(),
        }];
        let pdf = render_pdf(&input, &font);
        assert!(pdf.starts_with(b"%PDF-"));
    }

    #[test]
    fn wrapping_keeps_every_word_and_respects_the_width() {
        let font = font();
        let layout = Layout::new(&font);
        let text =
            "alpha beta gamma delta epsilon averyveryveryveryveryveryverylongwordthatcannotfit";
        let lines = layout.wrap(text, 10.0, 80.0);
        assert!(lines.len() > 2);
        for line in &lines {
            assert!(
                font.text_width(line, 10.0) <= 80.0 || line.chars().count() == 1,
                "{line}"
            );
        }
        assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
    }

    /// Renders the sample report into out/reports/, rasterises it with pdftoppm (Debian
    /// poppler-utils) and checks the first page is not blank and the text is extractable.
    #[test]
    fn renders_to_png_with_pdftoppm() {
        let font = font();
        let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../out/reports");
        std::fs::create_dir_all(&out).expect("create out/reports");
        let pdf_path = out.join("case-report-sample.pdf");
        std::fs::write(&pdf_path, render_pdf(&sample_input(), &font)).expect("write the PDF");
        let prefix = out.join("case-report-sample");
        let status = match std::process::Command::new("pdftoppm")
            .args(["-png", "-r", "80"])
            .arg(&pdf_path)
            .arg(&prefix)
            .status()
        {
            Ok(status) => status,
            Err(e) => tdverify_core::test_data::missing_project_piece(
                format!("pdftoppm ({e})"),
                "run cargo xtask setup (Debian poppler-utils)",
            ),
        };
        assert!(
            status.success(),
            "pdftoppm failed on {}",
            pdf_path.display()
        );
        let first_page = out.join("case-report-sample-1.png");
        let page = image::open(&first_page).expect("read the PNG").to_luma8();
        let dark = page.pixels().filter(|p| p.0[0] < 128).count();
        let total = page.pixels().len();
        assert!(
            dark * 200 > total,
            "page looks blank: {dark} dark pixels of {total}"
        );
        if let Ok(output) = std::process::Command::new("pdftotext")
            .arg(&pdf_path)
            .arg("-")
            .output()
        {
            let text = String::from_utf8_lossy(&output.stdout);
            assert!(text.contains("TEST-case-0001"), "{text}");
            assert!(text.contains("mrz.check_digit.number"), "{text}");
            assert!(text.contains("Supervisor"), "{text}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn random_text_regions_and_image_bytes_never_panic(
            message in ".{0,300}",
            id in "[a-z._]{0,80}",
            x in proptest::num::f32::ANY, y in proptest::num::f32::ANY,
            w in proptest::num::f32::ANY, h in proptest::num::f32::ANY,
            bytes in proptest::collection::vec(any::<u8>(), 0..64),
        ) {
            let font = font();
            let mut input = sample_input();
            input.case.case_id = message.clone();
            input.captures.push(ReportCapture { light: Light::Ir, image: bytes });
            input.checks.push(Check::fail(id, message)
                .with_evidence(Evidence::region(Light::White, tdverify_core::Rect::new(x, y, w, h))));
            let pdf = render_pdf(&input, &font);
            prop_assert!(pdf.starts_with(b"%PDF-"));
        }
    }
}
