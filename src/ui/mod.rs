//! The desktop application (eframe/egui): one struct per screen, state kept
//! plainly, every action a call into the library.

mod app;
pub mod hot_folder;
pub mod screens;
pub mod widgets;

use std::path::PathBuf;

pub use app::{Screen, TdverifyApp};

use crate::resources::Resources;
use crate::settings::Settings;

/// What the GUI starts with.
#[derive(Debug, Clone)]
pub struct StartOptions {
    /// Images to open at once, each with an optional light (guessed from the name otherwise).
    pub images: Vec<(PathBuf, Option<tdverify_core::Light>)>,
    /// Screen to show first (the document screen when images are given).
    pub screen: Option<Screen>,
    /// Where the Settings screen saves.
    pub settings_file: PathBuf,
    /// Benchmarks: print the time from `started` to the first drawn frame, then close.
    pub startup_probe: Option<std::time::Instant>,
    /// The bearer's photo, compared at the inspection.
    pub bearer: Option<PathBuf>,
    /// Inspect as soon as the images are open (a scanner script, the demo, the smoke test).
    pub inspect: bool,
}

impl StartOptions {
    /// Starts on `screen` with nothing open and nothing to inspect: the GUI tests,
    /// the frame benchmarks, a station that opens on one screen.
    pub fn on_screen(screen: Screen, settings_file: PathBuf) -> Self {
        Self {
            images: Vec::new(),
            screen: Some(screen),
            settings_file,
            startup_probe: None,
            bearer: None,
            inspect: false,
        }
    }
}

/// Opens the main window and runs until it is closed.
pub fn run(settings: Settings, resources: Resources, start: StartOptions) -> Result<(), eframe::Error> {
    let options = eframe::NativeOptions {
        viewport: eframe::egui::ViewportBuilder::default()
            .with_title("tdverify")
            .with_app_id("tdverify")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([800.0, 560.0])
            .with_drag_and_drop(true),
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    eframe::run_native(
        "tdverify",
        options,
        Box::new(move |_cc| Ok(Box::new(TdverifyApp::new(settings, resources, start)))),
    )
}
