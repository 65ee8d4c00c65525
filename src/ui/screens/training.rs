//! The Training screen (issue 25): practice on fixture documents, never on cases.
//!
//! Three tabs. **Run**: a trainee opens a session file, judges each document (genuine or
//! fraudulent, the fraud type, and where the fraud shows: rectangles dragged on the image
//! of each light, coaxial too where the document has it), then sees the feedback at once:
//! the truth, the defect regions drawn (green where marked, red where missed), the checks that would have caught it, and,
//! when the session allows, the automatic checks of a real inspection of the same
//! images. Face drills ask "same person?" on a document portrait and a bearer photo. At
//! the end the score appears and, with someone logged in, the run is kept in the store's
//! training tables (apart from cases). **Build** (Trainer): a session from a fixture set,
//! signed by the station. **Results** (Trainer, Supervisor): every trainee's history, the
//! class summary and their CSV/PDF export. Every view carries the TRAINING banner.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::Instant;

use eframe::egui::{self, Color32, RichText, Sense, Stroke};
use tdverify_core::{Capture, FraudType, Light};

use crate::i18n::Translator;
use crate::resources::Resources;
use crate::store::{Permission, Session as UserSession, Store, TrainingClassRow, TrainingRunRow, TrainingWeakness};
use crate::training::{
    Answer, AnswerVerdict, CheckDisplay, Difficulty, Feedback, Hotspot, Score, Session, SessionItem, SessionRequest,
    feedback, score,
};
use crate::ui::screens::InspectionPanel;
use crate::ui::widgets::image_view::color_image;

/// The colour of the TRAINING marking.
pub const TRAINING_COLOUR: Color32 = Color32::from_rgb(0xe6, 0x8a, 0x00);
/// The lights a trainee looks at, in order; coaxial only on sides that have a coaxial image
/// (templates declaring a retro-reflective laminate or OVDs), so its laminate and foil defects
/// can be marked.
const LIGHTS: [(&str, Light); 4] =
    [("white", Light::White), ("uv", Light::Uv), ("ir", Light::Ir), ("coaxial", Light::Coaxial)];
/// Preview images are scaled to at most this side (marks are kept in full-size pixels).
const PREVIEW_SIDE: u32 = 2048;
/// Fraud types a trainee may name (in the order of the drop-down).
const FRAUD_TYPES: [FraudType; 6] = [
    FraudType::Counterfeit,
    FraudType::Forged,
    FraudType::FraudulentlyObtained,
    FraudType::Impostor,
    FraudType::Pseudo,
    FraudType::StolenBlank,
];

/// The screen's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TrainingTab {
    /// A trainee runs a session.
    #[default]
    Run,
    /// A trainer builds a session.
    Build,
    /// A trainer sees the results.
    Results,
}

/// The TRAINING banner every training view (and every other screen while a run is open) shows.
pub fn training_banner(ui: &mut egui::Ui, tr: &Translator) {
    egui::Frame::new().fill(TRAINING_COLOUR).inner_margin(egui::Margin::symmetric(8, 4)).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new(tr.tr("training-banner")).strong().color(Color32::BLACK));
    });
}

/// The trainer's session form.
#[derive(Debug, Clone)]
pub struct BuildForm {
    /// Session name.
    pub name: String,
    /// Documents.
    pub count: usize,
    /// Fraud prevalence in percent.
    pub prevalence_percent: u32,
    /// Seed.
    pub seed: u64,
    /// Time limit per document in seconds (0: none).
    pub time_limit: u32,
    /// When the automatic checks are shown.
    pub checks: CheckDisplay,
    /// How hard the frauds are to see.
    pub difficulty: Difficulty,
    /// Face drills.
    pub face_drills: usize,
    /// Face drills showing two different people, in percent.
    pub face_prevalence_percent: u32,
}

impl Default for BuildForm {
    fn default() -> BuildForm {
        BuildForm {
            name: String::new(),
            count: 10,
            prevalence_percent: 30,
            seed: 1,
            time_limit: 0,
            checks: CheckDisplay::AfterAnswer,
            difficulty: Difficulty::Any,
            face_drills: 0,
            face_prevalence_percent: 50,
        }
    }
}

/// The images of one item, decoded off the UI thread.
struct LoadedItem {
    /// Per side: name, whether it carries the MRZ, the captures (white, UV, IR).
    sides: Vec<(String, bool, Vec<Capture>)>,
    /// Face drill: the document portrait and the bearer photo.
    faces: Vec<image::DynamicImage>,
    /// The bearer photo of a document item (joins the automatic checks).
    bearer: Option<image::DynamicImage>,
    /// The document's virtual chip read through the emulator and verified against the
    /// fixture set's TEST PKI (when the session shows automatic checks).
    chip: Option<crate::inspect::ChipEvidence>,
    /// Files that could not be read.
    problems: Vec<String>,
}

