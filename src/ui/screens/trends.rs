//! The Trends screen: the dashboard a supervisor or analyst reads offline from the DESC
//! bundles stations export. A filter bar (period, region, reporting country, border type,
//! fraud type, document category, issuing state, plus whatever a click pinned) drives
//! seven views and the risk alerts; clicking a bar or a cell pins its value
//! (cross-filtering). Counts below k come from the library already hidden (`<k`): this
//! screen only draws what `tdverify::trends` returns, and recomputes the views only when
//! the filter changes, so a frame only paints.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, TryRecvError};

use eframe::egui::{self, Color32, RichText, Sense, Stroke};

use crate::i18n::Translator;
use crate::store::{KeyPurpose, Session, Store};
use crate::trends::{AlertReport, Count, Dimension, Filter, Grid, Ranking, Trends, TrendsError, TrustedKey, View};

/// The views, one tab each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrendsTab {
    /// Detections over time, stacked by fraud type.
    OverTime,
    /// Issuing states most linked to fraud, with their change.
    IssuingStates,
    /// Issuing state × nationality claimed.
    WhoUsesWhose,
    /// Embarkation → transit → destination.
    Routes,
    /// Sex × age band.
    Demographics,
    /// Forgery methods, failed checks, detection stage.
    ModusOperandi,
    /// Choropleth of issuing states.
    Map,
    /// Risk alerts with their evidence.
    Alerts,
}

impl TrendsTab {
    /// Every tab in order.
    pub const ALL: [TrendsTab; 8] = [
        TrendsTab::OverTime,
        TrendsTab::IssuingStates,
        TrendsTab::WhoUsesWhose,
        TrendsTab::Routes,
        TrendsTab::Demographics,
        TrendsTab::ModusOperandi,
        TrendsTab::Map,
        TrendsTab::Alerts,
    ];

    fn label_id(self) -> &'static str {
        match self {
            TrendsTab::OverTime => "trends-tab-time",
            TrendsTab::IssuingStates => "trends-tab-states",
            TrendsTab::WhoUsesWhose => "trends-tab-heatmap",
            TrendsTab::Routes => "trends-tab-routes",
            TrendsTab::Demographics => "trends-tab-demographics",
            TrendsTab::ModusOperandi => "trends-tab-modus",
            TrendsTab::Map => "trends-tab-map",
            TrendsTab::Alerts => "trends-tab-alerts",
        }
    }

    /// File name stem of the view's CSV.
    fn file_stem(self) -> &'static str {
        match self {
            TrendsTab::OverTime => "detections_over_time",
            TrendsTab::IssuingStates => "issuing_states",
            TrendsTab::WhoUsesWhose => "issuing_state_by_nationality",
            TrendsTab::Routes => "routes",
            TrendsTab::Demographics => "sex_by_age_band",
            TrendsTab::ModusOperandi => "modus_operandi",
            TrendsTab::Map => "map_issuing_states",
            TrendsTab::Alerts => "alerts",
        }
    }
}

/// The filter bar's fixed dimensions (the list), each a drop-down.
const FILTER_BAR: [Dimension; 6] = [
    Dimension::Region,
    Dimension::Country,
    Dimension::BorderType,
    Dimension::FraudType,
    Dimension::DocumentCategory,
    Dimension::IssuingState,
];

/// Every view of one filter, computed once when the filter changes.
pub struct TrendsViews {
    /// Month × fraud type.
    pub over_time: Grid,
    /// Issuing states with their change.
    pub ranking: Ranking,
    /// Issuing state × nationality claimed.
    pub who_uses_whose: Grid,
    /// Routes.
    pub routes: View,
    /// Sex × age band.
    pub demographics: Grid,
    /// Forgery methods.
    pub methods: View,
    /// Failed checks.
    pub failed_checks: View,
    /// Detection stage (the SLTD hit share among them).
    pub stages: View,
    /// Issuing states, for the map.
    pub issuing_states: View,
    /// Alerts.
    pub alerts: AlertReport,
    /// The values each filter drop-down offers (from the whole period's data).
    pub choices: Vec<(Dimension, Vec<String>)>,
}

/// The screen's state.
pub struct TrendsScreen {
    /// Where `trends.sqlite` lives.
    pub data_dir: PathBuf,
    /// The opened database (or why it could not be opened); `None` while lent to an import.
    pub trends: Option<Result<Trends, String>>,
    /// The filter every view shares.
    pub filter: Filter,
    /// The period fields as typed (`YYYY-MM`), applied when valid.
    pub from_text: String,
    /// As `from_text`.
    pub to_text: String,
    /// The tab shown.
    pub tab: TrendsTab,
    /// The views of the current filter (`None`: to recompute).
    pub views: Option<Result<TrendsViews, String>>,
    /// Bundle folders to import (a folder of bundles, or one bundle), as typed.
    pub import_path: String,
    /// The last import's outcome, in words.
    pub import_message: Option<Result<String, String>>,
    importing: Option<Receiver<(Trends, Result<String, String>)>>,
    /// Folder the CSV and report files are written to.
    pub output_dir: String,
    /// The last output written, or why not.
    pub output_message: Option<Result<String, String>>,
    /// How long the last recomputation of the views took (shown, and read by the bench).
    pub last_compute_ms: f64,
    /// The world map's country outlines (embedded in the library), loaded at first use.
    map: Option<Result<crate::trends::WorldMap, String>>,
}

impl TrendsScreen {
    /// A screen over the trends database in `data_dir` (opened at first show).
    pub fn new(data_dir: PathBuf) -> TrendsScreen {
        let output_dir = data_dir.join("trends-output").display().to_string();
        TrendsScreen {
            data_dir,
            trends: None,
            filter: Filter::all(),
            from_text: String::new(),
            to_text: String::new(),
            tab: TrendsTab::OverTime,
            views: None,
            import_path: String::new(),
            import_message: None,
            importing: None,
            output_dir,
            output_message: None,
            last_compute_ms: 0.0,
            map: None,
        }
    }

    /// Whether an import is running.
    pub fn is_importing(&self) -> bool {
        self.importing.is_some()
    }

