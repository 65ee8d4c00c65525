use std::path::PathBuf;
use std::process::ExitCode;

use tdverify::core::Light;
use tdverify::settings::Settings;
use tdverify::ui::{Screen, StartOptions};

use super::Context;

/// `tdverify gui`: open the window, optionally with images.
#[derive(Debug, Default, clap::Args)]
pub struct GuiArgs {
    /// Image under white light.
    #[arg(long, value_name = "FILE")]
    white: Option<PathBuf>,
    /// Image under UV light.
    #[arg(long, value_name = "FILE")]
    uv: Option<PathBuf>,
    /// Image under IR light.
    #[arg(long, value_name = "FILE")]
    ir: Option<PathBuf>,
    /// Screen to show first: home, document, system, settings.
    #[arg(long, value_name = "NAME")]
    screen: Option<String>,
    /// The bearer's photo, compared with the document's portrait at the inspection.
    #[arg(long, value_name = "FILE")]
    bearer: Option<PathBuf>,
    /// Inspect as soon as the images are open.
    #[arg(long)]
    inspect: bool,
    /// More images (the light is guessed from each file name).
    images: Vec<PathBuf>,
    /// Benchmarks: print the time to the first painted frame and exit.
    #[arg(long, hide = true)]
    startup_probe: bool,
}

pub fn run(context: &Context, mut settings: Settings, args: GuiArgs, started: std::time::Instant) -> ExitCode {
    let screen = match args.screen.as_deref().map(|name| (name, Screen::parse(name))) {
        Some((name, None)) => {
            eprintln!("tdverify: unknown screen `{name}`; use home, document, system or settings");
            return ExitCode::from(2);
        }
        Some((_, screen)) => screen,
        None => None,
    };
    let mut images: Vec<(PathBuf, Option<Light>)> = Vec::new();
    for (path, light) in [(args.white, Light::White), (args.uv, Light::Uv), (args.ir, Light::Ir)] {
        if let Some(path) = path {
            images.push((path, Some(light)));
        }
    }
    images.extend(args.images.into_iter().map(|p| (p, None)));
    settings.data_dir = context.data_dir.clone();
    let startup_probe = args.startup_probe.then_some(started);
    let start = StartOptions { images, screen, settings_file: context.settings_file.clone(), startup_probe, bearer: args.bearer, inspect: args.inspect };
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        eprintln!("tdverify: no display (DISPLAY and WAYLAND_DISPLAY are unset). Run `tdverify demo` for a headless demo, or start under Xvfb: xvfb-run tdverify");
        return ExitCode::from(1);
    }
    match tdverify::ui::run(settings, context.resources.clone(), start) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tdverify: cannot open the window: {e}");
            ExitCode::from(1)
        }
    }
}
