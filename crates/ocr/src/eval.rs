//! Measuring MRZ reading over folders of images with ground truth
//! (`cargo xtask eval-mrz DIR`).
//!
//! Two ground-truth layouts are accepted:
//!
//! * **Development set** (`../shared/mrz`): `DIR/ground_truth.json` is an
//!   object `{ "<file name>": ["line 1", "line 2"(, "line 3")] }` with the
//!   characters as printed and full line lengths; the files are in
//!   `DIR/images/` (or `DIR/` itself).
//! * **Fixtures** (`cargo xtask fixtures`): every folder below `DIR` holding a
//!   `truth.json` is one document; its MRZ lines are `mrz.lines` (or a
//!   top-level `mrz_lines`), and every `white.*` and `ir.*` image beside it
//!   shows that MRZ. Items are labelled by capture kind (`capture.kind`) and
//!   light so camera and flatbed results are reported apart. Images whose MRZ
//!   is a counterfeit print by design (`expected_checks` fails `mrz.print`:
//!   wrong font, pitch or inkjet; or, in infrared, `ir.b900`: no
//!   IR-absorbing ink) go to groups suffixed `/counterfeit`, where rejecting
//!   is the right answer and only a wrong acceptance is a fault. Documents
//!   whose truth has no MRZ lines are skipped.
//!
//! Measures: exact-MRZ rate (every line equal), character error rate (edit
//! distance over the truth's characters; a missing reading costs every
//! character), rejection rate (no MRZ found, or status `low_confidence` /
//! `unreadable`), wrong-accepted rate (status `valid` or `invalid` but not
//! exact), wrong-accepted-as-valid (status `valid` but not exact: the worst
//! outcome), median and 95th-percentile milliseconds per image.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::classify::OcrEngine;
use crate::decode::ReadingStatus;
use crate::error::OcrError;
use crate::read::{ReadTrace, Reader, load_image, mrz_crop, read_mrz_with};

/// One image with the MRZ it shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalItem {
    /// The image file.
    pub image: PathBuf,
    /// The MRZ lines as printed.
    pub truth: Vec<String>,
    /// Group the item is reported in (`shared`, `camera/white`, `flatbed_300/ir`…).
    pub group: String,
}

/// What happened on one image.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemResult {
    /// The item.
    pub item: EvalItem,
    /// The lines read (empty when nothing was read).
    pub lines: Vec<String>,
    /// The reader's status; `None` when it returned an error.
    pub status: Option<ReadingStatus>,
    /// The error, if any.
    pub error: Option<String>,
    /// Milliseconds for this image (decoding the file excluded).
    pub ms: f64,
    /// Edit distance between read and true lines.
    pub char_errors: usize,
    /// Characters in the truth.
    pub char_total: usize,
    /// The reader found the MRZ upside down.
    pub upside_down: bool,
    /// For a reading that is not exact: the first stage that went wrong.
    pub failed_stage: Option<FailedStage>,
}

/// The first stage of the reader that went wrong on an image, judged against
/// the truth: the MRZ was not found (or with the wrong number of lines), its
/// lines were cut into the wrong number of cells, or the cells were right
/// and characters were misread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailedStage {
    /// No MRZ found, or not the true number of lines.
    Locate,
    /// The true lines, but not the true characters per line.
    Segment,
    /// The right cells, wrong characters.
    Classify,
}

impl FailedStage {
    /// Short name for reports and file names.
    pub fn label(self) -> &'static str {
        match self {
            FailedStage::Locate => "locate",
            FailedStage::Segment => "segment",
            FailedStage::Classify => "classify",
        }
    }
}

/// Which stage failed, from the reader's trace and the truth (`None` when the
/// reading is exact).
pub fn failed_stage(lines: &[String], trace: &ReadTrace, truth: &[String]) -> Option<FailedStage> {
    if lines == truth {
        return None;
    }
    let Some(located) = &trace.located else { return Some(FailedStage::Locate) };
    if located.line_count != truth.len() || trace.cells.len() != truth.len() {
        return Some(FailedStage::Locate);
    }
    let cut_right = trace.cells.iter().zip(truth).all(|(cells, line)| cells.centres.len() == line.chars().count());
    Some(if cut_right { FailedStage::Classify } else { FailedStage::Segment })
}

impl ItemResult {
    /// Every line read exactly.
    pub fn exact(&self) -> bool {
        self.lines == self.item.truth
    }

