use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::sync::{Arc, OnceLock};

use eframe::egui::{self, Color32, RichText};
use tdverify_core::{Check, CheckStatus, Light, Verdict};

use crate::case_draft::draft_from_inspection;
use crate::engines::LoadedEngines;
use crate::i18n::Translator;
use crate::inspect::{InspectInput, Inspection, Stage, run};
use crate::resources::Resources;
use crate::store::{CaseDraft, Session, Store};
use crate::ui::widgets::checks::{show_checks, status_style, summary};

enum JobMessage {
    Progress(Stage, f32),
    Done(Box<Inspection>, Box<Result<CaseDraft, String>>),
}

struct Job {
    messages: Receiver<JobMessage>,
    stage: Option<Stage>,
    fraction: f32,
    worker: Option<std::thread::JoinHandle<()>>,
}

/// The longest a closing window waits for a running inspection.
const WORKER_WAIT_AT_EXIT: std::time::Duration = std::time::Duration::from_secs(60);

impl Drop for Job {
    /// Waits for the inspection thread before its results are dropped: a process that
    /// ends while that thread is inside ONNX Runtime crashes at exit (seen when a window
    /// or a test closed during an inspection).
    fn drop(&mut self) {
        let Some(worker) = self.worker.take() else { return };
        let deadline = std::time::Instant::now() + WORKER_WAIT_AT_EXIT;
        while !worker.is_finished() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        if worker.is_finished() {
            let _ = worker.join();
        } else {
            tracing::warn!("an inspection was still running when the window closed");
        }
    }
}

/// Runs inspections in the background and shows their findings: the
/// proposed verdict, the checks grouped by stage, and which one is selected
/// (the image panels draw its evidence).
#[derive(Default)]
pub struct InspectionPanel {
    /// The last finished inspection.
    pub result: Option<Inspection>,
    /// The case draft of the last inspection (captures encoded in the background
    /// thread), or why it could not be made.
    pub draft: Option<Result<CaseDraft, String>>,
    /// Counts finished inspections (views keyed on the result redraw when it changes).
    pub generation: usize,
    /// The finding the officer clicked (index into `result.checks`).
    pub selected: Option<usize>,
    /// The data directory, for the station's SLTD hotlist.
    pub data_dir: Option<std::path::PathBuf>,
    /// The hotlist, reloaded at an inspection after an import.
    hotlist: Arc<std::sync::Mutex<crate::engines::HotlistCache>>,
    /// The officer's question to the online SLTD service, while it runs.
    online_job: Option<OnlineJob>,
    /// The online service's answer (or why there is none) for inspection `generation`.
    pub online_answer: Option<(usize, Result<String, String>)>,
    /// Whether the online button is offered for inspection `generation` (read once, not
    /// every frame: it needs the store).
    online_offered: Option<(usize, bool)>,
    job: Option<Job>,
    engines: Arc<OnceLock<LoadedEngines>>,
}

/// A running online SLTD query: the answer arrives on `receiver`; it is audited in the
/// UI thread, where the store lives.
struct OnlineJob {
    receiver: mpsc::Receiver<Result<crate::sltd::OnlineAnswer, crate::sltd::OnlineError>>,
    document: crate::sltd::DocumentKey,
    generation: usize,
}

/// The stages findings are grouped by, with their check-id prefixes.
const GROUPS: &[(&str, &[&str])] = &[
    ("group-document", &["document.", "ir.", "uv.", "photo.", "mrz.print", "capture.", "consistency.viz"]),
    ("group-mrz", &["mrz."]),
    ("group-chip", &["chip.", "consistency.mrz_vs_dg1"]),
    ("group-face", &["face."]),
    ("group-sltd", &["sltd."]),
    // Checks whose reading could not be trusted, whatever their stage, are listed apart.
    ("group-compare-by-eye", &[]),
];

