//! Issue 30's hot folder contract against the real binary: two fixture passports copied
//! into a folder under a preset naming rule give, with `watch DIR --once --json`, one
//! inspection JSON line each with its `set` and the MRZ read; an administrator configures
//! the station's folder (`--configure`, `--show`), which `watch --once` then uses without
//! FOLDER; a non-administrator and a bad pattern are refused. Without `--once`, a set
//! arriving is inspected at once, one present long before is not, and closing standard
//! input stops the watch. A coaxial image named by the preset joins its set (printed in
//! `set`) and the coaxial checks run on it.

use std::path::{Path, PathBuf};

use tdverify::capture::hot_folder::NamingRule;
use tdverify::core::Light;
use tdverify::fixtures::{CaptureMix, FixtureConfig, Scenario, generate, load_index, load_truth};

#[path = "support/cli.rs"]
mod cli_support;

use cli_support::{ok, tdverify, text};

/// Two genuine passports scanned flat (PNG), each with its MRZ lines.
fn two_passports(out: &Path) -> Vec<(PathBuf, Vec<String>)> {
    let config = FixtureConfig {
        count: 2,
        scenarios: Some(vec![Scenario::Genuine, Scenario::Genuine]),
        captures: CaptureMix::Flatbed(300),
        templates: Some(vec!["UTO/passport".to_string()]),
        ..FixtureConfig::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("reference-library"))
    };
    generate(&config, out, |_, _| {}).expect("generate two passports");
    let index = load_index(out).expect("the fixture index");
    index
        .documents
        .iter()
        .map(|entry| {
            let dir = out.join(&entry.id);
            let truth = load_truth(&dir).expect("truth");
            (dir, truth.mrz.lines)
        })
        .collect()
}

/// Copies each document's three images into `folder`, named by `rule` with stems `doc1`, `doc2`.
fn copy_as_scanner(documents: &[(PathBuf, Vec<String>)], folder: &Path, rule: &NamingRule) -> Vec<Vec<String>> {
    std::fs::create_dir_all(folder).expect("hot folder");
    let mut sets = Vec::new();
    for (index, (dir, _)) in documents.iter().enumerate() {
        let stem = format!("doc{}", index + 1);
        let mut names = Vec::new();
        for (light, source) in [(Light::White, "white.png"), (Light::Uv, "uv.png"), (Light::Ir, "ir.png")] {
            let name = rule.file_name(&stem, light, 0).expect("a file name");
            std::fs::copy(dir.join(source), folder.join(&name)).expect("copy an image");
            names.push(name);
        }
        sets.push(names);
    }
    sets
}

/// The JSON lines of a `watch --json` run.
fn json_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("one JSON value per line"))
        .collect()
}

fn mrz_lines(inspection: &serde_json::Value) -> Vec<String> {
    inspection["mrz"]["lines"]
        .as_array()
        .map(|lines| lines.iter().filter_map(|l| l.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

#[test]
fn watch_once_inspects_each_complete_set() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let documents = two_passports(&dir.path().join("documents"));
    let hot = dir.path().join("scanner");
    let rule = NamingRule::parse("dash-words").expect("a preset");
    let sets = copy_as_scanner(&documents, &hot, &rule);
    std::fs::copy(documents[0].0.join("white.png"), hot.join("doc3-white.png")).expect("an incomplete set");

    let output =
        tdverify(&data, &["watch", hot.to_str().expect("utf-8 path"), "--once", "--json", "--pattern", "dash-words"]);
    let stdout = ok(output.clone());
    let lines = json_lines(&stdout);
    assert_eq!(lines.len(), 2, "{}", text(&output));
    for (line, (expected_set, (_, expected_mrz))) in lines.iter().zip(sets.iter().zip(&documents)) {
        let set: Vec<&str> = line["set"].as_array().expect("set").iter().filter_map(|n| n.as_str()).collect();
        assert_eq!(&set, expected_set);
        assert_eq!(&mrz_lines(line), expected_mrz, "the MRZ read from {set:?}");
        assert!(line["verdict"]["proposed"].is_string() && line["checks"].is_array(), "the inspect JSON: {line}");
    }
    assert!(text(&output).contains("doc3 is incomplete"), "{}", text(&output));
    assert!(hot.join("doc1-ir.png").is_file(), "files stay where the scanner wrote them");
}

#[test]
fn a_coaxial_image_joins_its_set_and_the_coaxial_checks_run_on_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let documents = two_passports(&dir.path().join("documents"));
    let hot = dir.path().join("scanner");
    let rule = NamingRule::parse("underscore").expect("a preset");
    copy_as_scanner(&documents[..1], &hot, &rule);
    let coaxial = rule.file_name("doc1", Light::Coaxial, 0).expect("the preset names a coaxial image");
    // UTO/passport declares coaxial features, so the fixture has the image (truth schema 3).
    std::fs::copy(documents[0].0.join("coaxial.png"), hot.join(coaxial)).expect("copy the coaxial image");

    let output = tdverify(
        &dir.path().join("data"),
        &["watch", hot.to_str().expect("utf-8 path"), "--once", "--json", "--pattern", "underscore"],
    );
    let lines = json_lines(&ok(output.clone()));
    assert_eq!(lines.len(), 1, "{}", text(&output));
    let set: Vec<&str> = lines[0]["set"].as_array().expect("set").iter().filter_map(|n| n.as_str()).collect();
    assert_eq!(set, ["doc1_W.jpg", "doc1_UV.jpg", "doc1_IR.jpg", "doc1_COAX.jpg"]);
    let checks = lines[0]["checks"].as_array().expect("checks");
    for id in ["coaxial.laminate", "coaxial.ovd"] {
        let check = checks.iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("{id} in {checks:?}"));
        assert_ne!(check["status"], "not_checked", "{id} ran on the coaxial image: {check}");
    }
}

