//! Error rates of the portrait-vs-ghost-image comparison over a folder of
//! fixture documents with ground truth (`cargo xtask eval-ghost DIR`), used to
//! calibrate [`tdverify_face::ghost::GHOST_THRESHOLDS`] on one set and to
//! report on another.
//!
//! Each document's MRZ side (and other side) goes through the document stage
//! with the ground-truth MRZ, so the template is the right one whatever the
//! MRZ reader does; the portrait and ghost image it cuts out are compared as
//! the inspection does. Pairs:
//! - **same document**: the portrait against its own ghost image; genuine when
//!   ground truth says the portrait shows the holder (`faces.portrait_identity
//!   == faces.holder_identity`), impostor for a substituted portrait;
//! - **across documents**: every portrait against every other document's ghost
//!   image of another identity (impostor pairs only), for a finer FMR.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use tdverify_document::reference::{ReferenceLibrary, ZoneKind};
use tdverify_document::{DocumentOptions, check_document_with};
use tdverify_face::FaceEngine;
use tdverify_face::embed::Embedding;
use tdverify_face::eval::{Rates, error_rates_at, rates};
use tdverify_face::ghost::{CopyInk, GHOST_THRESHOLDS, enhance_copy_at};

use crate::eval::{OfficerEvalError, TruthSummary, load_side, load_truth_summary};

/// One document's portrait and one of its copies (ghost image, UV or IR copy), compared.
#[derive(Debug, Clone, Serialize)]
pub struct GhostDocument {
    /// Folder name.
    pub id: String,
    /// Which copy: `ghost_image`, `uv_portrait` or `ir_portrait`.
    pub copy: ZoneKind,
    /// Scenario name.
    pub scenario: String,
    /// Template key, when one matched.
    pub template: Option<String>,
    /// Capture kind label.
    pub capture: String,
    /// Whether the portrait shows the ghost image's person (ground truth).
    pub same_person: bool,
    /// The capture band the thresholds tell apart (`flat`, `photo_fine`, `photo_coarse`).
    pub band: &'static str,
    /// The resolution of the capture the copy was cut from (pixels per millimetre).
    pub capture_px_per_mm: f32,
    /// Similarity, when both faces were found.
    pub score: Option<f32>,
    /// A face was found in the portrait zone.
    pub portrait_face: bool,
    /// A face was found in the enhanced copy.
    pub ghost_face: bool,
    /// What the inspection reports for this pair (`face.photo_vs_ghost`,
    /// `face.photo_vs_uv_copy`, `face.photo_vs_ir_copy`), its rule for
    /// photographed pages included (glare and the chip left aside).
    pub inspection: tdverify_core::CheckStatus,
    /// Milliseconds for the comparison (both analyses).
    pub ms: f64,
    /// The white capture's quality (focus, resolution, skew) on the ghost's side.
    pub white_quality: Option<tdverify_document::quality::QualityMeasure>,
    #[serde(skip)]
    portrait_embedding: Option<Embedding>,
    #[serde(skip)]
    ghost_embedding: Option<Embedding>,
    #[serde(skip)]
    portrait_identity: String,
    #[serde(skip)]
    holder_identity: String,
}

/// Rates at one threshold.
#[derive(Debug, Clone, Serialize)]
pub struct ThresholdRow {
    /// Cosine similarity threshold.
    pub threshold: f32,
    /// Impostor pairs (same document and across) scoring at or above it.
    pub fmr: f64,
    /// Same-document impostor pairs (substituted portraits) at or above it: missed substitutions.
    pub fmr_same_document: f64,
    /// Genuine pairs below it.
    pub fnmr: f64,
}