/// Textures of the item shown, with the full-size pixel size each preview stands for.
struct ItemTextures {
    /// (side, light) → texture and full size.
    images: Vec<((usize, &'static str), egui::TextureHandle, [u32; 2])>,
    faces: Vec<egui::TextureHandle>,
}

/// The trainee's answer being prepared.
#[derive(Debug, Clone, Default)]
pub struct AnswerDraft {
    /// Genuine or fraudulent (same or different person for a face drill).
    pub verdict: Option<AnswerVerdict>,
    /// The fraud type named.
    pub fraud_type: Option<FraudType>,
    /// The rectangles marked.
    pub hotspots: Vec<Hotspot>,
}

/// A session being run.
pub struct Run {
    /// The session (verified when it was opened).
    pub session: Session,
    /// Where its fixture images are.
    pub fixtures: PathBuf,
    /// The station's data folder (its CSCA trust store).
    data_dir: PathBuf,
    /// Whether the signer is among the trusted training publishers (`None`: nobody logged in to tell).
    pub trusted: Option<bool>,
    /// The item shown (index into `session.items()`).
    pub position: usize,
    /// The answers given so far.
    pub answers: Vec<Answer>,
    /// The answer being prepared.
    pub draft: AnswerDraft,
    /// Feedback on the item shown, once answered.
    pub feedback: Option<Feedback>,
    /// The score, once every item is done.
    pub score: Option<Score>,
    /// Whether the run was kept in the store (or why not).
    pub recorded: Option<Result<String, String>>,
    /// The side and light shown.
    pub side: usize,
    /// Index into the lights.
    pub light: usize,
    started_unix: i64,
    item_started: Instant,
    loading: Option<Receiver<LoadedItem>>,
    loaded: Option<LoadedItem>,
    textures: Option<ItemTextures>,
    drag_from: Option<egui::Pos2>,
    checks: InspectionPanel,
    checks_started: bool,
}

impl Run {
    fn new(session: Session, fixtures: PathBuf, data_dir: PathBuf, trusted: Option<bool>) -> Run {
        Run {
            data_dir,
            session,
            fixtures,
            trusted,
            position: 0,
            answers: Vec::new(),
            draft: AnswerDraft::default(),
            feedback: None,
            score: None,
            recorded: None,
            side: 0,
            light: 0,
            started_unix: crate::pki::now_unix(),
            item_started: Instant::now(),
            loading: None,
            loaded: None,
            textures: None,
            drag_from: None,
            checks: InspectionPanel::default(),
            checks_started: false,
        }
    }

    /// Items in the session.
    pub fn len(&self) -> usize {
        self.session.documents.len() + self.session.face_drills.len()
    }

    /// Whether the shown item's images are decoded and on the screen.
    pub fn is_loaded(&self) -> bool {
        self.textures.is_some()
    }

    /// Whether the session has no item.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn item(&self) -> Option<SessionItem<'_>> {
        self.session.items().get(self.position).copied()
    }

    /// Seconds left for the item shown, when the session sets a time limit.
    fn seconds_left(&self) -> Option<f64> {
        let limit = self.session.settings.time_limit_seconds.filter(|&l| l > 0)?;
        Some(f64::from(limit) - self.item_started.elapsed().as_secs_f64())
    }

    /// Starts decoding the shown item's images in the background.
    fn start_loading(&mut self) {
        let Some(item) = self.item() else { return };
        let fixtures = self.fixtures.clone();
        let data_dir = self.data_dir.clone();
        let with_checks = self.session.settings.checks != CheckDisplay::Hidden;
        let (sender, receiver) = mpsc::channel();
        let work: Box<dyn FnOnce() -> LoadedItem + Send> = match item {
            SessionItem::Document(document) => {
                let document = document.clone();
                Box::new(move || {
                    let mut problems = Vec::new();
                    let mut sides = Vec::new();
                    for side in &document.sides {
                        let mut captures = Vec::new();
                        for (name, light) in LIGHTS {
                            let Some(file) = side.image(name) else { continue };
                            let path = fixtures.join(file);
                            match crate::capture::import::import_file(&path, light) {
                                Ok(capture) => captures.push(capture),
                                Err(e) => problems.push(e.to_string()),
                            }
                        }
                        sides.push((side.name.clone(), side.has_mrz, captures));
                    }
                    // The MRZ side first: it is the one an officer inspects first.
                    sides.sort_by_key(|(_, has_mrz, _)| !has_mrz);
                    let bearer = crate::capture::import::decode_file(&fixtures.join(&document.bearer)).ok();
                    let chip = match document.chip_path(&fixtures).filter(|_| with_checks) {
                        Some(folder) => match training_chip(&folder, &fixtures, &data_dir) {
                            Ok(chip) => Some(chip),
                            Err(e) => {
                                problems.push(e);
                                None
                            }
                        },
                        None => None,
                    };
                    LoadedItem { sides, faces: Vec::new(), bearer, chip, problems }
                })
            }
            SessionItem::FaceDrill(drill) => {
                let paths = [drill.portrait_path(&fixtures), drill.bearer_path(&fixtures)];
                Box::new(move || {
                    let mut problems = Vec::new();
                    let mut faces = Vec::new();
                    for path in &paths {
                        match crate::capture::import::decode_file(path) {
                            Ok(image) => faces.push(image),
                            Err(e) => problems.push(e.to_string()),
                        }
                    }
                    LoadedItem { sides: Vec::new(), faces, bearer: None, chip: None, problems }
                })
            }
        };
        if std::thread::Builder::new()
            .name("training-item".into())
            .spawn(move || {
                let _ = sender.send(work());
            })
            .is_ok()
        {
            self.loading = Some(receiver);
        }
    }

    /// Moves to the next item (or the score after the last).
    fn next(&mut self) {
        self.position += 1;
        self.draft = AnswerDraft::default();
        self.feedback = None;
        self.side = 0;
        self.light = 0;
        self.loaded = None;
        self.textures = None;
        self.checks = InspectionPanel::default();
        self.checks_started = false;
        self.item_started = Instant::now();
        if self.position >= self.len() {
            self.score = Some(score(&self.session, &self.answers).unwrap_or_else(|_| empty_score(&self.session)));
        } else {
            self.start_loading();
        }
    }

    /// Records the trainee's answer (or none, when the time ran out) and shows the feedback.
    fn answer(&mut self, verdict: Option<AnswerVerdict>) {
        let Some(item) = self.item() else { return };
        let id = item.id().to_string();
        let answer = verdict.map(|verdict| Answer {
            document: id,
            verdict,
            fraud_type: if verdict == AnswerVerdict::Fraudulent { self.draft.fraud_type } else { None },
            hotspots: if verdict == AnswerVerdict::Fraudulent { self.draft.hotspots.clone() } else { Vec::new() },
            seconds: Some((self.item_started.elapsed().as_secs_f64() * 10.0).round() / 10.0),
        });
        self.feedback = Some(feedback(&item, answer.as_ref()));
        if let Some(answer) = answer {
            self.answers.push(answer);
        }
    }

    /// Whether the automatic checks are shown now.
    fn checks_visible(&self) -> bool {
        match self.session.settings.checks {
            CheckDisplay::Hidden => false,
            CheckDisplay::AfterAnswer => self.feedback.is_some(),
            CheckDisplay::Throughout => true,
        }
    }
}

/// A score for a run nobody answered (score() refuses nothing here, but never panic).
fn empty_score(session: &Session) -> Score {
    score(session, &[]).unwrap_or_else(|_| Score {
        session_id: session.id.clone(),
        items: session.documents.len(),
        answered: 0,
        unanswered: session.documents.len(),
        detection: Default::default(),
        by_fraud_type: Default::default(),
        by_forgery_method: Default::default(),
        hotspot_recall: None,
        hotspot_regions_found: 0,
        hotspot_regions_total: 0,
        items_without_regions: 0,
        fraud_type_accuracy: None,
        mean_seconds: None,
        over_time_limit: 0,
        face_drills: Default::default(),
    })
}

/// What the Results tab shows: the runs the user may see, and for Trainers and
/// Supervisors the class summary and each trainee's weaknesses.
#[derive(Debug, Clone, Default)]
pub struct TrainingResults {
    /// Runs, newest first.
    pub runs: Vec<TrainingRunRow>,
    /// One line per trainee (empty for a trainee looking at their own results).
    pub class: Vec<TrainingClassRow>,
    /// Per trainee, their results by fraud type, weakest first.
    pub weaknesses: Vec<(String, Vec<TrainingWeakness>)>,
}

impl TrainingResults {
    /// Loads what `user` may see.
    pub fn load(store: &Store, user: &UserSession) -> Result<TrainingResults, String> {
        let everyone = user.may(Permission::ViewAllTrainingResults);
        let own = user.username().to_string();
        let mut runs =
            store.training_history(user, if everyone { None } else { Some(&own) }).map_err(|e| e.to_string())?;
        runs.reverse();
        let class =
            if everyone { store.training_class_summary(user, None).map_err(|e| e.to_string())? } else { Vec::new() };
        let mut trainees: Vec<String> = runs.iter().map(|r| r.trainee.clone()).collect();
        trainees.sort();
        trainees.dedup();
        let mut weaknesses = Vec::new();
        for trainee in trainees {
            let rows = store.training_weaknesses(user, &trainee).map_err(|e| e.to_string())?;
            weaknesses.push((trainee, rows));
        }
        Ok(TrainingResults { runs, class, weaknesses })
    }
}

/// Opens a session file for a run: its signature checked (and whether this station
/// trusts the signer, when someone is logged in), the fixture set it was built from
/// found where the trainee said.
fn open_for_run(
    path: &Path,
    fixtures: &Path,
    desk: Option<(&Store, &UserSession)>,
) -> Result<(Session, Option<bool>), String> {
    let session = Session::load(path).map_err(|e| e.to_string())?;
    let trusted = match &session.signature {
        None => Some(false),
        Some(_) => {
            let signer = session.verify_signature().map_err(|e| e.to_string())?;
            match desk {
                Some((store, _)) => Some(
                    crate::training_station::trusted_session_keys(store)
                        .map(|keys| keys.contains(&signer))
                        .map_err(|e| e.to_string())?,
                ),
                None => None,
            }
        }
    };
    session.check_fixtures(fixtures).map_err(|e| e.to_string())?;
    Ok((session, trusted))
}

/// Builds a session from the fixture set, signs it with the station key as `signer` (a
/// Trainer) and saves it under the station's sessions folder; returns the file.
fn build_session(
    fixtures: &Path,
    request: &SessionRequest,
    signer: (&Store, &UserSession),
    data_dir: &Path,
) -> Result<PathBuf, String> {
    let mut session = Session::build(fixtures, request).map_err(|e| e.to_string())?;
    crate::training_station::sign_session(signer.0, signer.1, &mut session).map_err(|e| e.to_string())?;
    let dir = crate::training_station::sessions_dir(data_dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(format!("{}.json", session.id));
    session.save(&path).map_err(|e| e.to_string())?;
    Ok(path)
}

/// A training document's chip, as the chip panel would read it: the emulator on the
/// fixture's own virtual chip, the key from its printed MRZ, passive authentication
/// against the station's CSCAs plus the fixture set's TEST PKI (`<fixtures>/pki`).
fn training_chip(folder: &Path, fixtures: &Path, data_dir: &Path) -> Result<crate::inspect::ChipEvidence, String> {
    let folder = crate::chip_session::emulator_folder(folder);
    let printed_file = folder.join(crate::fixtures::chip::PRINTED_MRZ_FILE);
    let printed =
        std::fs::read_to_string(&printed_file).map_err(|e| format!("cannot read {}: {e}", printed_file.display()))?;
    let mut csca = crate::chip_session::load_csca_store(data_dir).map_err(|e| e.to_string())?;
    let pki = fixtures.join("pki");
    if pki.is_dir() {
        csca.import_path(&pki).map_err(|e| format!("{}: {e}", pki.display()))?;
    }
    crate::chip_session::evidence::emulated_evidence(&folder, &printed, &csca)
}

/// The session files in `dir` with their names, newest first (files that do not read as
/// sessions are left out: the Start button reports them if chosen by path).
fn station_sessions(dir: &Path) -> Vec<(PathBuf, String)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut sessions: Vec<(std::time::SystemTime, PathBuf, String)> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter_map(|path| {
            let session = Session::load(&path).ok()?;
            let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok()?;
            let label = format!("{} ({} documents)", session.name, session.documents.len());
            Some((modified, path, label))
        })
        .collect();
    sessions.sort_by(|a, b| b.0.cmp(&a.0));
    sessions.into_iter().map(|(_, path, name)| (path, name)).collect()
}

/// The screen's state.
pub struct TrainingScreen {
    data_dir: PathBuf,
    /// The tab shown.
    pub tab: TrainingTab,
    /// The session file to open.
    pub session_path: String,
    /// The fixture set the session's images come from.
    pub fixtures_path: String,
    /// The session being run.
    pub run: Option<Run>,
    /// The last message (opened, built, exported) or error.
    pub message: Option<Result<String, String>>,
    /// The trainer's form.
    pub build: BuildForm,
    /// The results table (trainer), loaded on demand.
    pub results: Option<Result<TrainingResults, String>>,
    /// The sessions kept on this station (file, name), newest first, listed every 2 s.
    station_sessions: Option<(Instant, Vec<(PathBuf, String)>)>,
}

impl TrainingScreen {
    /// A screen for the station with data in `data_dir`; fixture sets are looked for in `fixtures`.
    pub fn new(data_dir: PathBuf, fixtures: &Path) -> TrainingScreen {
        TrainingScreen {
            session_path: String::new(),
            fixtures_path: fixtures.display().to_string(),
            tab: TrainingTab::Run,
            run: None,
            message: None,
            build: BuildForm::default(),
            results: None,
            station_sessions: None,
            data_dir,
        }
    }

