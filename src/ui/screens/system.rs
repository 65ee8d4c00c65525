use std::path::Path;
use std::sync::mpsc::{self, Receiver};

use eframe::egui;

use crate::capture::hot_folder::{AfterProcessing, HotFolderConfig, NamingRule, PRESETS, SetListing, sets_present};
use crate::doctor::{self, Finding, Health};
use crate::i18n::Translator;
use crate::resources::Resources;
use crate::sltd_station;
use crate::store::{KeyPurpose, Permission, Session, Store};

/// The doctor's report on every subsystem, run in the background.
#[derive(Default)]
pub struct SystemScreen {
    /// The last report, once finished.
    pub findings: Option<Vec<Finding>>,
    running: Option<Receiver<Vec<Finding>>>,
    /// Path of a hotlist bundle to import.
    pub hotlist_file: String,
    /// The last import's outcome, in words.
    pub hotlist_message: Option<Result<String, String>>,
    importing: Option<(Receiver<Result<crate::sltd::HotlistStatus, crate::sltd::SltdError>>, std::path::PathBuf)>,
    /// The administrator's scanner hot folder form.
    pub hot_folder: HotFolderForm,
}

/// The administrator's scanner hot folder form: folder, naming rule (a preset or a
/// pattern), what happens to the files, and a test of the rule on the folder's files.
#[derive(Default)]
pub struct HotFolderForm {
    loaded: bool,
    /// The folder the scanner writes into.
    pub folder: String,
    /// The preset chosen, or `None` for a custom pattern.
    pub preset: Option<usize>,
    /// The custom pattern.
    pub pattern: String,
    /// Whether files are moved after inspection.
    pub move_files: bool,
    /// Where they are moved.
    pub move_to: String,
    /// Whether sets already in the folder are inspected when watching starts.
    pub process_existing: bool,
    /// The last save's outcome.
    pub message: Option<Result<String, String>>,
    /// The last test of the rule: the sets found and the files the rule does not name.
    pub listing: Option<Result<(Vec<SetListing>, usize), String>>,
}

impl HotFolderForm {
    fn load(&mut self, setting: Option<&crate::store::HotFolderSetting>) {
        self.loaded = true;
        let Some(setting) = setting else {
            self.preset = Some(0);
            return;
        };
        self.folder = setting.folder.clone();
        self.preset = PRESETS.iter().position(|p| p.pattern == setting.pattern || p.name == setting.pattern);
        self.pattern = setting.pattern.clone();
        match AfterProcessing::parse(&setting.after) {
            Ok(AfterProcessing::MoveTo(dir)) => {
                self.move_files = true;
                self.move_to = dir.display().to_string();
            }
            _ => self.move_files = false,
        }
        self.process_existing = setting.process_existing;
    }

    fn rule(&self) -> Result<NamingRule, String> {
        let text = match self.preset {
            Some(index) => PRESETS.get(index).map_or("", |p| p.name),
            None => self.pattern.as_str(),
        };
        NamingRule::parse(text).map_err(|e| e.to_string())
    }

    /// The configuration the form describes, validated (the folder must exist).
    pub fn config(&self) -> Result<HotFolderConfig, String> {
        let folder = std::path::PathBuf::from(self.folder.trim());
        if !folder.is_dir() {
            return Err(crate::capture::hot_folder::HotFolderError::NotAFolder(folder).to_string());
        }
        let after = if self.move_files {
            AfterProcessing::parse(&format!("move:{}", self.move_to.trim())).map_err(|e| e.to_string())?
        } else {
            AfterProcessing::Keep
        };
        Ok(HotFolderConfig {
            after,
            process_existing: self.process_existing,
            ..HotFolderConfig::new(folder, self.rule()?)
        })
    }
}