/// One copy's error rates on one capture band, at the thresholds of its
/// [`crate::ghost::copy_rule`]: what the thresholds' documentation states.
#[derive(Debug, Clone, Serialize)]
pub struct CopyRates {
    /// `GhostImage`, `UvPortrait` or `IrPortrait`.
    pub copy: String,
    /// `flat`, `photo_fine` or `photo_coarse`.
    pub band: &'static str,
    /// Genuine pairs (portrait against its own copy) with both faces found.
    pub genuine: usize,
    /// Impostor pairs: substituted portraits against their copy, and every
    /// portrait against another person's copy of the same kind on this band.
    pub impostor: usize,
    /// Substituted portraits against their own copy, faces found.
    pub same_document_impostors: usize,
    /// Pairs where a face was not found (not compared).
    pub no_face: usize,
    /// Lowest genuine score.
    pub lowest_genuine: Option<f32>,
    /// Highest same-document impostor score.
    pub highest_substituted: Option<f32>,
    /// Impostor pairs at or above the match threshold.
    pub fmr_at_match: f64,
    /// Genuine pairs below the fraud threshold (none on a band without one).
    pub fnmr_at_fraud: f64,
    /// Genuine pairs sent to review or lower (below the review threshold).
    pub fnmr_at_review: f64,
    /// Substitutions (faces found) below the review or the fraud threshold: flagged.
    pub substitutions_flagged: usize,
}

/// The whole evaluation. Rates and thresholds are the ghost image's; the UV
/// and IR copies are counted in the decision tables under their own names.
#[derive(Debug, Clone, Serialize)]
pub struct GhostReport {
    /// Every comparison: one per document with a ghost image, one per UV or IR copy.
    pub documents: Vec<GhostDocument>,
    /// Documents whose template has no ghost image (not compared).
    pub without_ghost: usize,
    /// Same-document genuine and all impostor scores.
    pub rates: Rates,
    /// Same-document impostor pairs.
    pub same_document_impostors: usize,
    /// Rates on a grid of thresholds.
    pub table: Vec<ThresholdRow>,
    /// Decisions of the comparison at the thresholds in use, per scenario:
    /// (match, review, no face to compare, no match). The inspection's rule for
    /// photographed pages (only a match is reported) is not applied here.
    pub decisions: BTreeMap<String, [usize; 4]>,
    /// The same per capture kind, genuine documents and substitutions apart.
    pub decisions_by_capture: BTreeMap<String, [usize; 4]>,
    /// The same per template.
    pub decisions_by_template: BTreeMap<String, [usize; 4]>,
    /// Each copy's error rates per capture band at the rule the inspection uses.
    pub copy_rates: Vec<CopyRates>,
    /// Mean and largest milliseconds per comparison.
    pub ms_mean: f64,
    /// Largest milliseconds per comparison.
    pub ms_max: f64,
}

/// Evaluates every document folder directly under `dir`.
pub fn evaluate_folder(
    dir: &Path,
    library: &ReferenceLibrary,
    engine: &FaceEngine,
    progress: impl FnMut(usize, usize),
) -> Result<GhostReport, OfficerEvalError> {
    evaluate_folder_with(dir, library, engine, None, progress)
}

/// [`evaluate_folder`], and with `dump` a folder where each document's crops
/// are written as the comparison saw them (`<id>.portrait.png`,
/// `<id>.ghost.png`, `<id>.ghost_enhanced.png`): to look at a miss, or to try
/// an enhancement on the same crops without the document stage.
pub fn evaluate_folder_with(
    dir: &Path,
    library: &ReferenceLibrary,
    engine: &FaceEngine,
    dump: Option<&Path>,
    mut progress: impl FnMut(usize, usize),
) -> Result<GhostReport, OfficerEvalError> {
    if let Some(dump) = dump {
        std::fs::create_dir_all(dump).map_err(|source| OfficerEvalError::Read {
            path: dump.to_path_buf(),
            source,
        })?;
    }
    let folders = tdverify_document::eval::document_folders(dir).map_err(|source| {
        OfficerEvalError::Read {
            path: dir.to_path_buf(),
            source,
        }
    })?;
    if folders.is_empty() {
        return Err(OfficerEvalError::Empty(dir.to_path_buf()));
    }
    let mut documents = Vec::new();
    let mut without_ghost = 0;
    for (done, folder) in folders.iter().enumerate() {
        let compared = evaluate_document(folder, library, engine, dump)?;
        if !compared.iter().any(|d| d.copy == ZoneKind::GhostImage) {
            without_ghost += 1;
        }
        documents.extend(compared);
        progress(done + 1, folders.len());
    }
    Ok(report(documents, without_ghost))
}