    fn open(&mut self) {
        if self.trends.is_none() && self.importing.is_none() {
            self.trends = Some(Trends::open(&self.data_dir).map_err(|e| e.to_string()));
            self.views = None;
        }
    }

    /// Recomputes every view for the current filter (a few ms each over a million records).
    pub fn recompute(&mut self) {
        let Some(Ok(trends)) = &self.trends else { return };
        let started = std::time::Instant::now();
        self.views = Some(compute_views(trends, &self.filter).map_err(|e| e.to_string()));
        self.last_compute_ms = started.elapsed().as_secs_f64() * 1000.0;
    }

    /// Pins or unpins a value (a click on a bar, a cell or a country) and recomputes.
    pub fn toggle(&mut self, dimension: Dimension, value: &str) {
        self.filter.toggle(dimension, value);
        self.views = None;
    }

    /// Starts importing the bundles under `import_path` off the UI thread, verified against
    /// the reporting stations the administrator trusts.
    fn start_import(&mut self, tr: &Translator, trusted: Vec<TrustedKey>) {
        let Some(Ok(mut trends)) = self.trends.take() else { return };
        let bundles = bundle_folders(Path::new(self.import_path.trim()));
        let (sender, receiver) = mpsc::channel();
        let (imported_word, already_word, refused_word) =
            (tr.tr("trends-imported"), tr.tr("trends-already-imported"), tr.tr("trends-refused"));
        let spawned = std::thread::Builder::new().name("trends-import".into()).spawn(move || {
            let mut lines = Vec::new();
            let (mut refused, mut already) = (0, 0);
            if bundles.is_empty() {
                let _ = sender.send((trends, Err("no bundle folder (with manifest.json) found there".to_string())));
                return;
            }
            for bundle in &bundles {
                let name = bundle.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                match trends.import_bundle(bundle, &trusted) {
                    Ok(outcome) if outcome.already_imported => {
                        already += 1;
                        lines.push(format!("{already_word}: {name}"));
                    }
                    Ok(outcome) => lines.push(format!(
                        "{imported_word}: {name} ({}, {}, {} records)",
                        outcome.bundle.station_id, outcome.bundle.period, outcome.bundle.records
                    )),
                    Err(e) => {
                        refused += 1;
                        lines.push(format!("{refused_word}: {name}: {e}"));
                    }
                }
            }
            // First line: the counts, so twenty bundles do not push the views off the screen;
            // the per-bundle lines follow, shown on demand.
            let imported = lines.len() - refused - already;
            let mut text =
                format!("{imported_word}: {imported} · {already_word}: {already} · {refused_word}: {refused}");
            for line in &lines {
                text.push('\n');
                text.push_str(line);
            }
            let _ = sender.send((trends, if refused == 0 { Ok(text) } else { Err(text) }));
        });
        match spawned {
            Ok(_) => {
                self.importing = Some(receiver);
                self.import_message = None;
            }
            Err(e) => self.import_message = Some(Err(e.to_string())),
        }
    }

