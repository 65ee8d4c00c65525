//! The station's reference library, shared by the Administration screen and the CLI:
//! the templates it has (bundled with the program, or imported by an administrator into
//! `<data dir>/reference-library/`), the audited import of a template pack, which is
//! validated whole before anything is copied, and the earlier versions of imported
//! templates: a template a pack replaces is kept in
//! `<data dir>/reference-library-history/<key>/<revision>/`, so a bad pack can be undone.
//! A version is named by its revision, the start of the SHA-256 of its files, which an
//! administrator can compare with the publisher's.

use std::path::Path;

use tdverify_document::reference::{PackError, PackInstall, ReferenceLibrary, install_pack, validate_pack};
use tdverify_store::{Session, Store, StoreError};

pub use crate::engines::imported_library_dir;

/// One template as the station lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
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
    /// The start of the SHA-256 of the template's files (empty when they cannot be read).
    pub revision: String,
}

/// An earlier version of an imported template, kept when a pack replaced it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TemplateVersion {
    /// The revision (the folder's name in the history).
    pub revision: String,
    /// When it was replaced, as ISO 8601 UTC (from the folder's time; empty if unknown).
    pub replaced_at: String,
}

/// Hex digits of a revision: enough to tell versions apart and to compare by eye.
const REVISION_DIGITS: usize = 12;

/// Why a pack was not installed.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceImportError {
    /// The session may not change the library, or the audit entry failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The pack is unusable; nothing was installed.
    #[error(transparent)]
    Pack(#[from] PackError),
    /// The templates were installed but the audit entry could not be written.
    #[error("the pack was installed, but its audit entry failed: {0}")]
    NotAudited(StoreError),
    /// The version to restore is not in the history.
    #[error("no earlier version {revision} of {key} (see `tdverify reference versions {key}`)")]
    NoSuchVersion {
        /// The template key.
        key: String,
        /// The revision asked for.
        revision: String,
    },
    /// The history could not be written or read.
    #[error("cannot {action} {path}: {source}")]
    History {
        /// What was being done.
        action: &'static str,
        /// The file or folder.
        path: std::path::PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// Where the versions that packs replaced are kept (beside the imported library, not in
/// it, so the loader never sees them).
pub fn history_dir(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("reference-library-history")
}

/// The revision of a template folder: the start of the SHA-256 over its files' names and
/// contents, in name order (sub-folders are not part of a template).
pub fn template_revision(folder: &Path) -> std::io::Result<String> {
    let mut files: Vec<_> = std::fs::read_dir(folder)?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .map(|entry| entry.path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    let mut digest = ring::digest::Context::new(&ring::digest::SHA256);
    for file in &files {
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let bytes = std::fs::read(file)?;
        digest.update(&(name.len() as u64).to_be_bytes());
        digest.update(name.as_bytes());
        digest.update(&(bytes.len() as u64).to_be_bytes());
        digest.update(&bytes);
    }
    let hex = tdverify_core::hex::encode(digest.finish().as_ref());
    Ok(hex[..REVISION_DIGITS].to_string())
}

/// The templates of both libraries sorted by key (an imported template listed after the
/// bundled one it overrides), and the problems of the broken ones.
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
                    revision: template_revision(&t.dir).unwrap_or_default(),
                }));
            }
            Err(e) => problems.push(e.to_string()),
        }
    }
    rows.sort_by(|a, b| a.key.cmp(&b.key).then(a.imported.cmp(&b.imported)));
    (rows, problems)
}

/// Validates a pack: the template keys it holds, or every problem found (one line each).
pub fn validate(pack: &Path) -> Result<Vec<String>, Vec<String>> {
    validate_pack(pack).map(|templates| templates.into_iter().map(|t| t.key).collect()).map_err(pack_problems)
}

/// Every problem of a refused pack, one line each.
pub fn pack_problems(error: PackError) -> Vec<String> {
    match error {
        PackError::Invalid(problems) => problems.iter().map(ToString::to_string).collect(),
        other => vec![other.to_string()],
    }
}

