//! Capture quality gate: focus, glare, resolution, perspective and exposure of
//! each capture, so an officer recaptures before trusting (or doubting) a
//! document on a poor image. Each finding says how to recapture.

use image::{GrayImage, RgbImage};
use serde::Serialize;
use tdverify_core::{Check, Evidence, Light, Rect};

use crate::reference::{RectMm, Side, VizField, Zone, ZoneKind};
use crate::register::{RECTIFIED_PX_PER_MM, RectifiedPage, Registration, median};

/// Minimum page resolution in pixels per mm (150 dpi): below it OCR-B strokes blur together.
pub const MIN_PX_PER_MM: f32 = 5.9;

/// Largest tolerated corner-angle deviation (perspective), degrees.
pub const MAX_SKEW_DEG: f32 = 8.0;

/// Glare: largest tolerated fraction of saturated page pixels under white light.
pub const MAX_GLARE_FRACTION: f32 = 0.004;

/// Glare map: side of a square cell of the rectified page, mm.
pub const GLARE_CELL_MM: f32 = 1.0;

/// Glare map: luma from which a pixel counts as saturated (washed out).
pub const SATURATED_LUMA: u8 = 248;

/// Glare map: share of a cell's pixels that must be saturated for the cell to
/// be glare (print still shows in a cell below it).
pub const GLARE_CELL_SHARE: f32 = 0.6;

/// Smallest glare blob reported, mm² (a few cells: JPEG specks are not glare).
pub const MIN_GLARE_BLOB_MM2: f32 = 4.0;

/// Share of a zone a blob must cover for the zone to be named.
pub const MIN_ZONE_COVER: f32 = 0.03;

/// Margin of the page left out of the glare map, mm (page edges show the
/// scanner lid or the table behind the page when registration is a little off).
const GLARE_MARGIN_MM: f32 = 1.5;

/// Focus: smallest tolerated variance of the Laplacian, on a page resampled to
/// a common scale (see [`focus_measure`]).
pub const MIN_FOCUS: f32 = 60.0;

/// What was measured on one capture.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct QualityMeasure {
    /// Light.
    pub light: Light,
    /// Variance of the Laplacian over the page.
    pub focus: f32,
    /// Fraction of page pixels at saturation.
    pub glare_fraction: f32,
    /// Page pixels per mm.
    pub px_per_mm: f32,
    /// Corner-angle deviation, degrees.
    pub skew_deg: f32,
    /// Median page luma.
    pub median_luma: f32,
    /// Glare blobs found on the page (white light), largest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub glare_blobs: Vec<GlareBlob>,
}

/// Measures one capture inside its page outline.
pub fn measure(light: Light, image: &RgbImage, registration: &Registration) -> QualityMeasure {
    let gray: GrayImage = image::DynamicImage::ImageRgb8(image.clone()).to_luma8();
    let bounds = page_bounds(registration, gray.width(), gray.height());
    let focus = focus_measure(&gray, bounds, registration.px_per_mm);
    let (x0, y0, x1, y1) = bounds;
    let stride = (((x1 - x0) * (y1 - y0)) / 250_000).max(1) as usize;
    let mut saturated = 0u32;
    let mut count = 0u32;
    let mut lumas = Vec::new();
    for y in (y0..y1).step_by(stride.max(1)) {
        for x in (x0..x1).step_by(stride.max(1)) {
            let l = gray.get_pixel(x, y).0[0];
            count += 1;
            if l >= 250 {
                saturated += 1;
            }
            lumas.push(f32::from(l));
        }
    }
    QualityMeasure {
        light,
        focus,
        glare_fraction: if count > 0 {
            saturated as f32 / count as f32
        } else {
            0.0
        },
        px_per_mm: registration.px_per_mm,
        skew_deg: registration.skew_deg,
        median_luma: median(&mut lumas),
        glare_blobs: Vec::new(),
    }
}

