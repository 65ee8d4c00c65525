//! Measuring error rates on a folder of identities (`cargo xtask eval-face DIR`).
//!
//! Files are named `ID_anything.jpg`; images sharing the ID before the first
//! underscore are one person. Genuine pairs are two images of one ID,
//! impostor pairs two images of different IDs. An optional `info.csv`
//! (`face_id,face_age,face_gender,face_eth`) gives per-group figures, where
//! a group's impostor pairs have both people in the group.
//!
//! Conditions (side A vs side B): clean vs clean; chip-like vs clean
//! (chip vs live bearer); printed-like vs clean (printed photo vs bearer);
//! printed-like vs chip-like (printed photo vs chip, the hard one). For the
//! one-sided conditions both orders of every pair are used.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::degrade::{Jpeg2000Codec, chip_like, printed_like};
use crate::embed::Embedding;
use crate::engine::{FaceEngine, load_image};
use crate::error::FaceError;

/// One image of the evaluation set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalImage {
    /// The file.
    pub path: PathBuf,
    /// Identity (file name up to the first underscore).
    pub id: String,
}

/// Lists `ID_*.jpg|jpeg|png` files in `dir`, sorted by name.
pub fn list_images(dir: &Path) -> Result<Vec<EvalImage>, FaceError> {
    let entries = std::fs::read_dir(dir).map_err(|source| FaceError::Io {
        action: "listing",
        path: dir.to_path_buf(),
        source,
    })?;
    let mut images = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| FaceError::Io {
            action: "listing",
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        if !matches!(extension.as_deref(), Some("jpg" | "jpeg" | "png")) {
            continue;
        }
        let Some((id, _)) = name.split_once('_') else {
            continue;
        };
        if id.is_empty() {
            continue;
        }
        images.push(EvalImage {
            id: id.to_string(),
            path,
        });
    }
    images.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(images)
}

/// Per-identity attributes from `info.csv` (column name → value).
pub fn read_info(dir: &Path) -> Result<BTreeMap<String, BTreeMap<String, String>>, FaceError> {
    let path = dir.join("info.csv");
    if !path.is_file() {
        return Ok(BTreeMap::new());
    }
    let text = std::fs::read_to_string(&path).map_err(|source| FaceError::Io {
        action: "reading",
        path: path.clone(),
        source,
    })?;
    Ok(parse_info(&text))
}

/// Parses a simple comma-separated table whose first column is the identity.
pub fn parse_info(text: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut lines = text.lines();
    let Some(header) = lines.next() else {
        return BTreeMap::new();
    };
    let columns: Vec<&str> = header.split(',').map(str::trim).collect();
    let mut table = BTreeMap::new();
    for line in lines {
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        let Some(id) = cells.first().filter(|id| !id.is_empty()) else {
            continue;
        };
        let row = columns
            .iter()
            .zip(&cells)
            .skip(1)
            .map(|(c, v)| ((*c).to_string(), (*v).to_string()))
            .collect();
        table.insert((*id).to_string(), row);
    }
    table
}

/// Error rates of one set of genuine and impostor scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rates {
    /// Genuine pairs.
    pub genuine: usize,
    /// Impostor pairs.
    pub impostor: usize,
    /// Equal error rate (where FMR and FNMR cross).
    pub eer: f64,
    /// Threshold at the EER.
    pub eer_threshold: f32,
    /// FNMR at the lowest threshold with FMR ≤ 1%.
    pub fnmr_at_fmr_1: f64,
    /// FNMR at the lowest threshold with FMR ≤ 0.1%.
    pub fnmr_at_fmr_01: f64,
    /// Lowest genuine score.
    pub min_genuine: f32,
    /// Highest impostor score.
    pub max_impostor: f32,
}

/// Fraction of `scores` at or above `threshold`.
fn fraction_at_or_above(scores: &[f32], threshold: f32) -> f64 {
    if scores.is_empty() {
        return 0.0;
    }
    scores.iter().filter(|&&s| s >= threshold).count() as f64 / scores.len() as f64
}