    /// Where built sessions are saved.
    pub fn sessions_dir(&self) -> PathBuf {
        crate::training_station::sessions_dir(&self.data_dir)
    }

    /// Opens the session file `session_path` over the fixture set `fixtures_path`: its
    /// signature is checked (and whether the station trusts the signer, when someone is
    /// logged in) and every image it names must be there.
    pub fn open_session(&mut self, desk: Option<(&Store, &UserSession)>) {
        let path = PathBuf::from(self.session_path.trim());
        let fixtures = PathBuf::from(self.fixtures_path.trim());
        match open_for_run(&path, &fixtures, desk) {
            Ok((session, trusted)) => {
                let mut run = Run::new(session, fixtures, self.data_dir.clone(), trusted);
                if run.is_empty() {
                    self.message = Some(Err("the session has no item".into()));
                    return;
                }
                run.start_loading();
                self.message = None;
                self.run = Some(run);
            }
            Err(e) => self.message = Some(Err(e)),
        }
    }

    /// Draws the screen.
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        tr: &Translator,
        resources: &Resources,
        desk: Option<(&Store, &UserSession)>,
    ) {
        training_banner(ui, tr);
        ui.horizontal(|ui| {
            ui.heading(tr.tr("training-title"));
            ui.add_space(16.0);
            for (tab, label) in [
                (TrainingTab::Run, "training-tab-run"),
                (TrainingTab::Build, "training-tab-build"),
                (TrainingTab::Results, "training-tab-results"),
            ] {
                if ui.add(egui::Button::selectable(self.tab == tab, tr.tr(label))).clicked() {
                    self.tab = tab;
                }
            }
        });
        ui.separator();
        match self.tab {
            TrainingTab::Run => self.show_run(ui, tr, resources, desk),
            TrainingTab::Build => self.show_build(ui, tr, desk),
            TrainingTab::Results => self.show_results(ui, tr, desk),
        }
    }