fn page_bounds(registration: &Registration, width: u32, height: u32) -> (u32, u32, u32, u32) {
    let xs = registration.page_corners_px.map(|c| c[0]);
    let ys = registration.page_corners_px.map(|c| c[1]);
    let clamp = |v: f32, max: u32| v.clamp(0.0, max as f32) as u32;
    let (mut x0, mut x1) = (
        clamp(xs.iter().copied().fold(f32::INFINITY, f32::min), width),
        clamp(xs.iter().copied().fold(0.0, f32::max), width),
    );
    let (mut y0, mut y1) = (
        clamp(ys.iter().copied().fold(f32::INFINITY, f32::min), height),
        clamp(ys.iter().copied().fold(0.0, f32::max), height),
    );
    // Stay off the page edges (shadows, background).
    let inset_x = (x1.saturating_sub(x0)) / 20;
    let inset_y = (y1.saturating_sub(y0)) / 20;
    x0 += inset_x;
    x1 = x1.saturating_sub(inset_x).max(x0);
    y0 += inset_y;
    y1 = y1.saturating_sub(inset_y).max(y0);
    (x0, y0, x1, y1)
}

/// One connected glare region of a [`GlareMap`]: its bounding box (mm), its
/// area (mm²) and its cells (column, row).
pub type CellBlob = (RectMm, f32, Vec<(usize, usize)>);

/// Where a page is washed out by glare: a coarse grid of cells over the
/// rectified page, a cell being glare when most of its pixels are saturated.
/// Checks ask it how much of the zone they read is under glare
/// ([`GlareMap::covered`]) and measure on the part that is not
/// ([`GlareMap::free_spans`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GlareMap {
    cols: usize,
    rows: usize,
    cells: Vec<bool>,
}

impl GlareMap {
    /// The glare cells of a rectified page. A page saturated nearly all over
    /// is overexposed (the exposure check says so), not under a glare spot:
    /// its map is empty.
    pub fn from_page(page: &RectifiedPage) -> GlareMap {
        let cell_px = (GLARE_CELL_MM * RECTIFIED_PX_PER_MM).round().max(1.0) as u32;
        let (w, h) = page.luma.dimensions();
        let (cols, rows) = (
            w.div_ceil(cell_px) as usize,
            h.div_ceil(cell_px) as usize,
        );
        let margin = (GLARE_MARGIN_MM * RECTIFIED_PX_PER_MM).round() as u32;
        let mut saturated = vec![0u32; cols * rows];
        let mut total = vec![0u32; cols * rows];
        for (x, y, p) in page.luma.enumerate_pixels() {
            if x < margin || y < margin || x + margin >= w || y + margin >= h {
                continue;
            }
            let i = (y / cell_px) as usize * cols + (x / cell_px) as usize;
            total[i] += 1;
            saturated[i] += u32::from(p.0[0] >= SATURATED_LUMA);
        }
        let cells: Vec<bool> = saturated
            .iter()
            .zip(&total)
            .map(|(&s, &t)| t > 0 && s as f32 >= GLARE_CELL_SHARE * t as f32)
            .collect();
        let inside = total.iter().filter(|&&t| t > 0).count().max(1);
        let glare = cells.iter().filter(|&&c| c).count();
        if glare * 2 > inside {
            return GlareMap {
                cols,
                rows,
                cells: vec![false; cols * rows],
            };
        }
        GlareMap { cols, rows, cells }
    }

    /// A map from explicit cells (row-major, `cols` × `rows`, [`GLARE_CELL_MM`] each).
    pub fn from_cells(cols: usize, rows: usize, cells: Vec<bool>) -> GlareMap {
        let mut cells = cells;
        cells.resize(cols * rows, false);
        GlareMap { cols, rows, cells }
    }

    /// True when no cell is glare.
    pub fn is_empty(&self) -> bool {
        !self.cells.iter().any(|&c| c)
    }

    fn at(&self, col: usize, row: usize) -> bool {
        col < self.cols && row < self.rows && self.cells[row * self.cols + col]
    }

