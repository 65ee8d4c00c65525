//! The real program in a real window: starts Xvfb, runs `tdverify gui` with
//! three images, takes a screenshot of the X screen from outside the program,
//! and checks that the shell and the images were drawn (not a blank frame).
//! The screenshot is kept in $TDVERIFY_SCREENSHOT_DIR (default: out/screenshots)
//! for a person to look at.

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

fn write_test_image(path: &Path, mark: Rgb<u8>) {
    let image = RgbImage::from_fn(600, 400, |x, y| {
        if (100..500).contains(&x) && (100..300).contains(&y) { mark } else { Rgb([128 + (x % 64) as u8, 128, 128 + (y % 64) as u8]) }
    });
    image.save(path).unwrap();
}

fn count_near(image: &RgbImage, target: Rgb<u8>) -> usize {
    image.pixels().filter(|p| p.0.iter().zip(target.0).all(|(a, b)| a.abs_diff(b) < 12)).count()
}

#[test]
fn window_draws_the_shell_and_the_loaded_images() {
    if !have("Xvfb") || !have("import") {
        panic!("Xvfb and ImageMagick's `import` are required for this test: run `cargo xtask setup`");
    }
    let work = tempfile::tempdir().unwrap();
    let images: Vec<PathBuf> = ["white", "uv", "ir"].iter().map(|l| work.path().join(format!("page_{l}.png"))).collect();
    for (path, mark) in images.iter().zip([WHITE_MARK, UV_MARK, IR_MARK]) {
        write_test_image(path, mark);
    }

    // A display number unlikely to clash with a desktop or another test run.
    let display = format!(":{}", 90 + std::process::id() % 500);
    let _xvfb = KillOnDrop(
        Command::new("Xvfb")
            .args([display.as_str(), "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb"),
    );
    let socket = PathBuf::from(format!("/tmp/.X11-unix/X{}", &display[1..]));
    let start = Instant::now();
    while !socket.exists() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(socket.exists(), "Xvfb did not start on {display}");

    let data_dir = work.path().join("data");
    let _app = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_tdverify"))
            .arg("--data-dir")
            .arg(&data_dir)
            .arg("gui")
            .arg("--white")
            .arg(&images[0])
            .arg("--uv")
            .arg(&images[1])
            .arg("--ir")
            .arg(&images[2])
            .env("DISPLAY", &display)
            .env_remove("WAYLAND_DISPLAY")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tdverify gui"),
    );

    let shot_dir = std::env::var_os("TDVERIFY_SCREENSHOT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("out/screenshots"));
    std::fs::create_dir_all(&shot_dir).unwrap();
    let shot = shot_dir.join("gui-document-screen.png");

    // Poll until the window shows all three images (software GL can take a few seconds).
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut last = None;
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(500));
        let ok = Command::new("import")
            .args(["-display", display.as_str(), "-window", "root"])
            .arg(&shot)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            continue;
        }
        let Ok(screen) = image::open(&shot) else { continue };
        let screen = screen.to_rgb8();
        let marks = [count_near(&screen, WHITE_MARK), count_near(&screen, UV_MARK), count_near(&screen, IR_MARK)];
        let distinct: std::collections::HashSet<[u8; 3]> = screen.pixels().step_by(7).map(|p| p.0).collect();
        last = Some((marks, distinct.len()));
        if marks.iter().all(|&m| m > 2000) && distinct.len() > 50 {
            // The navigation bar is drawn on the left: it is not one flat colour.
            let nav: std::collections::HashSet<[u8; 3]> =
                (0..160).flat_map(|x| (0..400).map(move |y| (x, y))).map(|(x, y)| screen.get_pixel(x, y).0).collect();
            assert!(nav.len() > 5, "navigation bar looks empty");
            return;
        }
    }
    panic!("the window never showed the shell with the three images (last: marks per light, distinct colours = {last:?}); see {}", shot.display());
}
