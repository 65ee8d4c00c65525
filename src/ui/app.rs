use eframe::egui;
use tdverify_core::Light;

use super::StartOptions;
use super::screens::{
    CaseLink, CasesScreen, DocumentScreen, HomeAction, HomeScreen, SaveFailure, SaveRequest, SaveTrigger,
    SettingsScreen, SystemScreen, TrainingScreen, TrendsScreen,
};
use crate::i18n::Translator;
use crate::resources::Resources;
use crate::settings::{Settings, Theme};

/// The screens reachable from the navigation bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// Empty state: what to do first.
    Home,
    /// The document's images under each light.
    Document,
    /// The doctor's report on every subsystem.
    System,
    /// Language, data directory, scale, theme.
    Settings,
    /// Saved cases: login, list, detail, review, report.
    Cases,
    /// The trends dashboard over stations' DESC bundles.
    Trends,
    /// Practice sessions on fixture documents (trainees) and their results (trainers).
    Training,
    /// Users, retention, CSCAs, templates, trusted keys, station; the audit log (Auditor).
    Admin,
}

impl Screen {
    /// Navigation order, also the Ctrl+1… shortcuts.
    pub const ALL: [Screen; 8] = [
        Screen::Home,
        Screen::Document,
        Screen::System,
        Screen::Settings,
        Screen::Cases,
        Screen::Trends,
        Screen::Training,
        Screen::Admin,
    ];

    fn label_id(self) -> &'static str {
        match self {
            Screen::Home => "nav-home",
            Screen::Document => "nav-document",
            Screen::System => "nav-system",
            Screen::Settings => "nav-settings",
            Screen::Cases => "nav-cases",
            Screen::Trends => "nav-trends",
            Screen::Training => "nav-training",
            Screen::Admin => "nav-admin",
        }
    }

    /// Parses a screen name given on the command line.
    pub fn parse(name: &str) -> Option<Screen> {
        match name {
            "home" => Some(Screen::Home),
            "document" => Some(Screen::Document),
            "system" => Some(Screen::System),
            "settings" => Some(Screen::Settings),
            "cases" => Some(Screen::Cases),
            "trends" => Some(Screen::Trends),
            "training" => Some(Screen::Training),
            "admin" => Some(Screen::Admin),
            _ => None,
        }
    }
}

/// The whole application state: one struct per screen.
pub struct TdverifyApp {
    /// The screen shown.
    pub screen: Screen,
    /// Current settings (saved from the Settings screen).
    pub settings: Settings,
    tr: Translator,
    resources: Resources,
    /// Home screen state.
    pub home: HomeScreen,
    /// Document screen state.
    pub document: DocumentScreen,
    /// System screen state.
    pub system: SystemScreen,
    /// Settings screen state.
    pub settings_screen: SettingsScreen,
    /// Cases screen state (login, list, detail).
    pub cases: CasesScreen,
    /// Trends dashboard state.
    pub trends: TrendsScreen,
    /// Training state (a run in progress, the trainer's form and results).
    pub training: TrainingScreen,
    /// Administration state (one form per tab).
    pub admin: super::screens::admin::AdminScreen,
    /// The scanner hot folder the station watches: a complete set opens as a new inspection.
    pub hot_folder: super::hot_folder::HotFolderDesk,
    applied_look: Option<(f32, Theme)>,
    startup_probe: Option<std::time::Instant>,
    frames: u64,
    inspect_when_loaded: bool,
}

impl TdverifyApp {
    /// A new application window's state.
    pub fn new(settings: Settings, resources: Resources, start: StartOptions) -> TdverifyApp {
        let tr = Translator::new(&settings.language);
        let mut document = DocumentScreen::default();
        for (path, light) in &start.images {
            document.open(path.clone(), *light);
        }
        if let Some(bearer) = &start.bearer {
            document.face.open_bearer(bearer.clone());
        }
        // The chip panel verifies against the CSCAs imported into this station's data folder.
        document.chip.data_dir = Some(settings.data_dir.clone());
        document.inspection.data_dir = Some(settings.data_dir.clone());
        document.station = settings.station.clone();
        let screen = start.screen.unwrap_or(if start.images.is_empty() { Screen::Home } else { Screen::Document });
        TdverifyApp {
            screen,
            settings_screen: SettingsScreen::new(&settings, start.settings_file.clone()),
            cases: CasesScreen { station: settings.station.clone(), ..CasesScreen::new(settings.data_dir.clone()) },
            trends: TrendsScreen::new(settings.data_dir.clone()),
            training: TrainingScreen::new(settings.data_dir.clone(), &resources.fixtures),
            admin: Default::default(),
            hot_folder: super::hot_folder::HotFolderDesk::new(&settings.data_dir),
            settings,
            tr,
            home: HomeScreen::default(),
            document,
            system: SystemScreen::default(),
            resources,
            applied_look: None,
            startup_probe: start.startup_probe,
            frames: 0,
            inspect_when_loaded: start.inspect && !start.images.is_empty(),
        }
    }