    /// The reader answered "low confidence", "unreadable" or found nothing.
    pub fn rejected(&self) -> bool {
        !matches!(self.status, Some(ReadingStatus::Valid) | Some(ReadingStatus::Invalid))
    }
}

/// Rates over a set of results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Images.
    pub count: usize,
    /// Share read exactly.
    pub exact_rate: f64,
    /// Character error rate.
    pub char_error_rate: f64,
    /// Share rejected.
    pub rejection_rate: f64,
    /// Share accepted (valid or invalid) but wrong.
    pub wrong_accepted_rate: f64,
    /// Number accepted as valid but wrong (must be 0).
    pub wrong_accepted_valid: usize,
    /// Median milliseconds per image.
    pub median_ms: f64,
    /// 95th percentile milliseconds per image.
    pub p95_ms: f64,
}

/// Rates of a list of results.
pub fn summarize(results: &[ItemResult]) -> Summary {
    let count = results.len();
    let n = count.max(1) as f64;
    let exact = results.iter().filter(|r| r.exact()).count();
    let rejected = results.iter().filter(|r| r.rejected()).count();
    let wrong_accepted = results.iter().filter(|r| !r.rejected() && !r.exact()).count();
    let wrong_accepted_valid = results.iter().filter(|r| r.status == Some(ReadingStatus::Valid) && !r.exact()).count();
    let errors: usize = results.iter().map(|r| r.char_errors).sum();
    let total: usize = results.iter().map(|r| r.char_total).sum();
    let mut times: Vec<f64> = results.iter().map(|r| r.ms).collect();
    times.sort_by(f64::total_cmp);
    Summary {
        count,
        exact_rate: exact as f64 / n,
        char_error_rate: errors as f64 / total.max(1) as f64,
        rejection_rate: rejected as f64 / n,
        wrong_accepted_rate: wrong_accepted as f64 / n,
        wrong_accepted_valid,
        median_ms: quantile(&times, 0.5),
        p95_ms: quantile(&times, 0.95),
    }
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted.get(index.min(sorted.len() - 1)).copied().unwrap_or(0.0)
}

/// Finds the items of a folder in either layout (see the module documentation).
pub fn load_dataset(dir: &Path) -> Result<Vec<EvalItem>, OcrError> {
    let shared_truth = dir.join("ground_truth.json");
    if shared_truth.is_file() {
        return load_shared_layout(dir, &shared_truth);
    }
    let mut items = Vec::new();
    collect_fixture_items(dir, &mut items, 0)?;
    items.sort_by(|a, b| a.image.cmp(&b.image));
    Ok(items)
}

fn read_json(path: &Path) -> Result<serde_json::Value, OcrError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| OcrError::Io { action: "reading", path: path.to_path_buf(), source })?;
    serde_json::from_str(&text).map_err(|e| OcrError::GroundTruth { path: path.to_path_buf(), reason: e.to_string() })
}

fn string_lines(value: &serde_json::Value) -> Option<Vec<String>> {
    let list = value.as_array()?;
    list.iter().map(|v| v.as_str().map(str::to_string)).collect()
}

fn load_shared_layout(dir: &Path, truth_path: &Path) -> Result<Vec<EvalItem>, OcrError> {
    let truth = read_json(truth_path)?;
    let object = truth
        .as_object()
        .ok_or_else(|| OcrError::GroundTruth { path: truth_path.to_path_buf(), reason: "not an object".to_string() })?;
    let images_dir = if dir.join("images").is_dir() { dir.join("images") } else { dir.to_path_buf() };
    let mut items = Vec::new();
    for (file, lines) in object {
        let lines = string_lines(lines).ok_or_else(|| OcrError::GroundTruth {
            path: truth_path.to_path_buf(),
            reason: format!("{file}: expected a list of lines"),
        })?;
        items.push(EvalItem { image: images_dir.join(file), truth: lines, group: "shared".to_string() });
    }
    Ok(items)
}

