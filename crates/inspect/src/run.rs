use std::collections::BTreeMap;
use std::time::Instant;

use image::DynamicImage;
use serde::Serialize;
use tdverify_core::{Capture, Check, CheckStatus, Evidence, Light, Rect};
use tdverify_document::checks::photo::PortraitCopy;
use tdverify_document::quality::QualityMeasure;
use tdverify_document::reference::{ReferenceLibrary, ZoneKind};
use tdverify_document::{DocumentOptions, DocumentReport, check_document_with};
use tdverify_face::{FaceAnalysis, FaceEngine, FaceSource, RETAKE_BEARER_PHOTO, comparison_check, quality_checks};
use tdverify_mrz::{Mrz, MrzDate};
use tdverify_ocr::{MrzReading, OcrEngine, ReadingStatus, read_mrz};

use crate::lights::{self, ReadingByLight};
use crate::mrz_review::{MrzHandFix, apply_fixes, positions_text};
use crate::verdict::{ProposedVerdict, propose};

/// The engines and reference data an inspection uses; load them once.
pub struct Engines<'a> {
    /// Document templates.
    pub library: &'a ReferenceLibrary,
    /// MRZ reader; `None` skips reading from images (a typed MRZ still works).
    pub ocr: Option<&'a OcrEngine>,
    /// Face comparison; `None` skips the face stage (said in a check).
    pub face: Option<&'a FaceEngine>,
    /// The station's stolen and lost documents hotlist; `None`: `sltd.hit` says none is loaded.
    pub hotlist: Option<&'a tdverify_sltd::Hotlist>,
}

/// What the chip read contributed (produced by the chip session before the inspection).
#[derive(Debug, Clone, Default)]
pub struct ChipEvidence {
    /// Access, read, PA, AA, CA and consistency checks.
    pub checks: Vec<Check>,
    /// DG1's MRZ, for the comparison with the printed MRZ.
    pub dg1_mrz: Option<String>,
    /// DG2's portrait, decoded.
    pub portrait: Option<DynamicImage>,
    /// The chip read summary (`tdverify chip read --json` shape).
    pub summary: serde_json::Value,
}

/// Everything an inspection looks at.
#[derive(Debug, Clone)]
pub struct InspectInput {
    /// The document under each light (the side with the MRZ, or the only side).
    pub captures: Vec<Capture>,
    /// The other side of a two-sided card under each light (usually the front,
    /// with the portrait), or empty. Its security features are checked against
    /// its own template side; it is searched for the portrait, and for the MRZ
    /// when the first side has none. Its evidence carries `page` 1.
    pub other_side: Vec<Capture>,
    /// The live bearer, from a camera or a file.
    pub bearer: Option<DynamicImage>,
    /// An MRZ typed or corrected by the officer: used instead of reading one.
    pub typed_mrz: Option<String>,
    /// Characters of the reading the officer corrected by hand: the image is read as
    /// usual (so the reading stays as evidence) and these are applied to it. Ignored
    /// when `typed_mrz` is given.
    pub officer_mrz_fixes: Vec<MrzHandFix>,
    /// The chip read, when there was one.
    pub chip: Option<ChipEvidence>,
    /// The inspection date (expiry, century rules).
    pub inspection_date: MrzDate,
}

/// A stage, for progress reports and timings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Reading and validating the MRZ.
    Mrz,
    /// Document identification and security features.
    Document,
    /// Chip evidence (read beforehand).
    Chip,
    /// Face comparisons.
    Face,
    /// Collecting the verdict.
    Verdict,
}

impl Stage {
    /// Stable name (JSON `ms` keys).
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Mrz => "mrz",
            Stage::Document => "document",
            Stage::Chip => "chip",
            Stage::Face => "face",
            Stage::Verdict => "verdict",
        }
    }
}

/// Which document this is, as far as the inspection could tell.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DocumentSummary {
    /// Issuing state code from the MRZ.
    pub issuer: Option<String>,
    /// Document type (template name, or the MRZ document code).
    #[serde(rename = "type")]
    pub document_type: Option<String>,
    /// Matched template key (`UTO/passport`), or null: generic checks only.
    pub template: Option<String>,
}

/// The MRZ stage's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct MrzOutcome {
    /// Where the lines came from: `typed`, `ocr:ir`, `ocr:white`, or
    /// `ocr:ir+officer` / `ocr:white+officer` for a reading the officer corrected by hand.
    pub source: String,
    /// The `tdverify mrz --json` object.
    pub report: serde_json::Value,
    /// OCR details (lines, confidence, corrections) when read from an image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reading: Option<serde_json::Value>,
    /// The MRZ's bounding box on the capture it was read from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<(Light, Rect)>,
    /// The side of the document the reading is from (see [`InspectInput::other_side`]).
    #[serde(default)]
    pub page: u8,
    /// The characters the officer corrected by hand (`reading` keeps what was read).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub officer_fixes: Vec<MrzHandFix>,
    /// The MRZ as read under each light of its side (the one the checks use is
    /// marked), so the officer sees both; compared by `mrz.lights_agree`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_light: Vec<ReadingByLight>,
}