    /// Cells (col, row) a millimetre rectangle overlaps, with the overlap in mm².
    fn overlaps(&self, rect: &RectMm) -> impl Iterator<Item = (usize, usize, f32)> + '_ {
        let c = GLARE_CELL_MM;
        let col0 = (rect.x / c).floor().max(0.0) as usize;
        let row0 = (rect.y / c).floor().max(0.0) as usize;
        let col1 = ((rect.right() / c).ceil().max(0.0) as usize).min(self.cols);
        let row1 = ((rect.bottom() / c).ceil().max(0.0) as usize).min(self.rows);
        let rect = *rect;
        (row0..row1).flat_map(move |row| {
            (col0..col1).map(move |col| {
                let (x0, y0) = (col as f32 * c, row as f32 * c);
                let ox = (rect.right().min(x0 + c) - rect.x.max(x0)).max(0.0);
                let oy = (rect.bottom().min(y0 + c) - rect.y.max(y0)).max(0.0);
                (col, row, ox * oy)
            })
        })
    }

    /// Share (0 to 1) of a millimetre rectangle under glare.
    pub fn covered(&self, rect: &RectMm) -> f32 {
        let area = rect.w * rect.h;
        if area <= 0.0 {
            return 0.0;
        }
        let glare: f32 = self
            .overlaps(rect)
            .filter(|&(col, row, _)| self.at(col, row))
            .map(|(_, _, a)| a)
            .sum();
        (glare / area).clamp(0.0, 1.0)
    }

    /// The horizontal spans (x from, x to, mm) of a rectangle whose whole
    /// height is free of glare, widest first.
    pub fn free_spans(&self, rect: &RectMm) -> Vec<(f32, f32)> {
        let c = GLARE_CELL_MM;
        let mut blocked = Vec::new();
        for (col, row, a) in self.overlaps(rect) {
            if a > 0.0 && self.at(col, row) {
                blocked.push(col);
            }
        }
        blocked.sort_unstable();
        blocked.dedup();
        let mut spans = Vec::new();
        let mut start = rect.x;
        for col in blocked {
            let x0 = (col as f32 * c).max(rect.x);
            if x0 > start {
                spans.push((start, x0));
            }
            start = start.max((col as f32 + 1.0) * c);
        }
        if rect.right() > start {
            spans.push((start, rect.right()));
        }
        spans.sort_by(|a, b| (b.1 - b.0).total_cmp(&(a.1 - a.0)));
        spans
    }

    /// Connected glare regions (8-neighbour cells), each as its cells'
    /// bounding box and area in mm², largest first; those under
    /// [`MIN_GLARE_BLOB_MM2`] left out.
    pub fn blobs(&self) -> Vec<CellBlob> {
        let mut seen = vec![false; self.cells.len()];
        let mut out = Vec::new();
        for start in 0..self.cells.len() {
            if !self.cells[start] || seen[start] {
                continue;
            }
            seen[start] = true;
            let mut stack = vec![start];
            let mut members = Vec::new();
            while let Some(i) = stack.pop() {
                let (col, row) = (i % self.cols, i / self.cols);
                members.push((col, row));
                for dy in -1i64..=1 {
                    for dx in -1i64..=1 {
                        let (c, r) = (col as i64 + dx, row as i64 + dy);
                        if c < 0 || r < 0 || c >= self.cols as i64 || r >= self.rows as i64 {
                            continue;
                        }
                        let j = r as usize * self.cols + c as usize;
                        if self.cells[j] && !seen[j] {
                            seen[j] = true;
                            stack.push(j);
                        }
                    }
                }
            }
            let area = members.len() as f32 * GLARE_CELL_MM * GLARE_CELL_MM;
            if area < MIN_GLARE_BLOB_MM2 {
                continue;
            }
            let col0 = members.iter().map(|m| m.0).min().unwrap_or(0);
            let col1 = members.iter().map(|m| m.0).max().unwrap_or(0) + 1;
            let row0 = members.iter().map(|m| m.1).min().unwrap_or(0);
            let row1 = members.iter().map(|m| m.1).max().unwrap_or(0) + 1;
            let rect = RectMm {
                x: col0 as f32 * GLARE_CELL_MM,
                y: row0 as f32 * GLARE_CELL_MM,
                w: (col1 - col0) as f32 * GLARE_CELL_MM,
                h: (row1 - row0) as f32 * GLARE_CELL_MM,
            };
            out.push((rect, area, members));
        }
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        out
    }
}