    /// Draws the screen. `desk` is the logged-in user's store (for the trusted station keys).
    pub fn show(&mut self, ui: &mut egui::Ui, tr: &Translator, desk: Option<(&Store, &Session)>) {
        self.open();
        if let Some(receiver) = &self.importing {
            match receiver.try_recv() {
                Ok((trends, message)) => {
                    self.trends = Some(Ok(trends));
                    self.importing = None;
                    self.import_message = Some(message);
                    self.views = None;
                }
                Err(TryRecvError::Empty) => {
                    ui.heading(tr.tr("trends-title"));
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label(tr.tr("trends-importing"));
                    });
                    ui.ctx().request_repaint_after(std::time::Duration::from_millis(100));
                    return;
                }
                Err(TryRecvError::Disconnected) => {
                    self.importing = None;
                    self.import_message = Some(Err(tr.tr("trends-import-crashed")));
                    self.trends = None;
                }
            }
        }
        ui.heading(tr.tr("trends-title"));
        match &self.trends {
            Some(Err(e)) => {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    tr.tr_args("trends-open-failed", &[("reason", e.clone())]),
                );
                return;
            }
            None => return,
            Some(Ok(_)) => {}
        }
        self.show_data_bar(ui, tr, desk);
        if self.trends.as_ref().is_some_and(|t| t.as_ref().is_ok_and(|t| t.records() == 0)) {
            ui.label(RichText::new(tr.tr("trends-empty")).weak());
            return;
        }
        if self.views.is_none() {
            self.recompute();
        }
        self.show_filter_bar(ui, tr);
        ui.separator();
        ui.horizontal_wrapped(|ui| {
            for tab in TrendsTab::ALL {
                if ui.add(egui::Button::selectable(self.tab == tab, tr.tr(tab.label_id()))).clicked() {
                    self.tab = tab;
                }
            }
        });
        ui.separator();
        let Some(views) = self.views.take() else { return };
        let views = match views {
            Ok(views) => views,
            Err(message) => {
                ui.colored_label(ui.visuals().error_fg_color, &message);
                self.views = Some(Err(message));
                return;
            }
        };
        let mut clicked: Vec<(Dimension, String)> = Vec::new();
        egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
            clicked = self.show_tab(ui, tr, &views);
        });
        self.views = Some(Ok(views));
        for (dimension, value) in clicked {
            self.toggle(dimension, &value);
        }
    }

    /// Database summary, import and outputs.
    fn show_data_bar(&mut self, ui: &mut egui::Ui, tr: &Translator, desk: Option<(&Store, &Session)>) {
        let Some(Ok(trends)) = &self.trends else { return };
        let (records, bundles, k) = (trends.records(), trends.bundles().len(), trends.k());
        ui.label(tr.tr_args(
            "trends-summary",
            &[("records", records.to_string()), ("bundles", bundles.to_string()), ("k", k.to_string())],
        ));
        let trusted = desk.and_then(|(store, _)| store.trusted_keys(KeyPurpose::TrendStation).ok());
        ui.horizontal(|ui| {
            let label = ui.label(tr.tr("trends-import-path"));
            ui.add(egui::TextEdit::singleline(&mut self.import_path).desired_width(380.0)).labelled_by(label.id);
            let ready = !self.import_path.trim().is_empty() && trusted.is_some();
            let button = ui.add_enabled(ready, egui::Button::new(tr.tr("trends-import")));
            if trusted.is_none() {
                ui.label(RichText::new(tr.tr("trends-import-login")).weak());
            }
            if button.clicked()
                && let Some(keys) = &trusted
            {
                let keys: Vec<TrustedKey> =
                    keys.iter().map(|k| TrustedKey { label: k.label.clone(), key: k.public_key.clone() }).collect();
                self.start_import(tr, keys);
            }
        });
        if let Some(keys) = &trusted
            && keys.is_empty()
        {
            ui.colored_label(ui.visuals().warn_fg_color, tr.tr("trends-no-trusted-station"));
        }
        // A Supervisor adds the station's own cases of the filter's period (anonymised as
        // an export is; they stay on this machine).
        if let Some((store, session)) = desk
            && session.may(crate::store::Permission::ExportMetadata)
        {
            let period = self.filter.from.clone().zip(self.filter.to.clone());
            ui.horizontal(|ui| {
                let button = ui.add_enabled(period.is_some(), egui::Button::new(tr.tr("trends-import-own")));
                if period.is_none() {
                    ui.label(RichText::new(tr.tr("trends-import-own-period")).weak());
                }
                if button.clicked()
                    && let Some((from, to)) = &period
                    && let Some(Ok(trends)) = &mut self.trends
                {
                    self.import_message = Some(
                        crate::trends_station::import_own_cases(store, session, trends, from, to)
                            .map(|own| {
                                tr.tr_args(
                                    "trends-own-imported",
                                    &[
                                        ("records", own.outcome.bundle.records.to_string()),
                                        ("period", own.outcome.bundle.period.clone()),
                                    ],
                                )
                            })
                            .map_err(|e| e.to_string()),
                    );
                    self.views = None;
                }
            });
        }
        if let Some(message) = &self.import_message {
            let (text, failed) = match message {
                Ok(text) => (text, false),
                Err(text) => (text, true),
            };
            let (headline, details) = text.split_once('\n').unwrap_or((text.as_str(), ""));
            ui.horizontal(|ui| {
                if failed {
                    ui.colored_label(ui.visuals().error_fg_color, headline);
                } else {
                    ui.label(headline);
                }
            });
            // A refused bundle is never hidden behind a fold.
            let refused_word = tr.tr("trends-refused");
            for line in details.lines().filter(|line| line.starts_with(refused_word.as_str())) {
                ui.colored_label(ui.visuals().error_fg_color, line);
            }
            if !details.is_empty() {
                egui::CollapsingHeader::new(tr.tr("trends-import-details")).default_open(false).show(ui, |ui| {
                    egui::ScrollArea::vertical().id_salt("trends-import-details").max_height(160.0).show(ui, |ui| {
                        for line in details.lines() {
                            ui.label(line);
                        }
                    });
                });
            }
        }
    }

    /// Period, the fixed drop-downs and the pins a click added.
    fn show_filter_bar(&mut self, ui: &mut egui::Ui, tr: &Translator) {
        let choices: Vec<(Dimension, Vec<String>)> =
            self.views.as_ref().and_then(|v| v.as_ref().ok()).map(|v| v.choices.clone()).unwrap_or_default();
        let mut changed = false;
        let span = self.trends.as_ref().and_then(|t| t.as_ref().ok()).and_then(|t| t.months());
        ui.horizontal_wrapped(|ui| {
            // A quarter or a year in one pick; From and To stay editable for any other range.
            if let Some((first, last)) = &span {
                let label = ui.label(tr.tr("trends-period"));
                let current = period_label(self.filter.from.as_deref(), self.filter.to.as_deref());
                let shown = current.clone().unwrap_or_else(|| {
                    if self.filter.from.is_none() && self.filter.to.is_none() {
                        tr.tr("trends-all")
                    } else {
                        "…".into()
                    }
                });
                let mut picked: Option<Option<(String, String)>> = None;
                egui::ComboBox::from_id_salt("trends-period")
                    .selected_text(shown)
                    .show_ui(ui, |ui| {
                        if ui
                            .selectable_label(
                                self.filter.from.is_none() && self.filter.to.is_none(),
                                tr.tr("trends-all"),
                            )
                            .clicked()
                        {
                            picked = Some(None);
                        }
                        for (name, from, to) in periods_between(first, last) {
                            if ui.selectable_label(current.as_deref() == Some(name.as_str()), &name).clicked() {
                                picked = Some(Some((from, to)));
                            }
                        }
                    })
                    .response
                    .labelled_by(label.id);
                if let Some(choice) = picked {
                    let (from, to) = choice.map(|(f, t)| (Some(f), Some(t))).unwrap_or((None, None));
                    self.from_text = from.clone().unwrap_or_default();
                    self.to_text = to.clone().unwrap_or_default();
                    self.filter.from = from;
                    self.filter.to = to;
                    changed = true;
                }
            }
            let from = ui.label(tr.tr("trends-from"));
            let from_edit =
                ui.add(egui::TextEdit::singleline(&mut self.from_text).hint_text("YYYY-MM").desired_width(70.0));
            let from_edit = from_edit.labelled_by(from.id);
            let to = ui.label(tr.tr("trends-to"));
            let to_edit =
                ui.add(egui::TextEdit::singleline(&mut self.to_text).hint_text("YYYY-MM").desired_width(70.0));
            let to_edit = to_edit.labelled_by(to.id);
            if from_edit.changed() || to_edit.changed() {
                let valid = |t: &str| t.trim().is_empty() || is_month(t.trim());
                if valid(&self.from_text) && valid(&self.to_text) {
                    let text = |t: &str| Some(t.trim().to_string()).filter(|t| !t.is_empty());
                    self.filter.from = text(&self.from_text);
                    self.filter.to = text(&self.to_text);
                    changed = true;
                }
            }
            for (dimension, values) in &choices {
                let label = ui.label(tr.tr(&format!("trends-dim-{}", dimension.as_str())));
                let current: Vec<String> =
                    self.filter.pins.iter().filter(|(d, _)| d == dimension).map(|(_, v)| v.clone()).collect();
                let shown = if current.is_empty() { tr.tr("trends-all") } else { current.join(", ") };
                let mut picked: Option<Option<String>> = None;
                egui::ComboBox::from_id_salt(("trends-filter", dimension.as_str()))
                    .selected_text(shown)
                    .show_ui(ui, |ui| {
                        if ui.selectable_label(current.is_empty(), tr.tr("trends-all")).clicked() {
                            picked = Some(None);
                        }
                        for value in values {
                            if ui.selectable_label(current.contains(value), value).clicked() {
                                picked = Some(Some(value.clone()));
                            }
                        }
                    })
                    .response
                    .labelled_by(label.id);
                if let Some(choice) = picked {
                    self.filter.pins.retain(|(d, _)| d != dimension);
                    if let Some(value) = choice {
                        self.filter = std::mem::take(&mut self.filter).pin(*dimension, &value);
                    }
                    changed = true;
                }
            }
        });
        // Pins a click added on dimensions outside the bar: shown as removable chips.
        let extra: Vec<(Dimension, String)> =
            self.filter.pins.iter().filter(|(d, _)| !FILTER_BAR.contains(d)).cloned().collect();
        if !extra.is_empty() || !self.filter.pins.is_empty() || self.filter.from.is_some() || self.filter.to.is_some() {
            ui.horizontal_wrapped(|ui| {
                for (dimension, value) in &extra {
                    let text =
                        format!("{} = {}  x", tr.tr(&format!("trends-dim-{}", dimension.as_str())), shown(value));
                    if ui.button(text).on_hover_text(tr.tr("trends-unpin")).clicked() {
                        self.filter.toggle(*dimension, value);
                        changed = true;
                    }
                }
                if ui.button(tr.tr("trends-clear-filters")).clicked() {
                    self.filter = Filter::all();
                    self.from_text.clear();
                    self.to_text.clear();
                    changed = true;
                }
            });
        }
        if changed {
            self.views = None;
            self.recompute();
        }
    }

    /// The tab's view, its outputs, and the value clicked (to pin).
    fn show_tab(&mut self, ui: &mut egui::Ui, tr: &Translator, views: &TrendsViews) -> Vec<(Dimension, String)> {
        let mut clicked = Vec::new();
        ui.horizontal(|ui| {
            let label = ui.label(tr.tr("trends-output-dir"));
            ui.add(egui::TextEdit::singleline(&mut self.output_dir).desired_width(320.0)).labelled_by(label.id);
            if ui.button(tr.tr("trends-save-csv")).clicked() {
                self.output_message = Some(self.save_csv(views));
            }
            if ui.button(tr.tr("trends-save-png")).clicked() {
                self.output_message = Some(self.save_png());
            }
            if ui.button(tr.tr("trends-save-report")).clicked() {
                self.output_message = Some(self.save_report());
            }
        });
        match &self.output_message {
            Some(Ok(text)) => {
                ui.label(text);
            }
            Some(Err(text)) => {
                ui.colored_label(ui.visuals().error_fg_color, text);
            }
            None => {}
        }
        ui.add_space(6.0);
        match self.tab {
            TrendsTab::OverTime => {
                ui.label(RichText::new(tr.tr("trends-time-title")).strong());
                clicked.extend(stacked_columns(ui, tr, &views.over_time));
            }
            TrendsTab::IssuingStates => {
                ui.label(RichText::new(tr.tr("trends-states-title")).strong());
                clicked.extend(ranking_rows(ui, tr, &views.ranking));
            }
            TrendsTab::WhoUsesWhose => {
                ui.label(RichText::new(tr.tr("trends-heatmap-title")).strong());
                clicked.extend(heat_map(ui, tr, &views.who_uses_whose, 30));
            }
            TrendsTab::Routes => {
                ui.label(RichText::new(tr.tr("trends-routes-title")).strong());
                clicked.extend(bar_rows(ui, tr, &views.routes, 25));
            }
            TrendsTab::Demographics => {
                ui.label(RichText::new(tr.tr("trends-demographics-title")).strong());
                clicked.extend(heat_map(ui, tr, &views.demographics, 20));
            }
            TrendsTab::ModusOperandi => {
                ui.label(RichText::new(tr.tr("trends-methods-title")).strong());
                clicked.extend(bar_rows(ui, tr, &views.methods, 15));
                ui.add_space(8.0);
                ui.label(RichText::new(tr.tr("trends-checks-title")).strong());
                clicked.extend(bar_rows(ui, tr, &views.failed_checks, 15));
                ui.add_space(8.0);
                ui.label(RichText::new(tr.tr("trends-stages-title")).strong());
                clicked.extend(bar_rows(ui, tr, &views.stages, 10));
            }
            TrendsTab::Map => {
                ui.label(RichText::new(tr.tr("trends-map-title")).strong());
                let map = self.map.get_or_insert_with(|| {
                    crate::trends::WorldMap::embedded(crate::trends::Projection::NaturalEarth)
                        .map_err(|e| e.to_string())
                });
                match map {
                    Ok(map) => clicked.extend(world_map(ui, tr, map, &views.issuing_states)),
                    Err(e) => {
                        ui.colored_label(ui.visuals().error_fg_color, e.as_str());
                    }
                }
                ui.add_space(8.0);
                clicked.extend(bar_rows(ui, tr, &views.issuing_states, 15));
            }
            TrendsTab::Alerts => clicked.extend(show_alerts(ui, tr, &views.alerts)),
        }
        clicked
    }

    /// The report crate's input for the current filter (the same suppressed views).
    fn report_input(&self) -> Result<crate::report::TrendReportInput, String> {
        let Some(Ok(trends)) = &self.trends else { return Err("no trends database".into()) };
        crate::report::TrendReportInput::from_trends(trends, &self.filter, "National trend report")
            .map_err(|e| e.to_string())
    }

    /// Writes the current tab's view as PNG (the alerts tab: every view).
    fn save_png(&self) -> Result<String, String> {
        let dir = PathBuf::from(self.output_dir.trim());
        std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        let input = self.report_input()?;
        let font = crate::report::ReportFont::system().map_err(|e| e.to_string())?;
        let view = match self.tab {
            TrendsTab::OverTime => crate::report::TrendView::TimeSeries,
            TrendsTab::IssuingStates => crate::report::TrendView::IssuingStates,
            TrendsTab::WhoUsesWhose => crate::report::TrendView::StateByNationality,
            TrendsTab::Routes => crate::report::TrendView::Routes,
            TrendsTab::Demographics => crate::report::TrendView::Demographics,
            TrendsTab::ModusOperandi => crate::report::TrendView::ModusOperandi,
            TrendsTab::Map => crate::report::TrendView::Map,
            TrendsTab::Alerts => {
                let files = crate::report::write_view_pngs(&dir, &input, &font).map_err(|e| e.to_string())?;
                return Ok(format!("{} PNG files in {}", files.len(), dir.display()));
            }
        };
        let png = crate::report::render_view_png(view, &input, &font).map_err(|e| e.to_string())?;
        let path = dir.join(format!("trends-{}.png", view.slug()));
        std::fs::write(&path, png).map_err(|e| format!("writing {}: {e}", path.display()))?;
        Ok(path.display().to_string())
    }

    /// Writes the national trend report (PDF) of the current filter.
    fn save_report(&self) -> Result<String, String> {
        let dir = PathBuf::from(self.output_dir.trim());
        std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        let input = self.report_input()?;
        let path = dir.join("national-trend-report.pdf");
        crate::report::write_trend_report(&path, &input).map_err(|e| e.to_string())?;
        Ok(path.display().to_string())
    }

    /// Writes the current tab's view as CSV (suppressed cells as `<k`).
    fn save_csv(&self, views: &TrendsViews) -> Result<String, String> {
        let dir = PathBuf::from(self.output_dir.trim());
        std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        let text = match self.tab {
            TrendsTab::OverTime => crate::trends::grid_csv(&views.over_time),
            TrendsTab::IssuingStates => crate::trends::ranking_csv(&views.ranking),
            TrendsTab::WhoUsesWhose => crate::trends::grid_csv(&views.who_uses_whose),
            TrendsTab::Routes => crate::trends::view_csv(&views.routes),
            TrendsTab::Demographics => crate::trends::grid_csv(&views.demographics),
            TrendsTab::ModusOperandi => [&views.methods, &views.failed_checks, &views.stages]
                .into_iter()
                .map(crate::trends::view_csv)
                .collect::<Vec<_>>()
                .join("\n"),
            TrendsTab::Map => crate::trends::view_csv(&views.issuing_states),
            TrendsTab::Alerts => serde_json::to_string_pretty(&views.alerts).map_err(|e| e.to_string())?,
        };
        let extension = if self.tab == TrendsTab::Alerts { "json" } else { "csv" };
        let path = dir.join(format!("{}.{extension}", self.tab.file_stem()));
        std::fs::write(&path, text).map_err(|e| format!("writing {}: {e}", path.display()))?;
        Ok(format!("{}", path.display()))
    }
}

