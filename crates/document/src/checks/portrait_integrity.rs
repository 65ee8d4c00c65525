//! Portrait boundary integrity: what crosses the portrait's edge on a genuine
//! page continues across it.
//!
//! A skilled substitution leaves no raised edge, shadow or foreign paper, but
//! a portrait cut to its rectangle from another document (or printed anew)
//! cannot carry on the print that runs across the edge of the issued one: the
//! frame lines the template declares (`portrait_boundary.continuous`), and the
//! stamp or OVD laid across a corner (`portrait_boundary.overlaps`). Both
//! checks compare, along each stretch of the photo's edge, the print just
//! inside with the print just outside, in the same capture: no reference
//! image, printer or camera enters the comparison, only whether the pattern
//! continues. Stretches are cut from the white-light capture itself, at its
//! own resolution, and compared after removing the slow changes (the portrait
//! behind the lines).

use image::RgbImage;
use tdverify_core::{Check, CheckStatus, Evidence};

use super::{LightPage, PageContext};
use crate::reference::{RectMm, ZoneKind};
use crate::register::rectify_rect;

/// Check id: the frame lines run on across the portrait's edge.
pub const GUILLOCHE_CONTINUITY: &str = "photo.guilloche_continuity";
/// Check id: the seal and OVD continue from the page onto the portrait.
pub const OVERLAP_INTACT: &str = "photo.overlap_intact";

/// Resolution the edge strips are resampled at (px/mm): several samples
/// across a frame line however fine the capture.
const STRIP_PX_PER_MM: f32 = 16.0;
/// Coarsest capture in which lines 0.8 mm apart still show as lines (about
/// four pixels a period).
pub const MIN_CAPTURE_PX_PER_MM: f32 = 5.0;
/// Length of one compared stretch of the edge, mm.
const SEGMENT_MM: f32 = 5.0;
/// Shortest stretch worth comparing, mm.
const MIN_SEGMENT_MM: f32 = 2.0;
/// How far from the edge the frame's strips are taken, mm (inside and out).
const FRAME_DEPTH_MM: (f32, f32) = (0.3, 0.9);
/// How far from the edge the overlaps' strips are taken, mm: closer, as a
/// seal's rings cross the edge at an angle.
const OVERLAP_DEPTH_MM: (f32, f32) = (0.15, 0.6);
/// Along-edge shift allowed between the overlaps' strips, mm (a ring crossing
/// at 45° moves by the strips' distance).
const OVERLAP_SHIFT_MM: f32 = 0.25;
/// Window of the moving average removed from each strip, mm (the frame, the overlaps).
const HIGH_PASS_MM: (f32, f32) = (1.6, 3.0);
/// Least contrast (grey levels, standard deviation after the high pass) the
/// outside strip needs for its pattern to count as resolved.
pub const MIN_PATTERN_CONTRAST: f32 = 4.0;
/// A stretch whose strips correlate less than this is broken (evidence).
pub const BROKEN_STRETCH: f32 = 0.35;
/// Frame continuity (mean over the edges of each edge's median stretch)
/// below which the lines are broken all around: a substitution sign.
/// First tuned on seeds 5301 flatbed, 5302 camera, 5303 phone (24 documents
/// each, genuine and clean substitutions in turn, faces from
/// `../shared/faces/london`), comparing brightness; held out on 5391-5393.
/// Brightness made genuine pages with the generator's synthetic portraits
/// fail where a dark shirt reaches the edge (the guard set, seed 27: lines
/// lighter than a maroon shirt correlate at −1), so the strips now compare
/// [`print_signal`]. With it, on the tuning sets 5401 (flatbed) and 5402
/// (camera) with synthetic portraits, 5411-5413 (flatbed, camera, phone)
/// with London faces, and the guard set: genuine pages 0.88 to 0.99 (phones
/// lowest), clean substitutions −0.43 to 0.27; the thresholds stay in the gap.
pub const FRAME_FAIL_BELOW: f32 = 0.40;
/// Frame continuity below which an officer should look (review): above every
/// substitution and well below every genuine page of the tuning seeds.
pub const FRAME_REVIEW_BELOW: f32 = 0.60;
/// Overlap continuity (an overlap's mean over its stretches) below which it
/// is broken: a substitution sign. A stamp whose rings run nearly along the
/// edge, or over a portrait of its own hue, continues poorly in a strip even
/// on a genuine page: on the tuning sets of [`FRAME_FAIL_BELOW`] genuine
/// pages' worst overlap scored 0.24 to 0.97 (synthetic portraits and phones
/// lowest), clean substitutions 0.02 to 0.84 (the forger lays the OVD back
/// over the piece, and a donor's stamp may land close to where this
/// document's continues). The check must not flag genuine pages: it fails
/// only below them (7 of 106 clean substitutions), the frame catches the rest.
pub const OVERLAP_FAIL_BELOW: f32 = 0.15;
/// Overlap continuity below which an officer should look (below every
/// genuine page of the tuning seeds; 7 more of the 106 substitutions).
pub const OVERLAP_REVIEW_BELOW: f32 = 0.20;
/// Least number of resolved frame stretches to judge the frame.
const MIN_FRAME_STRETCHES: usize = 3;