#[test]
fn an_administrator_configures_the_station_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let hot = dir.path().join("scanner");
    let done = dir.path().join("done");
    std::fs::create_dir_all(&hot).expect("hot folder");
    ok(tdverify(&data, &["store", "init"]));
    ok(tdverify(&data, &["users", "add", "officer", "--role", "officer", "--user", "admin"]));
    let hot_text = hot.to_str().expect("utf-8 path");
    let after = format!("move:{}", done.display());

    let bad =
        tdverify(&data, &["watch", "--configure", hot_text, "--pattern", "{stem}_{colour}.jpg", "--user", "admin"]);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    assert!(text(&bad).contains("unknown placeholder {colour}"), "{}", text(&bad));
    let officer = tdverify(&data, &["watch", "--configure", hot_text, "--user", "officer"]);
    assert_eq!(officer.status.code(), Some(1), "{}", text(&officer));

    ok(tdverify(
        &data,
        &[
            "watch",
            "--configure",
            hot_text,
            "--pattern",
            "{stem}-{light:white|uv|ir}.png",
            "--after",
            &after,
            "--user",
            "admin",
        ],
    ));
    let shown: serde_json::Value =
        serde_json::from_str(&ok(tdverify(&data, &["watch", "--show", "--json"]))).expect("JSON");
    assert_eq!(shown["folder"], hot_text);
    assert_eq!(shown["pattern"], "{stem}-{light:white|uv|ir}.png");
    assert_eq!(shown["after"], after.as_str());

    // The configured folder, rule and action apply without FOLDER.
    let documents = two_passports(&dir.path().join("documents"));
    let rule = NamingRule::parse("dash-words").expect("a preset");
    copy_as_scanner(&documents[..1], &hot, &rule);
    let stdout = ok(tdverify(&data, &["watch", "--once", "--json"]));
    let lines = json_lines(&stdout);
    assert_eq!(lines.len(), 1, "{stdout}");
    assert_eq!(lines[0]["set"][0], "doc1-white.png");
    assert!(done.join("doc1-white.png").is_file() && !hot.join("doc1-white.png").exists(), "moved as configured");

    ok(tdverify(&data, &["watch", "--unset", "--user", "admin"]));
    let none = tdverify(&data, &["watch", "--once", "--json"]);
    assert_eq!(none.status.code(), Some(2), "{}", text(&none));
}

#[test]
fn watch_inspects_sets_as_they_arrive_and_stops_when_stdin_closes() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().expect("temp dir");
    let documents = two_passports(&dir.path().join("documents"));
    let hot = dir.path().join("scanner");
    let rule = NamingRule::parse("underscore").expect("a preset");
    // A set already there, scanned long ago: not inspected again.
    let old = copy_as_scanner(&documents[..1], &hot, &rule);
    let long_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for name in &old[0] {
        std::fs::File::options()
            .write(true)
            .open(hot.join(name))
            .and_then(|f| f.set_modified(long_ago))
            .expect("age a file");
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_tdverify"))
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["watch", hot.to_str().expect("utf-8 path"), "--pattern", "underscore", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start watching");
    let stdout = child.stdout.take().expect("stdout");
    let (sender, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = sender.send(line);
        }
    });
    std::thread::sleep(std::time::Duration::from_secs(1));
    for (light, source) in [(Light::White, "white.png"), (Light::Uv, "uv.png"), (Light::Ir, "ir.png")] {
        let name = rule.file_name("new", light, 0).expect("a name");
        std::fs::copy(documents[1].0.join(source), hot.join(name)).expect("copy");
    }
    let line = lines.recv_timeout(std::time::Duration::from_secs(120)).expect("the new set's inspection");
    let inspection: serde_json::Value = serde_json::from_str(&line).expect("JSON");
    assert_eq!(inspection["set"], serde_json::json!(["new_W.jpg", "new_UV.jpg", "new_IR.jpg"]));
    assert_eq!(mrz_lines(&inspection), documents[1].1);

    drop(child.stdin.take());
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "watch did not stop when stdin closed");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(status.success());
    assert!(lines.try_recv().is_err(), "the old set was not inspected");
}