/// (FMR, FNMR) at a threshold.
pub fn error_rates_at(genuine: &[f32], impostor: &[f32], threshold: f32) -> (f64, f64) {
    (
        fraction_at_or_above(impostor, threshold),
        1.0 - fraction_at_or_above(genuine, threshold),
    )
}

/// FNMR at the lowest threshold whose FMR is at most `target_fmr`.
pub fn fnmr_at_fmr(genuine: &[f32], impostor: &[f32], target_fmr: f64) -> f64 {
    let mut sorted = impostor.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let allowed = (target_fmr * sorted.len() as f64).floor() as usize;
    // Threshold just above the (allowed+1)-th highest impostor score.
    let threshold = sorted
        .get(allowed)
        .map_or(f32::NEG_INFINITY, |s| s.next_up());
    1.0 - fraction_at_or_above(genuine, threshold)
}

/// EER and the operating points of one score set.
pub fn rates(genuine: &[f32], impostor: &[f32]) -> Rates {
    let mut thresholds: Vec<f32> = genuine
        .iter()
        .chain(impostor)
        .copied()
        .filter(|s| s.is_finite())
        .collect();
    thresholds.sort_by(f32::total_cmp);
    thresholds.dedup();
    let (mut eer, mut eer_threshold, mut best_gap) = (1.0f64, 0.0f32, f64::INFINITY);
    for &t in &thresholds {
        let (fmr, fnmr) = error_rates_at(genuine, impostor, t);
        let gap = (fmr - fnmr).abs();
        if gap < best_gap {
            best_gap = gap;
            eer = (fmr + fnmr) / 2.0;
            eer_threshold = t;
        }
    }
    Rates {
        genuine: genuine.len(),
        impostor: impostor.len(),
        eer,
        eer_threshold,
        fnmr_at_fmr_1: fnmr_at_fmr(genuine, impostor, 0.01),
        fnmr_at_fmr_01: fnmr_at_fmr(genuine, impostor, 0.001),
        min_genuine: genuine.iter().copied().fold(f32::INFINITY, f32::min),
        max_impostor: impostor.iter().copied().fold(f32::NEG_INFINITY, f32::max),
    }
}

/// How one side of a pair is prepared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    /// The file as it is.
    Clean,
    /// 240×320 JPEG 2000 at ~12 KB.
    ChipLike,
    /// 100×140 grey halftone, blurred, tilted, strong JPEG.
    PrintedLike,
}

/// The conditions evaluated, as (side A, side B).
pub const CONDITIONS: [(Variant, Variant); 4] = [
    (Variant::Clean, Variant::Clean),
    (Variant::ChipLike, Variant::Clean),
    (Variant::PrintedLike, Variant::Clean),
    (Variant::PrintedLike, Variant::ChipLike),
];

/// Results of one condition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConditionReport {
    /// Side A's preparation.
    pub a: Variant,
    /// Side B's preparation.
    pub b: Variant,
    /// Rates over all pairs.
    pub all: Rates,
    /// Rates per `info.csv` group (`gender=female`, `ethnicity=white`…).
    pub groups: BTreeMap<String, Rates>,
    /// (FMR, FNMR) at each probe threshold, for calibration.
    pub at_thresholds: Vec<(f32, f64, f64)>,
}

/// Per-variant analysis statistics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VariantStats {
    /// The preparation.
    pub variant: Variant,
    /// Images analysed.
    pub images: usize,
    /// Images where no face was found (their pairs score −1).
    pub no_face: usize,
    /// Mean milliseconds for detect + align + embed of one image.
    pub ms_per_image: f64,
    /// Mean JPEG 2000 size in bytes (chip-like only).
    pub mean_bytes: Option<f64>,
    /// Median eye distance in pixels.
    pub median_inter_eye_px: f32,
    /// Median sharpness of the aligned crop.
    pub median_sharpness: f32,
    /// How many images raised each quality warning.
    pub warnings: BTreeMap<String, usize>,
}

fn median(mut values: Vec<f32>) -> f32 {
    values.retain(|v| v.is_finite());
    values.sort_by(f32::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f32::NAN)
}

