//! Writes [`Scene`]s as PDF pages of vector graphics with the report's embedded font
//! (CID-keyed, Identity-H, with a ToUnicode map so the text can be searched and copied),
//! and reads the text back ([`extract_text`]) for tests and scripts that have no PDF
//! tools.

use std::collections::BTreeMap;

use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::chart::{Anchor, Rgb, Scene, Shape};
use crate::ReportFont;

const FONT_NAME: &[u8] = b"F1";

fn channel(value: u8) -> f32 {
    f32::from(value) / 255.0
}

/// The content stream of one scene; records the glyphs it uses.
fn content(scene: &Scene, font: &ReportFont, used: &mut BTreeMap<u16, char>) -> Vec<u8> {
    let mut content = Content::new();
    let height = scene.height;
    let fill = |content: &mut Content, colour: Rgb| {
        content.set_fill_rgb(channel(colour[0]), channel(colour[1]), channel(colour[2]));
    };
    let stroke = |content: &mut Content, colour: Rgb| {
        content.set_stroke_rgb(channel(colour[0]), channel(colour[1]), channel(colour[2]));
    };
    for shape in &scene.shapes {
        match shape {
            Shape::Rect { x, y, w, h, fill: colour } => {
                fill(&mut content, *colour);
                content.rect(*x, height - y - h, *w, *h);
                content.fill_nonzero();
            }
            Shape::Line { points, width, colour } => {
                stroke(&mut content, *colour);
                content.set_line_width(*width);
                for (index, [x, y]) in points.iter().enumerate() {
                    if index == 0 {
                        content.move_to(*x, height - y);
                    } else {
                        content.line_to(*x, height - y);
                    }
                }
                content.stroke();
            }
            Shape::Polygon { rings, fill: colour, outline } => {
                fill(&mut content, *colour);
                for ring in rings {
                    for (index, [x, y]) in ring.iter().enumerate() {
                        if index == 0 {
                            content.move_to(*x, height - y);
                        } else {
                            content.line_to(*x, height - y);
                        }
                    }
                    content.close_path();
                }
                match outline {
                    Some((colour, width)) => {
                        stroke(&mut content, *colour);
                        content.set_line_width(*width);
                        content.fill_even_odd_and_stroke();
                    }
                    None => {
                        content.fill_even_odd();
                    }
                }
            }
            Shape::Text { x, y, size, colour, text, anchor } => {
                let width = font.text_width(text, *size);
                let left = match anchor {
                    Anchor::Start => *x,
                    Anchor::Middle => x - width / 2.0,
                    Anchor::End => x - width,
                };
                let mut encoded = Vec::with_capacity(text.len() * 2);
                for character in text.chars() {
                    let glyph = font.glyph(character);
                    used.entry(glyph).or_insert(character);
                    encoded.extend_from_slice(&glyph.to_be_bytes());
                }
                fill(&mut content, *colour);
                content.begin_text();
                content.set_font(Name(FONT_NAME), *size);
                content.next_line(left, height - y);
                content.show(Str(&encoded));
                content.end_text();
            }
        }
    }
    content.finish()
}

/// The PDF of `pages` (each page as large as its scene), titled `title`.
pub(crate) fn document(pages: &[Scene], font: &ReportFont, title: &str) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let catalog_id = Ref::new(1);
    let pages_id = Ref::new(2);
    let font_id = crate::font::FONT_ID;
    let info_id = Ref::new(8);
    let mut next_id = 8;
    let mut allocate = || {
        next_id += 1;
        Ref::new(next_id)
    };
    pdf.catalog(catalog_id).pages(pages_id);
    pdf.document_info(info_id).title(TextStr(title)).producer(TextStr("tdverify"));
    let ids: Vec<(Ref, Ref)> = pages.iter().map(|_| (allocate(), allocate())).collect();
    pdf.pages(pages_id).kids(ids.iter().map(|(page, _)| *page)).count(ids.len() as i32);
    let mut used = BTreeMap::new();
    for (scene, (page_id, content_id)) in pages.iter().zip(&ids) {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, scene.width, scene.height));
        page.parent(pages_id);
        page.contents(*content_id);
        page.resources().fonts().pair(Name(FONT_NAME), font_id);
        page.finish();
        let stream = content(scene, font, &mut used);
        let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&stream, 6);
        pdf.stream(*content_id, &compressed).filter(Filter::FlateDecode);
    }
    crate::font::write_font_objects(&mut pdf, font, &used);
    pdf.finish()
}

