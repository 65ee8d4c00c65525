//! `cargo xtask setup`: installs what is missing, idempotent and quiet when all is there.
//!
//! - Debian packages for building (OpenCV, clang for its bindings, PC/SC headers, nasm)
//!   and for tests (pcscd + vsmartcard-vpcd, Xvfb, fonts, poppler, openssl).
//! - The ONNX Runtime shared library, taken out of the pinned PyPI wheel, sha256-checked,
//!   into the git-ignored `third_party/onnxruntime/`.
//! - The sha256 of every committed model (models/SHA256SUMS).
//! - The default fixture set, generated into the git-ignored `out/fixtures/`.

use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::{paths, shell};

/// Debian packages the build, the program and the tests need.
const DEBIAN_PACKAGES: &[&str] = &[
    // build
    "pkg-config",
    "clang",
    "libclang-dev",
    "libopencv-dev",
    "libpcsclite-dev",
    "nasm",
    "libudev-dev",
    // run: windowing and software OpenGL (Xvfb has no GPU)
    "libx11-6",
    "libxcursor1",
    "libxrandr2",
    "libxi6",
    "libxkbcommon-x11-0",
    "libgl1",
    "libegl1",
    "libgl1-mesa-dri",
    // chip: PC/SC service and the virtual reader driver the emulator talks to
    "pcscd",
    "vsmartcard-vpcd",
    // fixtures, reports and tests
    "fonts-ocr-b",
    "fonts-dejavu-core",
    "poppler-utils",
    "openssl",
    "xvfb",
    "xauth",
    "imagemagick",
    // ONNX Runtime comes from its PyPI wheel
    "python3-pip",
];

/// The pinned ONNX Runtime wheel (manylinux_2_28 is the only Linux build of 1.31.1).
const ORT_VERSION: &str = "1.31.1";
const ORT_WHEEL: &str = "onnxruntime-1.31.1-cp311-cp311-manylinux_2_28_x86_64.whl";
const ORT_WHEEL_SHA256: &str = "5752bd508126ae7c49894d3b9d2e83f0c3d487319246d04c444b393308d7ad7f";
/// The library inside the wheel, and its own sha256.
pub const ORT_LIBRARY_FILE: &str = "libonnxruntime.so.1.31.1";
const ORT_LIBRARY_SHA256: &str = "fc44112fbe06d7d689c57e11d3862031f64711007e4ee020f8eed5185fd2c1d3";

/// `cargo xtask setup`.
pub fn run(_args: &[String]) -> Result<()> {
    ensure_all()
}

/// Everything `run` and `test` need before building.
pub fn ensure_all() -> Result<()> {
    ensure_installed()?;
    ensure_fixtures()
}

/// What must be on the machine before the project itself can build.
pub fn ensure_installed() -> Result<()> {
    ensure_debian_packages()?;
    ensure_nextest()?;
    ensure_onnxruntime()?;
    check_models()
}

/// The ground-truth schema the generator writes (`tdverify_fixtures::TRUTH_SCHEMA_VERSION`,
/// repeated here because set-up builds before the fixtures crate; a test keeps them equal).
pub const FIXTURE_SCHEMA_VERSION: u64 = 4;

/// The default fixture set (seeded, so a present index.json of the current schema means
/// it is there; an older one lacks ground truth that training and evaluations read).
fn ensure_fixtures() -> Result<()> {
    let out = paths::generated_fixtures();
    let index = out.join("index.json");
    let schema = std::fs::read_to_string(&index)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|index| index["schema_version"].as_u64());
    match schema {
        Some(version) if version >= FIXTURE_SCHEMA_VERSION => return Ok(()),
        Some(version) => eprintln!(
            "setup: the fixture documents in {} are of ground-truth schema {version}, older than {FIXTURE_SCHEMA_VERSION}: generating them again",
            out.display()
        ),
        None => {}
    }
    eprintln!("setup: generating the default fixture documents into {}", out.display());
    crate::run_tool("fixtures", &[], &["fixtures".to_string()])
}

