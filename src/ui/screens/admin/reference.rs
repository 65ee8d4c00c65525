//! Reference library tab: the document templates the station has (bundled with the
//! program, or imported by an administrator into `<data dir>/reference-library/`) and the
//! import of a template pack, validated whole first with every problem shown.

use std::path::{Path, PathBuf};

use eframe::egui;

use super::{labelled_field, show_message};
use crate::document::reference::{ReferenceLibrary, install_pack, validate_pack};
use crate::i18n::Translator;
use crate::resources::Resources;
use crate::store::{Session, Store};

pub use crate::engines::imported_library_dir;

/// One template as the tab lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceRow {
    /// `<ISSUER>/<document>`.
    pub key: String,
    /// The document's name (`Passport`).
    pub document: String,
    /// Issuing state code.
    pub country: String,
    /// Year the model was first issued, the templates' only version mark.
    pub first_issued: Option<u16>,
    /// `true` for an administrator's import, `false` for the bundled library.
    pub imported: bool,
}

/// The templates of both libraries, by key, and the problems of the broken ones.
pub fn reference_rows(bundled: &Path, imported: &Path) -> (Vec<ReferenceRow>, Vec<String>) {
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (root, is_imported) in [(bundled, false), (imported, true)] {
        if is_imported && !root.is_dir() {
            continue;
        }
        match ReferenceLibrary::load_lenient(root) {
            Ok((library, broken)) => {
                problems.extend(broken.iter().map(ToString::to_string));
                rows.extend(library.templates().iter().map(|t| ReferenceRow {
                    key: t.key.clone(),
                    document: t.document.name.clone(),
                    country: t.issuer.code.clone(),
                    first_issued: t.document.first_issued,
                    imported: is_imported,
                }));
            }
            Err(e) => problems.push(e.to_string()),
        }
    }
    rows.sort_by(|a, b| a.key.cmp(&b.key).then(a.imported.cmp(&b.imported)));
    (rows, problems)
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
    listing: Option<(Vec<ReferenceRow>, Vec<String>)>,
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
        let imported_dir = imported_library_dir(data_dir);
        let (rows, problems) =
            self.listing.get_or_insert_with(|| reference_rows(&resources.reference_library, &imported_dir)).clone();
        ui.label(tr.tr_args("admin-reference-count", &[("count", rows.len().to_string())]));
        egui::Grid::new("admin-reference").striped(true).num_columns(5).spacing([14.0, 6.0]).show(ui, |ui| {
            for id in [
                "admin-reference-key",
                "admin-reference-document",
                "admin-csca-country",
                "admin-reference-version",
                "admin-reference-source",
            ] {
                ui.label(egui::RichText::new(tr.tr(id)).strong());
            }
            ui.end_row();
            for row in &rows {
                ui.label(&row.key);
                ui.label(&row.document);
                ui.label(&row.country);
                ui.label(row.first_issued.map(|y| y.to_string()).unwrap_or_default());
                ui.label(tr.tr(if row.imported { "admin-reference-imported" } else { "admin-reference-bundled" }));
                ui.end_row();
            }
        });
        for problem in &problems {
            ui.colored_label(ui.visuals().warn_fg_color, problem);
        }
        ui.add_space(12.0);
        ui.label(egui::RichText::new(tr.tr("admin-reference-import-title")).strong());
        ui.label(egui::RichText::new(tr.tr("admin-reference-pack-hint")).weak());
        labelled_field(ui, &tr.tr("admin-reference-pack"), &mut self.pack, 420.0, false);
        let pack = PathBuf::from(self.pack.trim());
        let ready = !self.pack.trim().is_empty();
        ui.horizontal(|ui| {
            if ui.add_enabled(ready, egui::Button::new(tr.tr("admin-reference-validate"))).clicked() {
                self.validation = Some(match validate_pack(&pack) {
                    Ok(templates) => Ok(templates.into_iter().map(|t| t.key).collect()),
                    Err(e) => Err(pack_problems(e)),
                });
                self.message = None;
            }
            let valid = self.validation.as_ref().is_some_and(Result::is_ok);
            if ui.add_enabled(ready && valid, egui::Button::new(tr.tr("admin-reference-install"))).clicked() {
                self.message = Some(install(&pack, &imported_dir, store, session, tr));
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

fn pack_problems(error: crate::document::reference::PackError) -> Vec<String> {
    match error {
        crate::document::reference::PackError::Invalid(problems) => problems.iter().map(ToString::to_string).collect(),
        other => vec![other.to_string()],
    }
}

fn install(
    pack: &Path,
    imported_dir: &Path,
    store: &Store,
    session: &Session,
    tr: &Translator,
) -> Result<String, String> {
    // Checked before any file is copied: only an administrator changes the library.
    if !session.may(crate::store::Permission::ManageStation) {
        return Err(tr.tr("admin-no-permission"));
    }
    let report = install_pack(pack, imported_dir).map_err(|e| pack_problems(e).join("\n"))?;
    let name = pack.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    store
        .record_reference_import(
            session,
            &format!("pack {name}: added {}; replaced {}", report.added.join(", "), report.replaced.join(", ")),
        )
        .map_err(|e| e.to_string())?;
    Ok(tr.tr_args(
        "admin-reference-installed",
        &[("added", report.added.len().to_string()), ("replaced", report.replaced.len().to_string())],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_list_bundled_and_imported_templates() {
        let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("reference-library");
        let data = tempfile::tempdir().unwrap();
        let (rows, problems) = reference_rows(&bundled, &imported_library_dir(data.path()));
        assert!(problems.is_empty(), "{problems:?}");
        assert!(rows.iter().any(|r| r.key == "UTO/passport" && !r.imported && r.country == "UTO"));
        assert!(rows.iter().all(|r| !r.imported));
        // Install a copy of one bundled template as a pack: it then shows as imported too.
        let pack = tempfile::tempdir().unwrap();
        let source = bundled.join("ZZA/passport");
        let target = pack.path().join("ZZA/passport");
        std::fs::create_dir_all(&target).unwrap();
        for entry in std::fs::read_dir(&source).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), target.join(entry.file_name())).unwrap();
        }
        install_pack(pack.path(), &imported_library_dir(data.path())).unwrap();
        let (rows, _) = reference_rows(&bundled, &imported_library_dir(data.path()));
        assert!(rows.iter().any(|r| r.key == "ZZA/passport" && r.imported));
    }
}