/// The streams of a PDF, inflated when they are FlateDecode.
fn streams(pdf: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = pdf;
    let mut dictionary_start = 0usize;
    let mut offset = 0usize;
    while let Some(start) = find(rest, b"stream\n") {
        let begin = start + b"stream\n".len();
        let Some(length) = find(&rest[begin..], b"\nendstream") else { break };
        let dictionary = &pdf[dictionary_start..offset + start];
        let data = &rest[begin..begin + length];
        let dictionary_tail = &dictionary[dictionary.len().saturating_sub(200)..];
        if find(dictionary_tail, b"/FlateDecode").is_some() {
            if let Ok(inflated) = miniz_oxide::inflate::decompress_to_vec_zlib(data) {
                out.push(inflated);
            }
        } else {
            out.push(data.to_vec());
        }
        let end = begin + length + b"\nendstream".len();
        offset += end;
        dictionary_start = offset;
        rest = &rest[end..];
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Glyph id → text, from a ToUnicode CMap's `bfchar` pairs.
fn unicode_map(cmap: &[u8]) -> BTreeMap<u16, String> {
    let text = String::from_utf8_lossy(cmap);
    let mut map = BTreeMap::new();
    for line in text.lines() {
        let hexes: Vec<&str> =
            line.split(['<', '>']).map(str::trim).filter(|s| !s.is_empty() && s.len() % 2 == 0).collect();
        let [glyph, unicode] = hexes.as_slice() else { continue };
        let Ok(glyph) = u16::from_str_radix(glyph, 16) else { continue };
        let units: Vec<u16> = (0..unicode.len() / 4)
            .filter_map(|i| unicode.get(i * 4..i * 4 + 4).and_then(|h| u16::from_str_radix(h, 16).ok()))
            .collect();
        map.insert(glyph, String::from_utf16_lossy(&units));
    }
    map
}

/// The bytes of the strings shown by `Tj` in a content stream, one entry per string.
fn shown_strings(content: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < content.len() {
        match content[i] {
            b'(' => {
                let mut bytes = Vec::new();
                let mut depth = 1;
                i += 1;
                while i < content.len() {
                    let byte = content[i];
                    match byte {
                        b'\\' => {
                            i += 1;
                            let Some(&escaped) = content.get(i) else { break };
                            match escaped {
                                b'n' => bytes.push(b'\n'),
                                b'r' => bytes.push(b'\r'),
                                b't' => bytes.push(b'\t'),
                                b'b' => bytes.push(0x08),
                                b'f' => bytes.push(0x0c),
                                b'0'..=b'7' => {
                                    let mut value = 0u32;
                                    let mut digits = 0;
                                    while digits < 3 && matches!(content.get(i), Some(b'0'..=b'7')) {
                                        value = value * 8 + u32::from(content[i] - b'0');
                                        i += 1;
                                        digits += 1;
                                    }
                                    i -= 1;
                                    bytes.push(value as u8);
                                }
                                other => bytes.push(other),
                            }
                        }
                        b'(' => {
                            depth += 1;
                            bytes.push(byte);
                        }
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                            bytes.push(byte);
                        }
                        _ => bytes.push(byte),
                    }
                    i += 1;
                }
                out.push(bytes);
            }
            b'<' if content.get(i + 1) != Some(&b'<') => {
                let end = content[i..].iter().position(|&b| b == b'>').map(|p| i + p).unwrap_or(content.len());
                let hex: Vec<u8> = content[i + 1..end].iter().copied().filter(u8::is_ascii_hexdigit).collect();
                let bytes = hex
                    .chunks(2)
                    .filter_map(|pair| std::str::from_utf8(pair).ok().and_then(|h| u8::from_str_radix(h, 16).ok()))
                    .collect();
                out.push(bytes);
                i = end;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The text of each page of a PDF this crate wrote, one string per page, the shown
/// strings in drawing order separated by newlines. Glyphs are mapped back through the
/// PDF's own ToUnicode map, so no font and no PDF tool is needed. Meant for tests and
/// scripts (for example to check a `trends report` output); other PDFs may come out
/// empty.
pub fn extract_text(pdf: &[u8]) -> Vec<String> {
    let streams = streams(pdf);
    let Some(cmap) = streams.iter().find(|s| find(s, b"beginbfchar").is_some()) else { return Vec::new() };
    let map = unicode_map(cmap);
    streams
        .iter()
        .filter(|s| s.is_ascii() && find(s, b"BT").is_some() && find(s, b"beginbfchar").is_none())
        .map(|content| {
            shown_strings(content)
                .iter()
                .map(|bytes| {
                    bytes
                        .chunks_exact(2)
                        .map(|pair| map.get(&u16::from_be_bytes([pair[0], pair[1]])).cloned().unwrap_or_default())
                        .collect::<String>()
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_written_comes_back_out() {
        let font = ReportFont::system().unwrap_or_else(|e| {
            tdverify_core::test_data::missing_project_piece(
                format!("the report font ({e})"),
                "run cargo xtask setup (Debian fonts-dejavu-core)",
            )
        });
        let scene = |text: &str| Scene {
            width: 200.0,
            height: 100.0,
            shapes: vec![
                Shape::Rect { x: 1.0, y: 1.0, w: 10.0, h: 10.0, fill: [1, 2, 3] },
                Shape::Text {
                    x: 10.0,
                    y: 50.0,
                    size: 9.0,
                    colour: [0, 0, 0],
                    text: text.into(),
                    anchor: Anchor::Start,
                },
            ],
        };
        let pdf = document(&[scene("TUR→GRC→D (<k) \\ é"), scene("page two")], &font, "test");
        assert!(pdf.starts_with(b"%PDF-"));
        let pages = extract_text(&pdf);
        assert_eq!(pages, vec!["TUR→GRC→D (<k) \\ é".to_string(), "page two".to_string()]);
    }
}