fn collect_fixture_items(dir: &Path, items: &mut Vec<EvalItem>, depth: usize) -> Result<(), OcrError> {
    if depth > 4 {
        return Ok(());
    }
    let truth_path = dir.join("truth.json");
    let entries = std::fs::read_dir(dir).map_err(|source| OcrError::Io { action: "listing", path: dir.to_path_buf(), source })?;
    let mut files = Vec::new();
    let mut folders = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| OcrError::Io { action: "listing", path: dir.to_path_buf(), source })?;
        let path = entry.path();
        if path.is_dir() {
            folders.push(path);
        } else {
            files.push(path);
        }
    }
    if truth_path.is_file() {
        let truth = read_json(&truth_path)?;
        let lines = truth
            .get("mrz")
            .and_then(|m| m.get("lines"))
            .and_then(string_lines)
            .or_else(|| truth.get("mrz_lines").and_then(string_lines))
            .unwrap_or_default();
        if !lines.is_empty() {
            let capture = truth
                .get("capture")
                .and_then(|c| c.get("kind"))
                .and_then(|k| k.as_str())
                .unwrap_or("unknown")
                .to_string();
            let expected_fail =
                |check: &str| truth.get("expected_checks").and_then(|c| c.get(check)).and_then(|v| v.as_str()) == Some("fail");
            let white_lines = truth.get("mrz").and_then(|m| m.get("white_lines")).and_then(string_lines);
            let counterfeit_print = expected_fail("mrz.print");
            let invisible_in_ir = counterfeit_print || expected_fail("ir.b900");
            for file in files {
                let Some(name) = file.file_name().and_then(|n| n.to_str()) else { continue };
                let light = ["white", "ir"].into_iter().find(|l| {
                    name.strip_prefix(l).is_some_and(|rest| rest == ".png" || rest == ".jpg" || rest == ".jpeg")
                });
                if let Some(light) = light {
                    let counterfeit = if light == "ir" { invisible_in_ir } else { counterfeit_print };
                    let suffix = if counterfeit { "/counterfeit" } else { "" };
                    // An MRZ altered under white light only shows other characters there.
                    let truth_lines = if light == "white" { white_lines.clone().unwrap_or_else(|| lines.clone()) } else { lines.clone() };
                    items.push(EvalItem { image: file.clone(), truth: truth_lines, group: format!("{capture}/{light}{suffix}") });
                }
            }
        }
    }
    for folder in folders {
        collect_fixture_items(&folder, items, depth + 1)?;
    }
    Ok(())
}

/// Levenshtein distance between two character sequences.
pub fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// Edit distance between read and true lines (joined by newlines) and the truth's character count.
pub fn line_errors(read: &[String], truth: &[String]) -> (usize, usize) {
    let truth_chars: Vec<char> = truth.join("\n").chars().collect();
    let total = truth.iter().map(|l| l.chars().count()).sum();
    if read.is_empty() {
        return (total, total);
    }
    let read_chars: Vec<char> = read.join("\n").chars().collect();
    (edit_distance(&read_chars, &truth_chars).min(total.max(read_chars.len())), total)
}

/// Reads every item with our reader.
pub fn evaluate(items: &[EvalItem], engine: &OcrEngine) -> Vec<ItemResult> {
    evaluate_with_dump(items, engine, None)
}

/// [`evaluate`], writing the strip of every image not read exactly, with its
/// cells drawn, into `dump` (a scratch folder outside the repository).
pub fn evaluate_with_dump(items: &[EvalItem], engine: &OcrEngine, dump: Option<&Path>) -> Vec<ItemResult> {
    evaluate_reader(items, engine, crate::read::DEFAULT_READER, dump)
}

/// [`evaluate_with_dump`] with the given [`Reader`].
pub fn evaluate_reader(items: &[EvalItem], engine: &OcrEngine, reader: Reader, dump: Option<&Path>) -> Vec<ItemResult> {
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let image = load_image(&item.image);
            let mut trace = ReadTrace::default();
            let started = Instant::now();
            let outcome = image.and_then(|image| read_mrz_with(&image, engine, reader, Some(&mut trace)));
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            let (lines, status, error, upside_down) = match outcome {
                Ok(reading) => (reading.lines, Some(reading.status), None, reading.upside_down),
                Err(e) => (Vec::new(), None, Some(e.to_string()), false),
            };
            let (char_errors, char_total) = line_errors(&lines, &item.truth);
            let stage = failed_stage(&lines, &trace, &item.truth);
            if let (Some(dir), Some(stage)) = (dump, stage) {
                dump_strip(dir, index, item, stage, &trace);
            }
            ItemResult {
                item: item.clone(),
                lines,
                status,
                error,
                ms,
                char_errors,
                char_total,
                upside_down,
                failed_stage: stage,
            }
        })
        .collect()
}

/// A name for an item's files: its folder and file name.
fn item_name(item: &EvalItem) -> String {
    let mut parts: Vec<String> = item.image.iter().rev().take(2).map(|p| p.to_string_lossy().to_string()).collect();
    parts.reverse();
    parts.join("_").chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).collect()
}

