//! CSCA tab: the certificates passive authentication trusts (imported from master lists
//! or one by one), their expiry, import and removal. The trust store is the folder
//! `tdverify csca` writes (`<data dir>/csca/`); each change is audited in the store.

use std::path::{Path, PathBuf};

use eframe::egui;

use super::{labelled_field, show_message};
use crate::doctor::{CSCA_EXPIRY_WARNING_DAYS, country_of};
use crate::i18n::Translator;
use crate::store::{Session, Store};
use crate::ui::widgets::FileBrowser;
use crate::ui::widgets::file_browser::BrowserOutcome;

/// One trusted CSCA as the tab lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CscaRow {
    /// Country from the subject's `C=`.
    pub country: String,
    /// The subject.
    pub subject: String,
    /// notAfter, YYYY-MM-DD.
    pub valid_to: String,
    /// Whole days from now to notAfter (negative once expired).
    pub days_left: i64,
    /// A link certificate (new key certified by the old one).
    pub link: bool,
    /// SHA-256 of the certificate, hex: names its file in the store.
    pub sha256: String,
}

/// The trusted CSCAs, soonest expiry first, and the number of CRLs.
pub fn csca_rows(data_dir: &Path, now: i64) -> Result<(Vec<CscaRow>, usize), String> {
    let store = crate::chip_session::load_csca_store(data_dir).map_err(|e| e.to_string())?;
    let mut rows: Vec<CscaRow> = store
        .certificates()
        .iter()
        .zip(store.summaries())
        .map(|(cert, summary)| CscaRow {
            country: country_of(&summary.subject),
            subject: summary.subject,
            valid_to: summary.valid_to,
            days_left: (cert.not_after - now).div_euclid(86_400),
            link: summary.link_certificate,
            sha256: summary.sha256,
        })
        .collect();
    rows.sort_by(|a, b| a.days_left.cmp(&b.days_left).then_with(|| a.subject.cmp(&b.subject)));
    Ok((rows, store.crls().len()))
}

/// Removes one CSCA (by its SHA-256) from the data folder's trust store; `false` when it
/// was not there. The file name is the first 32 hex digits, as `CscaStore::save_dir` writes it.
pub fn remove_csca_certificate(data_dir: &Path, sha256: &str) -> Result<bool, String> {
    let stem = sha256
        .get(..32)
        .filter(|s| s.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| format!("{sha256:?} is not a certificate's SHA-256"))?;
    let path = crate::chip_session::csca_dir(data_dir).join("csca").join(format!("{}.der", stem.to_ascii_lowercase()));
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(format!("cannot remove {}: {e}", path.display())),
    }
}

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
                self.browser = Some(FileBrowser::new(&start.unwrap_or_else(|| data_dir.to_path_buf())));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::testpki::{TestKeyAlgorithm, TestPki, test_date};

    #[test]
    fn rows_show_expiry_and_removal_deletes_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let pki = TestPki::generate("UTO", TestKeyAlgorithm::EcdsaP256, b"TEST-ONLY admin csca seed").unwrap();
        let mut trust = crate::chip_session::load_csca_store(dir.path()).unwrap();
        trust.import_master_list(&pki.master_list(&[]).unwrap()).unwrap();
        trust.save_dir(&crate::chip_session::csca_dir(dir.path())).unwrap();
        let (rows, crls) = csca_rows(dir.path(), test_date(2039, 12, 1)).unwrap();
        assert_eq!(crls, 0);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].country, "UTO");
        assert_eq!(rows[0].valid_to, "2040-01-01");
        assert_eq!(rows[0].days_left, 31);
        assert!(remove_csca_certificate(dir.path(), &rows[0].sha256).unwrap());
        assert!(!remove_csca_certificate(dir.path(), &rows[0].sha256).unwrap());
        assert!(csca_rows(dir.path(), 0).unwrap().0.is_empty());
        assert!(remove_csca_certificate(dir.path(), "../../etc/passwd").is_err());
    }
}
