//! The real program in a real window: starts Xvfb, runs `tdverify gui`, takes
//! screenshots of the X screen from outside the program, and checks what was
//! drawn. The screenshots are kept in $TDVERIFY_SCREENSHOT_DIR (default:
//! out/screenshots) for a person to look at.
//!
//! - three marked images: the shell and every image are drawn (not a blank frame);
//! - a sample document opened with `--inspect`: the verdict banner appears;
//! - a document whose MRZ reading has doubtful characters: the MRZ panel shows its
//!   crop with those characters highlighted.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use image::{Rgb, RgbImage};

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn have(program: &str) -> bool {
    Command::new("sh").arg("-c").arg(format!("command -v {program}")).stdout(Stdio::null()).status().is_ok_and(|s| s.success())
}

/// Colours no theme uses, so finding them proves the images were drawn.
const WHITE_MARK: Rgb<u8> = Rgb([250, 30, 30]);
const UV_MARK: Rgb<u8> = Rgb([30, 250, 30]);
const IR_MARK: Rgb<u8> = Rgb([30, 30, 250]);

/// The verdict banner's frame colours (ui/screens/inspection.rs): genuine, review.
const GENUINE_FRAME: Rgb<u8> = Rgb([0x2e, 0x9d, 0x4f]);
const REVIEW_FRAME: Rgb<u8> = Rgb([0xd0, 0x8c, 0x00]);

fn write_test_image(path: &Path, mark: Rgb<u8>) {
    let image = RgbImage::from_fn(600, 400, |x, y| {
        if (100..500).contains(&x) && (100..300).contains(&y) { mark } else { Rgb([128 + (x % 64) as u8, 128, 128 + (y % 64) as u8]) }
    });
    image.save(path).unwrap();
}

fn count_near(image: &RgbImage, target: Rgb<u8>) -> usize {
    image.pixels().filter(|p| p.0.iter().zip(target.0).all(|(a, b)| a.abs_diff(b) < 12)).count()
}

/// A private X server for one test.
struct Display {
    name: String,
    _server: KillOnDrop,
}

fn start_display(offset: u32) -> Display {
    if !have("Xvfb") || !have("import") {
        panic!("Xvfb and ImageMagick's `import` are required for this test: run `cargo xtask setup`");
    }
    // A display number unlikely to clash with a desktop or another test run.
    let name = format!(":{}", 90 + offset + (std::process::id() % 400) * 2);
    let server = KillOnDrop(
        Command::new("Xvfb")
            .args([name.as_str(), "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb"),
    );
    let socket = PathBuf::from(format!("/tmp/.X11-unix/X{}", &name[1..]));
    let start = Instant::now();
    while !socket.exists() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(socket.exists(), "Xvfb did not start on {name}");
    Display { name, _server: server }
}

fn start_app(display: &Display, data_dir: &Path, args: &[&std::ffi::OsStr]) -> KillOnDrop {
    KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_tdverify"))
            .arg("--data-dir")
            .arg(data_dir)
            .arg("gui")
            .args(args)
            .env("DISPLAY", &display.name)
            .env_remove("WAYLAND_DISPLAY")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tdverify gui"),
    )
}

fn screenshot_path(name: &str) -> PathBuf {
    let dir = std::env::var_os("TDVERIFY_SCREENSHOT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("out/screenshots"));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Takes screenshots until `done` accepts one (it returns a description of what it saw
/// for the failure message); panics after `timeout`.
fn wait_for_screen(display: &Display, shot: &Path, timeout: Duration, done: impl Fn(&RgbImage) -> Result<(), String>) {
    let deadline = Instant::now() + timeout;
    let mut last = String::from("no screenshot");
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(500));
        let ok = Command::new("import")
            .args(["-display", display.name.as_str(), "-window", "root"])
            .arg(shot)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            continue;
        }
        let Ok(screen) = image::open(shot) else { continue };
        match done(&screen.to_rgb8()) {
            Ok(()) => return,
            Err(seen) => last = seen,
        }
    }
    panic!("the window never showed what was expected (last: {last}); see {}", shot.display());
}