/// Whether `text` is a `YYYY-MM` month (the period fields apply only once it is).
/// The quarters (newest first) and then the years that the months `first..=last` touch,
/// each as (name, first month, last month).
fn periods_between(first: &str, last: &str) -> Vec<(String, String, String)> {
    use crate::trends::{month_index, month_label, quarter_label};
    let (Some(first), Some(last)) = (month_index(first), month_index(last)) else { return Vec::new() };
    if first > last || last - first > 50 * 12 {
        return Vec::new();
    }
    let quarters = (first - first % 3..=last - last % 3).rev().step_by(3);
    let mut periods: Vec<(String, String, String)> =
        quarters.map(|q| (quarter_label(q), month_label(q), month_label(q + 2))).collect();
    periods
        .extend((first / 12..=last / 12).rev().map(|y| (y.to_string(), month_label(y * 12), month_label(y * 12 + 11))));
    periods
}

/// The name of the period `from..=to` when it is exactly a quarter or a year.
fn period_label(from: Option<&str>, to: Option<&str>) -> Option<String> {
    let (from, to) = (crate::trends::month_index(from?)?, crate::trends::month_index(to?)?);
    if from % 12 == 0 && to == from + 11 {
        Some((from / 12).to_string())
    } else if from % 3 == 0 && to == from + 2 {
        Some(crate::trends::quarter_label(from))
    } else {
        None
    }
}