/// The group a finding is listed in: checks the officer compares by eye go
/// together at the end, the others by their stage.
/// The MRZ as read under each light, one line each, the one the checks use marked:
/// the officer sees at a glance whether white and IR agree.
fn show_readings_by_light(ui: &mut egui::Ui, result: &Inspection, tr: &Translator) {
    let Some(outcome) = &result.mrz else { return };
    if outcome.by_light.len() < 2 {
        return;
    }
    let used_lines: &[String] = outcome.by_light.iter().find(|r| r.used).map_or(&[], |r| r.lines.as_slice());
    egui::CollapsingHeader::new(tr.tr("mrz-by-light")).id_salt("mrz-by-light").default_open(true).show(ui, |ui| {
        for reading in &outcome.by_light {
            let light = tr.tr(&format!("light-{}", reading.light.as_str()));
            let used = if reading.used { format!(" ({})", tr.tr("mrz-by-light-used")) } else { String::new() };
            ui.label(RichText::new(format!("{light}{used}")).small().strong());
            if reading.lines.is_empty() {
                ui.label(RichText::new(tr.tr("mrz-by-light-none")).small().weak());
                continue;
            }
            // Characters that differ from the reading the checks use are marked.
            let mut job = egui::text::LayoutJob::default();
            let font = egui::FontId::monospace(11.0);
            for (index, line) in reading.lines.iter().enumerate() {
                let reference: Vec<char> = used_lines.get(index).map(|l| l.chars().collect()).unwrap_or_default();
                for (column, character) in line.chars().enumerate() {
                    let differs = !reading.used && reference.get(column).is_some_and(|r| *r != character);
                    let color = if differs { ui.visuals().error_fg_color } else { ui.visuals().text_color() };
                    let format = egui::TextFormat {
                        font_id: font.clone(),
                        color,
                        underline: if differs { egui::Stroke::new(1.0, color) } else { egui::Stroke::NONE },
                        ..Default::default()
                    };
                    job.append(&character.to_string(), 0.0, format);
                }
                if index + 1 < reading.lines.len() {
                    job.append("\n", 0.0, egui::TextFormat { font_id: font.clone(), ..Default::default() });
                }
            }
            ui.label(job);
        }
    });
}

fn group_of(check: &Check) -> usize {
    if check.status == CheckStatus::NotChecked {
        return GROUPS.len() - 1;
    }
    GROUPS.iter().position(|(_, prefixes)| prefixes.iter().any(|p| check.id.starts_with(p))).unwrap_or(0)
}

impl InspectionPanel {
    /// Whether an inspection is running.
    pub fn is_running(&self) -> bool {
        self.job.is_some()
    }

    /// Starts the inspection of `input` in the background (engines load on first use).
    pub fn start(&mut self, input: InspectInput, resources: &Resources) {
        let (sender, messages) = mpsc::channel();
        let engines = Arc::clone(&self.engines);
        let resources = resources.clone();
        let data_dir = self.data_dir.clone();
        let hotlist_cache = Arc::clone(&self.hotlist);
        self.draft = None;
        let spawned = std::thread::Builder::new().name("inspection".into()).spawn(move || {
            let engines = engines.get_or_init(|| match &data_dir {
                Some(dir) => LoadedEngines::load_for_station(&resources, dir),
                None => LoadedEngines::load(&resources),
            });
            let hotlist =
                data_dir.as_deref().and_then(|dir| hotlist_cache.lock().ok().and_then(|mut cache| cache.current(dir)));
            let progress_sender = sender.clone();
            let progress = move |stage: Stage, fraction: f32| {
                let _ = progress_sender.send(JobMessage::Progress(stage, fraction));
            };
            let progress = std::sync::Mutex::new(progress);
            let with_hotlist = tdverify_inspect::Engines { hotlist: hotlist.as_deref(), ..engines.engines() };
            let inspection = run(&input, &with_hotlist, &|stage, fraction| {
                if let Ok(send) = progress.lock() {
                    send(stage, fraction);
                }
            });
            // Encoding the captures for the case takes time: do it here, not in the UI thread.
            let draft = draft_from_inspection(
                input.captures.iter().chain(&input.other_side),
                &inspection,
                input.inspection_date,
            )
            .map_err(|e| e.to_string());
            let _ = sender.send(JobMessage::Done(Box::new(inspection), Box::new(draft)));
        });
        match spawned {
            Ok(worker) => {
                self.job = Some(Job { messages, stage: None, fraction: 0.0, worker: Some(worker) });
                self.selected = None;
            }
            Err(e) => tracing::error!(error = %e, "cannot start the inspection thread"),
        }
    }

    /// Takes finished work from the background thread; returns a new result once.
    pub fn poll(&mut self, ctx: &egui::Context) -> bool {
        let Some(job) = &mut self.job else { return false };
        loop {
            match job.messages.try_recv() {
                Ok(JobMessage::Progress(stage, fraction)) => {
                    job.stage = Some(stage);
                    job.fraction = fraction;
                }
                Ok(JobMessage::Done(inspection, draft)) => {
                    self.result = Some(*inspection);
                    self.draft = Some(*draft);
                    self.generation += 1;
                    self.job = None;
                    return true;
                }
                Err(TryRecvError::Empty) => {
                    ctx.request_repaint_after(std::time::Duration::from_millis(50));
                    return false;
                }
                Err(TryRecvError::Disconnected) => {
                    self.job = None;
                    return false;
                }
            }
        }
    }

    /// Lets a running inspection end before the window closes (its result is not
    /// needed any more; see [`Job`]'s drop).
    pub fn stop_at_exit(&mut self) {
        self.job = None;
    }