/// The result of one inspection.
#[derive(Debug, Clone, Serialize)]
pub struct Inspection {
    /// Which document.
    pub document: DocumentSummary,
    /// The MRZ, when one was typed or read.
    pub mrz: Option<MrzOutcome>,
    /// The document stage's details (registrations, timings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_report: Option<DocumentReport>,
    /// The chip summary, when the chip was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chip: Option<serde_json::Value>,
    /// Every finding, from every stage.
    pub checks: Vec<Check>,
    /// What tdverify proposes.
    pub verdict: ProposedVerdict,
    /// Milliseconds per stage.
    pub ms: BTreeMap<String, f64>,
    /// The faces compared, for the side-by-side view.
    pub faces: Vec<FaceView>,
}

/// One face the face stage compared: where it is, and its aligned crop.
#[derive(Debug, Clone, Serialize)]
pub struct FaceView {
    /// `photo` (printed portrait), `chip` or `bearer`.
    pub source: &'static str,
    /// The face box on the capture it came from (the printed portrait on the white image).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<(Light, Rect)>,
    /// The document side the region is on (see [`InspectInput::other_side`]).
    pub page: u8,
    /// The 112×112 aligned crop the comparison used (shown, not saved: the captures are).
    #[serde(skip)]
    pub aligned: Option<image::RgbImage>,
}