/// Installs a template pack into the station's imported library as `session`, which
/// must be allowed to manage the station (checked before any file is copied), keeps each
/// template it replaces in the history, and records the import in the audit log with the
/// templates added and replaced.
pub fn import_pack(
    store: &Store,
    session: &Session,
    data_dir: &Path,
    pack: &Path,
) -> Result<PackInstall, ReferenceImportError> {
    store.may_change_reference_library(session)?;
    for template in validate_pack(pack)? {
        keep_in_history(data_dir, &template.key)?;
    }
    let report = install_pack(pack, &imported_library_dir(data_dir))?;
    let name = pack.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let detail = format!("pack {name}: added {}; replaced {}", report.added.join(", "), report.replaced.join(", "));
    store.record_reference_import(session, &detail).map_err(ReferenceImportError::NotAudited)?;
    Ok(report)
}

/// Whether `key` is a template key (`ISSUER/document`), so it can name a folder.
fn is_template_key(key: &str) -> bool {
    let parts: Vec<&str> = key.split('/').collect();
    parts.len() == 2
        && parts
            .iter()
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
}

/// The earlier versions of an imported template, newest first.
pub fn template_versions(data_dir: &Path, key: &str) -> Vec<TemplateVersion> {
    if !is_template_key(key) {
        return Vec::new();
    }
    let Ok(entries) = std::fs::read_dir(history_dir(data_dir).join(key)) else { return Vec::new() };
    let mut versions: Vec<(std::time::SystemTime, TemplateVersion)> = entries
        .flatten()
        .filter(|entry| entry.path().join("template.toml").is_file())
        .map(|entry| {
            let when = entry.metadata().and_then(|m| m.modified()).unwrap_or(std::time::UNIX_EPOCH);
            let revision = entry.file_name().to_string_lossy().into_owned();
            (when, TemplateVersion { revision, replaced_at: iso_utc(when) })
        })
        .collect();
    versions.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.revision.cmp(&b.1.revision)));
    versions.into_iter().map(|(_, version)| version).collect()
}

/// Puts an earlier version of an imported template back in use as `session` (an
/// administrator): it is installed like a one-template pack (validated again), the
/// version it replaces goes to the history, and the restore is audited.
pub fn restore_version(
    store: &Store,
    session: &Session,
    data_dir: &Path,
    key: &str,
    revision: &str,
) -> Result<PackInstall, ReferenceImportError> {
    store.may_change_reference_library(session)?;
    let no_such = || ReferenceImportError::NoSuchVersion { key: key.to_string(), revision: revision.to_string() };
    // Only a history folder's own name is accepted: no path may leave the history.
    let is_revision = !revision.is_empty() && revision.bytes().all(|b| b.is_ascii_hexdigit());
    if !is_revision || !template_versions(data_dir, key).iter().any(|v| v.revision == revision) {
        return Err(no_such());
    }
    let kept = history_dir(data_dir).join(key).join(revision);
    // Staged beside the library (same file system), removed whatever happens.
    let staging = data_dir.join(".reference-restore");
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(history_io("remove", &staging))?;
    }
    let installed = copy_template(&kept, &staging.join(key)).and_then(|()| {
        keep_in_history(data_dir, key)?;
        Ok(install_pack(&staging, &imported_library_dir(data_dir))?)
    });
    let _ = std::fs::remove_dir_all(&staging);
    let report = installed?;
    store
        .record_reference_import(session, &format!("restored {key} revision {revision}"))
        .map_err(ReferenceImportError::NotAudited)?;
    Ok(report)
}