    fn show_message(&self, ui: &mut egui::Ui) {
        match &self.message {
            Some(Ok(text)) => {
                ui.label(text);
            }
            Some(Err(text)) => {
                ui.colored_label(ui.visuals().error_fg_color, text);
            }
            None => {}
        }
    }

    fn show_open_form(&mut self, ui: &mut egui::Ui, tr: &Translator, desk: Option<(&Store, &UserSession)>) {
        ui.label(tr.tr("training-open-intro"));
        egui::Grid::new("training-open").num_columns(2).show(ui, |ui| {
            let label = ui.label(tr.tr("training-session-file"));
            ui.add(egui::TextEdit::singleline(&mut self.session_path).desired_width(480.0)).labelled_by(label.id);
            ui.end_row();
            let label = ui.label(tr.tr("training-fixtures"));
            ui.add(egui::TextEdit::singleline(&mut self.fixtures_path).desired_width(480.0)).labelled_by(label.id);
            ui.end_row();
        });
        // Sessions kept on this station (built or imported), newest first, by name.
        let stale = self.station_sessions.as_ref().is_none_or(|(at, _)| at.elapsed().as_secs() >= 2);
        if stale {
            self.station_sessions = Some((Instant::now(), station_sessions(&self.sessions_dir())));
        }
        if let Some((_, sessions)) = &self.station_sessions
            && !sessions.is_empty()
        {
            ui.label(RichText::new(tr.tr("training-sessions-here")).weak());
            let mut picked = None;
            ui.horizontal_wrapped(|ui| {
                for (path, name) in sessions.iter().take(12) {
                    let chosen = self.session_path.trim() == path.display().to_string();
                    if ui
                        .add(egui::Button::selectable(chosen, name))
                        .on_hover_text(path.display().to_string())
                        .clicked()
                    {
                        picked = Some(path.display().to_string());
                    }
                }
            });
            if let Some(path) = picked {
                self.session_path = path;
            }
        }
        let ready = !self.session_path.trim().is_empty() && !self.fixtures_path.trim().is_empty();
        if ui.add_enabled(ready, egui::Button::new(tr.tr("training-start"))).clicked() {
            self.open_session(desk);
        }
        self.show_message(ui);
    }