/// Runs the inspection. `progress(stage, fraction)` is called as stages start
/// and finish (from worker threads too: keep it cheap and thread-safe).
pub fn run(input: &InspectInput, engines: &Engines<'_>, progress: &(dyn Fn(Stage, f32) + Sync)) -> Inspection {
    let mut ms = BTreeMap::new();
    let mut checks = Vec::new();

    progress(Stage::Mrz, 0.0);
    let started = Instant::now();
    let (mrz, mut mrz_outcome, mrz_checks, tried) = mrz_stage(input, engines);
    checks.extend(mrz_checks);
    ms.insert(Stage::Mrz.as_str().to_owned(), elapsed_ms(started));
    progress(Stage::Mrz, 1.0);

    let (document_report, (face_checks, mut faces, analysed), mut face_ms, document_ms, lights) = std::thread::scope(|scope| {
        // The other light's reading runs beside the document and face stages.
        let lights = scope.spawn(|| compare_lights(input, engines, tried));
        let face = scope.spawn(|| {
            let started = Instant::now();
            progress(Stage::Face, 0.0);
            let outcome = face_stage(input, engines);
            progress(Stage::Face, 1.0);
            (outcome, elapsed_ms(started))
        });
        let started = Instant::now();
        progress(Stage::Document, 0.0);
        let options = DocumentOptions { today: input.inspection_date, side: None, viz: None };
        let mut document_progress = |_step: &str, fraction: f32| progress(Stage::Document, fraction);
        let mut report = check_document_with(&input.captures, engines.library, mrz.as_ref(), &options, &mut document_progress);
        if !input.other_side.is_empty() {
            let other = check_document_with(&input.other_side, engines.library, mrz.as_ref(), &options, &mut document_progress);
            merge_other_side(&mut report, other);
        }
        progress(Stage::Document, 1.0);
        let document_ms = elapsed_ms(started);
        let (face_outcome, face_ms) = face.join().unwrap_or_else(|_| {
            ((vec![Check::new("face.stage", CheckStatus::Error, "The face comparison stopped unexpectedly; compare the faces by eye")], Vec::new(), Vec::new()), 0.0)
        });
        let lights = lights.join().unwrap_or_else(|_| {
            (Some(Check::new("mrz.lights_agree", CheckStatus::Error, "The MRZ comparison between lights stopped unexpectedly; compare the MRZ under white and IR light by eye")), Vec::new())
        });
        (report, face_outcome, face_ms, document_ms, lights)
    });
    let (lights_check, by_light) = lights;
    if let Some(check) = lights_check {
        // Beside the other MRZ checks.
        let at = checks.iter().rposition(|c| c.id.starts_with("mrz.")).map_or(checks.len(), |i| i + 1);
        checks.insert(at, check);
    }
    if let Some(outcome) = mrz_outcome.as_mut() {
        outcome.by_light = by_light;
    }
    checks.extend(document_report.checks.iter().cloned());
    settle_truncated_name(&mut checks);
    ms.insert(Stage::Document.as_str().to_owned(), document_ms);
    checks.extend(face_checks);
    // The ghost image needs the document stage's registration: it runs last.
    if let Some(engine) = engines.face {
        let started = Instant::now();
        portrait_from_zone(&mut checks, &mut faces, &analysed, &document_report.portrait_copies, engine);
        let glare_over_ghost = glare_over(&document_report.quality, ZoneKind::GhostImage);
        let chip_confirms = checks.iter().any(|c| c.id == "face.photo_vs_chip" && c.status == CheckStatus::Pass);
        let flat_scan = crate::ghost::scanned_flat(&document_report.quality);
        if let Some(ghost) = crate::ghost::compare(&document_report.portrait_copies, engine, glare_over_ghost, chip_confirms, flat_scan) {
            checks.push(ghost.check);
            for view in ghost.views {
                if !faces.iter().any(|f| f.source == view.source) {
                    faces.push(view);
                }
            }
        }
        // The UV and IR copies of the portrait the template declares.
        let declared: Vec<ZoneKind> = document_report
            .template
            .as_deref()
            .and_then(|key| engines.library.get(key))
            .map(|template| template.sides.iter().flat_map(|side| side.zones.iter().map(|zone| zone.kind)).collect())
            .unwrap_or_default();
        for copy in crate::ghost::compare_other_copies(&document_report.portrait_copies, &declared, engine, flat_scan) {
            checks.push(copy.check);
        }
        face_ms += elapsed_ms(started);
    }
    // Needs the face stage's checks and the document stage's glare map together.
    let comparisons: Vec<&'static str> = analysed.iter().filter_map(|face| tdverify_face::checks::comparison_check_id(FaceSource::Photo, face.source)).collect();
    recapture_portrait_under_glare(&mut checks, &document_report.quality, &comparisons);
    ms.insert(Stage::Face.as_str().to_owned(), face_ms);

    let started = Instant::now();
    progress(Stage::Chip, 0.0);
    if let Some(chip) = &input.chip {
        checks.extend(chip.checks.iter().cloned());
        if !chip.checks.iter().any(|c| c.id == "consistency.mrz_vs_dg1")
            && let (Some(printed), Some(dg1)) = (mrz.as_ref(), chip.dg1_mrz.as_deref())
        {
            checks.push(mrz_vs_dg1(printed, dg1));
        }
    }
    progress(Stage::Chip, 1.0);
    ms.insert(Stage::Chip.as_str().to_owned(), elapsed_ms(started));

    let started = Instant::now();
    let dg1 = input.chip.as_ref().and_then(|c| c.dg1_mrz.as_deref());
    checks.push(crate::sltd::check(engines.hotlist, mrz.as_ref(), dg1, input.inspection_date));
    ms.insert("sltd".to_owned(), elapsed_ms(started));

    progress(Stage::Verdict, 0.0);
    let verdict = propose(&checks);
    progress(Stage::Verdict, 1.0);
    let document = DocumentSummary {
        issuer: mrz.as_ref().map(|m| m.issuing_state.clone()).or_else(|| document_report.issuer.clone()),
        document_type: document_report.document.clone().or_else(|| mrz.as_ref().map(|m| m.document_code.clone())),
        template: document_report.template.clone(),
    };
    Inspection {
        document,
        mrz: mrz_outcome,
        document_report: Some(document_report),
        chip: input.chip.as_ref().map(|c| c.summary.clone()),
        checks,
        verdict,
        ms,
        faces,
    }
}

fn elapsed_ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1e3
}