fn is_month(text: &str) -> bool {
    crate::trends::month_index(text).is_some()
}

/// A key as drawn: egui's font has no arrow, so a route's `→` is drawn as `>`.
fn shown(key: &str) -> String {
    key.replace('→', " > ")
}

/// Every bundle folder at `path`: the folder itself when it holds a manifest, otherwise
/// its sub-folders that do (a USB stick with one folder per station).
pub fn bundle_folders(path: &Path) -> Vec<PathBuf> {
    if path.join("manifest.json").is_file() {
        return vec![path.to_path_buf()];
    }
    let mut folders: Vec<PathBuf> = std::fs::read_dir(path)
        .map(|entries| entries.flatten().map(|e| e.path()).filter(|p| p.join("manifest.json").is_file()).collect())
        .unwrap_or_default();
    folders.sort();
    folders
}

/// Computes every view of `filter`.
pub fn compute_views(trends: &Trends, filter: &Filter) -> Result<TrendsViews, TrendsError> {
    // The drop-downs offer what the period holds, whatever else is pinned.
    let period_only = Filter { pins: Vec::new(), ..filter.clone() };
    let mut choices = Vec::new();
    for dimension in FILTER_BAR {
        let view = trends.query(dimension, &period_only)?;
        let mut values: Vec<String> = view.rows.into_iter().map(|r| r.key).collect();
        values.sort();
        choices.push((dimension, values));
    }
    Ok(TrendsViews {
        over_time: trends.time_series(Dimension::Month, filter)?,
        ranking: trends.ranked_issuing_states(filter)?,
        who_uses_whose: trends.heatmap(Dimension::IssuingState, Dimension::Nationality, filter)?,
        routes: trends.query(Dimension::Route, filter)?,
        demographics: trends.heatmap(Dimension::Sex, Dimension::AgeBand, filter)?,
        methods: trends.query(Dimension::ForgeryMethod, filter)?,
        failed_checks: trends.query(Dimension::FailedCheck, filter)?,
        stages: trends.query(Dimension::DetectionStage, filter)?,
        issuing_states: trends.query(Dimension::IssuingState, filter)?,
        alerts: trends.alerts(filter)?,
        choices,
    })
}