/// One template zone a glare blob covers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GlareZone {
    /// Zone name in the template.
    pub zone: String,
    /// Zone kind.
    pub kind: ZoneKind,
    /// Share of the zone under this blob, 0 to 1.
    pub covered: f32,
    /// What an officer calls it ("the portrait", "the MRZ", "the date of birth").
    pub label: String,
    /// Checks that read this zone under this light.
    pub read_by: Vec<String>,
}

/// One connected glare region on a capture.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GlareBlob {
    /// Light of the capture.
    pub light: Light,
    /// Bounding box on the page, mm.
    pub rect_mm: RectMm,
    /// Bounding box in capture pixels.
    pub region: Rect,
    /// Area under glare, mm².
    pub area_mm2: f32,
    /// Zones it covers, most covered first.
    pub zones: Vec<GlareZone>,
}

/// What an officer calls a zone, and which checks read it under white light
/// (empty: no check reads it, the zone is not named).
pub fn zone_readers(side: &Side, zone: &Zone) -> Option<(String, Vec<String>)> {
    let ir_zones = side.absorbs_ir(&zone.name)
        || side.ir.transparent.iter().any(|name| name == &zone.name);
    let mut read_by: Vec<String> = Vec::new();
    let label = match zone.kind {
        ZoneKind::Photo => {
            read_by.extend(["photo.integrity".into(), "the face comparison".into()]);
            "the portrait".to_string()
        }
        ZoneKind::GhostImage => "the ghost image".to_string(),
        ZoneKind::Mrz => {
            read_by.extend([
                "mrz.print".into(),
                "ir.b900".into(),
                "the MRZ reading".into(),
            ]);
            "the MRZ".to_string()
        }
        ZoneKind::Viz => {
            let (label, id) = match zone.field {
                Some(VizField::DocumentNumber) => {
                    ("the document number", Some("viz.mrz.document_number"))
                }
                Some(VizField::BirthDate) => ("the date of birth", Some("viz.mrz.birth_date")),
                Some(VizField::ExpiryDate) => ("the date of expiry", Some("viz.mrz.expiry_date")),
                Some(VizField::Surname) => ("the surname", Some("viz.mrz.name")),
                Some(VizField::GivenNames) => ("the given names", Some("viz.mrz.name")),
                _ => ("", None),
            };
            read_by.extend(id.map(String::from));
            if label.is_empty() {
                format!("the {} field", zone.name.replace('_', " "))
            } else {
                label.to_string()
            }
        }
        ZoneKind::Ovd => "the OVD (it is meant to shine: tilt the document to see it change)".to_string(),
        ZoneKind::Signature => "the signature".to_string(),
        ZoneKind::IrPattern => format!("the IR mark ({})", zone.name.replace('_', " ")),
        _ => return None,
    };
    if ir_zones && zone.kind != ZoneKind::Ovd {
        read_by.push("ir.zones".into());
    }
    if read_by.is_empty() && !matches!(zone.kind, ZoneKind::Ovd | ZoneKind::GhostImage) {
        return None;
    }
    Some((label, read_by))
}