/// Writes the strip with its cell borders (red) and text band (blue); best effort.
fn dump_strip(dir: &Path, index: usize, item: &EvalItem, stage: FailedStage, trace: &ReadTrace) {
    let Some(strip) = &trace.strip else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let mut out = image::DynamicImage::ImageLuma8(strip.clone()).to_rgb8();
    let (w, h) = (out.width() as i64, out.height() as i64);
    let mut put = |x: i64, y: i64, colour: [u8; 3]| {
        if x >= 0 && y >= 0 && x < w && y < h {
            out.put_pixel(x as u32, y as u32, image::Rgb(colour));
        }
    };
    for line in &trace.cells {
        let (top, bottom) = ((line.centre_y - line.height / 2.0) as i64, (line.centre_y + line.height / 2.0) as i64);
        for &centre in &line.centres {
            let border = (centre - line.pitch / 2.0).round() as i64;
            for y in top..=bottom {
                put(border, y, [230, 0, 0]);
            }
        }
        let (left, right) = (
            line.centres.first().map_or(0, |c| (c - line.pitch / 2.0) as i64),
            line.centres.last().map_or(0, |c| (c + line.pitch / 2.0) as i64),
        );
        for x in left..=right {
            put(x, top, [0, 0, 230]);
            put(x, bottom, [0, 0, 230]);
        }
    }
    let name = format!("{index:03}_{}_{}.png", stage.label(), item_name(item));
    let _ = out.save(dir.join(name));
    dump_on_image(dir, index, item, stage, trace);
}

/// Writes the image with the located quadrilateral (green) and the cells
/// mapped back from the strip (red); best effort.
fn dump_on_image(dir: &Path, index: usize, item: &EvalItem, stage: FailedStage, trace: &ReadTrace) {
    let (Some(located), Some(to_source)) = (&trace.located, &trace.to_source) else { return };
    let Ok(image) = load_image(&item.image) else { return };
    let mut out = image.to_rgb8();
    let (w, h) = (out.width() as f32, out.height() as f32);
    let mut segment = |a: crate::Point, b: crate::Point, colour: [u8; 3]| {
        let steps = ((b.x - a.x).abs().max((b.y - a.y).abs()).ceil() as usize).clamp(1, 20_000);
        for k in 0..=steps {
            let t = k as f32 / steps as f32;
            let (x, y) = (a.x + t * (b.x - a.x), a.y + t * (b.y - a.y));
            if x >= 0.0 && y >= 0.0 && x < w && y < h {
                out.put_pixel(x as u32, y as u32, image::Rgb(colour));
            }
        }
    };
    for line in &trace.cells {
        let (top, bottom) = (line.centre_y - line.height / 2.0, line.centre_y + line.height / 2.0);
        for &centre in &line.centres {
            let (left, right) = (centre - line.pitch / 2.0, centre + line.pitch / 2.0);
            let corners = [(left, top), (right, top), (right, bottom), (left, bottom)]
                .map(|(x, y)| to_source.apply(crate::Point::new(x, y)));
            for i in 0..4 {
                segment(corners[i], corners[(i + 1) % 4], [230, 0, 0]);
            }
        }
    }
    let quad = located.corners;
    for i in 0..4 {
        segment(quad[i], quad[(i + 1) % 4], [0, 200, 0]);
    }
    let name = format!("{index:03}_{}_{}_image.png", stage.label(), item_name(item));
    let _ = out.save(dir.join(name));
}

/// How many failures each stage caused, and the classifier's confusions
/// (true → read) on images whose cells were right.
pub fn stage_report(results: &[ItemResult]) -> String {
    let mut stages: BTreeMap<FailedStage, usize> = BTreeMap::new();
    let mut confusions: BTreeMap<(char, char), usize> = BTreeMap::new();
    for r in results {
        let Some(stage) = r.failed_stage else { continue };
        *stages.entry(stage).or_default() += 1;
        if stage == FailedStage::Classify {
            for (read, truth) in r.lines.iter().zip(&r.item.truth) {
                for (a, b) in truth.chars().zip(read.chars()) {
                    if a != b {
                        *confusions.entry((a, b)).or_default() += 1;
                    }
                }
            }
        }
    }
    let mut out = String::from("not exact, by first failing stage:");
    for (stage, count) in &stages {
        out.push_str(&format!(" {} {count};", stage.label()));
    }
    let mut list: Vec<((char, char), usize)> = confusions.into_iter().collect();
    list.sort_by_key(|entry| std::cmp::Reverse(entry.1));
    if !list.is_empty() {
        out.push_str("\nconfusions (true→read):");
        for ((a, b), count) in list.iter().take(20) {
            out.push_str(&format!(" {a}→{b} {count};"));
        }
    }
    out.push('\n');
    out
}

