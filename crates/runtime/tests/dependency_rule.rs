//! The dependency rule of docs/ARCHITECTURE.md, checked on the real graph:
//! only `tdverify-imaging` links OpenCV (and the program and xtask through it),
//! and the MRZ reader shares ONNX Runtime through `tdverify-runtime` instead of
//! depending on the face pipeline. Fails the day either comes back.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// The packages `cargo tree` prints for `args` (normal dependencies, host target).
fn packages(args: &[&str]) -> BTreeSet<String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let output = Command::new(&cargo)
        .current_dir(&workspace)
        .args([
            "tree",
            "--offline",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .args(args)
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo tree {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn domain_crates_do_not_link_opencv() {
    for crate_name in [
        "tdverify-runtime",
        "tdverify-ocr",
        "tdverify-face",
        "tdverify-inspect",
    ] {
        let tree = packages(&["-p", crate_name]);
        assert!(
            tree.contains(crate_name),
            "cargo tree -p {crate_name} printed {tree:?}"
        );
        let opencv: Vec<_> = tree
            .iter()
            .filter(|name| name.starts_with("opencv"))
            .collect();
        assert!(opencv.is_empty(), "{crate_name} depends on {opencv:?}");
    }
}

#[test]
fn the_mrz_reader_does_not_depend_on_the_face_pipeline() {
    for crate_name in ["tdverify-ocr", "tdverify-runtime"] {
        let tree = packages(&["-p", crate_name]);
        assert!(
            tree.contains("ort"),
            "{crate_name} should reach ONNX Runtime: {tree:?}"
        );
        assert!(
            !tree.contains("tdverify-face"),
            "{crate_name} depends on tdverify-face"
        );
    }
}

#[test]
fn only_the_imaging_crate_uses_opencv_directly() {
    // The manifests themselves (no download needed): which workspace crates name opencv.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let output = Command::new(&cargo)
        .current_dir(&workspace)
        .args([
            "metadata",
            "--offline",
            "--no-deps",
            "--format-version",
            "1",
        ])
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("cargo metadata prints JSON");
    let packages = metadata["packages"].as_array().expect("a package list");
    assert!(
        packages.len() > 10,
        "the workspace has its crates: {}",
        packages.len()
    );
    let direct: BTreeSet<String> = packages
        .iter()
        .filter(|package| {
            package["dependencies"]
                .as_array()
                .is_some_and(|dependencies| {
                    dependencies.iter().any(|dependency| {
                        dependency["name"] == "opencv" && dependency["kind"].is_null()
                    })
                })
        })
        .filter_map(|package| package["name"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(
        direct,
        BTreeSet::from(["tdverify-imaging".to_owned()]),
        "crates naming opencv"
    );
}