/// Typed MRZ first; otherwise read it from IR (the B900 ink contrasts best
/// there), then white, and apply the officer's hand fixes. The reading's region
/// becomes evidence on every MRZ check.
fn mrz_stage(input: &InspectInput, engines: &Engines<'_>) -> (Option<Mrz>, Option<MrzOutcome>, Vec<Check>, TriedReadings) {
    let date = input.inspection_date;
    let mut tried = TriedReadings::default();
    if let Some(typed) = input.typed_mrz.as_deref().filter(|t| !t.trim().is_empty()) {
        return match tdverify_mrz::parse(typed) {
            Ok(mrz) => {
                let checks = tdverify_mrz::checks(&mrz, date);
                let report = tdverify_mrz::report_json(&mrz, &checks, date);
                let outcome = MrzOutcome {
                    source: "typed".to_owned(),
                    report,
                    reading: None,
                    region: None,
                    page: 0,
                    officer_fixes: Vec::new(),
                    by_light: Vec::new(),
                };
                (Some(mrz), Some(outcome), checks, tried)
            }
            Err(e) => (None, None, vec![Check::new("mrz.read", CheckStatus::Error, format!("The typed MRZ cannot be used: {e}"))], tried),
        };
    }
    let Some(ocr) = engines.ocr else {
        return (None, None, vec![Check::new("mrz.read", CheckStatus::Error, "No MRZ reader is available: type the MRZ lines")], tried);
    };
    let mut failures = Vec::new();
    let mut best: Option<(Light, u8, MrzReading)> = None;
    let sides = [(0u8, &input.captures), (1u8, &input.other_side)];
    'sides: for (page, captures) in sides {
        for light in [Light::Ir, Light::White] {
            let Some(capture) = captures.iter().find(|c| c.light == light) else { continue };
            match read_mrz(&capture.image, ocr) {
                Ok(reading) => {
                    let trusted = matches!(reading.status, ReadingStatus::Valid | ReadingStatus::Invalid);
                    tried.readings.push((light, page, Some(reading.clone())));
                    let better = best.as_ref().is_none_or(|(_, _, b)| reading.confidence > b.confidence);
                    if better {
                        best = Some((light, page, reading));
                    }
                    if trusted {
                        break 'sides;
                    }
                }
                // The other side of a card usually has no MRZ: not worth a message.
                Err(e) if page == 0 => {
                    tried.readings.push((light, page, None));
                    failures.push(format!("{light}: {e}"));
                }
                Err(_) => tried.readings.push((light, page, None)),
            }
        }
    }
    let Some((light, page, reading)) = best else {
        let why = if failures.is_empty() { "no white or IR image".to_owned() } else { failures.join("; ") };
        return (
            None,
            None,
            vec![Check::new("mrz.read", CheckStatus::Error, format!("No MRZ could be read ({why}): rescan with the whole data page visible, or type the MRZ"))],
            tried,
        );
    };
    tried.used = Some((light, page));
    let region = lights::outline(&reading);
    let reading_json = tdverify_ocr::reading_json(&reading);
    let (lines, officer_fixes) = apply_fixes(&reading.lines, &input.officer_mrz_fixes);
    let by_officer = !officer_fixes.is_empty();
    let outcome = |report: serde_json::Value| MrzOutcome {
        source: if by_officer { format!("ocr:{light}+officer") } else { format!("ocr:{light}") },
        report,
        reading: Some(reading_json.clone()),
        region: Some((light, region)),
        page,
        officer_fixes: officer_fixes.clone(),
        by_light: Vec::new(),
    };
    let evidence = Evidence::region(light, region).on_page(page);
    if !by_officer && !matches!(reading.status, ReadingStatus::Valid | ReadingStatus::Invalid) {
        // The reader does not trust its own reading: checking it would report
        // OCR noise as findings about the document. Ask the officer instead.
        let check = Check::warn(
            "mrz.read",
            format!("The MRZ on the {light} image could not be read with confidence: check the highlighted characters and correct or type the MRZ"),
        )
        .with_confidence(reading.confidence)
        .with_evidence(evidence.with_detail(format!("best reading: {}", reading.text().replace('\n', " / "))));
        return (None, Some(outcome(serde_json::Value::Null)), vec![check], tried);
    }
    // Corrected by hand: the officer looked at the reading, the checks run on their text.
    let how = if by_officer {
        let unsure = if matches!(reading.status, ReadingStatus::Valid | ReadingStatus::Invalid) { "" } else { "; the reader was unsure of it" };
        format!(
            "MRZ read from the {light} image ({} corrections by the reader{unsure}), {} corrected by hand by the officer ({})",
            reading.corrections.len(),
            characters(officer_fixes.len()),
            positions_text(&officer_fixes)
        )
    } else {
        format!("MRZ read from the {light} image ({} corrections)", reading.corrections.len())
    };
    match tdverify_mrz::parse(&lines.join("\n")) {
        Ok(mrz) => {
            let mut checks = tdverify_mrz::checks(&mrz, date);
            for check in &mut checks {
                check.evidence.push(evidence.clone());
            }
            let report = tdverify_mrz::report_json(&mrz, &checks, date);
            checks.insert(0, Check::pass("mrz.read", how).with_confidence(reading.confidence).with_evidence(evidence));
            (Some(mrz), Some(outcome(report)), checks, tried)
        }
        Err(e) => {
            let check = Check::new("mrz.read", CheckStatus::Error, format!("{how}: not usable ({e}): correct or type it")).with_evidence(evidence);
            // The reading (and the officer's fixes) stay, so the MRZ panel can show them.
            (None, by_officer.then(|| outcome(serde_json::Value::Null)), vec![check], tried)
        }
    }
}