    /// The same window with the guided flow's automatic stages off, as an officer who
    /// unticks "Stages start by themselves" has it: each inspection and chip read waits for
    /// its button (the UI tests of those buttons use it).
    pub fn with_manual_stages(mut self) -> TdverifyApp {
        self.document.flow.auto = false;
        self
    }

    /// Draws one frame (called by eframe, and by UI tests through egui_kittest).
    pub fn show(&mut self, ui: &mut egui::Ui) {
        self.apply_look(ui.ctx());
        self.handle_shortcuts(ui.ctx());
        self.handle_dropped_files(ui.ctx());
        self.open_hot_folder_set(ui.ctx());

        egui::Panel::left("navigation").resizable(false).exact_size(170.0).show(ui, |ui| {
            ui.add_space(8.0);
            ui.heading("tdverify");
            ui.add_space(12.0);
            for (index, screen) in Screen::ALL.into_iter().enumerate() {
                let label = self.tr.tr(screen.label_id());
                let response = ui
                    .add_sized([150.0, 28.0], egui::Button::selectable(self.screen == screen, label))
                    .on_hover_text(format!("Ctrl+{}", index + 1));
                if response.clicked() {
                    self.screen = screen;
                }
            }
            ui.add_space(12.0);
            self.hot_folder.show_status(ui, &self.tr);
        });

        // A practice run stays marked TRAINING whichever screen is shown.
        if self.training.run.is_some() && self.screen != Screen::Training {
            egui::Panel::top("training-banner").show(ui, |ui| super::screens::training::training_banner(ui, &self.tr));
        }
        egui::CentralPanel::default().show(ui, |ui| match self.screen {
            Screen::Home => {
                let fixtures_available = crate::samples::first_sample(&self.resources.fixtures).is_some();
                match self.home.show(ui, &self.tr, fixtures_available, &self.settings.data_dir) {
                    Some(HomeAction::OpenImages) => {
                        self.document.open_browser();
                        self.screen = Screen::Document;
                    }
                    Some(HomeAction::OpenSample) => {
                        if let Some(sample) = crate::samples::first_sample(&self.resources.fixtures) {
                            self.document.clear();
                            for (path, light) in sample.images {
                                self.document.open_on_page(path, Some(light), 0);
                            }
                            for (path, light) in sample.other_side {
                                self.document.open_on_page(path, Some(light), 1);
                            }
                            if let Some(bearer) = sample.bearer {
                                self.document.face.open_bearer(bearer);
                            }
                        }
                        self.screen = Screen::Document;
                    }
                    Some(HomeAction::CheckSystem) => self.screen = Screen::System,
                    None => {}
                }
            }
            Screen::Document => {
                let desk = self.cases.store.as_ref().zip(self.cases.session.as_ref());
                self.document.show(ui, &self.tr, &self.resources, desk)
            }
            Screen::System => {
                let desk = self.cases.store.as_ref().zip(self.cases.session.as_ref());
                self.system.show(ui, &self.tr, &self.resources, &self.settings.data_dir, desk)
            }
            Screen::Cases => {
                self.cases.show(ui, &self.tr);
                if let Some(case_id) = self.cases.saved_pending.take() {
                    self.document.case = CaseLink::Saved(case_id);
                    // The officer was sent here to log in while saving their decision: back to it.
                    if self.document.flow.decision_wanted {
                        self.screen = Screen::Document;
                    }
                }
            }
            Screen::Trends => {
                let desk = self.cases.store.as_ref().zip(self.cases.session.as_ref());
                self.trends.show(ui, &self.tr, desk);
            }
            Screen::Training => {
                let desk = self.cases.store.as_ref().zip(self.cases.session.as_ref());
                self.training.show(ui, &self.tr, &self.resources, desk);
            }
            Screen::Admin => {
                let desk = self.cases.store.as_ref().zip(self.cases.session.as_ref());
                self.admin.show(ui, &self.tr, &self.resources, &self.settings, desk);
            }
            Screen::Settings => {
                if let Some(saved) = self.settings_screen.show(ui, &self.tr) {
                    self.tr = Translator::new(&saved.language);
                    self.cases.station = saved.station.clone();
                    self.document.station = saved.station.clone();
                    self.settings = saved;
                }
            }
        });

        if self.inspect_when_loaded && !self.document.is_loading() && !self.document.face.is_busy() {
            self.inspect_when_loaded = false;
            if !self.document.slots.is_empty() {
                self.document.start_inspection(&self.resources);
                self.screen = Screen::Document;
            }
        }
        if self.inspect_when_loaded {
            ui.ctx().request_repaint_after(std::time::Duration::from_millis(50));
        }

        // Saved whatever screen is shown: an inspection can finish while the officer looks elsewhere.
        if let Some(request) = self.document.take_save_request() {
            self.save_inspection(request);
        }

        if ui.ctx().input(|i| !i.raw.hovered_files.is_empty()) {
            let screen = ui.ctx().content_rect();
            let painter =
                ui.ctx().layer_painter(egui::LayerId::new(egui::Order::Foreground, egui::Id::unique("drop-overlay")));
            painter.rect_filled(screen, 0.0, egui::Color32::from_black_alpha(160));
            painter.text(
                screen.center(),
                egui::Align2::CENTER_CENTER,
                self.tr.tr("drop-images-here"),
                egui::FontId::proportional(28.0),
                egui::Color32::WHITE,
            );
        }
    }