    fn show_run(
        &mut self,
        ui: &mut egui::Ui,
        tr: &Translator,
        resources: &Resources,
        desk: Option<(&Store, &UserSession)>,
    ) {
        let Some(run) = &mut self.run else {
            self.show_open_form(ui, tr, desk);
            return;
        };
        if run.score.is_some() {
            if run.recorded.is_none() {
                run.recorded = Some(match desk {
                    Some((store, user)) => crate::training_station::record_run(
                        store,
                        user,
                        &run.session,
                        &run.answers,
                        run.started_unix,
                        crate::pki::now_unix(),
                    )
                    .map(|_| tr.tr("training-recorded"))
                    .map_err(|e| e.to_string()),
                    None => Err(tr.tr("training-not-recorded")),
                });
            }
            let mut close = false;
            show_score(ui, tr, run, &mut close);
            if close {
                self.run = None;
            }
            return;
        }
        // The item's images arrive from the loader thread.
        if let Some(receiver) = &run.loading {
            match receiver.try_recv() {
                Ok(loaded) => {
                    run.loaded = Some(loaded);
                    run.loading = None;
                    run.item_started = Instant::now();
                }
                Err(TryRecvError::Empty) => ui.ctx().request_repaint_after(std::time::Duration::from_millis(50)),
                Err(TryRecvError::Disconnected) => run.loading = None,
            }
        }
        if run.textures.is_none()
            && let Some(loaded) = &run.loaded
        {
            run.textures = Some(textures_of(ui.ctx(), loaded, run.position));
        }
        // The automatic checks run on the same images as a real inspection would.
        if run.checks_visible()
            && !run.checks_started
            && let Some(loaded) = &run.loaded
            && !loaded.sides.is_empty()
        {
            let mut sides = loaded.sides.iter();
            let captures = sides.next().map(|(_, _, c)| c.clone()).unwrap_or_default();
            let other_side = sides.next().map(|(_, _, c)| c.clone()).unwrap_or_default();
            let inspection_date = crate::clock::parse_iso_date(&run.session.fixtures.reference_date)
                .unwrap_or_else(crate::clock::today_utc);
            let input = crate::inspect::InspectInput {
                captures,
                other_side,
                bearer: loaded.bearer.clone(),
                typed_mrz: None,
                officer_mrz_fixes: Vec::new(),
                chip: loaded.chip.clone(),
                inspection_date,
            };
            run.checks.start(input, resources);
            run.checks_started = true;
        }
        run.checks.poll(ui.ctx());
        // The time limit: when it runs out the item counts as unanswered.
        if run.feedback.is_none()
            && let Some(left) = run.seconds_left()
        {
            if left <= 0.0 && run.loaded.is_some() {
                run.answer(None);
            } else {
                ui.ctx().request_repaint_after(std::time::Duration::from_millis(250));
            }
        }

        let total = run.len();
        ui.horizontal(|ui| {
            ui.label(RichText::new(&run.session.name).strong());
            ui.label(
                tr.tr_args("training-progress", &[("n", (run.position + 1).to_string()), ("total", total.to_string())]),
            );
            if let Some(left) = run.seconds_left().filter(|_| run.feedback.is_none()) {
                let colour = if left < 10.0 { ui.visuals().error_fg_color } else { ui.visuals().text_color() };
                ui.colored_label(
                    colour,
                    tr.tr_args("training-time-left", &[("seconds", format!("{:.0}", left.max(0.0)))]),
                );
            }
            if run.trusted == Some(false) {
                ui.colored_label(ui.visuals().warn_fg_color, tr.tr("training-untrusted"));
            }
        });
        ui.add(egui::ProgressBar::new(run.position as f32 / total.max(1) as f32));
        let Some(item) = run.item() else { return };
        let is_drill = matches!(item, SessionItem::FaceDrill(_));
        let side_width = 340.0;
        egui::Panel::right("training-answer").resizable(false).exact_size(side_width).show(ui, |ui| {
            egui::ScrollArea::vertical().id_salt("training-answer-scroll").show(ui, |ui| {
                if run.feedback.is_none() {
                    show_answer_form(ui, tr, run, is_drill);
                } else {
                    show_feedback(ui, tr, run);
                }
                if run.checks_visible() && !is_drill {
                    ui.separator();
                    ui.label(RichText::new(tr.tr("training-automatic-checks")).strong());
                    run.checks.show(ui, tr, None);
                }
            });
        });
        egui::CentralPanel::default().show(ui, |ui| {
            if let Some(loaded) = &run.loaded {
                for problem in &loaded.problems {
                    ui.colored_label(ui.visuals().error_fg_color, problem);
                }
            }
            if run.textures.is_none() {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(tr.tr("training-loading"));
                });
                return;
            }
            if is_drill {
                show_faces(ui, tr, run);
            } else {
                show_document(ui, tr, run);
            }
        });
    }

    fn show_build(&mut self, ui: &mut egui::Ui, tr: &Translator, desk: Option<(&Store, &UserSession)>) {
        ui.label(tr.tr("training-build-intro"));
        let form = &mut self.build;
        egui::Grid::new("training-build").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
            let label = ui.label(tr.tr("training-name"));
            ui.add(egui::TextEdit::singleline(&mut form.name).desired_width(320.0)).labelled_by(label.id);
            ui.end_row();
            let label = ui.label(tr.tr("training-fixtures"));
            ui.add(egui::TextEdit::singleline(&mut self.fixtures_path).desired_width(480.0)).labelled_by(label.id);
            ui.end_row();
            let label = ui.label(tr.tr("training-count"));
            ui.add(egui::DragValue::new(&mut form.count).range(1..=200)).labelled_by(label.id);
            ui.end_row();
            let label = ui.label(tr.tr("training-prevalence"));
            ui.add(egui::Slider::new(&mut form.prevalence_percent, 0..=100).suffix(" %")).labelled_by(label.id);
            ui.end_row();
            let label = ui.label(tr.tr("training-seed"));
            ui.add(egui::DragValue::new(&mut form.seed)).labelled_by(label.id);
            ui.end_row();
            let label = ui.label(tr.tr("training-time-limit"));
            ui.add(egui::DragValue::new(&mut form.time_limit).range(0..=3600).suffix(" s")).labelled_by(label.id);
            ui.end_row();
            let label = ui.label(tr.tr("training-difficulty"));
            egui::ComboBox::from_id_salt("training-difficulty")
                .selected_text(tr.tr(&format!("training-difficulty-{}", form.difficulty.as_str())))
                .show_ui(ui, |ui| {
                    for level in [Difficulty::Any, Difficulty::Obvious, Difficulty::Subtle] {
                        ui.selectable_value(
                            &mut form.difficulty,
                            level,
                            tr.tr(&format!("training-difficulty-{}", level.as_str())),
                        );
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
            let label = ui.label(tr.tr("training-checks"));
            egui::ComboBox::from_id_salt("training-checks")
                .selected_text(tr.tr(&format!("training-checks-{}", form.checks.as_str())))
                .show_ui(ui, |ui| {
                    for mode in [CheckDisplay::Hidden, CheckDisplay::AfterAnswer, CheckDisplay::Throughout] {
                        ui.selectable_value(
                            &mut form.checks,
                            mode,
                            tr.tr(&format!("training-checks-{}", mode.as_str())),
                        );
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
            let label = ui.label(tr.tr("training-face-drills"));
            ui.add(egui::DragValue::new(&mut form.face_drills).range(0..=100)).labelled_by(label.id);
            ui.end_row();
            let label = ui.label(tr.tr("training-face-prevalence"));
            ui.add(egui::Slider::new(&mut form.face_prevalence_percent, 0..=100).suffix(" %")).labelled_by(label.id);
            ui.end_row();
        });
        // Sessions are signed by the station for a Trainer, so other stations can verify them.
        let signer = desk.filter(|(_, user)| user.may(Permission::CreateTrainingSession));
        if signer.is_none() {
            ui.colored_label(ui.visuals().warn_fg_color, tr.tr("training-build-trainer-only"));
        }
        if let Some(signer) = signer
            && ui.button(tr.tr("training-build")).clicked()
        {
            let form = self.build.clone();
            let mut request = SessionRequest::new(form.count, f64::from(form.prevalence_percent) / 100.0, form.seed);
            request.name = if form.name.trim().is_empty() {
                format!("Practice {} documents {} %", form.count, form.prevalence_percent)
            } else {
                form.name.trim().to_string()
            };
            request.time_limit_seconds = Some(form.time_limit).filter(|&t| t > 0);
            request.checks = form.checks;
            request.difficulty = form.difficulty;
            request.face_drills = form.face_drills;
            request.face_prevalence = f64::from(form.face_prevalence_percent) / 100.0;
            let fixtures = PathBuf::from(self.fixtures_path.trim());
            self.message = Some(
                build_session(&fixtures, &request, signer, &self.data_dir)
                    .map(|path| {
                        self.session_path = path.display().to_string();
                        tr.tr_args("training-built", &[("path", path.display().to_string())])
                    })
                    .map_err(|e| e.to_string()),
            );
        }
        self.show_message(ui);
        if matches!(self.message, Some(Ok(_))) && ui.button(tr.tr("training-run-it")).clicked() {
            self.tab = TrainingTab::Run;
            self.open_session(desk);
        }
    }

    fn show_results(&mut self, ui: &mut egui::Ui, tr: &Translator, desk: Option<(&Store, &UserSession)>) {
        let Some((store, user)) = desk else {
            ui.label(tr.tr("training-results-login"));
            return;
        };
        ui.horizontal(|ui| {
            if ui.button(tr.tr("training-refresh")).clicked() || self.results.is_none() {
                self.results = Some(TrainingResults::load(store, user));
            }
            let out = self.data_dir.join("training-output");
            for (key, file, pdf) in [
                ("training-export-csv", "training-results.csv", false),
                ("training-export-pdf", "training-report.pdf", true),
            ] {
                if ui.button(tr.tr(key)).clicked() {
                    let path = out.join(file);
                    self.message = Some(
                        crate::training_station::write_results(store, user, None, &path, pdf)
                            .map(|_| tr.tr_args("training-exported", &[("path", path.display().to_string())]))
                            .map_err(|e| e.to_string()),
                    );
                }
            }
        });
        self.show_message(ui);
        match &self.results {
            Some(Ok(results)) => show_results_table(ui, tr, results),
            Some(Err(e)) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            None => {}
        }
    }
}

/// Textures for the loaded item (previews at most `PREVIEW_SIDE`).
fn textures_of(ctx: &egui::Context, loaded: &LoadedItem, position: usize) -> ItemTextures {
    let mut images = Vec::new();
    for (side_index, (_, _, captures)) in loaded.sides.iter().enumerate() {
        for capture in captures {
            let Some((name, _)) = LIGHTS.iter().find(|(_, light)| *light == capture.light) else { continue };
            let full = [capture.image.width(), capture.image.height()];
            let texture = ctx.load_texture(
                format!("training-{position}-{side_index}-{name}"),
                color_image(&capture.image, PREVIEW_SIDE),
                egui::TextureOptions::LINEAR,
            );
            images.push(((side_index, *name), texture, full));
        }
    }
    let faces = loaded
        .faces
        .iter()
        .enumerate()
        .map(|(i, image)| {
            ctx.load_texture(
                format!("training-face-{position}-{i}"),
                color_image(image, PREVIEW_SIDE),
                egui::TextureOptions::LINEAR,
            )
        })
        .collect();
    ItemTextures { images, faces }
}

/// The document under the chosen side and light; drag to mark where the fraud shows.
fn show_document(ui: &mut egui::Ui, tr: &Translator, run: &mut Run) {
    let Some(loaded) = &run.loaded else { return };
    let side_names: Vec<String> = loaded.sides.iter().map(|(name, _, _)| name.clone()).collect();
    ui.horizontal(|ui| {
        if side_names.len() > 1 {
            for (index, name) in side_names.iter().enumerate() {
                if ui.add(egui::Button::selectable(run.side == index, name)).clicked() {
                    run.side = index;
                }
            }
            ui.separator();
        }
        let shown_side = loaded.sides.get(run.side).map(|(_, _, captures)| captures.as_slice()).unwrap_or_default();
        for (index, (name, light)) in LIGHTS.iter().enumerate() {
            // White, UV and IR always (their "no image" says a file is missing); coaxial
            // only where the side has it.
            if *light == Light::Coaxial && !shown_side.iter().any(|c| c.light == Light::Coaxial) {
                continue;
            }
            let marks = run
                .draft
                .hotspots
                .iter()
                .filter(|h| h.light == *name && Some(&h.side) == side_names.get(run.side))
                .count();
            let mut text = crate::ui::screens::light_label(*light).to_string();
            text = tr.tr(&text);
            if marks > 0 {
                text = format!("{text} ({marks})");
            }
            if ui.add(egui::Button::selectable(run.light == index, text)).clicked() {
                run.light = index;
            }
        }
    });
    // The same line before and after the answer, so the image does not move under the marks.
    let hint = if run.feedback.is_none() { "training-mark-hint" } else { "training-regions-legend" };
    ui.label(RichText::new(tr.tr(hint)).weak());
    let light_name = LIGHTS[run.light.min(LIGHTS.len() - 1)].0;
    let side_name = side_names.get(run.side).cloned().unwrap_or_default();
    let Some(textures) = &run.textures else { return };
    let Some((_, texture, full)) = textures.images.iter().find(|((s, l), _, _)| *s == run.side && *l == light_name)
    else {
        ui.label(tr.tr("training-no-image"));
        return;
    };
    let available = ui.available_size();
    let size = texture.size_vec2();
    let scale = (available.x / size.x).min(available.y / size.y).max(0.05);
    let (rect, response) = ui.allocate_exact_size(size * scale, Sense::drag());
    let image_label =
        tr.tr_args("training-image-label", &[("side", side_name.clone()), ("light", light_name.to_string())]);
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, &image_label));
    let painter = ui.painter_at(rect);
    painter.image(
        texture.id(),
        rect,
        egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
        Color32::WHITE,
    );
    // Screen ↔ full-size pixels of the capture.
    let per_pixel = rect.width() / full[0].max(1) as f32;
    let to_screen = |x: u32, y: u32, w: u32, h: u32| {
        egui::Rect::from_min_size(
            rect.min + egui::vec2(x as f32 * per_pixel, y as f32 * per_pixel),
            egui::vec2(w as f32 * per_pixel, h as f32 * per_pixel),
        )
    };
    let to_pixels = |p: egui::Pos2| {
        let v = (p - rect.min) / per_pixel;
        (v.x.clamp(0.0, full[0] as f32), v.y.clamp(0.0, full[1] as f32))
    };
    let answered = run.feedback.is_some();
    if !answered {
        if response.drag_started() {
            run.drag_from = response.interact_pointer_pos();
        }
        if let (Some(from), Some(to)) = (run.drag_from, response.interact_pointer_pos()) {
            painter.rect_stroke(
                egui::Rect::from_two_pos(from, to),
                0.0,
                Stroke::new(2.0, Color32::YELLOW),
                egui::StrokeKind::Outside,
            );
        }
        if response.drag_stopped()
            && let (Some(from), Some(to)) = (run.drag_from.take(), response.interact_pointer_pos())
        {
            let (a, b) = (to_pixels(from), to_pixels(to));
            let (x, y) = (a.0.min(b.0), a.1.min(b.1));
            let (w, h) = ((a.0 - b.0).abs(), (a.1 - b.1).abs());
            // A click is not a mark: a few pixels on screen at least.
            if w * per_pixel >= 4.0 && h * per_pixel >= 4.0 {
                run.draft.hotspots.push(Hotspot {
                    side: side_name.clone(),
                    light: light_name.to_string(),
                    x: x as u32,
                    y: y as u32,
                    w: w.max(1.0) as u32,
                    h: h.max(1.0) as u32,
                });
                // Marking means the trainee sees a fraud.
                run.draft.verdict = Some(AnswerVerdict::Fraudulent);
            }
        }
    }
    // The trainee's marks; after the answer, the truth's regions (green found, red missed).
    let marks: Vec<&Hotspot> = match &run.feedback {
        Some(feedback) => feedback.hotspots.iter().map(|h| &h.hotspot).collect(),
        None => run.draft.hotspots.iter().collect(),
    };
    for mark in marks.iter().filter(|h| h.side == side_name && h.light == light_name) {
        painter.rect_stroke(
            to_screen(mark.x, mark.y, mark.w, mark.h),
            0.0,
            Stroke::new(2.0, Color32::YELLOW),
            egui::StrokeKind::Outside,
        );
    }
    if let Some(feedback) = &run.feedback {
        for region in
            feedback.defect_regions.iter().filter(|r| r.region.side == side_name && r.region.light == light_name)
        {
            let colour =
                if region.found { Color32::from_rgb(0x2e, 0xc4, 0x4a) } else { Color32::from_rgb(0xff, 0x40, 0x40) };
            let r = &region.region;
            let on_screen = to_screen(r.x, r.y, r.w, r.h);
            painter.rect_stroke(on_screen, 0.0, Stroke::new(3.0, colour), egui::StrokeKind::Outside);
            if let Some(what) = &r.what {
                painter.text(
                    on_screen.left_top() - egui::vec2(0.0, 2.0),
                    egui::Align2::LEFT_BOTTOM,
                    what,
                    egui::FontId::proportional(13.0),
                    colour,
                );
            }
        }
    }
    if run.checks_visible() {
        let page = run.side.min(1) as u8;
        let light = LIGHTS[run.light.min(LIGHTS.len() - 1)].1;
        for (region, _, selected) in run.checks.overlays(page, light) {
            let colour = if selected {
                Color32::from_rgb(0x40, 0xa0, 0xff)
            } else {
                Color32::from_rgba_unmultiplied(0x40, 0xa0, 0xff, 140)
            };
            painter.rect_stroke(
                to_screen(region.x as u32, region.y as u32, region.w as u32, region.h as u32),
                0.0,
                Stroke::new(1.5, colour),
                egui::StrokeKind::Outside,
            );
        }
    }
}

/// A face drill: the document portrait beside the bearer photo.
fn show_faces(ui: &mut egui::Ui, tr: &Translator, run: &Run) {
    let Some(textures) = &run.textures else { return };
    ui.label(tr.tr("training-face-question"));
    let available = ui.available_size();
    ui.horizontal(|ui| {
        for (texture, label) in textures.faces.iter().zip(["training-face-portrait", "training-face-bearer"]) {
            ui.vertical(|ui| {
                ui.label(tr.tr(label));
                let size = texture.size_vec2();
                let scale = ((available.x / 2.0 - 16.0) / size.x).min((available.y - 40.0) / size.y).max(0.05);
                ui.image((texture.id(), size * scale));
            });
        }
    });
}

/// The answer: verdict, fraud type, marks, and the button that commits it.
fn show_answer_form(ui: &mut egui::Ui, tr: &Translator, run: &mut Run, is_drill: bool) {
    ui.label(RichText::new(tr.tr("training-your-answer")).strong());
    let (genuine, fraudulent) = if is_drill {
        ("training-same-person", "training-different-people")
    } else {
        ("training-genuine", "training-fraudulent")
    };
    ui.horizontal(|ui| {
        ui.radio_value(&mut run.draft.verdict, Some(AnswerVerdict::Genuine), tr.tr(genuine));
        ui.radio_value(&mut run.draft.verdict, Some(AnswerVerdict::Fraudulent), tr.tr(fraudulent));
    });
    if !is_drill && run.draft.verdict == Some(AnswerVerdict::Fraudulent) {
        let label = ui.label(tr.tr("training-fraud-type"));
        let shown =
            run.draft.fraud_type.map_or_else(|| tr.tr("training-fraud-type-none"), |t| t.as_str().replace('_', " "));
        egui::ComboBox::from_id_salt("training-fraud-type")
            .selected_text(shown)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut run.draft.fraud_type, None, tr.tr("training-fraud-type-none"));
                for fraud in FRAUD_TYPES {
                    ui.selectable_value(&mut run.draft.fraud_type, Some(fraud), fraud.as_str().replace('_', " "));
                }
            })
            .response
            .labelled_by(label.id);
        ui.label(tr.tr_args("training-marks", &[("n", run.draft.hotspots.len().to_string())]));
        if !run.draft.hotspots.is_empty() && ui.small_button(tr.tr("training-clear-marks")).clicked() {
            run.draft.hotspots.clear();
        }
    }
    ui.add_space(8.0);
    let ready = run.draft.verdict.is_some() && run.loaded.is_some();
    let submit = ui.add_enabled(ready, egui::Button::new(RichText::new(tr.tr("training-submit")).strong()));
    let enter = ready && ui.input(|i| i.key_pressed(egui::Key::Enter) && i.modifiers.command);
    if submit.clicked() || enter {
        let verdict = run.draft.verdict;
        run.answer(verdict);
    }
    ui.label(RichText::new(tr.tr("training-submit-hint")).weak().small());
}