/// One document's comparisons, one per portrait copy its template declares (none without a copy).
fn evaluate_document(
    folder: &Path,
    library: &ReferenceLibrary,
    engine: &FaceEngine,
    dump: Option<&Path>,
) -> Result<Vec<GhostDocument>, OfficerEvalError> {
    let truth: TruthSummary = load_truth_summary(folder)?;
    let malformed = |message: &str| OfficerEvalError::Truth {
        path: folder.join("truth.json"),
        message: message.to_owned(),
    };
    let today = tdverify_mrz::MrzDate::from_iso(&truth.reference_date)
        .ok_or_else(|| malformed("reference_date is not YYYY-MM-DD"))?;
    let lines = &truth
        .mrz
        .as_ref()
        .ok_or_else(|| malformed("no mrz.lines"))?
        .lines;
    let faces = truth.faces.as_ref().ok_or_else(|| malformed("no faces"))?;
    let (Some(portrait_identity), Some(holder_identity)) = (
        faces.portrait_identity.clone(),
        faces.holder_identity.clone(),
    ) else {
        return Err(malformed(
            "no faces.portrait_identity or faces.holder_identity",
        ));
    };
    let mrz = tdverify_mrz::parse(&lines.join("\n")).ok();
    let options = DocumentOptions {
        today,
        side: None,
        viz: None,
    };
    let mut copies = Vec::new();
    let mut template = None;
    let mut qualities = Vec::new();
    for (page, side) in truth.sides.iter().enumerate() {
        let captures = load_side(folder, side)?;
        let report =
            check_document_with(&captures, library, mrz.as_ref(), &options, &mut |_, _| {});
        template = template.or(report.template.clone());
        qualities.push(
            report
                .quality
                .iter()
                .find(|q| q.light == tdverify_core::Light::White)
                .cloned(),
        );
        copies.extend(report.portrait_copies.into_iter().map(|c| {
            tdverify_document::checks::photo::PortraitCopy {
                page: page as u8,
                ..c
            }
        }));
    }
    let id = folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let flat = crate::ghost::scanned_flat(&qualities.iter().flatten().cloned().collect::<Vec<_>>());
    let mut compared = Vec::new();
    for copy in copies.iter().filter(|c| {
        matches!(
            c.kind,
            ZoneKind::GhostImage | ZoneKind::UvPortrait | ZoneKind::IrPortrait
        )
    }) {
        let Some(portrait) = copies
            .iter()
            .filter(|c| c.kind == ZoneKind::Photo)
            .min_by_key(|c| c.page != copy.page)
        else {
            continue;
        };
        let ink = if copy.kind == ZoneKind::UvPortrait {
            CopyInk::Fluorescent
        } else {
            CopyInk::Absorbing
        };
        let name = match copy.kind {
            ZoneKind::UvPortrait => "uv_copy",
            ZoneKind::IrPortrait => "ir_copy",
            _ => "ghost",
        };
        if let Some(dump) = dump {
            let enhanced = enhance_copy_at(&copy.image, ink, copy.capture_px_per_mm);
            let enhanced_name = format!("{name}_enhanced");
            for (name, image) in [
                ("portrait", &portrait.image),
                (name, &copy.image),
                (enhanced_name.as_str(), &enhanced),
            ] {
                let path = dump.join(format!("{id}.{name}.png"));
                image.save(&path).map_err(|e| OfficerEvalError::Image {
                    path: path.clone(),
                    message: e.to_string(),
                })?;
            }
        }
        let failed = |e: tdverify_face::FaceError| OfficerEvalError::Image {
            path: folder.to_path_buf(),
            message: e.to_string(),
        };
        let comparison = engine
            .compare_with_copy(&portrait.image, &copy.image, ink, copy.capture_px_per_mm)
            .map_err(failed)?;
        let portrait_embedding = engine
            .grey_embedding(&comparison.portrait)
            .map_err(failed)?;
        compared.push(GhostDocument {
            id: id.clone(),
            copy: copy.kind,
            scenario: truth.scenario.clone(),
            template: template.clone(),
            capture: truth.capture_label(),
            same_person: portrait_identity == holder_identity,
            band: crate::ghost::CaptureBand::of(flat, copy.capture_px_per_mm).as_str(),
            capture_px_per_mm: copy.capture_px_per_mm,
            score: comparison.score,
            portrait_face: comparison.portrait.face.is_some(),
            ghost_face: comparison.ghost.face.is_some(),
            inspection: crate::ghost::outcome(&comparison, portrait, copy, flat)
                .check
                .status,
            ms: comparison.ms,
            white_quality: qualities.get(usize::from(copy.page)).cloned().flatten(),
            portrait_embedding,
            ghost_embedding: comparison.ghost.embedding.clone(),
            portrait_identity: portrait_identity.clone(),
            holder_identity: holder_identity.clone(),
        });
    }
    Ok(compared)
}