/// The readings the MRZ stage made, and which one it used.
#[derive(Default)]
struct TriedReadings {
    /// Light, side, reading (`None`: no MRZ found there).
    readings: Vec<(Light, u8, Option<MrzReading>)>,
    /// The light and side of the reading the MRZ checks use.
    used: Option<(Light, u8)>,
}

/// Reads the MRZ under the other of white and IR on the side it was read from
/// (unless the MRZ stage already did) and compares the two readings. Returns the
/// `mrz.lights_agree` check (none when only one light was captured or the MRZ
/// was typed) and every reading's summary for the officer.
fn compare_lights(input: &InspectInput, engines: &Engines<'_>, mut tried: TriedReadings) -> (Option<Check>, Vec<ReadingByLight>) {
    let Some((used_light, page)) = tried.used else { return (None, Vec::new()) };
    let other_light = if used_light == Light::Ir { Light::White } else { Light::Ir };
    let captures = if page == 0 { &input.captures } else { &input.other_side };
    if let Some(ocr) = engines.ocr
        && !tried.readings.iter().any(|(l, p, _)| *l == other_light && *p == page)
        && let Some(capture) = captures.iter().find(|c| c.light == other_light)
    {
        tried.readings.push((other_light, page, read_mrz(&capture.image, ocr).ok()));
    }
    let summaries = tried
        .readings
        .iter()
        .filter(|(_, p, _)| *p == page)
        .map(|(light, p, reading)| match reading {
            Some(r) => ReadingByLight::of(*light, *p, r, *light == used_light),
            None => ReadingByLight::not_found(*light, *p),
        })
        .collect();
    let find = |light: Light| tried.readings.iter().find(|(l, p, _)| *l == light && *p == page).map(|(_, _, r)| r.as_ref());
    let check = match (find(used_light), find(other_light)) {
        (Some(Some(used)), Some(Some(other))) => Some(lights::compare(used_light, used, other_light, other, page)),
        (Some(Some(used)), Some(None)) => Some(lights::other_not_found(used_light, other_light, used, page)),
        _ => None,
    };
    (check, summaries)
}

/// A name that fills its MRZ field may be truncated (`mrz.names.truncated`, a
/// note). When the VIZ name was read and agrees (`viz.mrz.name` passes, a
/// truncated MRZ name being a prefix of the VIZ name), the truncation is the one
/// ICAO 9303 prescribes: the note becomes a pass.
fn settle_truncated_name(checks: &mut [Check]) {
    let viz_agrees = checks.iter().any(|c| c.id == "viz.mrz.name" && c.status == CheckStatus::Pass);
    if !viz_agrees {
        return;
    }
    for check in checks.iter_mut().filter(|c| c.id == "mrz.names.truncated" && c.status == CheckStatus::Warn) {
        check.status = CheckStatus::Pass;
        check.message = "The name fills its MRZ field and the VIZ shows it in full: the MRZ truncates it as ICAO 9303 prescribes".to_owned();
    }
}

/// The evidence source naming the printed portrait (`face:photo`).
const PRINTED_PORTRAIT: &str = "face:photo";

/// Smallest share of the portrait zone under glare that can hide the face from the detector.
const PORTRAIT_GLARE_SHARE: f32 = 0.05;

/// No printed portrait was found while glare lies over the portrait zone: the
/// glare, not the document, stopped the face comparison, so the officer is asked
/// to capture that side again rather than to review the document. The check
/// boxes the glare on the white image and names the comparisons it prevented
/// (`comparisons`: the ids the printed portrait would have taken part in); with
/// none to prevent, no recapture is asked.
fn recapture_portrait_under_glare(checks: &mut [Check], quality: &[QualityMeasure], comparisons: &[&str]) {
    let glare = glare_over(quality, ZoneKind::Photo);
    if glare < PORTRAIT_GLARE_SHARE || comparisons.is_empty() {
        return;
    }
    let blobs: Vec<Evidence> = quality
        .iter()
        .filter(|q| q.light == Light::White)
        .flat_map(|q| &q.glare_blobs)
        .filter(|blob| blob.zones.iter().any(|zone| zone.kind == ZoneKind::Photo && zone.covered > 0.0))
        .map(|blob| Evidence::region(blob.light, blob.region).with_detail(format!("glare over the portrait, {:.0} mm²", blob.area_mm2)))
        .collect();
    let printed_portrait_missing =
        |c: &Check| c.id == "face.quality.face_found" && c.status == CheckStatus::Warn && c.evidence.iter().any(|e| e.source.as_deref() == Some(PRINTED_PORTRAIT));
    for check in checks.iter_mut().filter(|c| printed_portrait_missing(c)) {
        check.status = CheckStatus::Error;
        check.message = format!(
            "No face found in the printed portrait: glare covers {:.0} % of it (boxed on the white image), so it could not be compared ({} not run)",
            glare * 100.0,
            comparisons.join(", ")
        );
        check.recapture = Some("Capture the side with the portrait again without glare on it (tilt the document or move the lamp)".to_owned());
        check.evidence.extend(blobs.iter().cloned());
    }
}