/// Right after the answer: right or wrong, the truth, the regions and the checks.
fn show_feedback(ui: &mut egui::Ui, tr: &Translator, run: &mut Run) {
    let Some(feedback) = &run.feedback else { return };
    let (text, colour) = match (feedback.given, feedback.correct) {
        (None, _) => (tr.tr("training-unanswered"), ui.visuals().warn_fg_color),
        (Some(_), true) => (tr.tr("training-correct"), Color32::from_rgb(0x2e, 0xc4, 0x4a)),
        (Some(_), false) => (tr.tr("training-wrong"), ui.visuals().error_fg_color),
    };
    ui.label(RichText::new(text).strong().size(18.0).color(colour));
    let truth = match (feedback.same_person, feedback.fraud_type) {
        (Some(true), _) => tr.tr("training-truth-same"),
        (Some(false), _) => tr.tr("training-truth-different"),
        (None, Some(fraud)) if fraud != FraudType::NoFraud => {
            let methods: Vec<String> = feedback.forgery_methods.iter().map(|m| m.as_str().replace('_', " ")).collect();
            let mut text = tr.tr_args("training-truth-fraud", &[("type", fraud.as_str().replace('_', " "))]);
            if !methods.is_empty() {
                text.push_str(&format!(" ({})", methods.join(", ")));
            }
            text
        }
        _ => tr.tr("training-truth-genuine"),
    };
    ui.label(truth);
    if let Some(scenario) = &feedback.scenario {
        ui.label(RichText::new(scenario.replace('_', " ")).weak());
    }
    if let (Some(given), Some(truth)) = (feedback.fraud_type_given, feedback.fraud_type)
        && feedback.truth == AnswerVerdict::Fraudulent
    {
        let key = if given == truth { "training-type-right" } else { "training-type-wrong" };
        ui.label(tr.tr_args(key, &[("type", given.as_str().replace('_', " "))]));
    }
    if !feedback.defect_regions.is_empty() {
        let found = feedback.defect_regions.iter().filter(|r| r.found).count();
        ui.label(tr.tr_args(
            "training-regions",
            &[("found", found.to_string()), ("total", feedback.defect_regions.len().to_string())],
        ));
        for region in &feedback.defect_regions {
            let mark = if region.found { "+" } else { "-" };
            let what = region.region.what.clone().unwrap_or_else(|| region.region.check.clone().unwrap_or_default());
            ui.label(RichText::new(format!("{mark} {what} ({}, {})", region.region.side, region.region.light)).small());
        }
    }
    if !feedback.catching_checks.is_empty() {
        ui.label(RichText::new(tr.tr("training-caught-by")).strong());
        for check in &feedback.catching_checks {
            ui.label(RichText::new(check).monospace().small());
        }
    }
    let stray = feedback.hotspots.iter().filter(|h| !h.hit).count();
    if stray > 0 {
        ui.label(RichText::new(tr.tr_args("training-stray-marks", &[("n", stray.to_string())])).weak());
    }
    ui.add_space(8.0);
    let last = run.position + 1 >= run.len();
    let label = if last { tr.tr("training-finish") } else { tr.tr("training-next") };
    let next = ui.button(RichText::new(label).strong());
    if next.clicked() || ui.input(|i| i.key_pressed(egui::Key::Enter) && i.modifiers.command) {
        run.next();
    }
}