#[test]
fn window_draws_the_shell_and_the_loaded_images() {
    let display = start_display(0);
    let work = tempfile::tempdir().unwrap();
    let images: Vec<PathBuf> = ["white", "uv", "ir"].iter().map(|l| work.path().join(format!("page_{l}.png"))).collect();
    for (path, mark) in images.iter().zip([WHITE_MARK, UV_MARK, IR_MARK]) {
        write_test_image(path, mark);
    }
    let args = [
        "--white".as_ref(),
        images[0].as_os_str(),
        "--uv".as_ref(),
        images[1].as_os_str(),
        "--ir".as_ref(),
        images[2].as_os_str(),
    ];
    let _app = start_app(&display, &work.path().join("data"), &args);
    // Software GL can take a few seconds.
    wait_for_screen(&display, &screenshot_path("gui-document-screen.png"), Duration::from_secs(60), |screen| {
        let marks = [count_near(screen, WHITE_MARK), count_near(screen, UV_MARK), count_near(screen, IR_MARK)];
        let distinct: std::collections::HashSet<[u8; 3]> = screen.pixels().step_by(7).map(|p| p.0).collect();
        // The navigation bar is drawn on the left: it is not one flat colour.
        let nav: std::collections::HashSet<[u8; 3]> =
            (0..160).flat_map(|x| (0..400).map(move |y| (x, y))).map(|(x, y)| screen.get_pixel(x, y).0).collect();
        if marks.iter().all(|&m| m > 2000) && distinct.len() > 50 && nav.len() > 5 {
            Ok(())
        } else {
            Err(format!("marks per light {marks:?}, distinct colours {}, navigation colours {}", distinct.len(), nav.len()))
        }
    });
}

/// `--inspect` and the sample's images (and bearer) as `tdverify gui` arguments.
fn inspect_arguments(sample: &tdverify::samples::Sample) -> Vec<&std::ffi::OsStr> {
    let mut args: Vec<&std::ffi::OsStr> = vec!["--inspect".as_ref()];
    for (path, light) in &sample.images {
        args.push(match light {
            tdverify::core::Light::White => "--white".as_ref(),
            tdverify::core::Light::Uv => "--uv".as_ref(),
            tdverify::core::Light::Ir => "--ir".as_ref(),
            tdverify::core::Light::Coaxial => continue,
        });
        args.push(path.as_os_str());
    }
    if let Some(bearer) = &sample.bearer {
        args.push("--bearer".as_ref());
        args.push(bearer.as_os_str());
    }
    args
}

#[test]
fn window_inspects_a_sample_document_and_shows_the_verdict() {
    let resources = tdverify::resources::Resources::discover();
    let sample = tdverify::samples::first_sample(&resources.fixtures)
        .expect("fixture documents (cargo xtask setup generates them into out/fixtures)");
    let display = start_display(1);
    let work = tempfile::tempdir().unwrap();
    let _app = start_app(&display, &work.path().join("data"), &inspect_arguments(&sample));
    // The banner is framed in the verdict's colour once the inspection is done.
    wait_for_screen(&display, &screenshot_path("gui-inspection.png"), Duration::from_secs(120), |screen| {
        let banner = [count_near(screen, GENUINE_FRAME), count_near(screen, REVIEW_FRAME)];
        if banner.iter().any(|&n| n > 400) { Ok(()) } else { Err(format!("banner pixels (genuine, review) {banner:?}")) }
    });
}

/// The MRZ panel's colours for characters under 90 % and under 50 % (ui/screens/mrz_panel.rs).
const DOUBTFUL_BOX: Rgb<u8> = Rgb([0xe6, 0x9b, 0x00]);
const LOW_BOX: Rgb<u8> = Rgb([0xd9, 0x2b, 0x2b]);

#[test]
fn window_shows_the_mrz_crop_with_the_doubtful_characters_highlighted() {
    let resources = tdverify::resources::Resources::discover();
    // A reading the panel brings into view: a character under 50 %, or an uncertain reading.
    let (sample, _) = support::sample_whose_reading(&resources, |r| {
        support::has_character_under(r, 0.5) || r.status == tdverify::ocr::ReadingStatus::LowConfidence
    })
    .expect("a fixture document whose MRZ reading needs the officer (cargo xtask setup generates out/fixtures)");
    let display = start_display(2);
    let work = tempfile::tempdir().unwrap();
    let _app = start_app(&display, &work.path().join("data"), &inspect_arguments(&sample));
    wait_for_screen(&display, &screenshot_path("gui-mrz-review.png"), Duration::from_secs(120), |screen| {
        // Only the side panel (the right third): the document images have their own colours.
        let panel = image::imageops::crop_imm(screen, screen.width() * 2 / 3, 0, screen.width() / 3, screen.height()).to_image();
        let boxes = [count_near(&panel, DOUBTFUL_BOX), count_near(&panel, LOW_BOX)];
        if boxes.iter().sum::<usize>() > 150 { Ok(()) } else { Err(format!("highlight pixels (under 90 %, under 50 %) {boxes:?}")) }
    });
}