    /// Waits for a running inspection (tests and the headless demo).
    pub fn finish(&mut self, ctx: &egui::Context) {
        while self.is_running() {
            self.poll(ctx);
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }

    /// The selected finding's evidence regions on `light` of side `page`, and every
    /// failed or warned finding's, for overlays.
    pub fn overlays(&self, page: u8, light: Light) -> Vec<(tdverify_core::Rect, CheckStatus, bool)> {
        let Some(result) = &self.result else { return Vec::new() };
        let mut out = Vec::new();
        for (index, check) in result.checks.iter().enumerate() {
            if !matches!(check.status, CheckStatus::Fail | CheckStatus::Warn) && self.selected != Some(index) {
                continue;
            }
            for evidence in &check.evidence {
                if let (Some(evidence_light), Some(region)) = (evidence.light, evidence.region)
                    && evidence_light == light
                    && evidence.page == page
                {
                    out.push((region, check.status, self.selected == Some(index)));
                }
            }
        }
        out
    }

    /// The selected finding, if any.
    pub fn selected_check(&self) -> Option<&Check> {
        self.result.as_ref().zip(self.selected).and_then(|(r, i)| r.checks.get(i))
    }

    /// Draws the progress or the findings; returns true when the officer clicked a finding.
    /// The online SLTD row: a button when the administrator configured a service and the
    /// logged-in user may ask; the answer below it, never replacing the offline check.
    fn show_online_sltd(&mut self, ui: &mut egui::Ui, tr: &Translator, desk: Option<(&Store, &Session)>) {
        let Some((store, session)) = desk else { return };
        if let Some(job) = &self.online_job {
            match job.receiver.try_recv() {
                Ok(answer) => {
                    if let Err(e) = crate::sltd_station::record_online(store, session, &job.document, &answer) {
                        tracing::warn!("audit of the online SLTD query: {e}");
                    }
                    let words = answer.map(|a| crate::sltd_station::describe_online(&a)).map_err(|e| e.to_string());
                    self.online_answer = Some((job.generation, words));
                    self.online_job = None;
                }
                Err(mpsc::TryRecvError::Empty) => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label(tr.tr("sltd-online-asking"));
                    });
                    ui.ctx().request_repaint_after(std::time::Duration::from_millis(100));
                    return;
                }
                Err(mpsc::TryRecvError::Disconnected) => self.online_job = None,
            }
        }
        if let Some((generation, answer)) = &self.online_answer
            && *generation == self.generation
        {
            match answer {
                Ok(words) => ui.label(RichText::new(words).strong()),
                Err(reason) => ui.colored_label(
                    ui.visuals().warn_fg_color,
                    tr.tr_args("sltd-online-failed", &[("reason", reason.clone())]),
                ),
            };
            return;
        }
        let Some(document) = self.result.as_ref().and_then(crate::sltd_station::document_of) else { return };
        let generation = self.generation;
        let offered = match self.online_offered {
            Some((g, offered)) if g == generation => offered,
            _ => {
                let offered = store.may_query_sltd(session).is_ok() && matches!(store.sltd_online(), Ok(Some(_)));
                self.online_offered = Some((generation, offered));
                offered
            }
        };
        if !offered {
            return;
        }
        if ui.button(tr.tr("sltd-online-ask")).on_hover_text(tr.tr("sltd-online-ask-hint")).clicked() {
            let service = match crate::sltd_station::online_service(store, session) {
                Ok(service) => service,
                Err(e) => {
                    self.online_answer = Some((generation, Err(e.to_string())));
                    return;
                }
            };
            let (sender, receiver) = mpsc::channel();
            let asked = document.clone();
            let spawned = std::thread::Builder::new().name("sltd-online".into()).spawn(move || {
                use crate::sltd::OnlineSltd;
                let _ = sender.send(service.query(&asked));
            });
            if spawned.is_ok() {
                self.online_job = Some(OnlineJob { receiver, document, generation: self.generation });
            }
        }
    }

    /// Draws the results; `desk` is the logged-in user's store, for the online SLTD query.
    pub fn show(&mut self, ui: &mut egui::Ui, tr: &Translator, desk: Option<(&Store, &Session)>) -> bool {
        if let Some(job) = &self.job {
            ui.horizontal(|ui| {
                ui.spinner();
                let stage =
                    job.stage.map_or_else(|| tr.tr("inspect-loading"), |s| tr.tr(&format!("stage-{}", s.as_str())));
                ui.label(stage);
            });
            ui.add(egui::ProgressBar::new(job.fraction).show_percentage());
            return false;
        }
        let Some(result) = &self.result else {
            ui.label(RichText::new(tr.tr("inspect-none")).weak());
            return false;
        };
        // A possible SLTD hit comes first, in its own words: the officer calls the NCB.
        if let Some(hit) =
            result.checks.iter().find(|c| c.id == "sltd.hit" && c.status == tdverify_core::CheckStatus::Fail)
        {
            ui.label(RichText::new(tr.tr("sltd-hit-title")).strong().color(ui.visuals().error_fg_color));
            ui.label(RichText::new(&hit.message).strong());
        }
        self.show_online_sltd(ui, tr, desk);
        if self.result.as_ref().is_some_and(|r| {
            r.checks.iter().any(|c| c.id == "sltd.hit" && c.status == tdverify_core::CheckStatus::Fail)
        }) || self.online_answer.as_ref().is_some_and(|(g, _)| *g == self.generation)
        {
            ui.separator();
        }
        let Some(result) = &self.result else { return false };
        let (text, color) = match result.verdict.proposed {
            Verdict::Genuine => (tr.tr("verdict-genuine"), Color32::from_rgb(0x2e, 0x9d, 0x4f)),
            Verdict::Review => (tr.tr("verdict-review"), Color32::from_rgb(0xd0, 0x8c, 0x00)),
            Verdict::Fraudulent => (tr.tr("verdict-fraudulent"), ui.visuals().error_fg_color),
            Verdict::Inconclusive => (tr.tr("verdict-inconclusive"), ui.visuals().weak_text_color()),
            Verdict::Recapture => (tr.tr("verdict-recapture"), Color32::from_rgb(0x4f, 0x7f, 0xb0)),
        };
        egui::Frame::new().stroke(egui::Stroke::new(2.0, color)).inner_margin(8).corner_radius(4).show(ui, |ui| {
            ui.label(RichText::new(tr.tr("verdict-proposed")).small());
            ui.label(RichText::new(text).strong().size(18.0).color(color));
            if result.verdict.proposed == Verdict::Fraudulent {
                ui.label(tr.tr(&format!("fraud-{}", result.verdict.fraud_type.as_str())));
            }
            // What the proposal rests on, in the checks' own words (at most three; all are in the list).
            if matches!(result.verdict.proposed, Verdict::Review | Verdict::Fraudulent | Verdict::Inconclusive) {
                let reasons: Vec<&Check> = result
                    .verdict
                    .because_of
                    .iter()
                    .filter_map(|id| result.checks.iter().find(|c| &c.id == id))
                    .take(3)
                    .collect();
                if !reasons.is_empty() {
                    ui.label(RichText::new(tr.tr("verdict-because")).small().strong());
                    for check in reasons {
                        ui.label(RichText::new(format!("• {}", check.message)).small());
                    }
                }
            }
            for what in &result.verdict.recapture {
                ui.label(format!("↻ {what}"));
            }
            if !result.verdict.compare_by_eye.is_empty() {
                ui.label(
                    RichText::new(tr.tr_args(
                        "verdict-compare-by-eye",
                        &[("count", result.verdict.compare_by_eye.len().to_string())],
                    ))
                    .small(),
                );
            }
            ui.label(RichText::new(tr.tr("verdict-officer-decides")).small().weak());
        });
        show_readings_by_light(ui, result, tr);
        let document = &result.document;
        ui.label(match &document.template {
            Some(template) => tr.tr_args("inspect-template", &[("template", template.clone())]),
            None => tr.tr("inspect-no-template"),
        });
        ui.label(summary(&result.checks, tr));
        let mut clicked = false;
        egui::ScrollArea::vertical().id_salt("findings").show(ui, |ui| {
            for (group, (label, _)) in GROUPS.iter().enumerate() {
                let indices: Vec<usize> =
                    (0..result.checks.len()).filter(|&i| group_of(&result.checks[i]) == group).collect();
                if indices.is_empty() {
                    continue;
                }
                let worst = indices
                    .iter()
                    .map(|&i| result.checks[i].status)
                    .max_by_key(|s| s.severity())
                    .unwrap_or(CheckStatus::NotApplicable);
                let (mark_color, mark) = status_style(worst, ui.visuals());
                let header = RichText::new(format!("{mark} {}", tr.tr(label))).color(mark_color).strong();
                egui::CollapsingHeader::new(header).id_salt(label).default_open(worst.severity() >= 2).show(ui, |ui| {
                    let group_checks: Vec<Check> = indices.iter().map(|&i| result.checks[i].clone()).collect();
                    let selected_in_group = self.selected.and_then(|s| indices.iter().position(|&i| i == s));
                    if let Some(index) = show_checks(ui, &group_checks, tr, selected_in_group) {
                        self.selected = indices.get(index).copied();
                        clicked = true;
                    }
                });
            }
            let times: Vec<String> = result.ms.iter().map(|(stage, ms)| format!("{stage} {ms:.0} ms")).collect();
            ui.label(RichText::new(times.join(" · ")).small().weak());
        });
        clicked
    }
}
