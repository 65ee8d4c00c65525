//! The portrait boundary checks on fixture documents generated in the test:
//! a genuine page's frame lines and seal continue across the portrait's edge,
//! a clean substitution (a piece cut from another document of the model) breaks
//! them, and a capture too blurred or too coarse to show the lines is not
//! checked, with the reason.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tdverify_core::{Capture, CaptureSource, Check, CheckStatus, Light};
use tdverify_document::reference::ReferenceLibrary;
use tdverify_document::{DocumentOptions, check_document_with};
use tdverify_fixtures::{CaptureMix, FixtureConfig, Scenario, generate};

const FRAME: &str = "photo.guilloche_continuity";
const OVERLAP: &str = "photo.overlap_intact";

fn library_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../reference-library")
}

fn library() -> &'static ReferenceLibrary {
    static LIBRARY: OnceLock<ReferenceLibrary> = OnceLock::new();
    LIBRARY
        .get_or_init(|| ReferenceLibrary::load(&library_root()).expect("reference library loads"))
}

/// A genuine ZZA passport and a clean substitution of one, 300 dpi flatbed
/// scans, read once: (scenario, MRZ lines, white, UV, IR images).
/// A generated document: its scenario, MRZ lines and images under each light.
type Document = (String, Vec<String>, Vec<(Light, image::DynamicImage)>);

fn documents() -> &'static Vec<Document> {
    static DOCUMENTS: OnceLock<Vec<Document>> = OnceLock::new();
    DOCUMENTS.get_or_init(|| {
        let out = std::env::temp_dir().join(format!(
            "tdverify-portrait-integrity-{}",
            std::process::id()
        ));
        let mut config = FixtureConfig::new(library_root());
        config.seed = 11;
        config.count = 2;
        config.threads = 1;
        config.captures = CaptureMix::Flatbed(300);
        config.scenarios = Some(vec![Scenario::Genuine, Scenario::PhotoSubstitutionClean]);
        config.templates = Some(vec!["ZZA/passport".into()]);
        generate(&config, &out, |_, _| {}).expect("fixtures generate");
        let mut folders: Vec<PathBuf> = std::fs::read_dir(&out)
            .expect("fixture folder")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.join("truth.json").is_file())
            .collect();
        folders.sort();
        let documents = folders
            .iter()
            .map(|folder| {
                let truth: serde_json::Value = serde_json::from_str(
                    &std::fs::read_to_string(folder.join("truth.json")).expect("truth"),
                )
                .expect("truth json");
                let lines = truth["mrz"]["lines"]
                    .as_array()
                    .expect("mrz lines")
                    .iter()
                    .filter_map(|l| l.as_str().map(String::from))
                    .collect();
                let side = &truth["sides"][0];
                let images = [
                    ("white", Light::White),
                    ("uv", Light::Uv),
                    ("ir", Light::Ir),
                ]
                .into_iter()
                .map(|(key, light)| {
                    (
                        light,
                        image::open(folder.join(side[key].as_str().expect("file"))).expect("image"),
                    )
                })
                .collect();
                (
                    truth["scenario"].as_str().expect("scenario").to_string(),
                    lines,
                    images,
                )
            })
            .collect();
        std::fs::remove_dir_all(&out).ok();
        documents
    })
}

fn inspect(lines: &[String], images: &[(Light, image::DynamicImage)]) -> Vec<Check> {
    let captures: Vec<Capture> = images
        .iter()
        .map(|(light, image)| Capture {
            light: *light,
            image: image.clone(),
            dpi: None,
            source: CaptureSource::Fixture("test".into()),
        })
        .collect();
    let mrz = tdverify_mrz::parse(&lines.join("\n")).ok();
    let options = DocumentOptions {
        today: tdverify_mrz::MrzDate::new(2026, 1, 1),
        side: None,
        viz: None,
    };
    check_document_with(&captures, library(), mrz.as_ref(), &options, &mut |_, _| {}).checks
}

fn status<'a>(checks: &'a [Check], id: &str) -> &'a Check {
    checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("{id} not emitted: {checks:?}"))
}