/// One edge of the photo zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    /// x = left, inside towards +x.
    Left,
    /// x = right, inside towards −x.
    Right,
    /// y = top, inside towards +y.
    Top,
    /// y = bottom, inside towards −y.
    Bottom,
}

impl Edge {
    const ALL: [Edge; 4] = [Edge::Left, Edge::Right, Edge::Top, Edge::Bottom];

    fn name(self) -> &'static str {
        match self {
            Edge::Left => "left",
            Edge::Right => "right",
            Edge::Top => "top",
            Edge::Bottom => "bottom",
        }
    }

    /// The edge's position across it and its extent along it, mm.
    fn line(self, photo: &RectMm) -> (f32, f32, f32) {
        match self {
            Edge::Left => (photo.x, photo.y, photo.bottom()),
            Edge::Right => (photo.right(), photo.y, photo.bottom()),
            Edge::Top => (photo.y, photo.x, photo.right()),
            Edge::Bottom => (photo.bottom(), photo.x, photo.right()),
        }
    }

    /// Point (mm) at `along` on the edge, `depth` mm inside (negative: outside).
    fn point(self, photo: &RectMm, along: f32, depth: f32) -> (f32, f32) {
        let (at, _, _) = self.line(photo);
        match self {
            Edge::Left => (at + depth, along),
            Edge::Right => (at - depth, along),
            Edge::Top => (along, at + depth),
            Edge::Bottom => (along, at - depth),
        }
    }

    /// The band of `reach` mm on both sides of the edge over `[from, to]`.
    fn band(self, photo: &RectMm, from: f32, to: f32, reach: f32) -> RectMm {
        let (at, _, _) = self.line(photo);
        match self {
            Edge::Left | Edge::Right => RectMm {
                x: at - reach,
                y: from,
                w: 2.0 * reach,
                h: to - from,
            },
            Edge::Top | Edge::Bottom => RectMm {
                x: from,
                y: at - reach,
                w: to - from,
                h: 2.0 * reach,
            },
        }
    }
}

/// One compared stretch of the photo's edge.
#[derive(Debug, Clone, PartialEq)]
pub struct Stretch {
    /// Which edge.
    pub edge: Edge,
    /// Where it is: the band on both sides of the edge (template mm).
    pub rect: RectMm,
    /// Correlation of the inside and outside strips (−1 to 1); `None` when the
    /// pattern outside is not resolved (blur, glare, too coarse).
    pub continuity: Option<f32>,
}

/// The white-light capture around the photo zone, resampled upright, in
/// colour: a print's lines may differ from the portrait behind them in hue
/// only (a violet stamp over a blue shirt has the shirt's brightness).
struct Surroundings {
    origin: RectMm,
    rgb: Vec<[f32; 3]>,
    width: usize,
    height: usize,
}

impl Surroundings {
    fn cut(image: &RgbImage, page: &LightPage, area: RectMm) -> Surroundings {
        let crop = rectify_rect(image, &page.registration, &area, STRIP_PX_PER_MM);
        let (width, height) = (crop.width() as usize, crop.height() as usize);
        let rgb = crop.pixels().map(|p| p.0.map(f32::from)).collect();
        Surroundings {
            origin: area,
            rgb,
            width,
            height,
        }
    }

    fn at(&self, x_mm: f32, y_mm: f32) -> Option<[f32; 3]> {
        let x = ((x_mm - self.origin.x) * STRIP_PX_PER_MM).floor();
        let y = ((y_mm - self.origin.y) * STRIP_PX_PER_MM).floor();
        if x < 0.0 || y < 0.0 || x >= self.width as f32 || y >= self.height as f32 {
            return None;
        }
        self.rgb.get(y as usize * self.width + x as usize).copied()
    }