fn ensure_debian_packages() -> Result<()> {
    if !Path::new("/usr/bin/dpkg-query").exists() {
        eprintln!("setup: not a Debian system (no dpkg-query); install by hand: {}", DEBIAN_PACKAGES.join(" "));
        return Ok(());
    }
    let missing: Vec<&str> = DEBIAN_PACKAGES.iter().copied().filter(|p| !debian_package_installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("setup: installing Debian packages: {}", missing.join(" "));
    let as_root = shell::output(Command::new("id").arg("-u")).map(|uid| uid.trim() == "0").unwrap_or(false);
    let apt = |args: &[&str]| -> Command {
        let mut cmd = if as_root { Command::new("apt-get") } else { Command::new("sudo") };
        if !as_root {
            cmd.arg("apt-get");
        }
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    shell::run(&mut apt(&["update", "-qq"])).context("apt-get update failed (network to Debian mirrors, or sudo rights?)")?;
    let mut install = apt(&["install", "-y", "-qq", "--no-install-recommends"]);
    install.args(&missing);
    shell::run(&mut install).context("installing Debian packages failed")?;
    Ok(())
}

/// The test runner: cargo-nextest, from crates.io when missing.
fn ensure_nextest() -> Result<()> {
    if shell::succeeds(shell::cargo().args(["nextest", "--version"])) {
        return Ok(());
    }
    eprintln!("setup: installing cargo-nextest from crates.io (once)");
    shell::run(shell::cargo().args(["install", "--locked", "--quiet", "cargo-nextest"])).context("installing cargo-nextest failed")
}

fn debian_package_installed(package: &str) -> bool {
    shell::output(Command::new("dpkg-query").args(["-W", "-f=${Status}", package]))
        .map(|status| status.contains("install ok installed"))
        .unwrap_or(false)
}

fn ensure_onnxruntime() -> Result<()> {
    let library = paths::onnxruntime_library();
    if library.is_file() && sha256_file(&library)? == ORT_LIBRARY_SHA256 {
        return Ok(());
    }
    let dir = library.parent().context("ONNX Runtime path has no folder")?.to_path_buf();
    let wheels = paths::third_party().join("wheels");
    fs::create_dir_all(&wheels).with_context(|| format!("creating {}", wheels.display()))?;
    let wheel = wheels.join(ORT_WHEEL);
    if !wheel.is_file() || sha256_file(&wheel)? != ORT_WHEEL_SHA256 {
        eprintln!("setup: downloading onnxruntime {ORT_VERSION} wheel from PyPI");
        shell::run(
            Command::new("python3")
                .args(["-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps"])
                .args(["--only-binary=:all:", "--platform", "manylinux_2_28_x86_64", "--python-version", "3.11"])
                .arg(format!("onnxruntime=={ORT_VERSION}"))
                .arg("--dest")
                .arg(&wheels),
        )
        .context("pip download of the onnxruntime wheel failed")?;
    }
    let digest = sha256_file(&wheel)?;
    if digest != ORT_WHEEL_SHA256 {
        bail!("{} has sha256 {digest}, expected {ORT_WHEEL_SHA256}: refusing to use it", wheel.display());
    }
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let member = format!("onnxruntime/capi/{ORT_LIBRARY_FILE}");
    let script = "import sys, zipfile, shutil\n\
                  with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], 'wb') as dst:\n    \
                  shutil.copyfileobj(src, dst)\n";
    shell::run(Command::new("python3").arg("-c").arg(script).arg(&wheel).arg(&member).arg(&library))
        .context("extracting libonnxruntime from the wheel failed")?;
    let digest = sha256_file(&library)?;
    if digest != ORT_LIBRARY_SHA256 {
        let _ = fs::remove_file(&library);
        bail!("extracted {} has sha256 {digest}, expected {ORT_LIBRARY_SHA256}", library.display());
    }
    let link = dir.join("libonnxruntime.so");
    let _ = fs::remove_file(&link);
    std::os::unix::fs::symlink(ORT_LIBRARY_FILE, &link).with_context(|| format!("linking {}", link.display()))?;
    eprintln!("setup: ONNX Runtime {ORT_VERSION} at {}", library.display());
    Ok(())
}

/// Checks every model listed in models/SHA256SUMS (`<sha256>  <file>` lines).
fn check_models() -> Result<()> {
    let models = paths::root().join("models");
    let sums = models.join("SHA256SUMS");
    let Ok(text) = fs::read_to_string(&sums) else {
        return Ok(());
    };
    for line in text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
        let Some((expected, file)) = line.split_once(char::is_whitespace) else {
            bail!("{}: malformed line `{line}`", sums.display());
        };
        let path = models.join(file.trim().trim_start_matches('*'));
        let actual = sha256_file(&path)?;
        if actual != expected {
            bail!("model {} has sha256 {actual}, expected {expected} (models/SHA256SUMS)", path.display());
        }
    }
    Ok(())
}

/// Lower-case hex sha256 of a file.
pub fn sha256_file(path: &Path) -> Result<String> {
    let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let digest = ring::digest::digest(&ring::digest::SHA256, &bytes);
    Ok(digest.as_ref().iter().map(|b| format!("{b:02x}")).collect())
}
