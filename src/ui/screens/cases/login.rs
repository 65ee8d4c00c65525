//! Unlocking the station (passphrase once per start, or creating the store and first
//! administrator on the first run) and the user login, with clear messages for a wrong
//! password and for a locked account.

use std::path::Path;

use eframe::egui;

use super::labelled_field;
use crate::i18n::Translator;
use crate::store::{Session, Store, StoreError, StoreOptions};

/// The fields of the unlock, first-run and login forms.
#[derive(Default)]
pub struct LoginForm {
    /// Station passphrase.
    pub passphrase: String,
    /// Passphrase repeated (first run).
    pub passphrase_again: String,
    /// User name.
    pub username: String,
    /// Password.
    pub password: String,
    /// Password repeated (first run).
    pub password_again: String,
    /// What went wrong last.
    pub error: Option<String>,
    /// Put the cursor in the user name at the next frame (after unlocking or logging
    /// out: the field that had it is gone, and egui would hand it to the password).
    focus_user_name: bool,
}

impl LoginForm {
    /// Forgets the user's fields (after logging out); the station stays unlocked.
    pub fn clear_user(&mut self) {
        self.username.clear();
        self.password.clear();
        self.error = None;
        self.focus_user_name = true;
    }

    /// Draws the right form; returns a session once someone logged in.
    pub fn show(&mut self, ui: &mut egui::Ui, tr: &Translator, data_dir: &Path, store: &mut Option<Store>) -> Option<Session> {
        ui.heading(tr.tr("cases-title"));
        ui.add_space(8.0);
        let mut session = None;
        match store {
            None if !Store::exists(data_dir) => self.first_run(ui, tr, data_dir, store),
            None => self.unlock(ui, tr, data_dir, store),
            Some(open) => session = self.user_login(ui, tr, open),
        }
        if let Some(error) = &self.error {
            ui.add_space(6.0);
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
        session
    }

    fn first_run(&mut self, ui: &mut egui::Ui, tr: &Translator, data_dir: &Path, store: &mut Option<Store>) {
        ui.label(tr.tr("cases-first-run"));
        egui::Grid::new("first-run").num_columns(2).show(ui, |ui| {
            labelled_field(ui, &tr.tr("cases-station-passphrase"), &mut self.passphrase, true);
            ui.end_row();
            labelled_field(ui, &tr.tr("cases-repeat-passphrase"), &mut self.passphrase_again, true);
            ui.end_row();
            labelled_field(ui, &tr.tr("cases-admin-name"), &mut self.username, false);
            ui.end_row();
            labelled_field(ui, &tr.tr("cases-password"), &mut self.password, true);
            ui.end_row();
            labelled_field(ui, &tr.tr("cases-repeat-password"), &mut self.password_again, true);
            ui.end_row();
        });
        if ui.button(tr.tr("cases-create-store")).clicked() {
            if self.passphrase != self.passphrase_again || self.password != self.password_again {
                self.error = Some(tr.tr("cases-secrets-differ"));
                return;
            }
            let created = Store::initialize(data_dir, &self.passphrase, StoreOptions::default())
                .and_then(|s| s.create_first_admin(self.username.trim(), &self.password).map(|()| s));
            match created {
                Ok(created) => {
                    *store = Some(created);
                    self.passphrase.clear();
                    self.passphrase_again.clear();
                    self.password_again.clear();
                    self.error = None;
                }
                Err(e) => self.error = Some(e.to_string()),
            }
        }
    }

    fn unlock(&mut self, ui: &mut egui::Ui, tr: &Translator, data_dir: &Path, store: &mut Option<Store>) {
        ui.label(tr.tr("cases-unlock-intro"));
        let response = labelled_field(ui, &tr.tr("cases-station-passphrase"), &mut self.passphrase, true);
        let entered = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button(tr.tr("cases-unlock")).clicked() || entered {
            match Store::open(data_dir, &self.passphrase, StoreOptions::default()) {
                Ok(opened) => {
                    if let Err(e) = opened.purge_expired(&opened.station_session()) {
                        tracing::warn!(error = %e, "retention purge failed");
                    }
                    *store = Some(opened);
                    self.error = None;
                    self.focus_user_name = true;
                }
                Err(StoreError::WrongPassphrase) => self.error = Some(tr.tr("cases-wrong-passphrase")),
                Err(e) => self.error = Some(e.to_string()),
            }
            self.passphrase.clear();
        }
    }

    fn user_login(&mut self, ui: &mut egui::Ui, tr: &Translator, store: &Store) -> Option<Session> {
        ui.label(tr.tr("cases-login-intro"));
        let mut entered = false;
        egui::Grid::new("login").num_columns(2).show(ui, |ui| {
            let user_name = labelled_field(ui, &tr.tr("cases-user-name"), &mut self.username, false);
            if std::mem::take(&mut self.focus_user_name) {
                user_name.request_focus();
            }
            ui.end_row();
            let response = labelled_field(ui, &tr.tr("cases-password"), &mut self.password, true);
            entered = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.end_row();
        });
        if !(ui.button(tr.tr("cases-log-in")).clicked() || entered) {
            return None;
        }
        let result = store.login(self.username.trim(), &self.password);
        self.password.clear();
        match result {
            Ok(session) => {
                self.error = None;
                Some(session)
            }
            Err(StoreError::InvalidCredentials) => {
                self.error = Some(tr.tr("cases-wrong-password"));
                None
            }
            Err(StoreError::AccountLocked { until, until_utc }) => {
                let wait = (until - crate::pki::now_unix()).max(1).to_string();
                self.error = Some(tr.tr_args("cases-locked", &[("seconds", wait), ("until", until_utc)]));
                None
            }
            Err(e) => {
                self.error = Some(e.to_string());
                None
            }
        }
    }
}
