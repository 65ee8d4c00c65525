//! Reference library tab: the document templates the station has (bundled with the
//! program, or imported by an administrator into `<data dir>/reference-library/`), the
//! import of a template pack, validated whole first with every problem shown, and the
//! earlier versions of imported templates, each of which can be put back in use.

use std::path::{Path, PathBuf};

use eframe::egui;

use super::{labelled_field, show_message};
use crate::i18n::Translator;
use crate::reference_station::{
    ReferenceImportError, ReferenceRow, import_pack, reference_rows, restore_version, template_versions, validate,
};
use crate::resources::Resources;
use crate::store::{Session, Store};

pub use crate::engines::imported_library_dir;

/// What the tab lists.
#[derive(Default)]
struct Listing {
    rows: Vec<ReferenceRow>,
    problems: Vec<String>,
    versions: std::collections::BTreeMap<String, Vec<crate::reference_station::TemplateVersion>>,
}

impl Listing {
    fn read(bundled: &Path, data_dir: &Path) -> Listing {
        let (rows, problems) = reference_rows(bundled, &imported_library_dir(data_dir));
        let versions = rows
            .iter()
            .filter(|row| row.imported)
            .map(|row| (row.key.clone(), template_versions(data_dir, &row.key)))
            .collect();
        Listing { rows, problems, versions }
    }
}

/// The template listing and the pack import form.
#[derive(Default)]
pub struct ReferenceTab {
    /// The pack folder.
    pub pack: String,
    /// The last validation: the template keys found, or every problem.
    pub validation: Option<Result<Vec<String>, Vec<String>>>,
    /// The last action's outcome.
    pub message: Option<Result<String, String>>,
    /// The rows, the broken templates' problems and each imported template's earlier
    /// versions, read once and again after a change.
    listing: Option<Listing>,
}

impl ReferenceTab {
    pub(super) fn show(
        &mut self,
        ui: &mut egui::Ui,
        tr: &Translator,
        resources: &Resources,
        data_dir: &Path,
        store: &Store,
        session: &Session,
    ) {
        ui.label(tr.tr("admin-reference-intro"));
        let listing = self.listing.get_or_insert_with(|| Listing::read(&resources.reference_library, data_dir));
        let (rows, problems) = (&listing.rows, &listing.problems);
        ui.label(tr.tr_args("admin-reference-count", &[("count", rows.len().to_string())]));
        let mut restore = None;
        egui::Grid::new("admin-reference").striped(true).num_columns(6).spacing([14.0, 6.0]).show(ui, |ui| {
            for id in [
                "admin-reference-key",
                "admin-reference-document",
                "admin-csca-country",
                "admin-reference-version",
                "admin-reference-revision",
                "admin-reference-source",
            ] {
                ui.label(egui::RichText::new(tr.tr(id)).strong());
            }
            ui.end_row();
            for row in rows {
                ui.label(&row.key);
                ui.label(&row.document);
                ui.label(&row.country);
                ui.label(row.first_issued.map(|y| y.to_string()).unwrap_or_default());
                ui.monospace(&row.revision);
                ui.label(tr.tr(if row.imported { "admin-reference-imported" } else { "admin-reference-bundled" }));
                ui.end_row();
                if row.imported {
                    // A version kept in the history that is the one in use (put back by a
                    // restore, or imported again) is not an earlier version to offer.
                    let earlier = listing.versions.get(&row.key).into_iter().flatten();
                    for version in earlier.filter(|version| version.revision != row.revision) {
                        ui.label("");
                        ui.label(
                            egui::RichText::new(
                                tr.tr_args("admin-reference-earlier", &[("date", version.replaced_at.clone())]),
                            )
                            .weak(),
                        );
                        ui.label("");
                        ui.label("");
                        ui.monospace(&version.revision);
                        let button = egui::Button::new(tr.tr("admin-reference-restore"));
                        let label = format!("{} {} {}", tr.tr("admin-reference-restore"), row.key, version.revision);
                        let response = ui.add(button);
                        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, label.clone()));
                        if response.clicked() {
                            restore = Some((row.key.clone(), version.revision.clone()));
                        }
                        ui.end_row();
                    }
                }
            }
        });
        for problem in problems {
            ui.colored_label(ui.visuals().warn_fg_color, problem);
        }
        if let Some((key, revision)) = restore {
            self.message = Some(match restore_version(store, session, data_dir, &key, &revision) {
                Ok(_) => Ok(tr.tr_args("admin-reference-restored", &[("key", key), ("revision", revision)])),
                Err(e) => Err(failure_text(e, tr)),
            });
            self.listing = None;
        }
        ui.add_space(12.0);
        ui.label(egui::RichText::new(tr.tr("admin-reference-import-title")).strong());
        ui.label(egui::RichText::new(tr.tr("admin-reference-pack-hint")).weak());
        labelled_field(ui, &tr.tr("admin-reference-pack"), &mut self.pack, 420.0, false);
        let pack = PathBuf::from(self.pack.trim());
        let ready = !self.pack.trim().is_empty();
        ui.horizontal(|ui| {
            if ui.add_enabled(ready, egui::Button::new(tr.tr("admin-reference-validate"))).clicked() {
                self.validation = Some(validate(&pack));
                self.message = None;
            }
            let valid = self.validation.as_ref().is_some_and(Result::is_ok);
            if ui.add_enabled(ready && valid, egui::Button::new(tr.tr("admin-reference-install"))).clicked() {
                self.message = Some(install(&pack, data_dir, store, session, tr));
                self.validation = None;
                self.listing = None;
            }
        });
        match &self.validation {
            Some(Ok(keys)) => {
                ui.label(tr.tr_args("admin-reference-valid", &[("templates", keys.join(", "))]));
            }
            Some(Err(problems)) => {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    tr.tr_args("admin-reference-invalid", &[("count", problems.len().to_string())]),
                );
                for problem in problems {
                    ui.colored_label(ui.visuals().error_fg_color, problem);
                }
            }
            None => {}
        }
        show_message(ui, &self.message);
    }
}

fn install(pack: &Path, data_dir: &Path, store: &Store, session: &Session, tr: &Translator) -> Result<String, String> {
    import_pack(store, session, data_dir, pack)
        .map(|report| {
            tr.tr_args(
                "admin-reference-installed",
                &[("added", report.added.len().to_string()), ("replaced", report.replaced.len().to_string())],
            )
        })
        .map_err(|e| failure_text(e, tr))
}

fn failure_text(error: ReferenceImportError, tr: &Translator) -> String {
    match error {
        ReferenceImportError::Store(crate::store::StoreError::PermissionDenied { .. }) => tr.tr("admin-no-permission"),
        ReferenceImportError::Pack(e) => crate::reference_station::pack_problems(e).join("\n"),
        e => e.to_string(),
    }
}
