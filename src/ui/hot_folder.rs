//! The window's side of the scanner hot folder: watches the folder the administrator
//! configured (re-read every few seconds, so a change on the System screen or with
//! `tdverify watch --configure` applies without a restart), hands the application each
//! complete set to open as a new inspection, and says in one line what it is doing.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eframe::egui;

use crate::capture::hot_folder::{CompleteSet, HotFolderConfig, HotFolderEvent, HotFolderWatch};
use crate::i18n::Translator;
use crate::store::{HotFolderSetting, Store};

/// How often the stored setting is read again.
const SETTING_CHECK: Duration = Duration::from_secs(2);

/// What the status line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HotFolderStatus {
    /// No hot folder is configured.
    Off,
    /// Watching the folder, nothing opened yet.
    Watching(PathBuf),
    /// The last set opened (its file names).
    Opened(Vec<String>),
    /// The folder cannot be watched, or a file could not be read.
    Problem(String),
}

/// The configured hot folder, watched while the window is open.
pub struct HotFolderDesk {
    data_dir: PathBuf,
    watched: Option<HotFolderSetting>,
    watch: Option<HotFolderWatch>,
    checked: Option<Instant>,
    /// What the status line says.
    pub status: HotFolderStatus,
}

impl HotFolderDesk {
    /// Watches the hot folder configured for the station in `data_dir` (from the first poll).
    pub fn new(data_dir: &Path) -> HotFolderDesk {
        HotFolderDesk {
            data_dir: data_dir.to_path_buf(),
            watched: None,
            watch: None,
            checked: None,
            status: HotFolderStatus::Off,
        }
    }

    /// Whether a folder is being watched.
    pub fn is_watching(&self) -> bool {
        self.watch.is_some()
    }

    /// Called every frame: follows the setting, and returns the next complete set when
    /// the application is `ready` for one (sets arriving meanwhile wait their turn).
    pub fn poll(&mut self, ctx: &egui::Context, ready: bool) -> Option<CompleteSet> {
        if self.checked.is_none_or(|at| at.elapsed() >= SETTING_CHECK) {
            self.checked = Some(Instant::now());
            self.follow_setting(ctx);
        }
        ctx.request_repaint_after(SETTING_CHECK);
        if !ready {
            return None;
        }
        while let Some(event) = self.watch.as_ref()?.try_next() {
            match event {
                HotFolderEvent::Set(set) => {
                    self.status = HotFolderStatus::Opened(set.file_names());
                    return Some(set);
                }
                HotFolderEvent::Problem(problem) => self.status = HotFolderStatus::Problem(problem.message),
            }
        }
        None
    }

    fn follow_setting(&mut self, ctx: &egui::Context) {
        let setting = match Store::hot_folder_in(&self.data_dir) {
            Ok(setting) => setting,
            Err(e) => {
                self.status = HotFolderStatus::Problem(e.to_string());
                return;
            }
        };
        if setting == self.watched && (self.watch.is_some() || setting.is_none()) {
            return;
        }
        self.watch = None;
        self.watched = setting.clone();
        let Some(setting) = setting else {
            self.status = HotFolderStatus::Off;
            return;
        };
        let repaint = ctx.clone();
        match HotFolderConfig::from_setting(&setting)
            .and_then(|config| HotFolderWatch::start(config, move || repaint.request_repaint()))
        {
            Ok(watch) => {
                self.status = HotFolderStatus::Watching(watch.folder().to_path_buf());
                self.watch = Some(watch);
            }
            Err(e) => self.status = HotFolderStatus::Problem(e.to_string()),
        }
    }

    /// The status line (nothing when no hot folder is configured).
    pub fn show_status(&self, ui: &mut egui::Ui, tr: &Translator) {
        let (text, problem) = match &self.status {
            HotFolderStatus::Off => return,
            HotFolderStatus::Watching(folder) => {
                (tr.tr_args("hot-folder-watching", &[("folder", folder.display().to_string())]), false)
            }
            HotFolderStatus::Opened(files) => (tr.tr_args("hot-folder-opened", &[("files", files.join(", "))]), false),
            HotFolderStatus::Problem(message) => {
                (tr.tr_args("hot-folder-problem", &[("problem", message.clone())]), true)
            }
        };
        let text = egui::RichText::new(text).small();
        if problem {
            ui.colored_label(ui.visuals().error_fg_color, text);
        } else {
            ui.label(text);
        }
    }
}