/// The end of a run: the score, as the trainer will see it.
fn show_score(ui: &mut egui::Ui, tr: &Translator, run: &Run, close: &mut bool) {
    let Some(score) = &run.score else { return };
    ui.heading(tr.tr_args("training-score-title", &[("session", run.session.name.clone())]));
    let rate = |r: Option<f64>| r.map_or_else(|| "—".to_string(), |r| format!("{:.0} %", r * 100.0));
    let two = |r: Option<f64>| r.map_or_else(|| "—".to_string(), |r| format!("{r:.2}"));
    let d = &score.detection;
    egui::Grid::new("training-score").num_columns(2).striped(true).show(ui, |ui| {
        let rows = [
            ("training-hits", d.hits.to_string()),
            ("training-misses", d.misses.to_string()),
            ("training-false-alarms", d.false_alarms.to_string()),
            ("training-correct-rejections", d.correct_rejections.to_string()),
            ("training-hit-rate", rate(d.hit_rate)),
            ("training-false-alarm-rate", rate(d.false_alarm_rate)),
            ("training-d-prime", two(d.d_prime)),
            ("training-criterion", two(d.criterion)),
            ("training-hotspot-recall", rate(score.hotspot_recall)),
            ("training-type-accuracy", rate(score.fraud_type_accuracy)),
            ("training-mean-seconds", score.mean_seconds.map_or_else(|| "—".into(), |s| format!("{s:.0} s"))),
            ("training-unanswered-count", score.unanswered.to_string()),
        ];
        for (key, value) in rows {
            ui.label(tr.tr(key));
            ui.label(RichText::new(value).strong());
            ui.end_row();
        }
        if score.face_drills.items > 0 {
            let f = &score.face_drills.detection;
            ui.label(tr.tr("training-face-score"));
            ui.label(format!(
                "{} / {} · d' {}",
                f.hits + f.correct_rejections,
                score.face_drills.items,
                two(f.d_prime)
            ));
            ui.end_row();
        }
    });
    if !score.by_fraud_type.is_empty() {
        ui.add_space(6.0);
        ui.label(RichText::new(tr.tr("training-by-fraud-type")).strong());
        egui::Grid::new("training-by-type").num_columns(2).show(ui, |ui| {
            for (fraud, group) in &score.by_fraud_type {
                ui.label(fraud.replace('_', " "));
                ui.label(format!("{} / {}", group.correct, group.items));
                ui.end_row();
            }
        });
    }
    match &run.recorded {
        Some(Ok(text)) => {
            ui.label(text);
        }
        Some(Err(text)) => {
            ui.colored_label(ui.visuals().warn_fg_color, text);
        }
        None => {}
    }
    if ui.button(tr.tr("training-close")).clicked() {
        *close = true;
    }
}