/// Colours of a stacked series, cycled.
const PALETTE: [Color32; 8] = [
    Color32::from_rgb(0x4e, 0x79, 0xa7),
    Color32::from_rgb(0xf2, 0x8e, 0x2b),
    Color32::from_rgb(0xe1, 0x57, 0x59),
    Color32::from_rgb(0x76, 0xb7, 0xb2),
    Color32::from_rgb(0x59, 0xa1, 0x4f),
    Color32::from_rgb(0xed, 0xc9, 0x48),
    Color32::from_rgb(0xb0, 0x7a, 0xa1),
    Color32::from_rgb(0x9c, 0x75, 0x5f),
];

/// Grey of hidden (`<k`) amounts.
const HIDDEN: Color32 = Color32::from_gray(110);

/// One clickable horizontal bar with its label and count; a hidden count is drawn as a
/// short grey stub with `<k`, never at a length that would tell it.
fn bar_row(ui: &mut egui::Ui, label: &str, count: Count, max: u64, color: Color32) -> egui::Response {
    let width = ui.available_width().clamp(200.0, 900.0);
    let (rect, response) = ui.allocate_exact_size(egui::vec2(width, 20.0), Sense::click());
    let text = format!("{label}: {}", count.text());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &text));
    let painter = ui.painter_at(rect);
    let label_width = (width * 0.38).min(320.0);
    let bar_space = rect.width() - label_width - 60.0;
    let font = egui::FontId::proportional(13.0);
    let text_color = ui.visuals().text_color();
    painter.text(rect.left_center() + egui::vec2(2.0, 0.0), egui::Align2::LEFT_CENTER, label, font.clone(), text_color);
    let bar_left = rect.left() + label_width;
    let (length, fill) = match count {
        Count::Value(n) => (bar_space * n as f32 / max.max(1) as f32, color),
        Count::Suppressed => (6.0, HIDDEN),
    };
    let bar = egui::Rect::from_min_size(egui::pos2(bar_left, rect.top() + 3.0), egui::vec2(length.max(1.0), 14.0));
    painter.rect_filled(bar, 2.0, if response.hovered() { fill.gamma_multiply(1.3) } else { fill });
    painter.text(bar.right_center() + egui::vec2(6.0, 0.0), egui::Align2::LEFT_CENTER, count.text(), font, text_color);
    response.on_hover_text(text)
}

/// A view's rows as bars, largest first (at most `limit`); returns the clicked key.
fn bar_rows(ui: &mut egui::Ui, tr: &Translator, view: &View, limit: usize) -> Option<(Dimension, String)> {
    ui.label(
        RichText::new(tr.tr_args("trends-total", &[("total", view.total.text()), ("k", view.k.to_string())])).weak(),
    );
    let max = view.rows.iter().filter_map(|r| r.count.value()).max().unwrap_or(1);
    let mut clicked = None;
    for row in view.rows.iter().take(limit) {
        if bar_row(ui, &shown(&row.key), row.count, max, PALETTE[0]).clicked() {
            clicked = Some((view.dimension, row.key.clone()));
        }
    }
    if view.rows.len() > limit {
        ui.label(RichText::new(tr.tr_args("trends-more", &[("n", (view.rows.len() - limit).to_string())])).weak());
    }
    clicked
}

/// The ranking with the change against the previous period.
fn ranking_rows(ui: &mut egui::Ui, tr: &Translator, ranking: &Ranking) -> Option<(Dimension, String)> {
    ui.label(
        RichText::new(tr.tr_args(
            "trends-ranking-periods",
            &[("current", ranking.period.clone()), ("previous", ranking.previous_period.clone())],
        ))
        .weak(),
    );
    // Nothing at all in the previous period (no bundle covers it): no change to show.
    let nothing_before = ranking.previous_is_empty();
    if nothing_before {
        ui.label(RichText::new(tr.tr("trends-ranking-no-previous")).weak());
    }
    let max = ranking.rows.iter().filter_map(|r| r.count.value()).max().unwrap_or(1);
    let mut clicked = None;
    for row in ranking.rows.iter().take(30) {
        if nothing_before {
            if bar_row(ui, &row.key, row.count, max, PALETTE[2]).clicked() {
                clicked = Some((Dimension::IssuingState, row.key.clone()));
            }
            continue;
        }
        let change = match row.change {
            crate::trends::Change::Value(n) if n > 0 => format!("+{n}"),
            crate::trends::Change::Value(n) => n.to_string(),
            crate::trends::Change::Suppressed => "<k".to_string(),
        };
        let label = format!("{}  ({} {change})", row.key, tr.tr("trends-change"));
        if bar_row(ui, &label, row.count, max, PALETTE[2]).clicked() {
            clicked = Some((Dimension::IssuingState, row.key.clone()));
        }
    }
    clicked
}

