//! User settings, kept as TOML in the data directory.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Errors reading or writing settings.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The file could not be read or written.
    #[error("settings file {path}: {source}")]
    Io {
        /// The settings file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid settings TOML.
    #[error("settings file {path} is not valid: {message}")]
    Invalid {
        /// The settings file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Colour theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// Follow the desktop.
    #[default]
    System,
    /// Light theme (bright offices).
    Light,
    /// Dark theme (dim booths, UV work).
    Dark,
}

/// The station's own context, set once and prefilled in every case's context form
/// (codes as the case context takes them; empty = not set).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StationDefaults {
    /// ICAO code of the country the station is in.
    pub detection_country: String,
    /// Area or district code (letters, digits, `-`, `_`).
    pub detection_area: String,
    /// Border crossing point or office code (kept on the station, never exported).
    pub detection_point: String,
    /// `air`, `land`, `sea` or `inland`.
    pub detection_point_type: String,
    /// `air`, `road`, `rail`, `sea`, `on_foot` or `other`.
    pub transport_mode: String,
}

impl StationDefaults {
    /// Fills the context fields that are still empty with the station's values.
    pub fn prefill(&self, context: &mut crate::store::CaseContext) {
        let fill = |field: &mut Option<String>, value: &str| {
            if field.is_none() && !value.trim().is_empty() {
                *field = Some(value.trim().to_owned());
            }
        };
        fill(&mut context.detection_country, &self.detection_country);
        fill(&mut context.detection_area, &self.detection_area);
        fill(&mut context.detection_point, &self.detection_point);
        fill(&mut context.detection_point_type, &self.detection_point_type);
        fill(&mut context.transport_mode, &self.transport_mode);
    }
}

/// What the user can change in the Settings screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// UI language as a BCP 47 tag (`en-US`, `fr`).
    pub language: String,
    /// Where cases, logs and settings live.
    pub data_dir: PathBuf,
    /// UI zoom factor (1.0 = 100 %).
    pub ui_scale: f32,
    /// Colour theme.
    pub theme: Theme,
    /// The station's context defaults for case forms.
    pub station: StationDefaults,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            language: "en-US".to_owned(),
            data_dir: crate::resources::default_data_dir(),
            ui_scale: 1.0,
            theme: Theme::System,
            station: StationDefaults::default(),
        }
    }
}

impl Settings {
    /// The settings file kept in a folder (the user's config folder, or the
    /// data directory given with `--data-dir` for portable and scripted use).
    pub fn file_in(folder: &Path) -> PathBuf {
        folder.join("settings.toml")
    }

    /// Loads settings from a file; a missing file gives the defaults, a damaged
    /// one an error (never silently reset).
    pub fn load(path: &Path) -> Result<Settings, SettingsError> {
        let path = path.to_path_buf();
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
            Err(source) => return Err(SettingsError::Io { path, source }),
        };
        let mut settings: Settings =
            toml::from_str(&text).map_err(|e| SettingsError::Invalid { path: path.clone(), message: e.to_string() })?;
        settings.ui_scale = settings.ui_scale.clamp(0.5, 3.0);
        Ok(settings)
    }

    /// Saves atomically (write to a temporary file, then rename).
    pub fn save(&self, path: &Path) -> Result<(), SettingsError> {
        let path = path.to_path_buf();
        let io = |source| SettingsError::Io { path: path.clone(), source };
        if let Some(folder) = path.parent() {
            fs::create_dir_all(folder).map_err(io)?;
        }
        let text = toml::to_string_pretty(self).map_err(|e| SettingsError::Invalid { path: path.clone(), message: e.to_string() })?;
        let tmp = path.with_extension("toml.tmp");
        fs::write(&tmp, text).map_err(io)?;
        fs::rename(&tmp, &path).map_err(io)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_then_load_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings {
            language: "fr".into(),
            data_dir: dir.path().to_path_buf(),
            ui_scale: 1.5,
            theme: Theme::Dark,
            station: StationDefaults { detection_country: "UTO".into(), detection_point_type: "air".into(), ..StationDefaults::default() },
        };
        let file = Settings::file_in(dir.path());
        settings.save(&file).unwrap();
        assert_eq!(Settings::load(&file).unwrap(), settings);
    }

    #[test]
    fn missing_file_gives_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings::load(&Settings::file_in(dir.path())).unwrap();
        assert_eq!(settings, Settings::default());
    }

    #[test]
    fn damaged_file_is_an_error_not_a_reset() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(Settings::file_in(dir.path()), "ui_scale = \"big\"").unwrap();
        let err = Settings::load(&Settings::file_in(dir.path())).unwrap_err();
        assert!(err.to_string().contains("not valid"), "{err}");
    }
}