    /// Mean colour across `depth` at each step along `[from, to]` of an edge,
    /// inside (`inside`) or outside the photo.
    fn strip(
        &self,
        photo: &RectMm,
        edge: Edge,
        from: f32,
        to: f32,
        depth: (f32, f32),
        inside: bool,
    ) -> Option<Vec<[f32; 3]>> {
        let step = 1.0 / STRIP_PX_PER_MM;
        let steps = ((to - from) / step).floor() as usize;
        let depths = (((depth.1 - depth.0) / step).round() as usize).max(1);
        let sign = if inside { 1.0 } else { -1.0 };
        let mut profile = Vec::with_capacity(steps);
        for i in 0..steps {
            let along = from + (i as f32 + 0.5) * step;
            let mut sum = [0.0; 3];
            for j in 0..depths {
                let d = depth.0 + (j as f32 + 0.5) * (depth.1 - depth.0) / depths as f32;
                let (x, y) = edge.point(photo, along, sign * d);
                let colour = self.at(x, y)?;
                for (total, value) in sum.iter_mut().zip(colour) {
                    *total += value;
                }
            }
            profile.push(sum.map(|total| total / depths as f32));
        }
        (profile.len() >= 8).then_some(profile)
    }
}

fn luma(profile: &[[f32; 3]]) -> Vec<f32> {
    profile
        .iter()
        .map(|[r, g, b]| 0.299 * r + 0.587 * g + 0.114 * b)
        .collect()
}

/// Where along a strip a print of one ink lies, whatever its colour against
/// what is behind it: the strip's colour less its local mean (over `window`
/// samples), projected on the direction in which it varies most (the ink
/// against its background), signed so that the sparse excursions (the thin
/// lines, not the paper between them) are positive. Lines darker than the
/// page outside may be lighter than a dark portrait inside (green lines over
/// a maroon shirt), or differ from it in hue only (a violet stamp over a blue
/// shirt): their positions must continue, not their brightness.
fn print_signal(profile: &[[f32; 3]], window: usize) -> Vec<f32> {
    let channels: Vec<Vec<f32>> = (0..3)
        .map(|c| high_pass(&profile.iter().map(|p| p[c]).collect::<Vec<_>>(), window))
        .collect();
    let mut covariance = [[0.0f32; 3]; 3];
    for i in 0..profile.len() {
        for (a, row) in covariance.iter_mut().enumerate() {
            for (b, cell) in row.iter_mut().enumerate() {
                *cell += channels[a][i] * channels[b][i];
            }
        }
    }
    // The principal direction by power iteration, from grey.
    let mut axis = [1.0f32; 3];
    for _ in 0..24 {
        let next = [0, 1, 2].map(|a| (0..3).map(|b| covariance[a][b] * axis[b]).sum::<f32>());
        let norm = next.iter().map(|v| v * v).sum::<f32>().sqrt();
        if !(norm.is_finite() && norm > 0.0) {
            break;
        }
        axis = next.map(|v| v / norm);
    }
    let projected: Vec<f32> = (0..profile.len())
        .map(|i| (0..3).map(|c| axis[c] * channels[c][i]).sum())
        .collect();
    let skew: f32 = projected.iter().map(|v| v * v * v).sum();
    if skew < 0.0 {
        projected.iter().map(|v| -v).collect()
    } else {
        projected
    }
}

/// The profile less its moving average over `window` samples.
fn high_pass(profile: &[f32], window: usize) -> Vec<f32> {
    let half = (window / 2).max(1);
    let mut prefix = vec![0.0f64; profile.len() + 1];
    for (i, v) in profile.iter().enumerate() {
        prefix[i + 1] = prefix[i] + f64::from(*v);
    }
    (0..profile.len())
        .map(|i| {
            let lo = i.saturating_sub(half);
            let hi = (i + half + 1).min(profile.len());
            let mean = (prefix[hi] - prefix[lo]) / (hi - lo) as f64;
            profile[i] - mean as f32
        })
        .collect()
}

fn deviation(values: &[f32]) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    let mean = values.iter().sum::<f32>() / values.len() as f32;
    (values.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / values.len() as f32).sqrt()
}

/// Normalised correlation of `a` and `b` with `b` moved by `shift` samples.
fn correlation(a: &[f32], b: &[f32], shift: isize) -> Option<f32> {
    let n = a.len().min(b.len()) as isize;
    let (mut ab, mut aa, mut bb, mut count) = (0.0f32, 0.0f32, 0.0f32, 0);
    for i in 0..n {
        let j = i + shift;
        if j < 0 || j >= n {
            continue;
        }
        let (x, y) = (a[i as usize], b[j as usize]);
        ab += x * y;
        aa += x * x;
        bb += y * y;
        count += 1;
    }
    (count >= 8 && aa > 0.0 && bb > 0.0).then(|| ab / (aa * bb).sqrt())
}