/// The largest share of a zone of this kind under glare in white light.
fn glare_over(quality: &[QualityMeasure], kind: ZoneKind) -> f32 {
    quality
        .iter()
        .filter(|q| q.light == Light::White)
        .flat_map(|q| &q.glare_blobs)
        .flat_map(|blob| &blob.zones)
        .filter(|zone| zone.kind == kind)
        .map(|zone| zone.covered)
        .fold(0.0f32, f32::max)
}

/// `1 character`, `2 characters`.
fn characters(count: usize) -> String {
    if count == 1 { "1 character".to_owned() } else { format!("{count} characters") }
}

/// Adds the other side's findings to the first side's report. A check both sides
/// agree on is listed once; one that differs, or exists only on the other side, is
/// listed with its evidence on page 1 and says which side it is about. What does
/// not apply to the other side is left out, and a finding of the other side takes
/// the place of the first side's "does not apply" (the VIZ printed on the front).
fn merge_other_side(report: &mut DocumentReport, other: DocumentReport) {
    for mut check in other.checks {
        if check.status == CheckStatus::NotApplicable || report.checks.iter().any(|c| c.id == check.id && c.status == check.status) {
            continue;
        }
        check.message = format!("Other side: {}", check.message);
        check.evidence = check.evidence.into_iter().map(|e| if e.light.is_some() { e.on_page(1) } else { e }).collect();
        match report.checks.iter().position(|c| c.id == check.id && c.status == CheckStatus::NotApplicable) {
            Some(index) => report.checks[index] = check,
            None => report.checks.push(check),
        }
    }
    report.portrait_copies.extend(other.portrait_copies.into_iter().map(|copy| PortraitCopy { page: 1, ..copy }));
    report.registrations.extend(other.registrations);
    report.quality.extend(other.quality);
    report.timings.extend(other.timings);
}


/// The chip's DG1 must carry exactly the printed MRZ.
fn mrz_vs_dg1(printed: &Mrz, dg1: &str) -> Check {
    let normalise = |text: &str| text.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let printed_text = normalise(&printed.lines.concat());
    let chip_text = normalise(dg1);
    if printed_text == chip_text {
        Check::pass("consistency.mrz_vs_dg1", "The chip's MRZ (DG1) is the printed MRZ").with_evidence(Evidence::source("chip:DG1"))
    } else {
        let first = printed_text.chars().zip(chip_text.chars()).position(|(a, b)| a != b).unwrap_or(printed_text.len().min(chip_text.len()));
        Check::fail(
            "consistency.mrz_vs_dg1",
            format!("The chip's MRZ (DG1) differs from the printed MRZ from character {}: data altered on the page or in the chip", first + 1),
        )
        .with_evidence(Evidence::source("chip:DG1").with_detail(format!("printed {printed_text} / chip {chip_text}")))
    }
}

/// A face the face stage analysed, kept so that a printed portrait found later
/// in the registered portrait zone can still be compared with it.
struct AnalysedFace {
    source: FaceSource,
    analysis: FaceAnalysis,
    /// The face box on the capture (light, box, page), for evidence.
    region: Option<(Light, Rect, u8)>,
}