/// The trainer's table: the class summary, every run, each trainee's weaknesses.
fn show_results_table(ui: &mut egui::Ui, tr: &Translator, results: &TrainingResults) {
    let rate = |r: Option<f64>| r.map_or_else(|| "—".to_string(), |r| format!("{:.0} %", r * 100.0));
    let number = |r: Option<f64>| r.map_or_else(|| "—".to_string(), |r| format!("{r:.2}"));
    egui::ScrollArea::vertical().id_salt("training-results").auto_shrink([false, false]).show(ui, |ui| {
        if results.runs.is_empty() {
            ui.label(RichText::new(tr.tr("training-no-results")).weak());
            return;
        }
        if !results.class.is_empty() {
            ui.label(RichText::new(tr.tr("training-class-summary")).strong());
            egui::Grid::new("training-class").striped(true).num_columns(8).show(ui, |ui| {
                for key in [
                    "training-col-trainee",
                    "training-col-runs",
                    "training-col-answered",
                    "training-hit-rate",
                    "training-false-alarm-rate",
                    "training-col-mean-d-prime",
                    "training-col-last",
                ] {
                    ui.label(RichText::new(tr.tr(key)).strong());
                }
                ui.end_row();
                for row in &results.class {
                    ui.label(&row.trainee);
                    ui.label(row.runs.to_string());
                    ui.label(row.answered.to_string());
                    ui.label(rate(row.hit_rate));
                    ui.label(rate(row.false_alarm_rate));
                    ui.label(number(row.mean_d_prime));
                    ui.label(&row.last_finished);
                    ui.end_row();
                }
            });
            ui.add_space(10.0);
        }
        ui.label(RichText::new(tr.tr("training-history")).strong());
        egui::Grid::new("training-runs").striped(true).num_columns(10).show(ui, |ui| {
            for key in [
                "training-col-trainee",
                "training-col-session",
                "training-col-finished",
                "training-hits",
                "training-misses",
                "training-false-alarms",
                "training-correct-rejections",
                "training-d-prime",
                "training-criterion",
                "training-hotspot-recall",
                "training-mean-seconds",
            ] {
                ui.label(RichText::new(tr.tr(key)).strong());
            }
            ui.end_row();
            for run in &results.runs {
                ui.label(&run.trainee);
                ui.label(&run.session_name);
                ui.label(&run.finished);
                ui.label(run.hits.to_string());
                ui.label(run.misses.to_string());
                ui.label(run.false_alarms.to_string());
                ui.label(run.correct_rejections.to_string());
                ui.label(number(run.d_prime));
                ui.label(number(run.criterion));
                ui.label(rate(run.hotspot_recall));
                ui.label(run.mean_seconds.map_or_else(|| "—".into(), |s| format!("{s:.0} s")));
                ui.end_row();
            }
        });
        ui.add_space(10.0);
        ui.label(RichText::new(tr.tr("training-weaknesses")).strong());
        for (trainee, rows) in &results.weaknesses {
            ui.label(RichText::new(trainee).underline());
            for row in rows.iter().filter(|r| r.answered > 0) {
                let share = row.rate.unwrap_or(0.0) as f32;
                ui.horizontal(|ui| {
                    ui.add_sized([180.0, 18.0], egui::Label::new(row.fraud_type.replace('_', " ")));
                    ui.add(
                        egui::ProgressBar::new(share)
                            .desired_width(220.0)
                            .text(format!("{} / {}", row.correct, row.answered)),
                    );
                });
            }
        }
    });
}
