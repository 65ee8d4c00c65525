//! Template packs: a folder laid out like the reference library (`<ISSUER>/<document>/`
//! with a `template.toml` and its specimen images) that an administrator installs into
//! the station's own library. A pack is checked whole before anything is copied, so a
//! broken pack never leaves the station with half its templates.

use std::path::{Path, PathBuf};

use super::error::ReferenceError;
use super::library::ReferenceLibrary;
use super::template::Template;

/// Why a pack was not installed.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// The pack holds no `<ISSUER>/<document>/template.toml`.
    #[error("{0}: no templates found (expected <ISSUER>/<document>/template.toml)")]
    Empty(PathBuf),
    /// One or more templates are broken; every problem is listed.
    #[error("{} problem(s) in the pack: {}", .0.len(), join_problems(.0))]
    Invalid(Vec<ReferenceError>),
    /// A file or folder could not be copied.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

fn join_problems(problems: &[ReferenceError]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// What an installation did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackInstall {
    /// Keys of templates new to the station's library.
    pub added: Vec<String>,
    /// Keys of templates that replaced an installed one.
    pub replaced: Vec<String>,
}

/// Loads every template of `pack` and checks that the specimen images they name exist.
/// Returns the templates, or every problem found (not just the first).
pub fn validate_pack(pack: &Path) -> Result<Vec<Template>, PackError> {
    let (library, mut problems) =
        ReferenceLibrary::load_lenient(pack).map_err(|e| PackError::Invalid(vec![e]))?;
    for template in library.templates() {
        for side in &template.sides {
            let named = [
                side.white.specimen.as_deref(),
                side.uv.specimen.as_deref(),
                side.ir.specimen.as_deref(),
            ];
            for file in named.into_iter().flatten() {
                let path = template.specimen_path(file);
                if !path.is_file() {
                    problems.push(ReferenceError::Invalid {
                        path: template.dir.join(super::TEMPLATE_FILE_NAME),
                        line: None,
                        message: format!(
                            "side `{}` names specimen `{file}`, which is not in the pack",
                            side.name
                        ),
                    });
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(PackError::Invalid(problems));
    }
    if library.templates().is_empty() {
        return Err(PackError::Empty(pack.to_path_buf()));
    }
    Ok(library.templates().to_vec())
}

/// Validates `pack` and copies each of its template folders into `library_root`
/// (`<library_root>/<ISSUER>/<document>/`), replacing a template with the same key. Each
/// folder is copied beside its destination first and then swapped in, so an interrupted
/// copy leaves the old template in place.
pub fn install_pack(pack: &Path, library_root: &Path) -> Result<PackInstall, PackError> {
    let templates = validate_pack(pack)?;
    let mut report = PackInstall::default();
    for template in &templates {
        let destination = library_root.join(&template.key);
        let parent = destination
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| library_root.to_path_buf());
        std::fs::create_dir_all(&parent).map_err(|source| PackError::Io {
            action: "create",
            path: parent.clone(),
            source,
        })?;
        let leaf = destination
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let staging = parent.join(format!(".{leaf}.importing"));
        let retired = parent.join(format!(".{leaf}.replaced"));
        for leftover in [&staging, &retired] {
            if leftover.exists() {
                std::fs::remove_dir_all(leftover).map_err(|source| PackError::Io {
                    action: "remove",
                    path: leftover.to_path_buf(),
                    source,
                })?;
            }
        }
        copy_folder(&template.dir, &staging)?;
        let existed = destination.exists();
        if existed {
            std::fs::rename(&destination, &retired).map_err(|source| PackError::Io {
                action: "move aside",
                path: destination.clone(),
                source,
            })?;
        }
        std::fs::rename(&staging, &destination).map_err(|source| PackError::Io {
            action: "install",
            path: destination.clone(),
            source,
        })?;
        if existed {
            std::fs::remove_dir_all(&retired).map_err(|source| PackError::Io {
                action: "remove",
                path: retired.clone(),
                source,
            })?;
            report.replaced.push(template.key.clone());
        } else {
            report.added.push(template.key.clone());
        }
    }
    Ok(report)
}

fn copy_folder(from: &Path, to: &Path) -> Result<(), PackError> {
    std::fs::create_dir_all(to).map_err(|source| PackError::Io {
        action: "create",
        path: to.to_path_buf(),
        source,
    })?;
    let entries = std::fs::read_dir(from).map_err(|source| PackError::Io {
        action: "list",
        path: from.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| PackError::Io {
            action: "list",
            path: from.to_path_buf(),
            source,
        })?;
        let source_path = entry.path();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().map_err(|source| PackError::Io {
            action: "inspect",
            path: source_path.clone(),
            source,
        })?;
        if kind.is_dir() {
            copy_folder(&source_path, &target)?;
        } else if kind.is_file() {
            std::fs::copy(&source_path, &target).map_err(|source| PackError::Io {
                action: "copy",
                path: source_path.clone(),
                source,
            })?;
        }
        // Symbolic links are left out: a pack must not point the library elsewhere.
    }
    Ok(())
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
[side.white]
specimen = "back.white.png"
[side.mrz]
[[side.zone]]
name = "mrz"
kind = "mrz"
rect_mm = [3.0, 36.0, 80.0, 17.0]
"##;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tdverify-pack-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn write_template(root: &Path, key: &str, text: &str, specimen: bool) {
        let dir = root.join(key);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(super::super::TEMPLATE_FILE_NAME), text).unwrap();
        if specimen {
            std::fs::write(dir.join("back.white.png"), b"TEST-ONLY specimen bytes").unwrap();
        }
    }

    #[test]
    fn a_good_pack_is_installed_and_loads_from_the_library() {
        let pack = scratch("good");
        let library = scratch("good-library");
        write_template(&pack, "ZZA/id-card", TEMPLATE, true);
        let report = install_pack(&pack, &library).unwrap();
        assert_eq!(report.added, vec!["ZZA/id-card".to_string()]);
        assert!(report.replaced.is_empty());
        assert!(library.join("ZZA/id-card/back.white.png").is_file());
        let loaded = ReferenceLibrary::load(&library).unwrap();
        assert_eq!(loaded.templates().len(), 1);
        // Installing again replaces and leaves no staging folder behind.
        let again = install_pack(&pack, &library).unwrap();
        assert_eq!(again.replaced, vec!["ZZA/id-card".to_string()]);
        let names: Vec<String> = std::fs::read_dir(library.join("ZZA"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["id-card".to_string()]);
    }

    #[test]
    fn a_broken_pack_lists_every_problem_and_installs_nothing() {
        let pack = scratch("broken");
        let library = scratch("broken-library");
        write_template(&pack, "ZZA/id-card", TEMPLATE, false);
        write_template(&pack, "ZZB/id-card", "format_version = 1\n[issuer]\n", true);
        let Err(PackError::Invalid(problems)) = install_pack(&pack, &library) else {
            panic!("a broken pack must be refused");
        };
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems
                .iter()
                .any(|p| p.to_string().contains("back.white.png"))
        );
        assert!(!library.join("ZZA").exists());
    }

    #[test]
    fn an_empty_folder_is_not_a_pack() {
        let pack = scratch("empty");
        assert!(matches!(validate_pack(&pack), Err(PackError::Empty(_))));
        assert!(matches!(
            validate_pack(&pack.join("missing")),
            Err(PackError::Invalid(_))
        ));
    }
}