/// Index of a decision in the `[match, review, no face, no match]` counts.
fn decision_slot(score: Option<f32>) -> usize {
    match score.map(|s| GHOST_THRESHOLDS.decide(s)) {
        Some(tdverify_face::Decision::Match) => 0,
        Some(tdverify_face::Decision::Review) => 1,
        Some(tdverify_face::Decision::NoMatch) => 3,
        Some(tdverify_face::Decision::NoFace) | None => 2,
    }
}

fn report(documents: Vec<GhostDocument>, without_ghost: usize) -> GhostReport {
    let ghosts: Vec<&GhostDocument> = documents
        .iter()
        .filter(|d| d.copy == ZoneKind::GhostImage)
        .collect();
    let genuine: Vec<f32> = ghosts
        .iter()
        .filter(|d| d.same_person)
        .filter_map(|d| d.score)
        .collect();
    let same_document: Vec<f32> = ghosts
        .iter()
        .filter(|d| !d.same_person)
        .filter_map(|d| d.score)
        .collect();
    let mut impostor = same_document.clone();
    for a in &ghosts {
        for b in &ghosts {
            if a.id == b.id || a.portrait_identity == b.holder_identity {
                continue;
            }
            if let (Some(p), Some(g)) = (&a.portrait_embedding, &b.ghost_embedding) {
                impostor.push(p.cosine(g));
            }
        }
    }
    let mut grid: Vec<f32> = (0..=16).map(|step| 0.1 + 0.025 * step as f32).collect();
    grid.extend([
        GHOST_THRESHOLDS.no_match_below.threshold,
        GHOST_THRESHOLDS.match_at.threshold,
    ]);
    grid.sort_by(f32::total_cmp);
    grid.dedup_by(|a, b| (*a - *b).abs() < 1e-4);
    let table = grid
        .into_iter()
        .map(|threshold| {
            let (fmr, fnmr) = error_rates_at(&genuine, &impostor, threshold);
            let (fmr_same_document, _) = error_rates_at(&genuine, &same_document, threshold);
            ThresholdRow {
                threshold,
                fmr,
                fmr_same_document,
                fnmr,
            }
        })
        .collect();
    let mut decisions: BTreeMap<String, [usize; 4]> = BTreeMap::new();
    let mut decisions_by_capture: BTreeMap<String, [usize; 4]> = BTreeMap::new();
    let mut decisions_by_template: BTreeMap<String, [usize; 4]> = BTreeMap::new();
    for document in &documents {
        let slot = decision_slot(document.score);
        let kind = if document.same_person {
            "genuine"
        } else {
            "substituted"
        };
        // The ghost image's rows keep their names; the other copies are named.
        let copy = match document.copy {
            ZoneKind::UvPortrait => "uv_copy ",
            ZoneKind::IrPortrait => "ir_copy ",
            _ => "",
        };
        decisions
            .entry(format!("{copy}{}", document.scenario))
            .or_default()[slot] += 1;
        decisions_by_capture
            .entry(format!("{copy}{} {kind}", document.capture))
            .or_default()[slot] += 1;
        decisions_by_template
            .entry(format!(
                "{copy}{} {kind}",
                document.template.as_deref().unwrap_or("-")
            ))
            .or_default()[slot] += 1;
    }
    let copy_rates = copy_rates(&documents);
    let ms: Vec<f64> = ghosts.iter().map(|d| d.ms).collect();
    GhostReport {
        copy_rates,
        rates: rates(&genuine, &impostor),
        same_document_impostors: same_document.len(),
        table,
        decisions,
        decisions_by_capture,
        decisions_by_template,
        ms_mean: if ms.is_empty() {
            0.0
        } else {
            ms.iter().sum::<f64>() / ms.len() as f64
        },
        ms_max: ms.iter().copied().fold(0.0, f64::max),
        documents,
        without_ghost,
    }
}

