//! `cargo bench -p tdverify-training`: building a session from a 56-document fixture
//! set (index and 56 truth files read and parsed each time) and scoring a 200-item
//! session. The set is generated into a temporary folder first, or taken from
//! `TDVERIFY_FIXTURES` when that names a generated set.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use tdverify_training::{Answer, AnswerVerdict, Hotspot, Session, SessionRequest, score};

fn main() {
    let (_keep, fixtures) = fixture_set();
    let mut request = SessionRequest::new(20, 0.3, 1);
    request.face_drills = 10;
    request.face_prevalence = 0.3;
    let build = measure(50, || {
        Session::build(&fixtures, &request).expect("session builds")
    });
    report(
        "build a 20-document session (+10 face drills) from a 56-document set",
        &build,
    );

    // A 200-item session: the 56 documents repeated under new ids, each fraudulent one
    // with two defect regions, answered with a mark on one of them.
    let mut session =
        Session::build(&fixtures, &SessionRequest::new(20, 0.5, 2)).expect("session builds");
    let template = session.documents.clone();
    session.documents = (0..200)
        .map(|i| {
            let mut document = template[i % template.len()].clone();
            document.id = format!("{i:04}-{}", document.id);
            if document.is_fraud() {
                document.defect_regions = (0..2)
                    .map(|k| tdverify_training::DefectRegion {
                        side: document.sides[0].name.clone(),
                        light: "uv".into(),
                        x: 100 * k,
                        y: 50,
                        w: 40,
                        h: 40,
                        check: None,
                        what: None,
                    })
                    .collect();
            }
            document
        })
        .collect();
    let answers: Vec<Answer> = session
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| Answer {
            document: d.id.clone(),
            verdict: if i % 3 == 0 {
                AnswerVerdict::Fraudulent
            } else {
                AnswerVerdict::Genuine
            },
            fraud_type: Some(d.fraud_type),
            hotspots: vec![Hotspot {
                side: d.sides[0].name.clone(),
                light: "uv".into(),
                x: 10,
                y: 60,
                w: 20,
                h: 20,
            }],
            seconds: Some(12.0),
        })
        .collect();
    let scoring = measure(2000, || score(&session, &answers).expect("scores"));
    report("score a 200-document session", &scoring);
}

fn fixture_set() -> (Option<tempfile::TempDir>, PathBuf) {
    if let Some(dir) = std::env::var_os("TDVERIFY_FIXTURES").map(PathBuf::from)
        && dir.join("index.json").is_file()
    {
        return (None, dir);
    }
    let temporary = tempfile::tempdir().expect("temporary folder");
    let out = temporary.path().join("fixtures");
    let library = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../reference-library");
    let config = tdverify_fixtures::FixtureConfig::new(library);
    eprintln!("generating {} fixture documents…", config.count);
    tdverify_fixtures::generate(&config, &out, |_, _| {}).expect("the fixture set generates");
    (Some(temporary), out)
}

fn measure<T>(runs: usize, mut work: impl FnMut() -> T) -> Vec<Duration> {
    std::hint::black_box(work());
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(work());
            start.elapsed()
        })
        .collect();
    times.sort();
    times
}

fn report(what: &str, times: &[Duration]) {
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "{what}: median {:.3} ms, p95 {:.3} ms ({} runs)",
        at(0.5).as_secs_f64() * 1e3,
        at(0.95).as_secs_f64() * 1e3,
        times.len()
    );
}
