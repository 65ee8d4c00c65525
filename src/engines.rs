//! The engines an inspection needs (reference library, MRZ reader, face
//! comparison), loaded once and shared by the CLI and the GUI. A missing model
//! does not stop the program: that stage says it could not run.

use tdverify_document::reference::ReferenceLibrary;
use tdverify_face::FaceEngine;
use tdverify_inspect::Engines;
use tdverify_ocr::OcrEngine;

use crate::resources::Resources;

/// Where a station keeps the template packs its administrator installed (beside the
/// case store, so they survive a program update that replaces the bundled library).
pub fn imported_library_dir(data_dir: &std::path::Path) -> std::path::PathBuf {
    data_dir.join("reference-library")
}

/// Loaded engines, with the reason for each one that could not be loaded.
pub struct LoadedEngines {
    /// Document templates (an empty library when the folder is unusable).
    pub library: ReferenceLibrary,
    /// Problems met loading the library (bad templates are skipped).
    pub library_problems: Vec<String>,
    /// The MRZ reader, or why it is unavailable.
    pub ocr: Result<OcrEngine, String>,
    /// Face comparison, or why it is unavailable.
    pub face: Result<FaceEngine, String>,
    /// The station's SLTD hotlist, once [`LoadedEngines::load_hotlist`] found one.
    pub hotlist: Option<tdverify_sltd::Hotlist>,
}

impl LoadedEngines {
    /// Loads everything from the bundled resources.
    pub fn load(resources: &Resources) -> LoadedEngines {
        let (library, library_problems) = match ReferenceLibrary::load_lenient(&resources.reference_library) {
            Ok((library, problems)) => (library, problems.iter().map(|p| p.to_string()).collect()),
            Err(e) => {
                (ReferenceLibrary::from_templates(resources.reference_library.clone(), Vec::new()), vec![e.to_string()])
            }
        };
        let ocr = OcrEngine::load(&resources.onnxruntime, &resources.models).map_err(|e| e.to_string());
        let face = tdverify_runtime::init_onnxruntime(&resources.onnxruntime)
            .map_err(tdverify_face::FaceError::from)
            .and_then(|runtime| {
                let config = tdverify_face::EngineConfig {
                    models_dir: resources.models.clone(),
                    ..tdverify_face::EngineConfig::default()
                };
                FaceEngine::load(&runtime, config)
            })
            .map_err(|e| e.to_string());
        for problem in &library_problems {
            tracing::warn!("reference library: {problem}");
        }
        LoadedEngines { library, library_problems, ocr, face, hotlist: None }
    }

    /// Loads everything for the station whose data folder is `data_dir`: the bundled
    /// resources, with the template packs its administrator installed
    /// ([`imported_library_dir`]) taking the place of bundled templates of the same key.
    /// A broken imported template is skipped and listed with the library's problems.
    pub fn load_for_station(resources: &Resources, data_dir: &std::path::Path) -> LoadedEngines {
        let mut loaded = LoadedEngines::load(resources);
        let imported_root = imported_library_dir(data_dir);
        if imported_root.is_dir() {
            match ReferenceLibrary::load_lenient(&imported_root) {
                Ok((imported, problems)) => {
                    for problem in problems {
                        tracing::warn!("imported reference library: {problem}");
                        loaded.library_problems.push(problem.to_string());
                    }
                    let bundled = std::mem::replace(
                        &mut loaded.library,
                        ReferenceLibrary::from_templates(resources.reference_library.clone(), Vec::new()),
                    );
                    loaded.library = bundled.with_imported(imported);
                }
                Err(e) => loaded.library_problems.push(format!("{}: {e}", imported_root.display())),
            }
        }
        loaded
    }

