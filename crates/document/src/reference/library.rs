//! Loading a whole reference-library folder and finding templates in it.

use std::path::{Path, PathBuf};

use super::error::ReferenceError;
use super::template::{MrzFormat, Template};

/// The file name every library entry uses.
pub const TEMPLATE_FILE_NAME: &str = "template.toml";

/// All templates of a reference-library folder, sorted by key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReferenceLibrary {
    root: PathBuf,
    templates: Vec<Template>,
}

impl ReferenceLibrary {
    /// Loads every `<ISSUER>/<document>/template.toml` under `root`. Any bad
    /// template fails the whole load (use [`ReferenceLibrary::load_lenient`] to
    /// keep the good ones).
    pub fn load(root: &Path) -> Result<ReferenceLibrary, ReferenceError> {
        let (library, mut problems) = ReferenceLibrary::load_lenient(root)?;
        match problems.is_empty() {
            true => Ok(library),
            false => Err(problems.remove(0)),
        }
    }

    /// Loads every template that is valid and returns the problems of the
    /// others, so a station still starts when one imported entry is broken.
    /// Fails only when `root` itself cannot be read.
    pub fn load_lenient(
        root: &Path,
    ) -> Result<(ReferenceLibrary, Vec<ReferenceError>), ReferenceError> {
        let mut templates: Vec<Template> = Vec::new();
        let mut problems = Vec::new();
        for path in template_files(root)? {
            match Template::load(&path) {
                Ok(template) if templates.iter().any(|t| t.key == template.key) => {
                    problems.push(ReferenceError::Duplicate {
                        path,
                        key: template.key,
                    });
                }
                Ok(template) => templates.push(template),
                Err(problem) => problems.push(problem),
            }
        }
        templates.sort_by(|a, b| a.key.cmp(&b.key));
        Ok((
            ReferenceLibrary {
                root: root.to_path_buf(),
                templates,
            },
            problems,
        ))
    }

    /// A library made of templates already in memory (tests, imports).
    pub fn from_templates(root: PathBuf, mut templates: Vec<Template>) -> ReferenceLibrary {
        templates.sort_by(|a, b| a.key.cmp(&b.key));
        ReferenceLibrary { root, templates }
    }

    /// This library with `imported`'s templates added: an imported template replaces
    /// the bundled one with the same key (a station installs a pack to correct or
    /// update a document, not to keep two answers for it).
    pub fn with_imported(mut self, imported: ReferenceLibrary) -> ReferenceLibrary {
        for template in imported.templates {
            self.templates.retain(|t| t.key != template.key);
            self.templates.push(template);
        }
        self.templates.sort_by(|a, b| a.key.cmp(&b.key));
        self
    }

    /// The folder the library was loaded from.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Every template, sorted by key.
    pub fn templates(&self) -> &[Template] {
        &self.templates
    }

    /// The template with this key (`UTO/passport`).
    pub fn get(&self, key: &str) -> Option<&Template> {
        self.templates.iter().find(|template| template.key == key)
    }

    /// The template matching an MRZ's issuing state, document code and format;
    /// `None` means "no template matched": run the generic ICAO checks only.
    /// When several match, an exact document-code match wins.
    pub fn find(
        &self,
        issuing_state: &str,
        doc_code: &str,
        format: MrzFormat,
    ) -> Option<&Template> {
        let code = doc_code.trim_end_matches('<');
        let matching = self.find_all(issuing_state, doc_code, format);
        matching
            .iter()
            .find(|template| {
                template
                    .document
                    .doc_codes
                    .iter()
                    .any(|known| known == code)
            })
            .or(matching.first())
            .copied()
    }

    /// Every template matching an MRZ's issuing state, document code and format.
    pub fn find_all(
        &self,
        issuing_state: &str,
        doc_code: &str,
        format: MrzFormat,
    ) -> Vec<&Template> {
        self.templates
            .iter()
            .filter(|template| template.matches(issuing_state, doc_code, format))
            .collect()
    }

    /// The issuer codes present, sorted and without repeats.
    pub fn issuers(&self) -> Vec<&str> {
        let mut codes: Vec<&str> = self
            .templates
            .iter()
            .map(|t| t.issuer.code.as_str())
            .collect();
        codes.dedup();
        codes
    }
}

/// `root/*/*/template.toml`, sorted for deterministic order.
fn template_files(root: &Path) -> Result<Vec<PathBuf>, ReferenceError> {
    let mut files = Vec::new();
    for issuer in sorted_subdirs(root)? {
        for document in sorted_subdirs(&issuer)? {
            let path = document.join(TEMPLATE_FILE_NAME);
            if path.is_file() {
                files.push(path);
            }
        }
    }
    Ok(files)
}

fn sorted_subdirs(dir: &Path) -> Result<Vec<PathBuf>, ReferenceError> {
    let read_error = |source| ReferenceError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut dirs = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_error)? {
        let entry = entry.map_err(read_error)?;
        let is_dir = entry.file_type().map_err(read_error)?.is_dir();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if is_dir && !hidden {
            dirs.push(entry.path());
        }
    }
    dirs.sort();
    Ok(dirs)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r##"