/// The whole evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalReport {
    /// The folder evaluated.
    pub dir: PathBuf,
    /// Identities with at least one image.
    pub identities: usize,
    /// Images.
    pub images: usize,
    /// Analysis statistics per preparation.
    pub variants: Vec<VariantStats>,
    /// Milliseconds per comparison of two clean images (detect + align + embed both, plus cosine).
    pub ms_per_comparison: f64,
    /// One entry per condition.
    pub conditions: Vec<ConditionReport>,
}

/// Thresholds printed with their FMR/FNMR for calibration.
pub const PROBE_THRESHOLDS: [f32; 9] = [0.20, 0.25, 0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60];

fn groups_of(id: &str, info: &BTreeMap<String, BTreeMap<String, String>>) -> Vec<String> {
    let Some(row) = info.get(id) else {
        return Vec::new();
    };
    let mut groups = Vec::new();
    for (column, label) in [("face_gender", "gender"), ("face_eth", "ethnicity")] {
        if let Some(value) = row.get(column).filter(|v| !v.is_empty()) {
            groups.push(format!("{label}={value}"));
        }
    }
    groups
}

/// Per image of one variant: colour embedding, grey embedding (when computed), face is grey.
type ImageEmbeddings = (Option<Embedding>, Option<Embedding>, bool);