    /// Loads the station's hotlist from the data directory with the administrator's
    /// maximum age (none imported: `None`, and `sltd.hit` says so). A damaged copy is
    /// logged and left out, never fatal.
    pub fn load_hotlist(&mut self, data_dir: &std::path::Path) {
        self.hotlist = match tdverify_sltd::Hotlist::load(data_dir) {
            Ok(mut list) => {
                if let Some(list) = list.as_mut() {
                    list.set_max_age_days(i64::from(tdverify_store::Store::sltd_max_age_in(data_dir)));
                }
                list
            }
            Err(e) => {
                tracing::warn!("SLTD hotlist: {e}");
                None
            }
        };
    }

    /// The borrowed view `inspect::run` takes.
    pub fn engines(&self) -> Engines<'_> {
        Engines {
            library: &self.library,
            ocr: self.ocr.as_ref().ok(),
            face: self.face.as_ref().ok(),
            hotlist: self.hotlist.as_ref(),
        }
    }
}

/// The station's hotlist for a long-running window: reloaded at the next inspection when
/// the station's copy changed on disk (an import from the System screen or the CLI), so
/// no restart is needed; the administrator's maximum age is read again with it.
#[derive(Default)]
pub struct HotlistCache {
    loaded: Option<(Option<std::time::SystemTime>, u32, std::sync::Arc<tdverify_sltd::Hotlist>)>,
}

impl HotlistCache {
    /// The current hotlist in `data_dir`, reloaded when the file or the maximum age
    /// changed; `None` when none was imported or the copy is damaged (logged).
    pub fn current(&mut self, data_dir: &std::path::Path) -> Option<std::sync::Arc<tdverify_sltd::Hotlist>> {
        let modified = std::fs::metadata(tdverify_sltd::copy_path(data_dir)).and_then(|m| m.modified()).ok();
        let max_age = tdverify_store::Store::sltd_max_age_in(data_dir);
        if let Some((when, age, list)) = &self.loaded
            && *when == modified
            && *age == max_age
        {
            return Some(std::sync::Arc::clone(list));
        }
        self.loaded = None;
        match tdverify_sltd::Hotlist::load(data_dir) {
            Ok(Some(mut list)) => {
                list.set_max_age_days(i64::from(max_age));
                let list = std::sync::Arc::new(list);
                self.loaded = Some((modified, max_age, std::sync::Arc::clone(&list)));
                Some(list)
            }
            Ok(None) => None,
            Err(e) => {
                tracing::warn!("SLTD hotlist: {e}");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Copies a template folder (its `template.toml` and specimen images).
    fn copy_folder(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
            }
        }
    }

    #[test]
    fn a_station_inspects_with_the_template_pack_its_administrator_installed() {
        let resources = Resources::discover();
        let bundled = resources.reference_library.join("UTO").join("passport");
        assert!(bundled.is_dir(), "the bundled library has UTO/passport: {}", bundled.display());
        let data = tempfile::tempdir().unwrap();
        let imported = imported_library_dir(data.path()).join("UTO").join("passport");
        copy_folder(&bundled, &imported);
        let toml = imported.join("template.toml");
        let text = std::fs::read_to_string(&toml).unwrap();
        std::fs::write(&toml, text.replacen("[document]\nname = \"", "[document]\nname = \"Imported ", 1)).unwrap();

        let station = LoadedEngines::load_for_station(&resources, data.path());
        let template = station.library.get("UTO/passport").expect("UTO/passport");
        assert!(template.dir.starts_with(data.path()), "the imported copy is used: {}", template.dir.display());
        assert!(template.document.name.starts_with("Imported "), "{}", template.document.name);
        let plain = LoadedEngines::load(&resources);
        assert_eq!(station.library.templates().len(), plain.library.templates().len(), "replaced, not added");

        // A broken imported template is skipped and named; the bundled one stays in use.
        std::fs::write(&toml, "format_version = 1\n[issuer\n").unwrap();
        let station = LoadedEngines::load_for_station(&resources, data.path());
        assert!(
            station
                .library
                .get("UTO/passport")
                .is_some_and(|t| t.dir == bundled || t.dir.starts_with(&resources.reference_library))
        );
        assert!(station.library_problems.iter().any(|p| p.contains("template.toml")), "{:?}", station.library_problems);
    }
}
