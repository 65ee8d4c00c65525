//! CSCA tab: the certificates passive authentication trusts (imported from master lists
//! or one by one), their expiry, import and removal. The trust store is the folder
//! `tdverify csca` writes (`<data dir>/csca/`); each change is audited in the store.

use std::path::{Path, PathBuf};

use eframe::egui;

use super::{labelled_field, show_message};
use crate::doctor::CSCA_EXPIRY_WARNING_DAYS;
use crate::i18n::Translator;
use crate::store::{Session, Store};
use crate::ui::widgets::FileBrowser;
use crate::ui::widgets::file_browser::{BrowserOutcome, CSCA_EXTENSIONS};

pub use crate::chip_session::trust_store::{CscaRow, csca_rows, remove_csca_certificate};

/// Imports a master list, certificate, CRL or folder into the data folder's trust store
/// and audits it; returns the words for the administrator.
fn import(data_dir: &Path, file: &Path, store: &Store, session: &Session, tr: &Translator) -> Result<String, String> {
    store.may_change_csca(session).map_err(|e| e.to_string())?;
    let mut trust = crate::chip_session::load_csca_store(data_dir).map_err(|e| e.to_string())?;
    let summary = trust.import_path(file).map_err(|e| format!("{}: {e}", file.display()))?;
    if summary.added + summary.duplicates + summary.crls_added == 0 {
        return Err(tr.tr_args("admin-csca-nothing", &[("file", file.display().to_string())]));
    }
    trust.save_dir(&crate::chip_session::csca_dir(data_dir)).map_err(|e| e.to_string())?;
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    store
        .record_csca_change(
            session,
            &format!(
                "imported {name} ({}): {} CSCA added, {} already present, {} CRL added",
                summary.kind, summary.added, summary.duplicates, summary.crls_added
            ),
        )
        .map_err(|e| e.to_string())?;
    let mut text = tr.tr_args(
        "admin-csca-imported",
        &[
            ("added", summary.added.to_string()),
            ("duplicates", summary.duplicates.to_string()),
            ("crls", summary.crls_added.to_string()),
        ],
    );
    for warning in &summary.warnings {
        text.push('\n');
        text.push_str(warning);
    }
    Ok(text)
}

/// The trust store's listing and the import form.
#[derive(Default)]
pub struct CscaTab {
    /// The file or folder to import.
    pub file: String,
    browser: Option<FileBrowser>,
    /// The certificate the administrator asked to remove, waiting for the confirmation.
    pub pending_removal: Option<CscaRow>,
    /// The last action's outcome.
    pub message: Option<Result<String, String>>,
}

impl CscaTab {
    pub(super) fn show(
        &mut self,
        ui: &mut egui::Ui,
        tr: &Translator,
        data_dir: &Path,
        store: &Store,
        session: &Session,
    ) {
        ui.label(tr.tr("admin-csca-intro"));
        ui.add_space(6.0);
        let now = crate::pki::now_unix();
        match csca_rows(data_dir, now) {
            Ok((rows, crls)) => {
                ui.label(tr.tr_args(
                    "admin-csca-count",
                    &[("certificates", rows.len().to_string()), ("crls", crls.to_string())],
                ));
                if rows.is_empty() {
                    ui.label(egui::RichText::new(tr.tr("admin-csca-none")).weak());
                }
                let mut remove = None;
                egui::Grid::new("admin-csca").striped(true).num_columns(5).spacing([14.0, 6.0]).show(ui, |ui| {
                    if !rows.is_empty() {
                        for id in ["admin-csca-country", "admin-csca-subject", "admin-csca-valid-to", "admin-csca-days"]
                        {
                            ui.label(egui::RichText::new(tr.tr(id)).strong());
                        }
                        ui.label("");
                        ui.end_row();
                    }
                    for row in &rows {
                        ui.label(&row.country);
                        let subject = if row.link {
                            format!("{} ({})", row.subject, tr.tr("admin-csca-link"))
                        } else {
                            row.subject.clone()
                        };
                        ui.label(subject);
                        ui.label(&row.valid_to);
                        let days = if row.days_left < 0 {
                            egui::RichText::new(tr.tr("admin-csca-expired")).color(ui.visuals().error_fg_color)
                        } else if row.days_left < CSCA_EXPIRY_WARNING_DAYS {
                            egui::RichText::new(row.days_left.to_string()).color(ui.visuals().warn_fg_color).strong()
                        } else {
                            egui::RichText::new(row.days_left.to_string())
                        };
                        ui.label(days);
                        if ui.button(tr.tr("admin-csca-remove")).on_hover_text(&row.subject).clicked() {
                            self.pending_removal = Some(row.clone());
                        }
                        ui.end_row();
                    }
                });
                // Removing a trust anchor is asked twice: chips signed under it stop verifying.
                if let Some(row) = self.pending_removal.clone() {
                    ui.colored_label(
                        ui.visuals().warn_fg_color,
                        tr.tr_args("admin-csca-remove-confirm", &[("subject", row.subject.clone())]),
                    );
                    ui.horizontal(|ui| {
                        if ui.button(tr.tr("admin-csca-remove-yes")).clicked() {
                            remove = Some(row.clone());
                            self.pending_removal = None;
                        }
                        if ui.button(tr.tr("admin-cancel")).clicked() {
                            self.pending_removal = None;
                        }
                    });
                }
                if let Some(row) = remove {
                    self.message = Some(
                        store
                            .may_change_csca(session)
                            .map_err(|e| e.to_string())
                            .and_then(|()| remove_csca_certificate(data_dir, &row.sha256))
                            .and_then(|removed| {
                                if removed {
                                    store
                                        .record_csca_change(
                                            session,
                                            &format!("removed CSCA {} ({})", row.subject, &row.sha256[..16]),
                                        )
                                        .map_err(|e| e.to_string())?;
                                }
                                Ok(tr.tr_args("admin-csca-removed", &[("subject", row.subject.clone())]))
                            }),
                    );
                }
            }
            Err(e) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
        }
        ui.add_space(12.0);
        ui.label(egui::RichText::new(tr.tr("admin-csca-import-title")).strong());
        ui.horizontal(|ui| {
            labelled_field(ui, &tr.tr("admin-csca-file"), &mut self.file, 420.0, false);
            if ui.button(tr.tr("admin-browse")).clicked() {
                let start = Path::new(self.file.trim()).parent().filter(|p| p.is_dir()).map(Path::to_path_buf);
                let start = start.unwrap_or_else(|| data_dir.to_path_buf());
                self.browser = Some(FileBrowser::for_extensions(&start, CSCA_EXTENSIONS, "browser-title-csca"));
            }
        });
        ui.label(egui::RichText::new(tr.tr("admin-csca-file-hint")).weak());
        let ready = !self.file.trim().is_empty();
        if ui.add_enabled(ready, egui::Button::new(tr.tr("admin-csca-import"))).clicked() {
            let file = PathBuf::from(self.file.trim());
            self.message = Some(import(data_dir, &file, store, session, tr));
        }
        show_message(ui, &self.message);
        if let Some(browser) = &mut self.browser {
            match browser.show(ui.ctx(), tr) {
                BrowserOutcome::Open => {}
                BrowserOutcome::Chosen(files) => {
                    if let Some(file) = files.first() {
                        self.file = file.display().to_string();
                    }
                    self.browser = None;
                }
                BrowserOutcome::Cancelled => self.browser = None,
            }
        }
    }
}