/// How the strips of one kind of print are taken and compared.
#[derive(Debug, Clone, Copy)]
struct StripSpec {
    /// Distance from the edge, mm (inside and out).
    depth: (f32, f32),
    /// Window of the moving average removed, mm.
    window_mm: f32,
    /// Along-edge shift allowed between the strips, mm.
    shift_mm: f32,
    /// The print is one ink laid over whatever is behind it (lines, a stamp):
    /// its contrast with the portrait may differ in sign and hue from its
    /// contrast with the page ([`print_signal`]). An OVD's own colours vary
    /// and cover what is behind them alike: its brightness is compared.
    one_ink: bool,
}

/// The frame lines: perpendicular to the edge, so no shift.
const FRAME_STRIPS: StripSpec = StripSpec {
    depth: FRAME_DEPTH_MM,
    window_mm: HIGH_PASS_MM.0,
    shift_mm: 0.0,
    one_ink: true,
};
/// The seal's rings cross the edge at an angle.
const SEAL_STRIPS: StripSpec = StripSpec {
    depth: OVERLAP_DEPTH_MM,
    window_mm: HIGH_PASS_MM.1,
    shift_mm: OVERLAP_SHIFT_MM,
    one_ink: true,
};
/// The OVD's bands cross the edge at an angle, in colours of their own.
const OVD_STRIPS: StripSpec = StripSpec {
    one_ink: false,
    ..SEAL_STRIPS
};

/// Compares the inside and outside strips of the stretch `[from, to]` of an
/// edge; `None` when the outside shows no resolved pattern.
fn continuity(
    around: &Surroundings,
    photo: &RectMm,
    (edge, from, to): (Edge, f32, f32),
    spec: StripSpec,
) -> Option<f32> {
    let window = (spec.window_mm * STRIP_PX_PER_MM).round() as usize;
    let outside = around.strip(photo, edge, from, to, spec.depth, false)?;
    let inside = around.strip(photo, edge, from, to, spec.depth, true)?;
    if deviation(&high_pass(&luma(&outside), window)) < MIN_PATTERN_CONTRAST {
        return None;
    }
    let (outside, inside) = if spec.one_ink {
        (
            print_signal(&outside, window),
            print_signal(&inside, window),
        )
    } else {
        (
            high_pass(&luma(&outside), window),
            high_pass(&luma(&inside), window),
        )
    };
    let reach = (spec.shift_mm * STRIP_PX_PER_MM).round() as isize;
    (-reach..=reach)
        .filter_map(|shift| correlation(&outside, &inside, shift))
        .reduce(f32::max)
        .map(|c| c.clamp(-1.0, 1.0))
}

fn overlaps(a: &RectMm, b: &RectMm) -> bool {
    a.x < b.right() && b.x < a.right() && a.y < b.bottom() && b.y < a.bottom()
}

/// The stretches of every edge outside the `avoid` rectangles (frame), each
/// about [`SEGMENT_MM`] long.
fn frame_stretches(photo: &RectMm, avoid: &[RectMm], reach: f32) -> Vec<(Edge, f32, f32)> {
    let mut stretches = Vec::new();
    for edge in Edge::ALL {
        let (_, start, end) = edge.line(photo);
        // Free runs of the edge between the avoided rectangles.
        let mut runs = vec![(start + 0.5, end - 0.5)];
        for rect in avoid {
            let band = edge.band(photo, start, end, reach);
            if !overlaps(&band, rect) {
                continue;
            }
            let (lo, hi) = match edge {
                Edge::Left | Edge::Right => (rect.y, rect.bottom()),
                Edge::Top | Edge::Bottom => (rect.x, rect.right()),
            };
            runs = runs
                .into_iter()
                .flat_map(|(a, b)| [(a, b.min(lo)), (a.max(hi), b)])
                .filter(|(a, b)| b - a >= MIN_SEGMENT_MM)
                .collect();
        }
        for (a, b) in runs {
            let count = ((b - a) / SEGMENT_MM).round().max(1.0) as usize;
            let length = (b - a) / count as f32;
            for k in 0..count {
                stretches.push((edge, a + k as f32 * length, a + (k + 1) as f32 * length));
            }
        }
    }
    stretches
}

/// The stretches of the photo's edge that lie inside an overlap's zone.
fn overlap_stretches(photo: &RectMm, zone: &RectMm) -> Vec<(Edge, f32, f32)> {
    Edge::ALL
        .into_iter()
        .filter_map(|edge| {
            let (at, start, end) = edge.line(photo);
            let (across_lo, across_hi, lo, hi) = match edge {
                Edge::Left | Edge::Right => (zone.x, zone.right(), zone.y, zone.bottom()),
                Edge::Top | Edge::Bottom => (zone.y, zone.bottom(), zone.x, zone.right()),
            };
            if at <= across_lo || at >= across_hi {
                return None;
            }
            let (a, b) = (lo.max(start + 0.3), hi.min(end - 0.3));
            (b - a >= MIN_SEGMENT_MM).then_some((edge, a, b))
        })
        .collect()
}