/// Copies the imported template `key` (when there is one) into the history under its
/// revision, before a pack replaces it.
fn keep_in_history(data_dir: &Path, key: &str) -> Result<(), ReferenceImportError> {
    let current = imported_library_dir(data_dir).join(key);
    if !current.join("template.toml").is_file() {
        return Ok(());
    }
    let revision = template_revision(&current).map_err(history_io("read", &current))?;
    let kept = history_dir(data_dir).join(key).join(&revision);
    if kept.join("template.toml").is_file() {
        // The same version was replaced before: date it now.
        let now = std::fs::FileTimes::new().set_modified(std::time::SystemTime::now());
        let file = std::fs::File::open(&kept).map_err(history_io("open", &kept))?;
        return file.set_times(now).map_err(history_io("date", &kept));
    }
    copy_template(&current, &kept)
}

/// Copies a template folder's files (a template has no sub-folders).
fn copy_template(from: &Path, to: &Path) -> Result<(), ReferenceImportError> {
    std::fs::create_dir_all(to).map_err(history_io("create", to))?;
    for entry in std::fs::read_dir(from).map_err(history_io("read", from))? {
        let path = entry.map_err(history_io("read", from))?.path();
        if let (true, Some(name)) = (path.is_file(), path.file_name()) {
            std::fs::copy(&path, to.join(name)).map_err(history_io("copy", &path))?;
        }
    }
    Ok(())
}

/// The history error for `action` on `path`, for `map_err`.
fn history_io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> ReferenceImportError {
    let path = path.to_path_buf();
    move |source| ReferenceImportError::History { action, path, source }
}