/// Results grouped by [`EvalItem::group`], plus `all`.
pub fn summaries_by_group(results: &[ItemResult]) -> BTreeMap<String, Summary> {
    let mut groups: BTreeMap<String, Vec<ItemResult>> = BTreeMap::new();
    for r in results {
        groups.entry(r.item.group.clone()).or_default().push(r.clone());
    }
    let mut out: BTreeMap<String, Summary> = groups.iter().map(|(g, list)| (g.clone(), summarize(list))).collect();
    if groups.len() > 1 {
        out.insert("all".to_string(), summarize(results));
    }
    out
}

/// A printable table of summaries.
pub fn format_table(title: &str, summaries: &BTreeMap<String, Summary>) -> String {
    let mut out = format!(
        "{title}\n{:<24} {:>6} {:>8} {:>8} {:>9} {:>9} {:>7} {:>9} {:>9}\n",
        "group", "images", "exact", "CER", "rejected", "wrong-acc", "wrong-v", "median ms", "p95 ms"
    );
    for (group, s) in summaries {
        out.push_str(&format!(
            "{:<24} {:>6} {:>7.1}% {:>7.2}% {:>8.1}% {:>8.1}% {:>7} {:>9.1} {:>9.1}\n",
            group,
            s.count,
            100.0 * s.exact_rate,
            100.0 * s.char_error_rate,
            100.0 * s.rejection_rate,
            100.0 * s.wrong_accepted_rate,
            s.wrong_accepted_valid,
            s.median_ms,
            s.p95_ms
        ));
    }
    out
}

/// The readers' summaries side by side, one row per group: exact, rejected,
/// wrong-accepted rates and wrong-accepted-as-valid counts of each, then
/// the median milliseconds of each.
pub fn format_side_by_side(title: &str, readers: &[(Reader, BTreeMap<String, Summary>)]) -> String {
    let mut out = format!("{title}\n{:<24} {:>6}", "group", "images");
    for (reader, _) in readers {
        out.push_str(&format!(" | {:>8} {:>6} {:>6} {:>3}", format!("{} exact", reader.label()), "rej", "w-acc", "w-v"));
    }
    out.push_str(" | median ms\n");
    let Some((_, first)) = readers.first() else { return out };
    for (group, s) in first {
        out.push_str(&format!("{:<24} {:>6}", group, s.count));
        let mut times = Vec::new();
        for (_, summaries) in readers {
            match summaries.get(group) {
                Some(r) => {
                    out.push_str(&format!(
                        " | {:>7.1}% {:>5.1}% {:>5.1}% {:>3}",
                        100.0 * r.exact_rate,
                        100.0 * r.rejection_rate,
                        100.0 * r.wrong_accepted_rate,
                        r.wrong_accepted_valid
                    ));
                    times.push(format!("{:.0}", r.median_ms));
                }
                None => out.push_str(&format!(" | {:>8} {:>6} {:>6} {:>3}", "-", "-", "-", "-")),
            }
        }
        out.push_str(&format!(" | {}\n", times.join(" / ")));
    }
    out
}

/// The baseline: Tesseract (Debian's `tesseract-ocr` with its default English
/// data, characters limited to the MRZ alphabet) on our own upright crops.
/// `None` when the `tesseract` program is not installed. Time per image
/// includes our locating and Tesseract's process.
pub fn tesseract_baseline(items: &[EvalItem], ours: &[ItemResult]) -> Option<Vec<ItemResult>> {
    let available = std::process::Command::new("tesseract").arg("--version").output().is_ok_and(|o| o.status.success());
    if !available {
        return None;
    }
    let scratch = std::env::temp_dir().join(format!("tdverify-ocr-tesseract-{}", std::process::id()));
    if std::fs::create_dir_all(&scratch).is_err() {
        return None;
    }
    let mut results = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let upside_down = ours.get(index).is_some_and(|r| r.upside_down);
        let started = Instant::now();
        let crop = load_image(&item.image).ok().and_then(|image| mrz_crop(&image, upside_down));
        let lines = match crop {
            Some(crop) => {
                let path = scratch.join(format!("{index}.png"));
                if crop.save(&path).is_ok() { run_tesseract(&path, item.truth.len()) } else { Vec::new() }
            }
            None => Vec::new(),
        };
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let (char_errors, char_total) = line_errors(&lines, &item.truth);
        // Tesseract has no notion of confidence here: everything it returns counts as accepted.
        let status = (!lines.is_empty()).then_some(ReadingStatus::Invalid);
        let failed_stage = None;
        results.push(ItemResult {
            item: item.clone(),
            lines,
            status,
            error: None,
            ms,
            char_errors,
            char_total,
            upside_down,
            failed_stage,
        });
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Some(results)
}