/// Printed portrait (largest face on the white capture), chip portrait and
/// bearer, compared pairwise. Comparisons with the printed portrait point at
/// its face box on the white image.
fn face_stage(input: &InspectInput, engines: &Engines<'_>) -> (Vec<Check>, Vec<FaceView>, Vec<AnalysedFace>) {
    let bearer = input.bearer.as_ref();
    let chip = input.chip.as_ref().and_then(|c| c.portrait.as_ref());
    // The printed portrait: on the first side, or on the other side of a card.
    let whites: Vec<(u8, &DynamicImage)> = [(0u8, &input.captures), (1u8, &input.other_side)]
        .into_iter()
        .filter_map(|(page, captures)| captures.iter().find(|c| c.light == Light::White).map(|c| (page, &c.image)))
        .collect();
    let white = whites.first().map(|(_, image)| *image);
    let sources: Vec<(FaceSource, &DynamicImage)> =
        [(FaceSource::Photo, white), (FaceSource::Chip, chip), (FaceSource::Bearer, bearer)].into_iter().filter_map(|(s, i)| i.map(|i| (s, i))).collect();
    if sources.len() < 2 {
        return (Vec::new(), Vec::new(), Vec::new());
    }
    let Some(engine) = engines.face else {
        return (vec![Check::new("face.stage", CheckStatus::Error, "Face comparison is not available (models not loaded): compare the faces by eye")], Vec::new(), Vec::new());
    };
    let mut checks = Vec::new();
    let mut analyses: Vec<AnalysedFace> = Vec::new();
    let mut views = Vec::new();
    for (source, image) in &sources {
        let mut page = 0u8;
        let mut analysed = engine.analyse(image);
        if *source == FaceSource::Photo {
            // No face on the first side's white image: the portrait may be on the other side.
            for (other_page, other_image) in whites.iter().skip(1) {
                if analysed.as_ref().is_ok_and(|a| a.face.is_none())
                    && let Ok(other) = engine.analyse(other_image)
                    && other.face.is_some()
                {
                    analysed = Ok(other);
                    page = *other_page;
                }
            }
        }
        match analysed {
            Ok(analysis) if *source == FaceSource::Photo && analysis.face.is_none() => {
                // The page shown may be the back of a card, or the portrait may
                // be too small or covered: say so, and compare what remains.
                // The portrait zone is searched again once the page is registered
                // (`portrait_from_zone`).
                checks.push(
                    Check::warn(
                        "face.quality.face_found",
                        "No printed portrait found on the white image: if the photo is on the other side, add that side's image; otherwise look at the photo zone yourself",
                    )
                    .with_evidence(Evidence::source(PRINTED_PORTRAIT)),
                );
            }
            Ok(analysis) => {
                let region = (*source == FaceSource::Photo).then(|| analysis.face.as_ref().map(|f| (Light::White, f.rect))).flatten();
                let mut quality = quality_checks(*source, &analysis.quality);
                if let Some((light, rect)) = region {
                    quality = quality.into_iter().map(|c| c.with_evidence(Evidence::region(light, rect).on_page(page))).collect();
                }
                checks.extend(quality);
                views.push(FaceView { source: source.as_str(), region, page, aligned: analysis.aligned.clone() });
                analyses.push(AnalysedFace { source: *source, analysis, region: region.map(|(light, rect)| (light, rect, page)) });
            }
            Err(e) => checks.push(Check::new(format!("face.quality.{}", source.as_str()), CheckStatus::Error, format!("The {} face could not be analysed: {e}", source.as_str()))),
        }
    }
    for i in 0..analyses.len() {
        for j in i + 1..analyses.len() {
            checks.push(compare_faces(engine, &analyses[i], &analyses[j]));
        }
    }
    (checks, views, analyses)
}

/// One pairwise comparison, with the printed portrait's box as evidence.
fn compare_faces(engine: &FaceEngine, a: &AnalysedFace, b: &AnalysedFace) -> Check {
    let check = match engine.compare_analyses(&a.analysis, &b.analysis) {
        Ok(comparison) => {
            let check = comparison_check(a.source, b.source, &comparison);
            // No face in the bearer's photo: take it again, then compare.
            let bearer_faceless = [a, b].iter().any(|face| face.source == FaceSource::Bearer && face.analysis.face.is_none());
            if check.status == CheckStatus::Error && bearer_faceless { Check { recapture: Some(RETAKE_BEARER_PHOTO.to_owned()), ..check } } else { check }
        }
        Err(e) => Check::new(
            tdverify_face::checks::comparison_check_id(a.source, b.source).unwrap_or("face.stage"),
            CheckStatus::Error,
            format!("The {} and {} faces could not be compared: {e}", a.source.as_str(), b.source.as_str()),
        ),
    };
    match a.region.or(b.region) {
        Some((light, rect, page)) => check.with_evidence(Evidence::region(light, rect).on_page(page)),
        None => check,
    }
}

