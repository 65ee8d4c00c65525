//! Where tdverify finds its bundled files (models, reference library, fixtures,
//! ONNX Runtime) and where it keeps the user's data.
//!
//! Bundled files are looked up, in order: the `TDVERIFY_HOME` folder, the
//! installed layout next to the executable (`../share/tdverify`), then the
//! source checkout the program was built from (development and tests).

use std::path::{Path, PathBuf};

/// File name of the pinned ONNX Runtime library (see xtask/src/setup.rs).
pub const ONNXRUNTIME_LIBRARY_FILE: &str = "libonnxruntime.so.1.31.1";

/// Paths to the bundled, read-only files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resources {
    /// The folder holding `models/`, `reference-library/`, `assets/`.
    pub home: PathBuf,
    /// ONNX models and MODELS.md.
    pub models: PathBuf,
    /// Reference library of document templates.
    pub reference_library: PathBuf,
    /// Generated fixture documents (`cargo xtask fixtures`).
    pub fixtures: PathBuf,
    /// The ONNX Runtime shared library.
    pub onnxruntime: PathBuf,
}

impl Resources {
    /// Finds the bundled files (see the module docs for the order).
    pub fn discover() -> Resources {
        let home = std::env::var_os("TDVERIFY_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_dir())
            .or_else(installed_home)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
        Resources::in_home(&home)
    }

    /// The layout under one home folder (`TDVERIFY_ORT_LIB` still overrides the library).
    pub fn in_home(home: &Path) -> Resources {
        let onnxruntime = std::env::var_os("TDVERIFY_ORT_LIB")
            .map(PathBuf::from)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| {
                let in_checkout = home.join("third_party").join("onnxruntime").join(ONNXRUNTIME_LIBRARY_FILE);
                if in_checkout.exists() { in_checkout } else { home.join("lib").join(ONNXRUNTIME_LIBRARY_FILE) }
            });
        let fixtures = std::env::var_os("TDVERIFY_FIXTURES")
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join("out").join("fixtures"));
        Resources {
            home: home.to_path_buf(),
            models: home.join("models"),
            reference_library: home.join("reference-library"),
            fixtures,
            onnxruntime,
        }
    }
}

fn installed_home() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let share = exe.parent()?.parent()?.join("share").join("tdverify");
    share.join("models").is_dir().then_some(share)
}

/// The default folder for the user's data (database, logs, settings):
/// `$XDG_DATA_HOME/tdverify` on Linux.
pub fn default_data_dir() -> PathBuf {
    directories::ProjectDirs::from("org", "tdverify", "tdverify")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".tdverify"))
}

/// The default settings file: `$XDG_CONFIG_HOME/tdverify/settings.toml` on Linux.
pub fn default_settings_file() -> PathBuf {
    directories::ProjectDirs::from("org", "tdverify", "tdverify")
        .map(|dirs| dirs.config_dir().join("settings.toml"))
        .unwrap_or_else(|| PathBuf::from(".tdverify/settings.toml"))
}