/// Runs the evaluation over `dir`; `limit` keeps only the first N identities (quick runs).
/// The chip-like side needs a JPEG 2000 `codec` (`tdverify_imaging::OpenCvJpeg2000`);
/// without one, the conditions with a chip-like side are left out of the report.
pub fn evaluate(
    engine: &FaceEngine,
    dir: &Path,
    limit: Option<usize>,
    codec: Option<&dyn Jpeg2000Codec>,
) -> Result<EvalReport, FaceError> {
    let mut images = list_images(dir)?;
    let info = read_info(dir)?;
    if let Some(limit) = limit {
        let keep: BTreeSet<String> = images
            .iter()
            .map(|i| i.id.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .take(limit)
            .collect();
        images.retain(|i| keep.contains(&i.id));
    }
    let identities: BTreeSet<&str> = images.iter().map(|i| i.id.as_str()).collect();
    let genuine_possible = images
        .iter()
        .enumerate()
        .any(|(n, a)| images.iter().skip(n + 1).any(|b| b.id == a.id));
    if !genuine_possible {
        return Err(FaceError::EvalSet {
            path: dir.to_path_buf(),
            detail: "no identity has two images (ID_anything.jpg)".into(),
        });
    }
    let variants = [Variant::Clean, Variant::ChipLike, Variant::PrintedLike]
        .into_iter()
        .filter(|variant| *variant != Variant::ChipLike || codec.is_some());
    let mut embeddings: BTreeMap<Variant, Vec<ImageEmbeddings>> = BTreeMap::new();
    let mut stats = Vec::new();
    for variant in variants {
        let (mut total_ms, mut no_face, mut bytes) = (0.0, 0, 0usize);
        let (mut eye_distances, mut sharpness, mut warnings) =
            (Vec::new(), Vec::new(), BTreeMap::<String, usize>::new());
        let mut list = Vec::with_capacity(images.len());
        for (index, item) in images.iter().enumerate() {
            let original = load_image(&item.path)?;
            let prepared = match variant {
                Variant::Clean => original,
                Variant::ChipLike => {
                    let Some(codec) = codec else { continue };
                    let (chip, size) = chip_like(&original, codec)?;
                    bytes += size;
                    chip
                }
                Variant::PrintedLike => printed_like(&original, index as u64 + 1)?,
            };
            let started = Instant::now();
            let analysis = engine.analyse(&prepared)?;
            total_ms += started.elapsed().as_secs_f64() * 1000.0;
            if analysis.embedding.is_none() {
                no_face += 1;
            }
            eye_distances.extend(analysis.quality.inter_eye_px);
            sharpness.extend(analysis.quality.sharpness);
            for warning in &analysis.quality.warnings {
                *warnings.entry(warning.which.to_string()).or_default() += 1;
            }
            let grey_embedding = if engine.config().compare_grey_in_grey {
                engine.grey_embedding(&analysis)?
            } else {
                None
            };
            list.push((analysis.embedding, grey_embedding, analysis.grey));
        }
        let count = images.len().max(1) as f64;
        stats.push(VariantStats {
            variant,
            images: images.len(),
            no_face,
            ms_per_image: total_ms / count,
            mean_bytes: (variant == Variant::ChipLike).then(|| bytes as f64 / count),
            median_inter_eye_px: median(eye_distances),
            median_sharpness: median(sharpness),
            warnings,
        });
        embeddings.insert(variant, list);
    }
    let clean_ms = stats.first().map_or(0.0, |s| s.ms_per_image);
    let mut conditions = Vec::new();
    for (side_a, side_b) in CONDITIONS {
        let (Some(list_a), Some(list_b)) = (embeddings.get(&side_a), embeddings.get(&side_b))
        else {
            continue;
        };
        let symmetric = side_a == side_b;
        let mut all = (Vec::new(), Vec::new());
        let mut per_group: BTreeMap<String, (Vec<f32>, Vec<f32>)> = BTreeMap::new();
        for (i, first) in images.iter().enumerate() {
            for (j, second) in images.iter().enumerate() {
                if i == j || (symmetric && j < i) {
                    continue;
                }
                // The same rule as `FaceEngine::score`: grey against colour is compared in grey.
                let pick = |entry: Option<&ImageEmbeddings>, in_grey: bool| {
                    entry.and_then(|(colour, grey, _)| {
                        if in_grey {
                            grey.clone()
                        } else {
                            colour.clone()
                        }
                    })
                };
                let (entry_a, entry_b) = (list_a.get(i), list_b.get(j));
                let in_grey = engine.config().compare_grey_in_grey
                    && entry_a.map(|e| e.2) != entry_b.map(|e| e.2);
                let score = match (pick(entry_a, in_grey), pick(entry_b, in_grey)) {
                    (Some(x), Some(y)) => x.cosine(&y),
                    _ => -1.0,
                };
                let same = first.id == second.id;
                let target = if same { &mut all.0 } else { &mut all.1 };
                target.push(score);
                let groups_a = groups_of(&first.id, &info);
                let groups_b = groups_of(&second.id, &info);
                for group in groups_a.iter().filter(|g| groups_b.contains(g)) {
                    let entry = per_group.entry(group.clone()).or_default();
                    if same {
                        entry.0.push(score)
                    } else {
                        entry.1.push(score)
                    }
                }
            }
        }
        conditions.push(ConditionReport {
            a: side_a,
            b: side_b,
            all: rates(&all.0, &all.1),
            groups: per_group
                .iter()
                .filter(|(_, (g, _))| !g.is_empty())
                .map(|(k, (g, i))| (k.clone(), rates(g, i)))
                .collect(),
            at_thresholds: PROBE_THRESHOLDS
                .iter()
                .map(|&t| {
                    let (fmr, fnmr) = error_rates_at(&all.0, &all.1, t);
                    (t, fmr, fnmr)
                })
                .collect(),
        });
    }
    Ok(EvalReport {
        dir: dir.to_path_buf(),
        identities: identities.len(),
        images: images.len(),
        variants: stats,
        ms_per_comparison: 2.0 * clean_ms,
        conditions,
    })
}

fn percent(value: f64) -> String {
    format!("{:.2}%", value * 100.0)
}

/// The report as pretty JSON (`--json`).
pub fn render_json(report: &EvalReport) -> String {
    serde_json::to_string_pretty(report)
        .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"))
}

/// The report as the text table `cargo xtask eval-face` prints.
pub fn render_text(report: &EvalReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "face evaluation: {} ({} identities, {} images)",
        report.dir.display(),
        report.identities,
        report.images
    );
    let _ = writeln!(out, "\nper image (detect + align + embed):");
    for s in &report.variants {
        let bytes = s
            .mean_bytes
            .map_or(String::new(), |b| format!(", mean file {b:.0} B"));
        let _ = writeln!(
            out,
            "  {:<13} {:>7.1} ms/image, no face in {}/{}{}, median eye distance {:.0} px, median sharpness {:.0}, warnings {:?}",
            format!("{:?}", s.variant),
            s.ms_per_image,
            s.no_face,
            s.images,
            bytes,
            s.median_inter_eye_px,
            s.median_sharpness,
            s.warnings
        );
    }
    let _ = writeln!(
        out,
        "  ms per comparison (two clean images): {:.1}",
        report.ms_per_comparison
    );
    for c in &report.conditions {
        let _ = writeln!(out, "\n{:?} vs {:?}", c.a, c.b);
        let _ = writeln!(
            out,
            "  {:<28} {:>6} {:>7} {:>7} {:>8} {:>12} {:>13} {:>9} {:>9}",
            "group",
            "gen",
            "imp",
            "EER",
            "EER thr",
            "FNMR@FMR1%",
            "FNMR@FMR0.1%",
            "min gen",
            "max imp"
        );
        let mut rows = vec![("all".to_string(), &c.all)];
        rows.extend(c.groups.iter().map(|(k, v)| (k.clone(), v)));
        for (name, r) in rows {
            let _ = writeln!(
                out,
                "  {:<28} {:>6} {:>7} {:>7} {:>8.3} {:>12} {:>13} {:>9.3} {:>9.3}",
                name,
                r.genuine,
                r.impostor,
                percent(r.eer),
                r.eer_threshold,
                percent(r.fnmr_at_fmr_1),
                percent(r.fnmr_at_fmr_01),
                r.min_genuine,
                r.max_impostor
            );
        }
        let probes: Vec<String> = c
            .at_thresholds
            .iter()
            .map(|(t, fmr, fnmr)| format!("{t:.2}: FMR {} FNMR {}", percent(*fmr), percent(*fnmr)))
            .collect();
        let _ = writeln!(out, "  thresholds  {}", probes.join(" | "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_separation_has_zero_error() {
        let r = rates(&[0.8, 0.9, 0.7], &[0.1, 0.2, 0.0, 0.3]);
        assert_eq!(r.eer, 0.0);
        assert_eq!(r.fnmr_at_fmr_1, 0.0);
        assert_eq!(r.fnmr_at_fmr_01, 0.0);
    }

    #[test]
    fn overlapping_scores() {
        // One impostor above one genuine: at FMR 0 one genuine is lost.
        let genuine = [0.9, 0.8, 0.4, 0.7];
        let impostor = [0.1, 0.5, 0.2, 0.3];
        assert_eq!(fnmr_at_fmr(&genuine, &impostor, 0.001), 0.25);
        let r = rates(&genuine, &impostor);
        assert!(r.eer > 0.0 && r.eer <= 0.25, "{r:?}");
        assert_eq!(error_rates_at(&genuine, &impostor, 0.45), (0.25, 0.25));
    }

    #[test]
    fn info_table_parses() {
        let info =
            parse_info("face_id,face_age,face_gender,face_eth\n002,24,female,white\n\n,1,2,3\n");
        assert_eq!(info.len(), 1);
        assert_eq!(
            groups_of("002", &info),
            ["gender=female", "ethnicity=white"]
        );
        assert!(groups_of("999", &info).is_empty());
    }

    #[test]
    fn small_evaluation_on_the_development_set() {
        let Some(dir) = crate::test_support::london_dir() else {
            return;
        };
        let engine = crate::test_support::engine();
        // Without a JPEG 2000 codec (OpenCV stays out of this crate): the chip-like
        // side is left out; `cargo xtask eval-face` measures it.
        let report = evaluate(engine, &dir, Some(4), None).expect("evaluate");
        assert_eq!(report.identities, 4);
        assert!(
            report
                .conditions
                .iter()
                .all(|c| c.a != Variant::ChipLike && c.b != Variant::ChipLike)
        );
        let clean = &report.conditions[0];
        assert_eq!(clean.all.genuine, 4);
        assert!(clean.all.eer <= 0.25, "{}", render_text(&report));
        assert!(render_text(&report).contains("FNMR@FMR0.1%"));
    }
}
