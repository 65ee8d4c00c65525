use std::path::Path;
use std::sync::mpsc::{self, Receiver};

use eframe::egui;

use crate::doctor::{self, Finding, Health};
use crate::i18n::Translator;
use crate::resources::Resources;
use crate::sltd_station;
use crate::store::{KeyPurpose, Session, Store};

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
}

impl SystemScreen {
    /// Import of a signed hotlist bundle by an administrator (verified against the
    /// publishers the store trusts; a failed import keeps the list in use; both audited).
    /// The file work runs off the UI thread; the audit entry is written when it ends.
    fn show_hotlist_import(&mut self, ui: &mut egui::Ui, tr: &Translator, data_dir: &Path, desk: Option<(&Store, &Session)>) {
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
                        tr.tr_args("system-sltd-imported", &[("entries", s.entries.to_string()), ("as_of", s.as_of), ("issuer", s.issuer)])
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
                &[("label", key.label.clone()), ("key", key.display_key()), ("by", key.added_by.clone()), ("at", key.added_at.clone())],
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
                ui.label(egui::RichText::new(finding.subsystem).strong());
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