/// A heat map: rows × columns (at most `limit` each), shade by count, hidden cells grey
/// with `<k`. A click on a cell pins both its row's and its column's value.
fn heat_map(ui: &mut egui::Ui, tr: &Translator, grid: &Grid, limit: usize) -> Vec<(Dimension, String)> {
    ui.label(
        RichText::new(tr.tr_args("trends-total", &[("total", grid.total.text()), ("k", grid.k.to_string())])).weak(),
    );
    let max = grid.cells.iter().flatten().filter_map(|c| c.value()).max().unwrap_or(1);
    let mut clicked = None;
    let cols = grid.cols.len().min(limit);
    egui::ScrollArea::horizontal().id_salt(("heat", grid.row_dimension.as_str(), grid.col_dimension.as_str())).show(
        ui,
        |ui| {
            egui::Grid::new(("heat-grid", grid.row_dimension.as_str(), grid.col_dimension.as_str()))
                .spacing([2.0, 2.0])
                .show(ui, |ui| {
                    ui.label("");
                    for col in grid.cols.iter().take(cols) {
                        ui.label(RichText::new(col).small());
                    }
                    ui.label(RichText::new(tr.tr("trends-row-total")).small());
                    ui.end_row();
                    for (r, row) in grid.rows.iter().enumerate().take(limit) {
                        ui.label(RichText::new(row).small());
                        for (c, col) in grid.cols.iter().enumerate().take(cols) {
                            let count = grid.cells[r][c];
                            let (rect, response) = ui.allocate_exact_size(egui::vec2(44.0, 20.0), Sense::click());
                            let text = count.text();
                            response.widget_info(|| {
                                egui::WidgetInfo::labeled(egui::Role::Button, true, format!("{row} / {col}: {text}"))
                            });
                            let fill = match count {
                                Count::Value(0) => ui.visuals().extreme_bg_color,
                                Count::Value(n) => PALETTE[2].gamma_multiply(0.25 + 0.75 * n as f32 / max as f32),
                                Count::Suppressed => HIDDEN,
                            };
                            ui.painter().rect_filled(rect, 1.0, fill);
                            if count != Count::Value(0) {
                                ui.painter().text(
                                    rect.center(),
                                    egui::Align2::CENTER_CENTER,
                                    &text,
                                    egui::FontId::proportional(11.0),
                                    Color32::WHITE,
                                );
                            }
                            if response.clicked() {
                                clicked = Some((r, c));
                            }
                        }
                        ui.label(RichText::new(grid.row_totals[r].text()).small());
                        ui.end_row();
                    }
                });
        },
    );
    clicked
        .map(|(r, c)| vec![(grid.row_dimension, grid.rows[r].clone()), (grid.col_dimension, grid.cols[c].clone())])
        .unwrap_or_default()
}

/// Months as stacked columns of fraud types (egui_plot). The part of a month hidden in
/// `<k` cells is drawn as one grey segment: complementary suppression keeps it at 0 or
/// at least k, so its height tells nothing below k.
fn stacked_columns(ui: &mut egui::Ui, tr: &Translator, grid: &Grid) -> Option<(Dimension, String)> {
    use egui_plot::{Bar, BarChart, Legend, Plot};
    ui.label(
        RichText::new(tr.tr_args("trends-total", &[("total", grid.total.text()), ("k", grid.k.to_string())])).weak(),
    );
    let mut charts: Vec<BarChart> = Vec::new();
    for (c, col) in grid.cols.iter().enumerate() {
        let bars: Vec<Bar> = grid
            .rows
            .iter()
            .enumerate()
            .map(|(r, _)| {
                let color = PALETTE[c % PALETTE.len()];
                Bar::new(r as f64, grid.cells[r][c].value().unwrap_or(0) as f64)
                    .width(0.8)
                    .fill(color)
                    .stroke(Stroke::NONE)
            })
            .collect();
        let chart = BarChart::new(col.clone(), bars).color(PALETTE[c % PALETTE.len()]);
        let refs: Vec<&BarChart> = charts.iter().collect();
        let chart = chart.stack_on(&refs);
        charts.push(chart);
    }
    let hidden: Vec<Bar> = grid
        .rows
        .iter()
        .enumerate()
        .map(|(r, _)| {
            let shown: u64 = grid.cells[r].iter().filter_map(|c| c.value()).sum();
            let hidden = grid.row_totals[r].value().map_or(0, |total| total.saturating_sub(shown));
            Bar::new(r as f64, hidden as f64).width(0.8).fill(HIDDEN).stroke(Stroke::NONE)
        })
        .collect();
    let refs: Vec<&BarChart> = charts.iter().collect();
    let hidden = BarChart::new(tr.tr("trends-hidden-cells"), hidden).color(HIDDEN).stack_on(&refs);
    let labels = grid.rows.clone();
    // Headroom above the tallest column for the legend, so it never covers a month
    // (the last months, where a spike shows, sat under it).
    let tallest = grid.row_totals.iter().filter_map(|t| t.value()).max().unwrap_or(0) as f64;
    let response = Plot::new(("trends-time", grid.rows.len()))
        .legend(Legend::default())
        .include_y(0.0)
        .include_y(tallest * 1.55)
        .height(320.0)
        .allow_scroll(false)
        .allow_drag(false)
        .allow_zoom(false)
        .x_axis_formatter(move |mark, _| {
            let index = mark.value.round();
            if (mark.value - index).abs() < 1e-6 && index >= 0.0 {
                labels.get(index as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .show(ui, |plot_ui| {
            for chart in charts {
                plot_ui.bar_chart(chart);
            }
            plot_ui.bar_chart(hidden);
            plot_ui.pointer_coordinate()
        });
    // A click on a column pins its month.
    if response.response.clicked()
        && let Some(point) = response.inner
    {
        let index = point.x.round();
        if index >= 0.0 && (index as usize) < grid.rows.len() {
            return Some((grid.row_dimension, grid.rows[index as usize].clone()));
        }
    }
    None
}

/// Sequential shades of the map's classes, lightest first.
const MAP_CLASSES: [Color32; 5] = [
    Color32::from_rgb(0xfe, 0xe5, 0xd9),
    Color32::from_rgb(0xfc, 0xae, 0x91),
    Color32::from_rgb(0xfb, 0x6a, 0x4a),
    Color32::from_rgb(0xde, 0x2d, 0x26),
    Color32::from_rgb(0xa5, 0x0f, 0x15),
];

/// The choropleth of issuing states: each country filled by its class (quantiles of the
/// visible counts), `<k` countries grey whatever their count, no data dark. A click on a
/// country pins it as the issuing state.
fn world_map(
    ui: &mut egui::Ui,
    tr: &Translator,
    map: &crate::trends::WorldMap,
    view: &View,
) -> Option<(Dimension, String)> {
    use crate::trends::{Classing, Shade};
    let values: Vec<(String, Count)> = view.rows.iter().map(|r| (r.key.clone(), r.count)).collect();
    let choropleth = map.choropleth(&values, Classing::Quantile(MAP_CLASSES.len()));
    let width = ui.available_width().clamp(300.0, 1100.0);
    let height = width / map.projection().aspect();
    let (rect, response) = ui.allocate_exact_size(egui::vec2(width, height), Sense::click());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, tr.tr("trends-map-title")));
    let to_screen = |p: [f32; 2]| egui::pos2(rect.left() + p[0] * rect.width(), rect.top() + p[1] * rect.height());
    let painter = ui.painter_at(rect);
    let no_data = ui.visuals().extreme_bg_color;
    let outline = Stroke::new(0.5, ui.visuals().weak_text_color());
    let hovered = response
        .hover_pos()
        .and_then(|pos| map.country_at((pos.x - rect.left()) / rect.width(), (pos.y - rect.top()) / rect.height()));
    for (country, shade) in map.countries().iter().zip(&choropleth.shades) {
        let mut fill = match shade {
            Shade::NoData => no_data,
            Shade::Zero => no_data.gamma_multiply(1.5),
            Shade::Suppressed => HIDDEN,
            Shade::Class(class) => MAP_CLASSES[(*class).min(MAP_CLASSES.len() - 1)],
        };
        if hovered.is_some_and(|h| h.code == country.code) {
            fill = fill.gamma_multiply(1.4);
        }
        let mut mesh = egui::Mesh::default();
        mesh.indices = country.mesh.indices.clone();
        mesh.vertices = country
            .mesh
            .vertices
            .iter()
            .map(|p| egui::epaint::Vertex { pos: to_screen(*p), uv: egui::epaint::WHITE_UV, color: fill })
            .collect();
        painter.add(egui::Shape::mesh(mesh));
        // Borders as separate segments: a closed path's mitred joins throw long spikes at
        // the near-reversals some 1:110m outlines have.
        for ring in &country.rings {
            for (a, b) in ring.iter().zip(ring.iter().cycle().skip(1)) {
                painter.line_segment([to_screen(*a), to_screen(*b)], outline);
            }
        }
    }
    // Hover: the country and its count as the view shows it.
    let response = match hovered {
        Some(country) => {
            let count =
                values.iter().find(|(k, _)| *k == country.code).map_or_else(|| "0".to_string(), |(_, c)| c.text());
            response.on_hover_text(format!("{} ({}): {count}", country.name, country.code))
        }
        None => response,
    };
    ui.horizontal_wrapped(|ui| {
        for (class, text) in choropleth.legend().iter().enumerate() {
            let (swatch, _) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), Sense::hover());
            ui.painter().rect_filled(swatch, 2.0, MAP_CLASSES[class.min(MAP_CLASSES.len() - 1)]);
            ui.label(text.replace('–', "-"));
        }
        let (swatch, _) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), Sense::hover());
        ui.painter().rect_filled(swatch, 2.0, HIDDEN);
        ui.label(tr.tr("trends-map-hidden"));
    });
    if !choropleth.unmapped.is_empty() {
        let unmapped: Vec<String> = choropleth.unmapped.iter().map(|(k, c)| format!("{k} {}", c.text())).collect();
        ui.label(RichText::new(tr.tr_args("trends-map-unmapped", &[("list", unmapped.join(", "))])).weak());
    }
    if response.clicked()
        && let Some(country) = hovered
    {
        return Some((Dimension::IssuingState, country.code.clone()));
    }
    None
}