fn median(values: &mut [f32]) -> f32 {
    values.sort_by(f32::total_cmp);
    values[values.len() / 2]
}

/// Every stretch measured around one portrait.
struct Measured {
    /// The photo zone.
    photo: RectMm,
    /// The frame's stretches.
    frame: Vec<Stretch>,
    /// Each overlap zone's name and stretches.
    laid_over: Vec<(String, Vec<Stretch>)>,
}

/// Measures every stretch. `None` with the reason when nothing can be measured.
fn measure(ctx: &PageContext<'_>, white_image: Option<&RgbImage>) -> Result<Measured, String> {
    let photo = ctx
        .side
        .first_zone_of(ZoneKind::Photo)
        .map(|zone| zone.rect_mm)
        .ok_or_else(|| "this side has no photo zone".to_string())?;
    let (Some(page), Some(image)) = (ctx.white.as_ref(), white_image) else {
        return Err("needs a registered white-light capture".into());
    };
    let resolution = page.registration.px_per_mm;
    if !resolution.is_finite() || resolution < MIN_CAPTURE_PX_PER_MM {
        return Err(format!(
            "the capture's resolution {resolution:.1} px/mm is below the {MIN_CAPTURE_PX_PER_MM:.0} px/mm that resolves lines 0.8 mm apart: capture the page closer or scan it"
        ));
    }
    let boundary = &ctx.side.portrait_boundary;
    let reach = 2.5;
    let area = RectMm {
        x: (photo.x - reach).max(0.0),
        y: (photo.y - reach).max(0.0),
        w: (photo.w + 2.0 * reach).min(ctx.width_mm),
        h: (photo.h + 2.0 * reach).min(ctx.height_mm),
    };
    let around = Surroundings::cut(image, page, area);
    let glared = |rect: &RectMm| page.glare.covered(rect) > 0.2;
    let overlap_zones: Vec<(String, RectMm, StripSpec)> = boundary
        .overlaps
        .iter()
        .filter_map(|name| {
            ctx.side.zone(name).map(|zone| {
                let spec = if zone.kind == ZoneKind::Ovd {
                    OVD_STRIPS
                } else {
                    SEAL_STRIPS
                };
                (name.clone(), zone.rect_mm, spec)
            })
        })
        .collect();
    let mut frame = Vec::new();
    if !boundary.continuous.is_empty() {
        let avoid: Vec<RectMm> = overlap_zones
            .iter()
            .map(|(_, r, _)| RectMm {
                x: r.x - 0.5,
                y: r.y - 0.5,
                w: r.w + 1.0,
                h: r.h + 1.0,
            })
            .collect();
        for (edge, from, to) in frame_stretches(&photo, &avoid, FRAME_DEPTH_MM.1) {
            let rect = edge.band(&photo, from, to, FRAME_DEPTH_MM.1);
            let value = if glared(&rect) {
                None
            } else {
                continuity(&around, &photo, (edge, from, to), FRAME_STRIPS)
            };
            frame.push(Stretch {
                edge,
                rect,
                continuity: value,
            });
        }
    }
    let mut laid_over = Vec::new();
    for (name, zone, spec) in overlap_zones {
        let stretches = overlap_stretches(&photo, &zone)
            .into_iter()
            .map(|(edge, from, to)| {
                let rect = edge.band(&photo, from, to, OVERLAP_DEPTH_MM.1);
                let value = if glared(&rect) {
                    None
                } else {
                    continuity(&around, &photo, (edge, from, to), spec)
                };
                Stretch {
                    edge,
                    rect,
                    continuity: value,
                }
            })
            .collect();
        laid_over.push((name, stretches));
    }
    Ok(Measured {
        photo,
        frame,
        laid_over,
    })
}

/// Frame continuity of measured stretches: the mean over the edges of each
/// edge's median stretch, and how many stretches were resolved.
pub fn frame_score(stretches: &[Stretch]) -> Option<(f32, usize)> {
    let mut per_edge = Vec::new();
    let mut resolved = 0;
    for edge in Edge::ALL {
        let mut values: Vec<f32> = stretches
            .iter()
            .filter(|s| s.edge == edge)
            .filter_map(|s| s.continuity)
            .collect();
        resolved += values.len();
        if !values.is_empty() {
            per_edge.push(median(&mut values));
        }
    }
    (resolved >= MIN_FRAME_STRETCHES && !per_edge.is_empty()).then(|| {
        (
            per_edge.iter().sum::<f32>() / per_edge.len() as f32,
            resolved,
        )
    })
}