/// The glare blobs of one capture with the zones of `side` each covers.
pub fn glare_blobs(
    light: Light,
    map: &GlareMap,
    side: &Side,
    registration: &Registration,
) -> Vec<GlareBlob> {
    map.blobs()
        .into_iter()
        .map(|(rect_mm, area_mm2, members)| {
            let blob_only = GlareMap::from_cells(map.cols, map.rows, {
                let mut cells = vec![false; map.cols * map.rows];
                for (col, row) in &members {
                    cells[row * map.cols + col] = true;
                }
                cells
            });
            let mut zones: Vec<GlareZone> = side
                .zones
                .iter()
                .filter_map(|zone| {
                    let covered = blob_only.covered(&zone.rect_mm);
                    if covered < MIN_ZONE_COVER {
                        return None;
                    }
                    let (label, read_by) = zone_readers(side, zone)?;
                    Some(GlareZone {
                        zone: zone.name.clone(),
                        kind: zone.kind,
                        covered,
                        label,
                        read_by,
                    })
                })
                .collect();
            zones.sort_by(|a, b| b.covered.total_cmp(&a.covered));
            GlareBlob {
                light,
                rect_mm,
                region: registration.region(&rect_mm),
                area_mm2,
                zones,
            }
        })
        .collect()
}

/// One sentence per blob, for the officer: where the glare is and which
/// checks look through it.
pub fn describe_blob(blob: &GlareBlob) -> String {
    let zones: Vec<&GlareZone> = blob
        .zones
        .iter()
        .filter(|z| z.kind != ZoneKind::Ovd)
        .collect();
    let ovd = blob.zones.iter().any(|z| z.kind == ZoneKind::Ovd);
    let place = format!(
        "{:.0}×{:.0} mm at {:.0} mm from the left, {:.0} mm from the top",
        blob.rect_mm.w, blob.rect_mm.h, blob.rect_mm.x, blob.rect_mm.y
    );
    if zones.is_empty() {
        return if ovd {
            format!("Glare on the OVD ({place}): expected, the OVD is meant to shine; no check reads it")
        } else {
            format!("Glare on the background print ({place}): no check reads there")
        };
    }
    let over = zones
        .iter()
        .map(|z| format!("{} ({:.0}% of it)", z.label, z.covered * 100.0))
        .collect::<Vec<_>>();
    let mut readers: Vec<&str> = Vec::new();
    for z in &zones {
        for r in &z.read_by {
            if !readers.contains(&r.as_str()) {
                readers.push(r);
            }
        }
    }
    let over = join_and(&over);
    if readers.is_empty() {
        format!("Glare over {over} ({place}): no check reads there")
    } else {
        format!(
            "Glare over {over} ({place}): {} look through it; recapture only if they could not run",
            join_and(&readers.iter().map(|r| r.to_string()).collect::<Vec<_>>())
        )
    }
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Variance of the 4-neighbour Laplacian, taken at a pixel spacing of about
/// 0.2 mm whatever the capture resolution, so sharp 600 dpi scans and sharp
/// phone photos score alike.
pub fn focus_measure(gray: &GrayImage, bounds: (u32, u32, u32, u32), px_per_mm: f32) -> f32 {
    let (x0, y0, x1, y1) = bounds;
    let spacing = ((px_per_mm * 0.2).round() as u32).max(1);
    if x1 < x0 + 3 * spacing || y1 < y0 + 3 * spacing {
        return 0.0;
    }
    let stride = spacing.max(((x1 - x0) / spacing * (y1 - y0) / spacing / 200_000).max(1));
    let at = |x: u32, y: u32| f64::from(gray.get_pixel(x, y).0[0]);
    let (mut sum, mut sum_sq, mut n) = (0f64, 0f64, 0f64);
    let mut y = y0 + spacing;
    while y + spacing < y1 {
        let mut x = x0 + spacing;
        while x + spacing < x1 {
            let l =
                at(x - spacing, y) + at(x + spacing, y) + at(x, y - spacing) + at(x, y + spacing)
                    - 4.0 * at(x, y);
            sum += l;
            sum_sq += l * l;
            n += 1.0;
            x += stride;
        }
        y += stride;
    }
    if n < 1.0 {
        return 0.0;
    }
    let mean = sum / n;
    (sum_sq / n - mean * mean) as f32
}

/// Smallest glare blob reported when it covers no zone a check reads, mm²
/// (about a 5 mm spot).
pub const MIN_BACKGROUND_GLARE_MM2: f32 = 25.0;

/// `capture.quality.glare`: where each glare blob is and which zones and
/// checks it covers. Information for the officer, never a reason to recapture
/// by itself: the checks that could not run because of it ask for that.
pub fn glare_check(measures: &[(QualityMeasure, Rect)]) -> Check {
    const ID: &str = "capture.quality.glare";
    let mut sentences = Vec::new();
    let mut evidence = Vec::new();
    for (m, rect) in measures {
        let reported: Vec<&GlareBlob> = m
            .glare_blobs
            .iter()
            .filter(|b| {
                b.zones
                    .iter()
                    .any(|z| z.kind != ZoneKind::Ovd && !z.read_by.is_empty())
                    || b.area_mm2 >= MIN_BACKGROUND_GLARE_MM2
            })
            .collect();
        for blob in &reported {
            let text = describe_blob(blob);
            evidence.push(Evidence::region(blob.light, blob.region).with_detail(text.clone()));
            sentences.push(format!("{}: {text}.", blob.light));
        }
        if reported.is_empty() && m.light == Light::White && m.glare_fraction > MAX_GLARE_FRACTION {
            // Saturated specks everywhere rather than a spot (or no page map).
            let text = format!(
                "saturated pixels over {:.1}% of the page, in no single spot",
                m.glare_fraction * 100.0
            );
            evidence.push(Evidence::region(m.light, *rect).with_detail(text.clone()));
            sentences.push(format!("{}: {text}.", m.light));
        }
    }
    if sentences.is_empty() {
        return Check::pass(ID, "No glare on the page.");
    }
    let mut check = Check::warn(ID, sentences.join(" ")).with_confidence(0.8);
    check.evidence = evidence;
    check
}

/// Quality checks over all captures (one check per property, naming each light).
pub fn checks(measures: &[(QualityMeasure, Rect)]) -> Vec<Check> {
    let mut out = Vec::new();
    let mut gather = |id: &str, problem: &dyn Fn(&QualityMeasure) -> Option<String>, fine: &str| {
        let mut problems = Vec::new();
        let mut evidence = Vec::new();
        for (m, rect) in measures {
            if let Some(text) = problem(m) {
                evidence.push(Evidence::region(m.light, *rect).with_detail(text.clone()));
                problems.push(format!("{}: {}", m.light, text));
            }
        }
        if measures.is_empty() {
            return;
        }
        let check = if problems.is_empty() {
            Check::pass(id, fine.to_string())
        } else {
            let mut check = Check::warn(id, problems.join("; ")).with_confidence(0.8);
            check.evidence = evidence;
            check
        };
        out.push(check);
    };
    gather(
        "capture.quality.focus",
        &|m| {
            (m.light != Light::Uv && m.focus < MIN_FOCUS).then(|| {
                format!("image blurred (sharpness {:.0}, need {:.0}): hold the document flat and refocus, then recapture", m.focus, MIN_FOCUS)
            })
        },
        "Captures are in focus.",
    );
    gather(
        "capture.quality.resolution",
        &|m| {
            (m.px_per_mm < MIN_PX_PER_MM).then(|| {
                format!(
                    "{:.0} dpi on the page, need 150: move closer or scan at 300 dpi",
                    m.px_per_mm * 25.4
                )
            })
        },
        "Resolution sufficient.",
    );
    gather(
        "capture.quality.perspective",
        &|m| {
            (m.skew_deg > MAX_SKEW_DEG).then(|| {
                format!("page seen at an angle (corners {:.0}° off square): hold the camera parallel to the page", m.skew_deg)
            })
        },
        "Page seen square-on.",
    );
    gather(
        "capture.quality.exposure",
        &|m| match m.light {
            Light::White if m.median_luma < 70.0 => Some(format!(
                "too dark (page level {:.0}/255): add light or lengthen exposure",
                m.median_luma
            )),
            Light::White | Light::Ir if m.median_luma > 250.0 => Some(format!(
                "overexposed (page level {:.0}/255): reduce exposure",
                m.median_luma
            )),
            Light::Ir if m.median_luma < 40.0 => Some(format!(
                "too dark (page level {:.0}/255): check the IR lamp",
                m.median_luma
            )),
            _ => None,
        },
        "Exposure correct.",
    );
    if !measures.is_empty() {
        // After focus, as before the glare check named its blobs.
        out.insert(out.len().min(1), glare_check(measures));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tdverify_core::CheckStatus;

    #[test]
    fn flat_image_has_no_focus_and_noise_has_some() {
        let flat = GrayImage::from_pixel(200, 200, image::Luma([128]));
        assert_eq!(focus_measure(&flat, (0, 0, 200, 200), 8.0), 0.0);
        let checker = GrayImage::from_fn(200, 200, |x, y| {
            image::Luma([if (x / 2 + y / 2) % 2 == 0 { 0 } else { 255 }])
        });
        assert!(focus_measure(&checker, (0, 0, 200, 200), 8.0) > MIN_FOCUS);
        assert_eq!(focus_measure(&flat, (0, 0, 2, 2), 8.0), 0.0);
    }

    #[test]
    fn problems_become_warnings_with_instructions() {
        let m = QualityMeasure {
            light: Light::White,
            focus: 5.0,
            glare_fraction: 0.1,
            px_per_mm: 3.0,
            skew_deg: 12.0,
            median_luma: 40.0,
            glare_blobs: Vec::new(),
        };
        let checks = checks(&[(m, Rect::new(0.0, 0.0, 1.0, 1.0))]);
        assert_eq!(checks.len(), 5);
        assert!(
            checks.iter().all(|c| c.status == CheckStatus::Warn),
            "{checks:?}"
        );
    }

    fn uto_passport() -> crate::reference::Template {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../reference-library/UTO/passport/template.toml");
        crate::reference::Template::load(&path).expect("UTO passport template")
    }

    /// A rectified UTO passport page (125 × 88 mm) of plain substrate with a
    /// saturated disc of `radius_mm` at (`cx`, `cy`) mm.
    fn page_with_glare(cx: f32, cy: f32, radius_mm: f32) -> RectifiedPage {
        let s = RECTIFIED_PX_PER_MM;
        let (w, h) = ((125.0 * s) as u32, (88.0 * s) as u32);
        let rgb = RgbImage::from_fn(w, h, |x, y| {
            let (xm, ym) = (x as f32 / s, y as f32 / s);
            if (xm - cx).hypot(ym - cy) <= radius_mm {
                image::Rgb([255, 255, 255])
            } else if (x / 3 + y / 5) % 4 == 0 {
                image::Rgb([40, 40, 40])
            } else {
                image::Rgb([236, 233, 220])
            }
        });
        let luma = image::DynamicImage::ImageRgb8(rgb.clone()).to_luma8();
        RectifiedPage { rgb, luma, width_mm: 125.0, height_mm: 88.0 }
    }

    fn identity_registration(px_per_mm: f32) -> Registration {
        let from = [[0.0, 0.0], [125.0, 0.0], [125.0, 88.0], [0.0, 88.0]];
        let k = f64::from(px_per_mm);
        let to = from.map(|[x, y]| [x * k, y * k]);
        Registration {
            page_corners_px: to.map(|[x, y]| [x as f32, y as f32]),
            homography: crate::register::Homography::from_points(from, to).expect("homography"),
            rotation_quadrant_deg: 0,
            px_per_mm,
            skew_deg: 0.0,
            confidence: 1.0,
            method: "test".into(),
        }
    }

    #[test]
    fn glare_blob_is_located_and_names_the_zones_and_checks_it_covers() {
        let template = uto_passport();
        let side = &template.sides[0];
        // A 6 mm spot over the portrait (photo zone [5, 12, 32, 42]).
        let map = GlareMap::from_page(&page_with_glare(20.0, 30.0, 6.0));
        let blobs = glare_blobs(Light::White, &map, side, &identity_registration(10.0));
        assert_eq!(blobs.len(), 1, "{blobs:?}");
        let blob = &blobs[0];
        assert!((blob.rect_mm.x - 14.0).abs() <= 1.0 && (blob.rect_mm.y - 24.0).abs() <= 1.0, "{blob:?}");
        assert!((blob.rect_mm.w - 12.0).abs() <= 2.0 && (blob.rect_mm.h - 12.0).abs() <= 2.0, "{blob:?}");
        // Evidence in capture pixels (10 px/mm here).
        assert!((blob.region.x - 140.0).abs() <= 10.0 && (blob.region.w - 120.0).abs() <= 20.0);
        let photo = blob.zones.iter().find(|z| z.kind == ZoneKind::Photo).expect("portrait named");
        assert!(photo.covered > 0.05 && photo.covered < 0.12, "{photo:?}");
        assert!(photo.read_by.iter().any(|r| r == "photo.integrity"));
        assert!(photo.read_by.iter().any(|r| r == "the face comparison"));
        assert!(!blob.zones.iter().any(|z| z.kind == ZoneKind::Mrz));
        let check = glare_check(&[(QualityMeasure {
            light: Light::White,
            focus: 100.0,
            glare_fraction: 0.01,
            px_per_mm: 10.0,
            skew_deg: 0.0,
            median_luma: 200.0,
            glare_blobs: blobs.clone(),
        }, Rect::new(0.0, 0.0, 1250.0, 880.0))]);
        assert_eq!(check.status, CheckStatus::Warn);
        assert!(check.message.contains("Glare over the portrait"), "{}", check.message);
        assert!(check.message.contains("photo.integrity"), "{}", check.message);
        assert!(check.message.contains("recapture only if they could not run"), "{}", check.message);
        assert_eq!(check.evidence.len(), 1);
        assert_eq!(check.evidence[0].region, Some(blob.region));

        // A spot on the MRZ (zone [5, 66, 115, 20]) names the MRZ and its checks.
        let map = GlareMap::from_page(&page_with_glare(60.0, 75.0, 5.0));
        let blobs = glare_blobs(Light::White, &map, side, &identity_registration(10.0));
        let mrz = blobs[0].zones.iter().find(|z| z.kind == ZoneKind::Mrz).expect("MRZ named");
        assert!(mrz.read_by.iter().any(|r| r == "mrz.print"));
        assert!(map.covered(&side.mrz_zone().expect("mrz").rect_mm) > 0.02);
        // The glare-free part of the MRZ: the wider span is right of the spot.
        let spans = map.free_spans(&side.mrz_zone().expect("mrz").rect_mm);
        assert!(spans[0].0 >= 64.0 && spans[0].0 <= 67.0 && (spans[0].1 - 120.0).abs() < 0.01, "{spans:?}");
    }

    #[test]
    fn no_glare_and_overexposure_give_empty_maps() {
        let clean = GlareMap::from_page(&page_with_glare(0.0, 0.0, 0.0));
        assert!(clean.is_empty());
        let burnt = GlareMap::from_page(&page_with_glare(60.0, 44.0, 200.0));
        assert!(burnt.is_empty(), "a page saturated all over is overexposed, not glare");
        let check = glare_check(&[(QualityMeasure {
            light: Light::White,
            focus: 100.0,
            glare_fraction: 0.0,
            px_per_mm: 10.0,
            skew_deg: 0.0,
            median_luma: 200.0,
            glare_blobs: Vec::new(),
        }, Rect::new(0.0, 0.0, 1.0, 1.0))]);
        assert_eq!(check.status, CheckStatus::Pass);
    }
}