/// The alerts with their evidence and the rule.
fn show_alerts(ui: &mut egui::Ui, tr: &Translator, report: &AlertReport) -> Option<(Dimension, String)> {
    ui.label(RichText::new(tr.tr("trends-alerts-title")).strong());
    // egui's font has no floor brackets.
    ui.label(RichText::new(report.rule.replace('⌊', "floor(").replace('⌋', ")")).weak());
    if report.alerts.is_empty() {
        ui.label(tr.tr_args("trends-no-alert", &[("tests", report.tests.to_string())]));
        return None;
    }
    let mut clicked = None;
    egui::Grid::new("trends-alerts").striped(true).spacing([16.0, 4.0]).show(ui, |ui| {
        for heading in [
            "trends-alert-series",
            "trends-alert-month",
            "trends-alert-count",
            "trends-alert-expected",
            "trends-alert-p",
            "trends-alert-history",
        ] {
            ui.label(RichText::new(tr.tr(heading)).strong());
        }
        ui.end_row();
        for alert in &report.alerts {
            let series =
                format!("{} {}", tr.tr(&format!("trends-dim-{}", alert.dimension.as_str())), shown(&alert.series));
            let button =
                egui::Button::new(RichText::new(series).color(Color32::from_rgb(0xd0, 0x8c, 0x00))).frame(false);
            if ui.add(button).on_hover_text(tr.tr("trends-alert-pin")).clicked() {
                clicked = Some((alert.dimension, alert.series.clone()));
            }
            ui.label(&alert.month);
            ui.label(alert.count.to_string());
            ui.label(format!("{:.1}", alert.expected));
            ui.label(format!("{:.1e}", alert.corrected_p));
            let history: Vec<String> = alert.history.iter().map(|c| c.text()).collect();
            ui.label(history.join(" "));
            ui.end_row();
        }
    });
    clicked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_period_drop_down_offers_each_quarter_then_each_year() {
        let periods = periods_between("2025-02", "2026-10");
        let names: Vec<&str> = periods.iter().map(|(n, _, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["2026-Q4", "2026-Q3", "2026-Q2", "2026-Q1", "2025-Q4", "2025-Q3", "2025-Q2", "2025-Q1", "2026", "2025"]
        );
        assert_eq!(periods[1], ("2026-Q3".into(), "2026-07".into(), "2026-09".into()));
        assert!(periods_between("2026-05", "2025-01").is_empty());
        assert!(periods_between("garbage", "2025-01").is_empty());
    }

    #[test]
    fn a_range_is_named_only_when_it_is_exactly_a_quarter_or_a_year() {
        assert_eq!(period_label(Some("2026-07"), Some("2026-09")).as_deref(), Some("2026-Q3"));
        assert_eq!(period_label(Some("2025-01"), Some("2025-12")).as_deref(), Some("2025"));
        assert_eq!(period_label(Some("2026-08"), Some("2026-10")), None);
        assert_eq!(period_label(Some("2025-10"), Some("2026-12")), None);
        assert_eq!(period_label(None, Some("2026-12")), None);
    }
}