impl SystemScreen {
    /// Import of a signed hotlist bundle by an administrator (verified against the
    /// publishers the store trusts; a failed import keeps the list in use; both audited).
    /// The file work runs off the UI thread; the audit entry is written when it ends.
    fn show_hotlist_import(
        &mut self,
        ui: &mut egui::Ui,
        tr: &Translator,
        data_dir: &Path,
        desk: Option<(&Store, &Session)>,
    ) {
        ui.add_space(8.0);
        ui.label(egui::RichText::new(tr.tr("system-sltd-title")).strong());
        if let Some((receiver, file)) = &self.importing {
            match receiver.try_recv() {
                Ok(result) => {
                    if let Some((store, session)) = desk
                        && let Err(e) = sltd_station::record_import(store, session, file, &result)
                    {
                        tracing::warn!("audit of the hotlist import: {e}");
                    }
                    self.importing = None;
                    self.hotlist_message = Some(result.map_err(|e| e.to_string()).map(|s| {
                        tr.tr_args(
                            "system-sltd-imported",
                            &[("entries", s.entries.to_string()), ("as_of", s.as_of), ("issuer", s.issuer)],
                        )
                    }));
                    // The doctor's hotlist line is out of date now.
                    self.findings = None;
                }
                Err(mpsc::TryRecvError::Empty) => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label(tr.tr("system-sltd-importing"));
                    });
                    ui.ctx().request_repaint_after(std::time::Duration::from_millis(100));
                    return;
                }
                Err(mpsc::TryRecvError::Disconnected) => self.importing = None,
            }
        }
        let Some((store, session)) = desk.filter(|(store, session)| store.may_import_sltd(session).is_ok()) else {
            ui.label(egui::RichText::new(tr.tr("system-sltd-admin-only")).weak());
            return;
        };
        let trusted = store.trusted_keys(KeyPurpose::SltdPublisher).unwrap_or_default();
        if trusted.is_empty() {
            ui.colored_label(ui.visuals().warn_fg_color, tr.tr("system-sltd-no-publisher"));
        }
        for key in &trusted {
            ui.label(tr.tr_args(
                "system-sltd-publisher",
                &[
                    ("label", key.label.clone()),
                    ("key", key.display_key()),
                    ("by", key.added_by.clone()),
                    ("at", key.added_at.clone()),
                ],
            ));
        }
        ui.label(tr.tr_args("system-sltd-max-age", &[("days", store.sltd_max_age_days().unwrap_or(7).to_string())]));
        match store.sltd_online() {
            Ok(Some(online)) => ui.label(tr.tr_args("system-sltd-online", &[("endpoint", online.endpoint)])),
            _ => ui.label(tr.tr("system-sltd-online-none")),
        };
        ui.horizontal(|ui| {
            let label = ui.label(tr.tr("system-sltd-file"));
            ui.add(egui::TextEdit::singleline(&mut self.hotlist_file).desired_width(420.0)).labelled_by(label.id);
            let ready = !self.hotlist_file.trim().is_empty();
            if ui.add_enabled(ready, egui::Button::new(tr.tr("system-sltd-import"))).clicked() {
                let (sender, receiver) = mpsc::channel();
                let file = std::path::PathBuf::from(self.hotlist_file.trim());
                let data_dir = data_dir.to_path_buf();
                let keys = sltd_station::trusted_publishers(store);
                let thread_file = file.clone();
                let spawned = std::thread::Builder::new().name("sltd-import".into()).spawn(move || {
                    let result = match keys {
                        Ok(keys) => crate::sltd::Hotlist::import(&data_dir, &thread_file, &keys, false),
                        Err(e) => Err(crate::sltd::SltdError::Invalid(e.to_string())),
                    };
                    let _ = sender.send(result);
                });
                if spawned.is_ok() {
                    self.importing = Some((receiver, file));
                    self.hotlist_message = None;
                }
            }
        });
        let _ = session;
        match &self.hotlist_message {
            Some(Ok(message)) => {
                ui.label(message);
            }
            Some(Err(message)) => {
                ui.colored_label(ui.visuals().error_fg_color, message);
            }
            None => {}
        }
    }

    /// The scanner hot folder: what is configured, and for an administrator the form to
    /// change it (saved in the store, audited; the window picks it up within seconds).
    fn show_hot_folder(
        &mut self,
        ui: &mut egui::Ui,
        tr: &Translator,
        data_dir: &Path,
        desk: Option<(&Store, &Session)>,
    ) {
        ui.add_space(8.0);
        ui.label(egui::RichText::new(tr.tr("system-hot-title")).strong());
        let current = Store::hot_folder_in(data_dir);
        match &current {
            Ok(Some(setting)) => ui.label(tr.tr_args("system-hot-current", &[("setting", setting.describe())])),
            Ok(None) => ui.label(tr.tr("system-hot-none")),
            Err(e) => ui.colored_label(ui.visuals().error_fg_color, e.to_string()),
        };
        let Some((store, session)) = desk.filter(|(_, session)| session.may(Permission::ManageStation)) else {
            ui.label(egui::RichText::new(tr.tr("system-hot-admin-only")).weak());
            return;
        };
        let form = &mut self.hot_folder;
        if !form.loaded {
            form.load(current.as_ref().ok().and_then(Option::as_ref));
        }
        ui.horizontal(|ui| {
            let label = ui.label(tr.tr("system-hot-folder"));
            ui.add(egui::TextEdit::singleline(&mut form.folder).desired_width(420.0)).labelled_by(label.id);
        });
        ui.horizontal(|ui| {
            let label = ui.label(tr.tr("system-hot-rule"));
            let chosen = match form.preset.and_then(|i| PRESETS.get(i)) {
                Some(preset) => preset.name.to_owned(),
                None => tr.tr("system-hot-custom"),
            };
            egui::ComboBox::from_id_salt("hot-folder-rule")
                .selected_text(chosen)
                .show_ui(ui, |ui| {
                    for (index, preset) in PRESETS.iter().enumerate() {
                        ui.selectable_value(&mut form.preset, Some(index), preset.name);
                    }
                    ui.selectable_value(&mut form.preset, None, tr.tr("system-hot-custom"));
                })
                .response
                .labelled_by(label.id);
            match form.preset.and_then(|i| PRESETS.get(i)) {
                Some(preset) => {
                    ui.label(egui::RichText::new(format!("{}  ({})", preset.pattern, preset.example)).weak());
                }
                None => {
                    let pattern = ui.label(tr.tr("system-hot-pattern"));
                    ui.add(
                        egui::TextEdit::singleline(&mut form.pattern)
                            .desired_width(300.0)
                            .hint_text("{stem}_{light:W|UV|IR}.jpg"),
                    )
                    .labelled_by(pattern.id);
                }
            }
        });
        ui.horizontal(|ui| {
            ui.checkbox(&mut form.move_files, tr.tr("system-hot-move"));
            if form.move_files {
                let label = ui.label(tr.tr("system-hot-move-to"));
                ui.add(egui::TextEdit::singleline(&mut form.move_to).desired_width(300.0)).labelled_by(label.id);
            }
        });
        ui.checkbox(&mut form.process_existing, tr.tr("system-hot-existing"));
        ui.horizontal(|ui| {
            if ui.button(tr.tr("system-hot-test")).clicked() {
                form.listing = Some(form.rule().and_then(|rule| {
                    sets_present(std::path::Path::new(form.folder.trim()), &rule).map_err(|e| e.to_string())
                }));
            }
            if ui.button(tr.tr("system-hot-save")).clicked() {
                form.message = Some(form.config().and_then(|config| {
                    let setting = config.to_setting();
                    store
                        .set_hot_folder(session, Some(&setting))
                        .map(|()| tr.tr_args("system-hot-saved", &[("setting", setting.describe())]))
                        .map_err(|e| e.to_string())
                }));
            }
            if current.as_ref().is_ok_and(Option::is_some) && ui.button(tr.tr("system-hot-stop")).clicked() {
                form.message = Some(
                    store
                        .set_hot_folder(session, None)
                        .map(|()| tr.tr("system-hot-stopped"))
                        .map_err(|e| e.to_string()),
                );
            }
        });
        match &form.message {
            Some(Ok(message)) => {
                ui.label(message);
            }
            Some(Err(message)) => {
                ui.colored_label(ui.visuals().error_fg_color, message);
            }
            None => {}
        }
        match &form.listing {
            Some(Ok((sets, unnamed))) => {
                if sets.is_empty() {
                    ui.label(tr.tr("system-hot-no-sets"));
                }
                for set in sets.iter().take(20) {
                    let line =
                        tr.tr_args("system-hot-set", &[("stem", set.stem.clone()), ("files", set.files.join(", "))]);
                    if set.missing.is_empty() {
                        ui.label(line);
                    } else {
                        let missing = tr.tr_args("system-hot-missing", &[("files", set.missing.join(", "))]);
                        ui.colored_label(ui.visuals().warn_fg_color, format!("{line} — {missing}"));
                    }
                }
                if *unnamed > 0 {
                    ui.label(
                        egui::RichText::new(tr.tr_args("system-hot-unnamed", &[("count", unnamed.to_string())])).weak(),
                    );
                }
            }
            Some(Err(message)) => {
                ui.colored_label(ui.visuals().error_fg_color, message);
            }
            None => {}
        }
    }

    /// Starts a check in the background.
    pub fn start(&mut self, resources: &Resources, data_dir: &Path) {
        let (sender, receiver) = mpsc::channel();
        let resources = resources.clone();
        let data_dir = data_dir.to_path_buf();
        let spawned = std::thread::Builder::new().name("doctor".into()).spawn(move || {
            let _ = sender.send(doctor::examine(&resources, &data_dir));
        });
        if spawned.is_ok() {
            self.running = Some(receiver);
        }
    }

    /// Draws the screen, starting a check the first time.
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        tr: &Translator,
        resources: &Resources,
        data_dir: &Path,
        desk: Option<(&Store, &Session)>,
    ) {
        if self.findings.is_none() && self.running.is_none() {
            self.start(resources, data_dir);
        }
        if let Some(receiver) = &self.running {
            match receiver.try_recv() {
                Ok(findings) => {
                    self.findings = Some(findings);
                    self.running = None;
                }
                Err(mpsc::TryRecvError::Empty) => ui.ctx().request_repaint_after(std::time::Duration::from_millis(100)),
                Err(mpsc::TryRecvError::Disconnected) => self.running = None,
            }
        }
        ui.heading(tr.tr("system-title"));
        ui.label(tr.tr("system-intro"));
        ui.add_space(8.0);
        if self.running.is_some() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(tr.tr("system-running"));
            });
            return;
        }
        if ui.button(tr.tr("system-run-again")).clicked() {
            self.findings = None;
            self.start(resources, data_dir);
            return;
        }
        self.show_hotlist_import(ui, tr, data_dir, desk);
        self.show_hot_folder(ui, tr, data_dir, desk);
        ui.add_space(8.0);
        let Some(findings) = &self.findings else { return };
        egui::Grid::new("doctor").striped(true).num_columns(3).spacing([16.0, 6.0]).show(ui, |ui| {
            for finding in findings {
                let (mark, color) = match finding.health {
                    Health::Ok => (tr.tr("status-ok"), egui::Color32::from_rgb(0x2e, 0x9d, 0x4f)),
                    Health::Warn => (tr.tr("status-warn"), egui::Color32::from_rgb(0xd0, 0x8c, 0x00)),
                    Health::Fail => (tr.tr("status-fail"), ui.visuals().error_fg_color),
                };
                ui.colored_label(color, egui::RichText::new(mark).strong());
                ui.label(egui::RichText::new(subsystem_label(tr, finding.subsystem)).strong());
                ui.vertical(|ui| {
                    ui.label(&finding.detail);
                    if let Some(fix) = &finding.fix {
                        ui.label(egui::RichText::new(format!("{} {fix}", tr.tr("system-fix"))).italics());
                    }
                });
                ui.end_row();
            }
        });
    }
}

/// A doctor subsystem's name in the user's language: the id is `doctor-` and the English
/// name in lower case with spaces and slashes as dashes; unknown names are shown as they are.
pub fn subsystem_label(tr: &Translator, subsystem: &str) -> String {
    let id = format!("doctor-{}", subsystem.to_lowercase().replace([' ', '/'], "-"));
    let text = tr.tr(&id);
    if text == id { subsystem.to_string() } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_doctor_subsystem_has_a_translated_name() {
        let dir = tempfile::tempdir().unwrap();
        let resources = Resources::in_home(dir.path());
        let french = Translator::new("fr");
        for finding in doctor::examine(&resources, dir.path()) {
            let label = subsystem_label(&french, finding.subsystem);
            assert!(!label.starts_with("doctor-"), "{}", finding.subsystem);
            if !["ONNX Runtime", "OpenCV"].contains(&finding.subsystem) {
                assert_ne!(label, finding.subsystem, "no French name for {}", finding.subsystem);
            }
        }
    }
}