fn document(scenario: &str) -> &'static Document {
    documents()
        .iter()
        .find(|d| d.0 == scenario)
        .unwrap_or_else(|| panic!("no {scenario} document generated"))
}

#[test]
fn a_genuine_page_passes_and_a_clean_substitution_breaks_the_portrait_edge() {
    let (_, lines, images) = document("genuine");
    let checks = inspect(lines, images);
    for id in [FRAME, OVERLAP] {
        let check = status(&checks, id);
        assert_eq!(check.status, CheckStatus::Pass, "{id}: {}", check.message);
        assert!(
            !check.evidence.is_empty(),
            "{id} points at the portrait's edge"
        );
    }
    let (_, lines, images) = document("photo_substitution_clean");
    let checks = inspect(lines, images);
    let failed: Vec<&Check> = [FRAME, OVERLAP]
        .iter()
        .map(|id| status(&checks, id))
        .filter(|c| c.status == CheckStatus::Fail)
        .collect();
    assert!(
        !failed.is_empty(),
        "the pasted piece shows at the edge: {:?}",
        [status(&checks, FRAME), status(&checks, OVERLAP)]
    );
    for check in failed {
        assert!(
            check
                .evidence
                .iter()
                .all(|e| e.light == Some(Light::White) && e.region.is_some()),
            "boxes on the white image: {check:?}"
        );
    }
}

#[test]
fn a_blurred_or_too_coarse_capture_is_not_checked_with_the_reason() {
    let (_, lines, images) = document("genuine");
    let blurred: Vec<(Light, image::DynamicImage)> = images
        .iter()
        .map(|(light, image)| (*light, image.blur(6.0)))
        .collect();
    let checks = inspect(lines, &blurred);
    let check = status(&checks, FRAME);
    assert_eq!(check.status, CheckStatus::NotChecked, "{}", check.message);
    assert!(check.message.contains("not resolved"), "{}", check.message);
    // 300 dpi (11.8 px/mm) down to a quarter: under 5 px/mm.
    let coarse: Vec<(Light, image::DynamicImage)> = images
        .iter()
        .map(|(light, image)| {
            (
                *light,
                image.resize_exact(
                    image.width() / 4,
                    image.height() / 4,
                    image::imageops::FilterType::Triangle,
                ),
            )
        })
        .collect();
    let checks = inspect(lines, &coarse);
    for id in [FRAME, OVERLAP] {
        let check = status(&checks, id);
        assert_eq!(
            check.status,
            CheckStatus::NotChecked,
            "{id}: {}",
            check.message
        );
        assert!(check.message.contains("px/mm"), "{}", check.message);
    }
}

#[test]
fn templates_that_declare_nothing_across_the_edge_do_not_apply() {
    let visa = library().get("UTO/visa").expect("UTO/visa");
    assert!(
        visa.sides
            .iter()
            .all(|side| side.portrait_boundary.is_empty())
    );
    let zza = library().get("ZZA/passport").expect("ZZA/passport");
    let boundary = &zza.mrz_side().expect("data page").portrait_boundary;
    assert_eq!((boundary.continuous.len(), boundary.overlaps.len()), (1, 2));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(12))]
    /// Any white capture, however odd, gives the two checks a status and never panics.
    #[test]
    fn any_capture_gives_a_status_and_never_panics(width in 1u32..700, height in 1u32..500, seed in proptest::num::u32::ANY, flat in proptest::bool::ANY) {
        let mut state = seed | 1;
        let image = image::RgbImage::from_fn(width, height, |x, y| {
            if flat {
                return image::Rgb([200, 190, (x + y) as u8]);
            }
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            image::Rgb([state as u8, (state >> 8) as u8, (state >> 16) as u8])
        });
        let (_, lines, _) = document("genuine");
        let checks = inspect(lines, &[(Light::White, image::DynamicImage::ImageRgb8(image))]);
        for id in [FRAME, OVERLAP] {
            if let Some(check) = checks.iter().find(|c| c.id == id) {
                proptest::prop_assert!(check.status != CheckStatus::Pass || !check.evidence.is_empty(), "{id}: {check:?}");
            }
        }
    }
}