impl GhostReport {
    /// The report as text tables.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let r = &self.rates;
        out.push_str(&format!(
            "portrait vs ghost image: {} documents with a ghost image ({} without); {} genuine pairs, {} impostor pairs ({} same-document substitutions)\n",
            self.documents.iter().filter(|d| d.copy == ZoneKind::GhostImage).count(),
            self.without_ghost,
            r.genuine,
            r.impostor,
            self.same_document_impostors
        ));
        let ghosts = || {
            self.documents
                .iter()
                .filter(|d| d.copy == ZoneKind::GhostImage)
        };
        let no_face = ghosts().filter(|d| !d.ghost_face).count();
        let no_portrait = ghosts().filter(|d| !d.portrait_face).count();
        out.push_str(&format!(
            "no face in the ghost image: {no_face}; no face in the portrait: {no_portrait}\n"
        ));
        out.push_str(&format!(
            "EER {:.2}% at {:.3}; FNMR at FMR 1% {:.2}%, at FMR 0.1% {:.2}%; lowest genuine {:.3}, highest impostor {:.3}\n",
            r.eer * 100.0,
            r.eer_threshold,
            r.fnmr_at_fmr_1 * 100.0,
            r.fnmr_at_fmr_01 * 100.0,
            r.min_genuine,
            r.max_impostor
        ));
        out.push_str("threshold  FMR(all)  FMR(same doc)  FNMR\n");
        for row in &self.table {
            out.push_str(&format!(
                "{:>9.3}  {:>7.2}%  {:>12.2}%  {:>5.2}%\n",
                row.threshold,
                row.fmr * 100.0,
                row.fmr_same_document * 100.0,
                row.fnmr * 100.0
            ));
        }
        let t = &GHOST_THRESHOLDS;
        out.push_str(&format!(
            "decisions at match ≥ {:.2}, no match < {:.2} (match / review / no face / no match; photographed pages not set apart):\n",
            t.match_at.threshold, t.no_match_below.threshold
        ));
        for (title, map) in [
            ("scenario", &self.decisions),
            ("capture", &self.decisions_by_capture),
            ("template", &self.decisions_by_template),
        ] {
            for (key, [pass, review, no_face, fail]) in map {
                out.push_str(&format!(
                    "  {title:<8} {key:<44} {pass:>4} {review:>4} {no_face:>4} {fail:>4}\n"
                ));
            }
        }
        out.push_str(&self.score_spread());
        out.push_str("rates per copy and band at the inspection's rule (genuine / impostor pairs, no face; FMR at match; genuine below fraud, below review; substitutions flagged):\n");
        for r in &self.copy_rates {
            out.push_str(&format!(
                "  {:<11} {:<12} {:>3} / {:>5}, {:>2}  FMR {:>6.2}%  FNMR fraud {:>6.2}%  review {:>6.2}%  flagged {}/{}\n",
                r.copy,
                r.band,
                r.genuine,
                r.impostor,
                r.no_face,
                r.fmr_at_match * 100.0,
                r.fnmr_at_fraud * 100.0,
                r.fnmr_at_review * 100.0,
                r.substitutions_flagged,
                r.same_document_impostors
            ));
        }
        out.push_str("as the inspection reports them (fail / review / pass / other), per copy, capture and kind:\n");
        let mut rows: BTreeMap<String, [usize; 4]> = BTreeMap::new();
        for d in &self.documents {
            let kind = if d.same_person {
                "genuine"
            } else {
                "substituted"
            };
            let slot = match d.inspection {
                tdverify_core::CheckStatus::Fail => 0,
                tdverify_core::CheckStatus::Warn => 1,
                tdverify_core::CheckStatus::Pass => 2,
                _ => 3,
            };
            rows.entry(format!("{:?} {} {kind}", d.copy, d.capture))
                .or_default()[slot] += 1;
        }
        for (key, [fail, review, pass, other]) in rows {
            out.push_str(&format!(
                "  {key:<50} {fail:>4} {review:>4} {pass:>4} {other:>4}\n"
            ));
        }
        out.push_str(&format!(
            "milliseconds per comparison: mean {:.0}, max {:.0}\n",
            self.ms_mean, self.ms_max
        ));
        out
    }
}