fn run_tesseract(path: &Path, line_count: usize) -> Vec<String> {
    let output = std::process::Command::new("tesseract")
        .arg(path)
        .arg("stdout")
        .args(["--psm", "6", "-l", "eng", "-c", "tessedit_char_whitelist=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"])
        .output();
    let Ok(output) = output else { return Vec::new() };
    let text = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<String> = text
        .lines()
        .map(|l| l.chars().filter(|c| !c.is_whitespace()).collect::<String>())
        .filter(|l| l.len() >= 20)
        .collect();
    let skip = lines.len().saturating_sub(line_count);
    lines.into_iter().skip(skip).collect()
}

/// `eval-mrz DIR [DIR...] [--no-baseline] [--verbose] [--json FILE] [--reader cell|line|combined|all]`:
/// reads every image, prints the tables (ours; the readers side by side when
/// the line model is there or `--reader all`; then the Tesseract baseline)
/// and returns the report text. Run in release for meaningful times.
pub fn run_cli(args: &[String], engine: &OcrEngine) -> Result<String, OcrError> {
    let mut dirs = Vec::new();
    let mut report = String::new();
    let mut baseline = true;
    let mut verbose = false;
    let mut json_out: Option<PathBuf> = None;
    let mut dump: Option<PathBuf> = None;
    // Both readers side by side when the line model is there.
    let mut readers =
        if engine.line_recognizer().is_some() { Reader::ALL.to_vec() } else { vec![crate::read::DEFAULT_READER] };
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--no-baseline" => baseline = false,
            "--verbose" | "-v" => verbose = true,
            "--json" => json_out = iter.next().map(PathBuf::from),
            "--dump" => dump = iter.next().map(PathBuf::from),
            "--reader" => {
                let name = iter.next().map_or("", String::as_str);
                readers = match Reader::ALL.into_iter().find(|r| r.label() == name) {
                    Some(reader) => vec![reader],
                    None if name == "all" => Reader::ALL.to_vec(),
                    None => {
                        report.push_str(&format!("--reader takes cell, line, combined or all, not `{name}`: all\n"));
                        Reader::ALL.to_vec()
                    }
                };
            }
            other => dirs.push(PathBuf::from(other)),
        }
    }
    let mut all_json = Vec::new();
    for dir in dirs {
        let items = load_dataset(&dir)?;
        let mut by_reader: Vec<(Reader, Vec<ItemResult>)> = Vec::new();
        for &reader in &readers {
            let dump_here = (reader == crate::read::DEFAULT_READER).then_some(dump.as_deref()).flatten();
            by_reader.push((reader, evaluate_reader(&items, engine, reader, dump_here)));
        }
        let ours = by_reader
            .iter()
            .find(|(r, _)| *r == crate::read::DEFAULT_READER)
            .or(by_reader.first())
            .map(|(_, results)| results.clone())
            .unwrap_or_default();
        if verbose {
            for r in &ours {
                let mark = if r.exact() { "ok " } else if r.rejected() { "rej" } else { "BAD" };
                let stage = r.failed_stage.map_or("", FailedStage::label);
                report.push_str(&format!("{mark} {:>6.1} ms {:?} {stage} {}\n", r.ms, r.status, item_name(&r.item)));
                if !r.exact() {
                    for (read, truth) in r.lines.iter().zip(r.item.truth.iter()) {
                        report.push_str(&format!("      read  {read}\n      truth {truth}\n"));
                    }
                    if let Some(e) = &r.error {
                        report.push_str(&format!("      error {e}\n"));
                    }
                }
            }
        }
        let summaries = summaries_by_group(&ours);
        report.push_str(&format_table(&format!("tdverify-ocr on {}", dir.display()), &summaries));
        report.push_str(&stage_report(&ours));
        let mut entry = serde_json::json!({"dir": dir.display().to_string(), "ours": summaries});
        if by_reader.len() > 1 {
            let side: Vec<(Reader, BTreeMap<String, Summary>)> =
                by_reader.iter().map(|(reader, results)| (*reader, summaries_by_group(results))).collect();
            report.push_str(&format_side_by_side(
                &format!("readers side by side (default: {}) on {}", crate::read::DEFAULT_READER.label(), dir.display()),
                &side,
            ));
            for (reader, summaries) in &side {
                entry[reader.label()] = serde_json::to_value(summaries).unwrap_or_default();
            }
            if verbose {
                for (reader, results) in &by_reader {
                    for r in results.iter().filter(|r| !r.exact() && !r.rejected()) {
                        report.push_str(&format!("{} WRONG ACCEPTED {:?} {}\n", reader.label(), r.status, item_name(&r.item)));
                        for (read, truth) in r.lines.iter().zip(r.item.truth.iter()) {
                            report.push_str(&format!("      read  {read}\n      truth {truth}\n"));
                        }
                    }
                }
            }
        }
        if baseline {
            match tesseract_baseline(&items, &ours) {
                Some(base) => {
                    let base_summaries = summaries_by_group(&base);
                    report.push_str(&format_table(
                        &format!("baseline: tesseract (eng, MRZ whitelist, psm 6) on our crops, {}", dir.display()),
                        &base_summaries,
                    ));
                    entry["tesseract"] = serde_json::to_value(&base_summaries).unwrap_or_default();
                }
                None => report.push_str("baseline: tesseract not installed (apt-get install tesseract-ocr)\n"),
            }
        }
        all_json.push(entry);
    }
    if let Some(path) = json_out {
        let text = serde_json::to_string_pretty(&all_json).unwrap_or_default();
        std::fs::write(&path, text).map_err(|source| OcrError::Io { action: "writing", path: path.clone(), source })?;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_edits() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(edit_distance(&c("P<UTO"), &c("P<UTO")), 0);
        assert_eq!(edit_distance(&c("P<UT0"), &c("P<UTO")), 1);
        assert_eq!(edit_distance(&c("P<UTO"), &c("PUTO")), 1);
        assert_eq!(edit_distance(&c(""), &c("ABC")), 3);
    }

    #[test]
    fn missing_reading_costs_every_character() {
        let truth = vec!["AB".to_string(), "CD".to_string()];
        assert_eq!(line_errors(&[], &truth), (4, 4));
        assert_eq!(line_errors(&truth, &truth), (0, 4));
    }

    #[test]
    fn shared_layout_is_read() {
        let dir = std::env::temp_dir().join(format!("tdverify-ocr-eval-test-{}", std::process::id()));
        let _ = std::fs::create_dir_all(dir.join("images"));
        std::fs::write(dir.join("ground_truth.json"), r#"{"a.png": ["P<UTO", "L898"]}"#).expect("write");
        let items = load_dataset(&dir).expect("load");
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].truth, vec!["P<UTO".to_string(), "L898".to_string()]);
        assert!(items[0].image.ends_with("images/a.png"));
    }

    #[test]
    fn fixture_layout_reports_counterfeit_prints_apart() {
        let dir = std::env::temp_dir().join(format!("tdverify-ocr-eval-fixtures-{}", std::process::id()));
        let document = |name: &str, checks: &str| {
            let folder = dir.join(name);
            std::fs::create_dir_all(&folder).expect("create");
            let truth = format!(
                r#"{{"mrz": {{"lines": ["P<UTO", "L898"]}}, "capture": {{"kind": "camera"}}, "expected_checks": {checks}}}"#
            );
            std::fs::write(folder.join("truth.json"), truth).expect("write");
            for file in ["white.jpg", "ir.jpg", "uv.jpg", "bearer.jpg"] {
                std::fs::write(folder.join(file), b"").expect("write");
            }
        };
        document("genuine", r#"{"mrz.print": "pass", "ir.b900": "pass"}"#);
        document("no-ir-ink", r#"{"mrz.print": "pass", "ir.b900": "fail"}"#);
        document("wrong-font", r#"{"mrz.print": "fail", "ir.b900": "pass"}"#);
        let items = load_dataset(&dir).expect("load");
        let _ = std::fs::remove_dir_all(&dir);
        let groups: Vec<(String, String)> = items
            .iter()
            .map(|i| {
                let folder = i.image.parent().and_then(|p| p.file_name()).map(|n| n.to_string_lossy().to_string());
                (folder.unwrap_or_default(), i.group.clone())
            })
            .collect();
        let expected: Vec<(String, String)> = [
            ("genuine", "camera/ir"),
            ("genuine", "camera/white"),
            ("no-ir-ink", "camera/ir/counterfeit"),
            ("no-ir-ink", "camera/white"),
            ("wrong-font", "camera/ir/counterfeit"),
            ("wrong-font", "camera/white/counterfeit"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        assert_eq!(groups, expected);
    }

    #[test]
    fn summary_counts_wrong_valid_readings() {
        let item = EvalItem { image: PathBuf::from("x"), truth: vec!["AB".into()], group: "g".into() };
        let right = ItemResult {
            item: item.clone(),
            lines: vec!["AB".into()],
            status: Some(ReadingStatus::Valid),
            error: None,
            ms: 1.0,
            char_errors: 0,
            char_total: 2,
            upside_down: false,
            failed_stage: None,
        };
        let wrong = ItemResult { lines: vec!["AC".into()], char_errors: 1, ms: 3.0, ..right.clone() };
        let rejected = ItemResult { status: Some(ReadingStatus::LowConfidence), ..wrong.clone() };
        let s = summarize(&[right, wrong, rejected]);
        assert_eq!(s.count, 3);
        assert_eq!(s.wrong_accepted_valid, 1);
        assert!((s.exact_rate - 1.0 / 3.0).abs() < 1e-9);
        assert!((s.rejection_rate - 1.0 / 3.0).abs() < 1e-9);
    }

    /// The real development set next to the repository (`../shared/mrz`),
    /// when present. Floors are what the reader reaches today (41/43 exact
    /// when measured), not targets; a wrong reading must never be accepted.
    /// Evaluates the folder `relative` to this crate when `marker` is in it;
    /// prints the table. A folder outside the repository (`outside`) may be
    /// missing: `None` and a skip (a failure under `TDVERIFY_REQUIRE_DATA`).
    /// A folder set-up makes, and ONNX Runtime, fail the test when missing.
    #[track_caller]
    fn evaluate_folder(relative: &str, marker: &str, outside: bool) -> Option<Vec<ItemResult>> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
        if !dir.join(marker).is_file() {
            let what = format!("{} (the folder {relative})", dir.join(marker).display());
            if outside {
                tdverify_core::test_data::skip_or_fail(format!("{what} not found"));
                return None;
            }
            tdverify_core::test_data::missing_project_piece(what, "run cargo xtask setup, which generates it");
        }
        let library = tdverify_runtime::default_library_path();
        if !library.is_file() {
            tdverify_core::test_data::missing_project_piece(
                format!("ONNX Runtime at {}", library.display()),
                "run cargo xtask setup",
            );
        }
        let engine = OcrEngine::load_default().expect("load the MRZ OCR engine");
        let items = load_dataset(&dir).expect("load ground truth");
        let results = evaluate(&items, &engine);
        eprintln!("{}", format_table(relative, &summaries_by_group(&results)));
        Some(results)
    }

    #[test]
    fn shared_development_set_meets_its_floor() {
        let Some(results) = evaluate_folder("../../../shared/mrz", "ground_truth.json", true) else { return };
        assert_eq!(results.len(), 43);
        let summary = summarize(&results);
        assert_eq!(summary.wrong_accepted_valid, 0, "a wrong MRZ was accepted as valid");
        assert_eq!(summary.wrong_accepted_rate, 0.0, "a wrong MRZ was accepted");
        // The issue's target (41 of 43 read exactly): a single lost image fails.
        assert!(summary.exact_rate >= 0.95, "exact rate {:.3} below the 0.95 target", summary.exact_rate);
    }

    /// The generated fixture documents (`cargo xtask setup` writes them to
    /// `out/fixtures`; missing, the test fails): every camera and phone photo of an
    /// MRZ printed as specified is read exactly, and no reading of any
    /// fixture, counterfeit prints included, is accepted wrongly.
    #[test]
    fn fixture_photos_read_exactly_and_nothing_wrong_is_accepted() {
        let Some(results) = evaluate_folder("../../out/fixtures", "index.json", false) else { return };
        let photos: Vec<&ItemResult> = results
            .iter()
            .filter(|r| (r.item.group.starts_with("camera/") || r.item.group.starts_with("phone/")) && !r.item.group.ends_with("/counterfeit"))
            .collect();
        assert!(photos.len() >= 10, "only {} camera and phone photos", photos.len());
        for r in &photos {
            assert!(r.exact(), "{}: read {:?}", r.item.image.display(), r.lines);
        }
        let wrongly_accepted: Vec<_> = results.iter().filter(|r| !r.rejected() && !r.exact()).map(|r| r.item.image.display().to_string()).collect();
        assert!(wrongly_accepted.is_empty(), "accepted but wrong: {wrongly_accepted:?}");
    }
}