fn stretch_evidence(page: &LightPage, stretch: &Stretch) -> Evidence {
    let detail = match stretch.continuity {
        Some(value) => format!("{} edge: continuity {value:.2}", stretch.edge.name()),
        None => format!("{} edge: pattern not resolved", stretch.edge.name()),
    };
    page.evidence(&stretch.rect).with_detail(detail)
}

/// `photo.guilloche_continuity` and `photo.overlap_intact` for one side.
/// `white_image` is the decoded white-light capture the page was registered in.
pub fn checks(ctx: &PageContext<'_>, white_image: Option<&RgbImage>) -> Vec<Check> {
    let boundary = &ctx.side.portrait_boundary;
    if boundary.is_empty() {
        return [GUILLOCHE_CONTINUITY, OVERLAP_INTACT]
            .map(|id| {
                Check::new(
                    id,
                    CheckStatus::NotApplicable,
                    "The template declares nothing across the portrait's edge.",
                )
            })
            .into();
    }
    let Measured {
        photo,
        frame,
        laid_over,
    } = match measure(ctx, white_image) {
        Ok(measured) => measured,
        Err(reason) => {
            let mut checks = Vec::new();
            for (id, declared) in [
                (GUILLOCHE_CONTINUITY, !boundary.continuous.is_empty()),
                (OVERLAP_INTACT, !boundary.overlaps.is_empty()),
            ] {
                checks.push(if declared {
                    Check::not_checked(id, format!("Not checked: {reason}."))
                } else {
                    Check::new(
                        id,
                        CheckStatus::NotApplicable,
                        "The template declares nothing of this kind across the portrait's edge.",
                    )
                });
            }
            return checks;
        }
    };
    let Some(page) = ctx.white.as_ref() else {
        return Vec::new();
    };
    vec![
        frame_check(page, &photo, &frame, !boundary.continuous.is_empty()),
        overlap_check(page, &laid_over, !boundary.overlaps.is_empty()),
    ]
}

fn frame_check(page: &LightPage, photo: &RectMm, frame: &[Stretch], declared: bool) -> Check {
    const ID: &str = GUILLOCHE_CONTINUITY;
    if !declared {
        return Check::new(
            ID,
            CheckStatus::NotApplicable,
            "The template declares no frame lines across the portrait's edge.",
        );
    }
    let Some((score, resolved)) = frame_score(frame) else {
        let resolved = frame.iter().filter(|s| s.continuity.is_some()).count();
        return Check::not_checked(
            ID,
            format!(
                "Not checked: the frame lines around the portrait are not resolved in this capture ({resolved} of {} stretches of the edge; blur, glare or too little detail). Scan the page or capture it closer and sharper.",
                frame.len()
            ),
        )
        .with_evidence(page.evidence(photo).with_detail("frame lines not resolved"));
    };
    let broken: Vec<&Stretch> = frame
        .iter()
        .filter(|s| s.continuity.is_some_and(|c| c < BROKEN_STRETCH))
        .collect();
    let summary = format!(
        "frame lines continue across the portrait's edge at {score:.2} (1: unbroken; {} of {resolved} stretches broken)",
        broken.len()
    );
    let mut check = if score < FRAME_FAIL_BELOW {
        Check::fail(
            ID,
            format!("The frame lines break all around the portrait's edge ({summary}): the portrait was cut out and replaced. Examine the edge under magnification."),
        )
        .with_confidence((0.6 + (FRAME_FAIL_BELOW - score)).clamp(0.6, 0.95))
    } else if score < FRAME_REVIEW_BELOW {
        Check::warn(
            ID,
            format!(
                "The frame lines do not clearly continue across the portrait's edge ({summary}). Examine the edge under magnification."
            ),
        )
    } else {
        Check::pass(
            ID,
            format!("The frame lines run on across the portrait's edge ({summary})."),
        )
    };
    check.evidence = if broken.is_empty() {
        vec![
            page.evidence(photo)
                .with_detail(format!("frame continuity {score:.2}")),
        ]
    } else {
        broken.iter().map(|s| stretch_evidence(page, s)).collect()
    };
    check
}