/// The whole white image showed no printed portrait (a glare spot, or a
/// portrait small or faint at the detector's scale on a photographed page):
/// look again in the template's portrait zone, cut upright from the registered
/// page at [`tdverify_document::checks::photo::PORTRAIT_PX_PER_MM`]. A face
/// found there replaces the "no printed portrait" warning and is compared with
/// the other faces; the evidence is the zone's box on the capture.
fn portrait_from_zone(checks: &mut Vec<Check>, views: &mut Vec<FaceView>, analysed: &[AnalysedFace], copies: &[PortraitCopy], engine: &FaceEngine) {
    let is_missing_portrait =
        |c: &Check| c.id == "face.quality.face_found" && c.status == CheckStatus::Warn && c.evidence.iter().any(|e| e.source.as_deref() == Some(PRINTED_PORTRAIT));
    let Some(at) = checks.iter().position(is_missing_portrait) else { return };
    let found = copies
        .iter()
        .filter(|copy| copy.kind == ZoneKind::Photo)
        .find_map(|copy| engine.analyse(&DynamicImage::ImageRgb8(copy.image.clone())).ok().filter(|a| a.face.is_some()).map(|a| (copy, a)));
    let Some((copy, analysis)) = found else { return };
    let evidence = Evidence::region(copy.light, copy.region).on_page(copy.page).with_detail("found in the template's portrait zone");
    let mut found_checks: Vec<Check> = quality_checks(FaceSource::Photo, &analysis.quality).into_iter().map(|c| c.with_evidence(evidence.clone())).collect();
    let portrait = AnalysedFace { source: FaceSource::Photo, analysis, region: Some((copy.light, copy.region, copy.page)) };
    found_checks.extend(analysed.iter().map(|other| compare_faces(engine, &portrait, other)));
    views.push(FaceView { source: FaceSource::Photo.as_str(), region: Some((copy.light, copy.region)), page: copy.page, aligned: portrait.analysis.aligned.clone() });
    let _warning: Vec<Check> = checks.splice(at..=at, found_checks).collect();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_truncated_name_the_viz_confirms_is_a_pass_and_stays_a_note_otherwise() {
        let truncated = || Check::warn("mrz.names.truncated", "The name fills its field and may be truncated");
        let mut confirmed = vec![truncated(), Check::pass("viz.mrz.name", "VIZ name agrees")];
        settle_truncated_name(&mut confirmed);
        assert_eq!(confirmed[0].status, CheckStatus::Pass);
        assert!(confirmed[0].message.contains("ICAO 9303"));
        let mut unread = vec![truncated(), Check::not_checked("viz.mrz.name", "compare by eye")];
        settle_truncated_name(&mut unread);
        assert_eq!(unread[0].status, CheckStatus::Warn);
    }

    fn white_with_glare_over(kind: ZoneKind, covered: f32) -> QualityMeasure {
        use tdverify_document::quality::{GlareBlob, GlareZone};
        use tdverify_document::reference::RectMm;
        let zone = GlareZone { zone: "photo".to_owned(), kind, covered, label: "the portrait".to_owned(), read_by: vec!["photo.integrity".to_owned()] };
        let blob = GlareBlob {
            light: Light::White,
            rect_mm: RectMm { x: 5.0, y: 10.0, w: 12.0, h: 10.0 },
            region: Rect::new(50.0, 100.0, 120.0, 100.0),
            area_mm2: 120.0,
            zones: vec![zone],
        };
        QualityMeasure { light: Light::White, focus: 200.0, glare_fraction: 0.02, px_per_mm: 10.0, skew_deg: 0.0, median_luma: 180.0, glare_blobs: vec![blob] }
    }

    #[test]
    fn a_portrait_hidden_by_glare_asks_for_a_recapture_and_one_missing_otherwise_for_review() {
        let missing = || Check::warn("face.quality.face_found", "No printed portrait found").with_evidence(Evidence::source(PRINTED_PORTRAIT));
        let mut under_glare = vec![missing()];
        recapture_portrait_under_glare(&mut under_glare, &[white_with_glare_over(ZoneKind::Photo, 0.3)], &["face.photo_vs_bearer"]);
        assert_eq!(under_glare[0].status, CheckStatus::Error);
        assert!(under_glare[0].recapture.is_some() && under_glare[0].message.contains("30 %"), "{}", under_glare[0].message);
        assert!(under_glare[0].message.contains("face.photo_vs_bearer"), "names the comparison it prevented: {}", under_glare[0].message);
        assert!(under_glare[0].evidence.iter().any(|e| e.region == Some(Rect::new(50.0, 100.0, 120.0, 100.0))), "boxes the glare: {:?}", under_glare[0].evidence);
        // Nothing to compare the portrait with: nothing the glare prevented, no recapture.
        let mut alone = vec![missing()];
        recapture_portrait_under_glare(&mut alone, &[white_with_glare_over(ZoneKind::Photo, 0.3)], &[]);
        assert_eq!((alone[0].status, alone[0].recapture.is_none()), (CheckStatus::Warn, true));
        for quality in [white_with_glare_over(ZoneKind::Mrz, 0.9), white_with_glare_over(ZoneKind::Photo, 0.01)] {
            let mut elsewhere = vec![missing()];
            recapture_portrait_under_glare(&mut elsewhere, &[quality], &["face.photo_vs_bearer"]);
            assert_eq!((elsewhere[0].status, elsewhere[0].recapture.is_none()), (CheckStatus::Warn, true));
        }
    }
}
