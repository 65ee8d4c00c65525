//! The Cases screen: unlock the station, log in, browse and filter cases, open one,
//! record the officer's verdict and classification, submit, review (supervisors), and
//! write the PDF report. Every decision is the store library's: this screen only
//! shows what the session's role may do and calls `tdverify::store` / `tdverify::report`.

mod context_form;
mod detail;
mod export_wizard;
mod list;
mod login;

use std::path::PathBuf;

use eframe::egui;

use crate::i18n::Translator;
use crate::store::{CaseDraft, Permission, Session, Store};

pub use context_form::ContextForm;
pub use detail::CaseDetail;
pub use export_wizard::ExportWizard;
pub use list::{CaseList, ListMode};
pub use login::LoginForm;

/// State of the Cases screen.
pub struct CasesScreen {
    /// Where the case store lives (the settings' data directory).
    pub data_dir: PathBuf,
    /// The unlocked store, once the station passphrase was given.
    pub store: Option<Store>,
    /// The logged-in user.
    pub session: Option<Session>,
    /// Passphrase and login fields.
    pub login: LoginForm,
    /// Filters, paging and the rows shown.
    pub list: CaseList,
    /// The case opened from the list.
    pub detail: Option<CaseDetail>,
    /// The last outcome worth telling (saved, submitted, report written…).
    pub message: Option<String>,
    /// An inspection the officer asked to save before logging in: saved right after login.
    pub pending_save: Option<CaseDraft>,
    /// The case the pending inspection became, for the document screen to keep updating it.
    pub saved_pending: Option<String>,
    /// The station's context defaults (from Settings) for new case forms.
    pub station: crate::settings::StationDefaults,
    /// The DESC export wizard, when a supervisor opened it.
    pub export: Option<ExportWizard>,
}

/// Why an inspection was not saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveFailure {
    /// Nobody is logged in on the Cases screen (the draft is kept until someone is).
    NotLoggedIn,
    /// The store refused or failed (role, disk, lock): the message says which.
    Store(String),
}

impl CasesScreen {
    /// A locked Cases screen for the store in `data_dir`.
    pub fn new(data_dir: PathBuf) -> CasesScreen {
        CasesScreen {
            data_dir,
            store: None,
            session: None,
            login: LoginForm::default(),
            list: CaseList::default(),
            detail: None,
            message: None,
            pending_save: None,
            saved_pending: None,
            station: crate::settings::StationDefaults::default(),
            export: None,
        }
    }

    /// Saves an inspection: a new draft case, or an update of `case_id` (autosave after
    /// a new inspection of the same document). Returns the case id.
    pub fn save_inspection(&mut self, draft: &CaseDraft, case_id: Option<&str>) -> Result<String, SaveFailure> {
        let (Some(store), Some(session)) = (&self.store, &self.session) else { return Err(SaveFailure::NotLoggedIn) };
        let saved = match case_id {
            Some(case_id) => store.save_draft(session, case_id, draft).map(|()| case_id.to_owned()),
            None => store.create_case(session, draft),
        };
        self.list.mark_stale();
        saved.map_err(|e| SaveFailure::Store(e.to_string()))
    }

    /// Saves the inspection kept while nobody was logged in.
    fn save_pending(&mut self, tr: &Translator) {
        let Some(draft) = self.pending_save.take() else { return };
        match self.save_inspection(&draft, None) {
            Ok(case_id) => {
                self.message = Some(tr.tr_args("case-saved", &[("case", case_id.clone())]));
                self.saved_pending = Some(case_id);
            }
            Err(SaveFailure::NotLoggedIn) => self.pending_save = Some(draft),
            Err(SaveFailure::Store(message)) => {
                self.message = Some(tr.tr_args("case-save-failed", &[("reason", message)]));
                self.pending_save = Some(draft);
            }
        }
    }

    /// Draws the screen.
    pub fn show(&mut self, ui: &mut egui::Ui, tr: &Translator) {
        if let (Some(wizard), Some(session)) = (&mut self.export, &self.session) {
            // The wizard may lend the store to its writer thread: draw it before anything
            // that needs the store.
            if let export_wizard::WizardOutcome::Close = wizard.show(ui, tr, &mut self.store, session) {
                self.export = None;
            }
            return;
        }
        let (Some(store), Some(session)) = (&self.store, &self.session) else {
            if let Some(session) = self.login.show(ui, tr, &self.data_dir, &mut self.store) {
                self.session = Some(session);
                self.list.mark_stale();
                self.detail = None;
                self.message = None;
                self.save_pending(tr);
            }
            if self.pending_save.is_some() {
                ui.label(egui::RichText::new(tr.tr("case-pending-login")).strong());
            }
            return;
        };
        let mut log_out = false;
        let mut open_export = false;
        ui.horizontal(|ui| {
            ui.heading(tr.tr("cases-title"));
            ui.add_space(16.0);
            let role = session.role().map(|r| r.as_str()).unwrap_or("station");
            ui.label(tr.tr_args("cases-logged-in-as", &[("user", session.username().to_owned()), ("role", role.to_owned())]));
            if ui.button(tr.tr("cases-log-out")).clicked() {
                log_out = true;
            }
            if session.role() == Some(crate::store::Role::Supervisor) && ui.button(tr.tr("export-open")).clicked() {
                open_export = true;
            }
        });
        if let Some(message) = &self.message {
            ui.label(egui::RichText::new(message).strong());
        }
        ui.separator();
        let may_see_cases = session.may(Permission::ViewOwnCases) || session.may(Permission::ViewAllCases);
        if !may_see_cases {
            ui.label(tr.tr("cases-no-access"));
        } else if let Some(detail) = &mut self.detail {
            // Escape goes back to the list (unless a field is being typed in).
            let typing = ui.ctx().memory(|m| m.focused().is_some());
            if !typing && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Escape)) {
                self.detail = None;
                self.list.mark_stale();
                return;
            }
            match detail.show(ui, tr, store, session) {
                detail::DetailOutcome::Stay => {}
                detail::DetailOutcome::Close => {
                    self.detail = None;
                    self.list.mark_stale();
                }
                detail::DetailOutcome::Message(message) => {
                    self.message = Some(message);
                    self.list.mark_stale();
                }
            }
        } else if let Some(case_id) = self.list.show(ui, tr, store, session) {
            match store.open_case(session, &case_id) {
                Ok(case) => {
                    self.detail = Some(CaseDetail::new(case, &self.station));
                    self.message = None;
                }
                Err(e) => self.message = Some(e.to_string()),
            }
        }
        if open_export {
            let now = crate::pki::now_unix();
            // A default destination that exists; a USB stick's folder is typed over it.
            let exports = self.data_dir.join("exports");
            let _ = std::fs::create_dir_all(&exports);
            let min_k = store.export_min_k().unwrap_or(crate::export::DEFAULT_K);
            self.export = Some(ExportWizard::new(now, exports, min_k));
        }
        if log_out {
            if let Some(session) = self.session.take() {
                let _ = store.logout(session);
            }
            self.detail = None;
            self.message = None;
            self.login.clear_user();
        }
    }
}

/// A single-line text field whose accessible name is its visible label.
pub(super) fn labelled_field(ui: &mut egui::Ui, label: &str, text: &mut String, password: bool) -> egui::Response {
    let label = ui.label(label);
    ui.add(egui::TextEdit::singleline(text).password(password).desired_width(240.0)).labelled_by(label.id)
}