fn overlap_check(page: &LightPage, laid_over: &[(String, Vec<Stretch>)], declared: bool) -> Check {
    const ID: &str = OVERLAP_INTACT;
    if !declared {
        return Check::new(
            ID,
            CheckStatus::NotApplicable,
            "The template declares no seal or OVD across the portrait's edge.",
        );
    }
    let mut judged = Vec::new();
    let mut unresolved = Vec::new();
    for (name, stretches) in laid_over {
        let values: Vec<f32> = stretches.iter().filter_map(|s| s.continuity).collect();
        if values.is_empty() {
            unresolved.push(name.as_str());
        } else {
            judged.push((
                name.as_str(),
                values.iter().sum::<f32>() / values.len() as f32,
                stretches,
            ));
        }
    }
    if judged.is_empty() {
        return Check::not_checked(
            ID,
            format!(
                "Not checked: {} not resolved where it crosses the portrait's edge (blur, glare or too little detail). Scan the page or capture it closer and sharper.",
                unresolved.join(" and ")
            ),
        );
    }
    let lines: Vec<String> = judged
        .iter()
        .map(|(name, score, _)| format!("{name} {score:.2}"))
        .collect();
    let worst = judged
        .iter()
        .map(|(_, score, _)| *score)
        .fold(f32::INFINITY, f32::min);
    let mut summary = format!(
        "continuity across the portrait's edge: {} (1: unbroken)",
        lines.join(", ")
    );
    if !unresolved.is_empty() {
        summary.push_str(&format!("; {} not resolved", unresolved.join(" and ")));
    }
    let broken: Vec<&&str> = judged
        .iter()
        .filter(|(_, score, _)| *score < OVERLAP_FAIL_BELOW)
        .map(|(name, _, _)| name)
        .collect();
    let mut check = if worst < OVERLAP_FAIL_BELOW {
        Check::fail(
            ID,
            format!(
                "The {} laid across the portrait's edge {} not continue onto the portrait ({summary}): the portrait was replaced. Examine the edge under magnification.",
                broken.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(" and "),
                if broken.len() > 1 { "do" } else { "does" }
            ),
        )
        .with_confidence((0.6 + (OVERLAP_FAIL_BELOW - worst)).clamp(0.6, 0.95))
    } else if worst < OVERLAP_REVIEW_BELOW {
        Check::warn(
            ID,
            format!(
                "What is laid across the portrait's edge does not clearly continue onto it ({summary}). Examine the edge under magnification."
            ),
        )
    } else {
        Check::pass(
            ID,
            format!("What is laid across the portrait's edge continues onto it ({summary})."),
        )
    };
    check.evidence = judged
        .iter()
        .flat_map(|(_, _, stretches)| stretches.iter())
        .filter(|s| {
            s.continuity
                .is_some_and(|c| worst >= OVERLAP_REVIEW_BELOW || c < OVERLAP_REVIEW_BELOW)
        })
        .map(|s| stretch_evidence(page, s))
        .collect();
    check
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frame-like lines along an edge: dark where the modulated phase is whole.
    fn lines(len: usize, shift_mm: f32) -> Vec<f32> {
        (0..len)
            .map(|i| {
                let s = i as f32 / STRIP_PX_PER_MM + shift_mm;
                let phase = s / 0.8 + 0.22 * (s * 1.3).sin();
                if ((phase + 0.5).rem_euclid(1.0) - 0.5).abs() < 0.12 {
                    60.0
                } else {
                    200.0
                }
            })
            .collect()
    }

    /// Grey lines as a colour profile.
    fn grey(values: &[f32]) -> Vec<[f32; 3]> {
        values.iter().map(|v| [*v; 3]).collect()
    }

    /// Lines of `ink` laid over `behind` (coverage 0.8, as the renderer prints them).
    fn laid_over(len: usize, shift_mm: f32, ink: [f32; 3], behind: [f32; 3]) -> Vec<[f32; 3]> {
        lines(len, shift_mm)
            .iter()
            .map(|v| {
                let cover = if *v < 100.0 { 0.8 } else { 0.0 };
                [0, 1, 2].map(|c| behind[c] + cover * (ink[c] - behind[c]))
            })
            .collect()
    }

    #[test]
    fn continuing_lines_correlate_and_shifted_ones_do_not() {
        let window = (HIGH_PASS_MM.0 * STRIP_PX_PER_MM) as usize;
        let outside = print_signal(&grey(&lines(80, 0.0)), window);
        let same = print_signal(
            &grey(
                &lines(80, 0.0)
                    .iter()
                    .map(|v| v * 0.7 + 30.0)
                    .collect::<Vec<_>>(),
            ),
            window,
        );
        assert!(correlation(&outside, &same, 0).unwrap() > 0.95);
        for shift in [0.15, 0.3, 0.5] {
            let moved = print_signal(&grey(&lines(80, shift)), window);
            let c = correlation(&outside, &moved, 0).unwrap();
            assert!(c < BROKEN_STRETCH, "shift {shift} mm still correlates {c}");
        }
        assert!(deviation(&high_pass(&lines(80, 0.0), window)) > MIN_PATTERN_CONTRAST);
        assert!(
            deviation(&print_signal(&grey(&[128.0; 80]), window)) < 1e-3,
            "a flat strip shows no pattern"
        );
    }

    /// Seen on genuine pages with synthetic portraits: green frame lines are
    /// lighter than a maroon shirt (their brightness inverts across the edge),
    /// a violet stamp over a blue shirt differs from it in hue only. The lines
    /// still continue; shifted ones still do not.
    #[test]
    fn lines_continue_whatever_their_contrast_with_the_portrait() {
        let window = (HIGH_PASS_MM.0 * STRIP_PX_PER_MM) as usize;
        let page = [240.0, 238.0, 228.0];
        for (ink, portrait) in [
            ([70.0, 120.0, 100.0], [105.0, 25.0, 45.0]),
            ([78.0, 52.0, 150.0], [30.0, 80.0, 150.0]),
        ] {
            let outside = print_signal(&laid_over(80, 0.0, ink, page), window);
            let inside = print_signal(&laid_over(80, 0.0, ink, portrait), window);
            let c = correlation(&outside, &inside, 0).unwrap();
            assert!(c > 0.9, "{ink:?} over {portrait:?}: {c}");
            for shift in [0.15, 0.3, 0.5] {
                let moved = print_signal(&laid_over(80, shift, ink, portrait), window);
                let c = correlation(&outside, &moved, 0).unwrap();
                assert!(
                    c < BROKEN_STRETCH,
                    "{ink:?} over {portrait:?} shifted {shift} mm: {c}"
                );
            }
        }
    }

    #[test]
    fn frame_stretches_leave_out_the_overlaps_and_cover_the_rest() {
        let photo = RectMm {
            x: 5.0,
            y: 12.0,
            w: 32.0,
            h: 42.0,
        };
        let seal = RectMm {
            x: 1.0,
            y: 45.0,
            w: 12.0,
            h: 12.0,
        };
        let stretches = frame_stretches(&photo, &[seal], 0.9);
        assert!(
            stretches
                .iter()
                .all(|(edge, from, to)| to - from >= MIN_SEGMENT_MM
                    && !overlaps(&edge.band(&photo, *from, *to, 0.9), &seal))
        );
        for edge in Edge::ALL {
            assert!(
                stretches.iter().any(|(e, _, _)| *e == edge),
                "{edge:?} has stretches"
            );
        }
        let on_seal = overlap_stretches(&photo, &seal);
        let edges: Vec<Edge> = on_seal.iter().map(|(e, _, _)| *e).collect();
        assert_eq!(edges, [Edge::Left, Edge::Bottom]);
    }

    #[test]
    fn frame_score_needs_enough_resolved_stretches() {
        let rect = RectMm {
            x: 0.0,
            y: 0.0,
            w: 1.0,
            h: 1.0,
        };
        let stretch = |edge, continuity| Stretch {
            edge,
            rect,
            continuity,
        };
        assert_eq!(
            frame_score(&[stretch(Edge::Left, Some(0.9)), stretch(Edge::Top, None)]),
            None
        );
        let (score, resolved) = frame_score(&[
            stretch(Edge::Left, Some(0.9)),
            stretch(Edge::Left, Some(0.8)),
            stretch(Edge::Top, Some(-0.4)),
            stretch(Edge::Top, None),
        ])
        .unwrap();
        assert_eq!(resolved, 3);
        assert!(
            (score - 0.25).abs() < 1e-6,
            "mean of the edges' medians: {score}"
        );
    }

    proptest::proptest! {
        #[test]
        fn profiles_of_any_values_never_panic(values in proptest::collection::vec(proptest::num::f32::ANY, 0..64), other in proptest::collection::vec(-1e6f32..1e6, 0..64), shift in -8isize..8, window in 0usize..40) {
            let a = high_pass(&values, window);
            let b = high_pass(&other, window);
            if let Some(c) = correlation(&a, &b, shift) {
                proptest::prop_assert!(c.is_nan() || (-1.001..=1.001).contains(&c));
            }
            let _ = deviation(&a);
            let colours: Vec<[f32; 3]> = values.iter().zip(other.iter().cycle()).map(|(v, o)| [*v, *o, v - o]).collect();
            let _ = print_signal(&colours, window);
        }
    }
}