fn band_of(band: &str) -> crate::ghost::CaptureBand {
    match band {
        "flat" => crate::ghost::CaptureBand::Flat,
        "photo_fine" => crate::ghost::CaptureBand::PhotoFine,
        _ => crate::ghost::CaptureBand::PhotoCoarse,
    }
}

/// Every copy kind's rates per capture band at its rule.
fn copy_rates(documents: &[GhostDocument]) -> Vec<CopyRates> {
    let mut groups: BTreeMap<(String, &'static str), Vec<&GhostDocument>> = BTreeMap::new();
    for d in documents {
        groups
            .entry((format!("{:?}", d.copy), d.band))
            .or_default()
            .push(d);
    }
    groups
        .into_iter()
        .map(|((copy, band), group)| {
            let kind = group[0].copy;
            let rule = crate::ghost::copy_rule(kind, band_of(band));
            let genuine: Vec<f32> = group
                .iter()
                .filter(|d| d.same_person)
                .filter_map(|d| d.score)
                .collect();
            let same_document: Vec<f32> = group
                .iter()
                .filter(|d| !d.same_person)
                .filter_map(|d| d.score)
                .collect();
            let mut impostor = same_document.clone();
            // Every portrait of the set against another person's copy of this kind on this band.
            for a in documents.iter().filter(|d| d.copy == kind) {
                for b in &group {
                    if a.id == b.id || a.portrait_identity == b.holder_identity {
                        continue;
                    }
                    if let (Some(p), Some(g)) = (&a.portrait_embedding, &b.ghost_embedding) {
                        impostor.push(p.cosine(g));
                    }
                }
            }
            let share = |scores: &[f32], pass: &dyn Fn(f32) -> bool| {
                if scores.is_empty() {
                    0.0
                } else {
                    scores.iter().filter(|s| pass(**s)).count() as f64 / scores.len() as f64
                }
            };
            let below = |threshold: Option<f32>| move |s: f32| threshold.is_some_and(|t| s < t);
            let flagging = match (rule.review_below, rule.fraud_below) {
                (Some(review), Some(fraud)) => Some(review.max(fraud)),
                (review, fraud) => review.or(fraud),
            };
            CopyRates {
                copy,
                band,
                genuine: genuine.len(),
                impostor: impostor.len(),
                same_document_impostors: same_document.len(),
                no_face: group.iter().filter(|d| d.score.is_none()).count(),
                lowest_genuine: genuine.iter().copied().reduce(f32::min),
                highest_substituted: same_document.iter().copied().reduce(f32::max),
                fmr_at_match: share(&impostor, &|s| s >= rule.match_at),
                fnmr_at_fraud: share(&genuine, &below(rule.fraud_below)),
                fnmr_at_review: share(&genuine, &below(flagging)),
                substitutions_flagged: same_document
                    .iter()
                    .filter(|s| below(flagging)(**s))
                    .count(),
            }
        })
        .collect()
}

impl GhostReport {
    /// Each copy's scores per capture band, genuine pairs and substitutions
    /// apart: what its thresholds are set from (the lowest genuine and the
    /// highest substituted scores, and how many faces were not found).
    pub fn score_spread(&self) -> String {
        let mut groups: BTreeMap<(String, &'static str), (Vec<f32>, Vec<f32>, usize, usize)> =
            BTreeMap::new();
        for d in &self.documents {
            let group = groups.entry((format!("{:?}", d.copy), d.band)).or_default();
            match (d.score, d.same_person) {
                (Some(score), true) => group.0.push(score),
                (Some(score), false) => group.1.push(score),
                (None, true) => group.2 += 1,
                (None, false) => group.3 += 1,
            }
        }
        let list = |scores: &[f32]| {
            scores
                .iter()
                .map(|s| format!("{s:.2}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut out = String::from(
            "scores per copy and capture band (genuine ascending | substituted descending; no face: genuine / substituted):\n",
        );
        for ((copy, band), (mut genuine, mut substituted, genuine_unseen, substituted_unseen)) in
            groups
        {
            genuine.sort_by(f32::total_cmp);
            substituted.sort_by(|a, b| b.total_cmp(a));
            out.push_str(&format!(
                "  {copy:<11} {band:<12} genuine {:>3}: {}\n  {:<24} substituted {:>3}: {}\n  {:<24} no face {genuine_unseen} / {substituted_unseen}\n",
                genuine.len(),
                list(&genuine),
                "",
                substituted.len(),
                list(&substituted),
                ""
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(
        id: &str,
        same_person: bool,
        score: Option<f32>,
        portrait: &str,
        holder: &str,
    ) -> GhostDocument {
        GhostDocument {
            id: id.to_owned(),
            copy: ZoneKind::GhostImage,
            scenario: if same_person {
                "genuine"
            } else {
                "photo_substitution_clean"
            }
            .to_owned(),
            template: Some("UTO/passport".to_owned()),
            capture: "flatbed_300".to_owned(),
            same_person,
            band: "flat",
            capture_px_per_mm: 11.8,
            score,
            portrait_face: true,
            ghost_face: score.is_some(),
            inspection: tdverify_core::CheckStatus::NotChecked,
            ms: 80.0,
            white_quality: None,
            portrait_embedding: Embedding::normalised(vec![1.0, 0.0]),
            ghost_embedding: score.and_then(|_| {
                Embedding::normalised(if same_person {
                    vec![1.0, 0.1]
                } else {
                    vec![0.0, 1.0]
                })
            }),
            portrait_identity: portrait.to_owned(),
            holder_identity: holder.to_owned(),
        }
    }

    #[test]
    fn pairs_and_decisions_are_counted_by_kind() {
        let report = report(
            vec![
                document("a", true, Some(0.9), "p1", "p1"),
                document("b", false, Some(0.05), "p2", "p3"),
                document("c", true, None, "p4", "p4"),
                document("d", false, Some(0.3), "p5", "p6"),
            ],
            2,
        );
        assert_eq!(
            (
                report.rates.genuine,
                report.same_document_impostors,
                report.without_ghost
            ),
            (1, 2, 2)
        );
        // Same-document impostors plus every portrait against another person's
        // ghost: a, b, c and d each against the other ghosts found (a, b, d).
        assert_eq!(report.rates.impostor, 2 + 9);
        assert_eq!(report.decisions["genuine"], [1, 0, 1, 0]);
        assert_eq!(report.decisions["photo_substitution_clean"], [0, 1, 0, 1]);
        assert!(report.table().contains("no face"));
    }
}