    /// Keeps the document's inspection as a case. With nobody logged in, an autosave
    /// waits quietly (the panel says "not saved"); the officer's own Save keeps the draft
    /// for the Cases screen and goes there to log in.
    fn save_inspection(&mut self, request: SaveRequest) {
        match self.cases.save_inspection(&request.draft, request.case_id.as_deref()) {
            Ok(case_id) => self.document.case = CaseLink::Saved(case_id),
            Err(SaveFailure::NotLoggedIn) => match request.trigger {
                SaveTrigger::Autosave => {
                    if self.document.case != CaseLink::WaitingForLogin {
                        self.document.case = CaseLink::Unsaved;
                    } else {
                        // Keep the pending draft current with the newest inspection.
                        self.cases.pending_save = Some(request.draft);
                    }
                }
                SaveTrigger::Officer => {
                    self.cases.pending_save = Some(request.draft);
                    self.document.case = CaseLink::WaitingForLogin;
                    self.screen = Screen::Cases;
                }
            },
            Err(SaveFailure::Store(message)) => self.document.case = CaseLink::Failed(message),
        }
    }

    fn apply_look(&mut self, ctx: &egui::Context) {
        let look = (self.settings.ui_scale, self.settings.theme);
        if self.applied_look == Some(look) {
            return;
        }
        ctx.set_zoom_factor(self.settings.ui_scale);
        ctx.set_theme(match self.settings.theme {
            Theme::System => egui::ThemePreference::System,
            Theme::Light => egui::ThemePreference::Light,
            Theme::Dark => egui::ThemePreference::Dark,
        });
        self.applied_look = Some(look);
    }

    fn handle_shortcuts(&mut self, ctx: &egui::Context) {
        let keys = [
            egui::Key::Num1,
            egui::Key::Num2,
            egui::Key::Num3,
            egui::Key::Num4,
            egui::Key::Num5,
            egui::Key::Num6,
            egui::Key::Num7,
            egui::Key::Num8,
        ];
        for (key, screen) in keys.into_iter().zip(Screen::ALL) {
            if ctx.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, key)) {
                self.screen = screen;
            }
        }
        // Ctrl+N: a new case, from any screen.
        if ctx.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::N)) {
            self.document.new_case();
            self.screen = Screen::Document;
        }
        if ctx.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::O)) {
            self.document.open_browser();
            self.screen = Screen::Document;
        }
    }

    /// A complete set from the scanner's hot folder opens as if the officer had opened its
    /// files by hand, and is inspected once loaded; the next set waits for this inspection.
    fn open_hot_folder_set(&mut self, ctx: &egui::Context) {
        let ready = !self.inspect_when_loaded && !self.document.is_loading() && !self.document.inspection.is_running();
        let Some(set) = self.hot_folder.poll(ctx, ready) else { return };
        self.document.clear();
        for file in set.files {
            self.document.open_on_page(file.path, Some(file.light), if file.side == 0 { 0 } else { 1 });
        }
        self.inspect_when_loaded = true;
        self.screen = Screen::Document;
    }

    fn handle_dropped_files(&mut self, ctx: &egui::Context) {
        let dropped: Vec<std::path::PathBuf> = ctx.input(|i| {
            i.raw.dropped_files.iter().map(|f| f.path().to_path_buf()).filter(|p| !p.as_os_str().is_empty()).collect()
        });
        if dropped.is_empty() {
            return;
        }
        for path in dropped {
            self.document.open(path, None::<Light>);
        }
        self.screen = Screen::Document;
    }
}

impl eframe::App for TdverifyApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
        self.frames += 1;
        // The first frame is laid out, the second is the first one painted on screen.
        if let Some(started) = self.startup_probe
            && self.frames == 2
        {
            println!("first frame after {:.1} ms", started.elapsed().as_secs_f64() * 1e3);
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
        }
        if self.startup_probe.is_some() {
            ui.ctx().request_repaint();
        }
    }

    /// A window closed during an inspection waits for it (at most a minute) before the
    /// process ends: a process that ends while ONNX Runtime works on another thread
    /// crashes at exit. Nothing is lost either way (a case is saved only from a finished
    /// inspection).
    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.document.inspection.stop_at_exit();
    }
}