/// A file time as ISO 8601 UTC, to the second.
fn iso_utc(time: std::time::SystemTime) -> String {
    let Ok(since) = time.duration_since(std::time::UNIX_EPOCH) else { return String::new() };
    tdverify_store::time::format_utc(i64::try_from(since.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("reference-library")
    }

    /// A pack holding a copy of one bundled template.
    fn pack_of(key: &str) -> tempfile::TempDir {
        let pack = tempfile::tempdir().unwrap();
        let source = bundled().join(key);
        let target = pack.path().join(key);
        std::fs::create_dir_all(&target).unwrap();
        for entry in std::fs::read_dir(&source).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), target.join(entry.file_name())).unwrap();
        }
        pack
    }

    /// A TEST-ONLY store with an administrator, logged in.
    fn store_with_admin(data: &Path) -> (Store, Session) {
        let store =
            Store::initialize(data, "TEST-ONLY passphrase", tdverify_store::StoreOptions::test_only_fast()).unwrap();
        store.create_first_admin("admin", "TEST-ONLY password 1").unwrap();
        let admin = store.login("admin", "TEST-ONLY password 1").unwrap();
        (store, admin)
    }

    #[test]
    fn rows_list_bundled_and_imported_templates() {
        let data = tempfile::tempdir().unwrap();
        let (rows, problems) = reference_rows(&bundled(), &imported_library_dir(data.path()));
        assert!(problems.is_empty(), "{problems:?}");
        assert!(rows.iter().any(|r| r.key == "UTO/passport" && !r.imported && r.country == "UTO"));
        assert!(rows.iter().all(|r| !r.imported));
        let pack = pack_of("ZZA/passport");
        install_pack(pack.path(), &imported_library_dir(data.path())).unwrap();
        let (rows, _) = reference_rows(&bundled(), &imported_library_dir(data.path()));
        let zza: Vec<_> = rows.iter().filter(|r| r.key == "ZZA/passport").collect();
        assert_eq!(zza.len(), 2, "the bundled template and the import that overrides it");
        assert!(!zza[0].imported && zza[1].imported);
    }

    #[test]
    fn a_broken_pack_lists_its_problems_and_installs_nothing() {
        let pack = pack_of("ZZA/passport");
        let template = pack.path().join("ZZA/passport/template.toml");
        std::fs::write(&template, "this is = not [ a template").unwrap();
        let problems = validate(pack.path()).unwrap_err();
        assert!(!problems.is_empty());
        assert!(problems.iter().any(|p| p.contains("template.toml")), "{problems:?}");
        let empty = tempfile::tempdir().unwrap();
        let problems = validate(empty.path()).unwrap_err();
        assert!(problems[0].contains("no templates found"), "{problems:?}");
    }

    #[test]
    fn import_is_audited_and_refused_to_an_officer() {
        let data = tempfile::tempdir().unwrap();
        let (store, admin) = store_with_admin(data.path());
        store.create_user(&admin, "officer", "TEST-ONLY password 1", tdverify_store::Role::Officer).unwrap();
        let officer = store.login("officer", "TEST-ONLY password 1").unwrap();
        let pack = pack_of("ZZA/passport");
        let refused = import_pack(&store, &officer, data.path(), pack.path()).unwrap_err();
        assert!(matches!(refused, ReferenceImportError::Store(StoreError::PermissionDenied { .. })), "{refused}");
        assert!(!imported_library_dir(data.path()).join("ZZA/passport").exists(), "nothing copied for an officer");
        let report = import_pack(&store, &admin, data.path(), pack.path()).unwrap();
        assert_eq!(report.added, vec!["ZZA/passport".to_string()]);
        assert!(imported_library_dir(data.path()).join("ZZA/passport/template.toml").is_file());
        let report = import_pack(&store, &admin, data.path(), pack.path()).unwrap();
        assert_eq!(report.replaced, vec!["ZZA/passport".to_string()]);
        let imports = store
            .audit_entries(&store.station_session(), 0, 1_000)
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "reference_import")
            .count();
        assert_eq!(imports, 2, "each install audited, the refusal not");
    }

    #[test]
    fn a_replaced_template_is_kept_and_can_be_restored() {
        let data = tempfile::tempdir().unwrap();
        let (store, admin) = store_with_admin(data.path());
        let key = "ZZA/passport";
        let pack = pack_of(key);
        let template = pack.path().join(key).join("template.toml");
        import_pack(&store, &admin, data.path(), pack.path()).unwrap();
        let installed = imported_library_dir(data.path()).join(key);
        let first = template_revision(&installed).unwrap();
        assert_eq!(first.len(), REVISION_DIGITS);
        assert!(template_versions(data.path(), key).is_empty(), "nothing replaced yet");

        let text = std::fs::read_to_string(&template).unwrap();
        std::fs::write(&template, format!("# TEST-ONLY second edition\n{text}")).unwrap();
        import_pack(&store, &admin, data.path(), pack.path()).unwrap();
        let second = template_revision(&installed).unwrap();
        assert_ne!(first, second);
        let (rows, _) = reference_rows(&bundled(), &imported_library_dir(data.path()));
        assert!(rows.iter().any(|r| r.key == key && r.imported && r.revision == second), "{rows:?}");
        let versions = template_versions(data.path(), key);
        assert_eq!(versions.iter().map(|v| v.revision.as_str()).collect::<Vec<_>>(), vec![first.as_str()]);
        assert!(versions[0].replaced_at.ends_with('Z'), "{versions:?}");

        for bad in ["0000000000ff", "../../etc", ""] {
            let refused = restore_version(&store, &admin, data.path(), key, bad).unwrap_err();
            assert!(matches!(refused, ReferenceImportError::NoSuchVersion { .. }), "{bad}: {refused}");
        }
        assert!(template_versions(data.path(), "../ZZA").is_empty());
        restore_version(&store, &admin, data.path(), key, &first).unwrap();
        assert_eq!(template_revision(&installed).unwrap(), first, "the first version is back in use");
        let kept: Vec<String> = template_versions(data.path(), key).into_iter().map(|v| v.revision).collect();
        assert_eq!(kept.len(), 2, "both versions stay in the history: {kept:?}");
        assert!(kept.contains(&second));
        assert!(!data.path().join(".reference-restore").exists(), "the staging folder is removed");
        let restores = store
            .audit_entries(&store.station_session(), 0, 1_000)
            .unwrap()
            .into_iter()
            .filter(|e| e.detail.starts_with("restored ZZA/passport revision"))
            .count();
        assert_eq!(restores, 1);
    }
}