format_version = 1
[issuer]
code = "ZZA"
name = "Zembla"
[document]
name = "Identity card"
kind = "id_card"
doc_codes = ["ID"]
mrz_format = "td1"
width_mm = 85.6
height_mm = 53.98
[[side]]
name = "back"
[side.mrz]
[[side.zone]]
name = "mrz"
kind = "mrz"
rect_mm = [3.0, 36.0, 80.0, 17.0]
"##;

    fn scratch_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("tdverify-reference-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn write(root: &Path, key: &str, text: &str) {
        let dir = root.join(key);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(TEMPLATE_FILE_NAME), text).unwrap();
    }

    #[test]
    fn loads_and_finds_by_mrz_identity() {
        let root = scratch_dir("find");
        write(&root, "ZZA/id-card", TEMPLATE);
        write(
            &root,
            "ZZA/residence",
            &TEMPLATE.replace("[\"ID\"]", "[\"IR\"]"),
        );
        let library = ReferenceLibrary::load(&root).unwrap();
        assert_eq!(library.templates().len(), 2);
        assert_eq!(library.issuers(), vec!["ZZA"]);
        assert_eq!(
            library.find("ZZA", "ID", MrzFormat::Td1).unwrap().key,
            "ZZA/id-card"
        );
        assert_eq!(
            library.find("ZZA", "IR", MrzFormat::Td1).unwrap().key,
            "ZZA/residence"
        );
        assert_eq!(
            library.find("ZZA", "I<", MrzFormat::Td1).unwrap().key,
            "ZZA/id-card"
        );
        assert!(library.find("ZZA", "ID", MrzFormat::Td2).is_none());
        assert!(library.find("UTO", "ID", MrzFormat::Td1).is_none());
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn lenient_load_keeps_good_templates_and_names_bad_file() {
        let root = scratch_dir("lenient");
        write(&root, "ZZA/id-card", TEMPLATE);
        write(&root, "ZZA/broken", "format_version = 1\n[issuer\n");
        let (library, problems) = ReferenceLibrary::load_lenient(&root).unwrap();
        assert_eq!(library.templates().len(), 1);
        assert_eq!(problems.len(), 1);
        let message = problems[0].to_string();
        assert!(message.contains("ZZA/broken/template.toml:2"), "{message}");
        assert!(ReferenceLibrary::load(&root).is_err());
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn an_imported_template_replaces_the_bundled_one_of_the_same_key() {
        let bundled_root = scratch_dir("bundled");
        let imported_root = scratch_dir("imported");
        write(&bundled_root, "ZZA/id-card", TEMPLATE);
        write(&bundled_root, "ZZA/residence", &TEMPLATE.replace("[\"ID\"]", "[\"IR\"]"));
        write(&imported_root, "ZZA/id-card", &TEMPLATE.replace("Identity card", "Identity card 2027"));
        let bundled = ReferenceLibrary::load(&bundled_root).unwrap();
        let imported = ReferenceLibrary::load(&imported_root).unwrap();
        let library = bundled.with_imported(imported);
        assert_eq!(library.templates().len(), 2, "one template per key");
        let card = library.get("ZZA/id-card").unwrap();
        assert!(card.dir.starts_with(&imported_root), "{:?}", card.dir);
        assert!(library.get("ZZA/residence").unwrap().dir.starts_with(&bundled_root));
        std::fs::remove_dir_all(&bundled_root).unwrap();
        std::fs::remove_dir_all(&imported_root).unwrap();
    }

    #[test]
    fn missing_root_is_a_read_error() {
        let error = ReferenceLibrary::load(Path::new("/nonexistent/tdverify-library")).unwrap_err();
        assert!(matches!(error, ReferenceError::Read { .. }));
    }
}

#[cfg(test)]
mod shipped_library_tests {
    use super::*;
    use crate::reference::{MrzFormat, ZoneKind};

    fn shipped_root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reference-library")
    }

    #[test]
    fn every_shipped_template_loads() {
        let library = ReferenceLibrary::load(&shipped_root()).unwrap();
        assert!(
            library.templates().len() >= 8,
            "{:?}",
            library
                .templates()
                .iter()
                .map(|t| &t.key)
                .collect::<Vec<_>>()
        );
        assert_eq!(library.issuers(), vec!["UTO", "ZZA", "ZZB", "ZZC"]);
        for template in library.templates() {
            let side = template.mrz_side().unwrap();
            assert!(side.mrz_zone().is_some(), "{}", template.key);
            assert!(
                template
                    .sides
                    .iter()
                    .any(|s| s.first_zone_of(ZoneKind::Photo).is_some()),
                "{}",
                template.key
            );
        }
    }

    #[test]
    fn every_shipped_specimen_image_exists() {
        let library = ReferenceLibrary::load(&shipped_root()).unwrap();
        for template in library.templates() {
            for side in &template.sides {
                for specimen in [&side.white.specimen, &side.uv.specimen, &side.ir.specimen] {
                    let file = specimen.as_deref().unwrap();
                    assert!(
                        template.specimen_path(file).is_file(),
                        "{}: {file}",
                        template.key
                    );
                }
            }
        }
    }

    #[test]
    fn utopia_has_every_document_type() {
        let library = ReferenceLibrary::load(&shipped_root()).unwrap();
        for (code, format) in [
            ("P", MrzFormat::Td3),
            ("ID", MrzFormat::Td1),
            ("IR", MrzFormat::Td2),
            ("V", MrzFormat::MrvA),
        ] {
            let found = library.find("UTO", code, format);
            assert!(found.is_some(), "UTO {code} {format:?}");
        }
        assert_eq!(
            library.find("UTO", "P<", MrzFormat::Td3).unwrap().key,
            "UTO/passport"
        );
    }
}
