//! The engines an inspection needs (reference library, MRZ reader, face
//! comparison), loaded once and shared by the CLI and the GUI. A missing model
//! does not stop the program: that stage says it could not run.

use tdverify_document::reference::ReferenceLibrary;
use tdverify_face::FaceEngine;
use tdverify_inspect::Engines;
use tdverify_ocr::OcrEngine;

use crate::resources::Resources;

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
            Err(e) => (ReferenceLibrary::from_templates(resources.reference_library.clone(), Vec::new()), vec![e.to_string()]),
        };
        let ocr = OcrEngine::load(&resources.onnxruntime, &resources.models).map_err(|e| e.to_string());
        let face = tdverify_face::runtime::init_onnxruntime(&resources.onnxruntime)
            .and_then(|runtime| {
                let config = tdverify_face::EngineConfig { models_dir: resources.models.clone(), ..tdverify_face::EngineConfig::default() };
                FaceEngine::load(&runtime, config)
            })
            .map_err(|e| e.to_string());
        for problem in &library_problems {
            tracing::warn!("reference library: {problem}");
        }
        LoadedEngines { library, library_problems, ocr, face, hotlist: None }
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
        Engines { library: &self.library, ocr: self.ocr.as_ref().ok(), face: self.face.as_ref().ok(), hotlist: self.hotlist.as_ref() }
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
