//! Sample documents from the generated fixtures (`cargo xtask fixtures`), for
//! the demo, the "Open sample document" button and training.

use std::path::{Path, PathBuf};

use tdverify_core::Light;

/// One fixture document: its folder and its images per light.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The document's folder (holds `truth.json`).
    pub folder: PathBuf,
    /// Image files with their light (the MRZ side, or the only side).
    pub images: Vec<(PathBuf, Light)>,
    /// The other side of a two-sided card (`front.white.png`…), with their light.
    pub other_side: Vec<(PathBuf, Light)>,
    /// The person carrying it (`bearer.jpg|png`), when the fixture has one.
    pub bearer: Option<PathBuf>,
}

/// Reads one fixture folder: `white|uv|ir|coaxial` `.png|.jpg` and `truth.json`.
pub fn read_sample(folder: &Path) -> Option<Sample> {
    if !folder.join("truth.json").is_file() {
        return None;
    }
    let images = side_images(folder, "");
    let other_side = side_images(folder, "front.");
    let bearer = ["bearer.jpg", "bearer.png"].iter().map(|name| folder.join(name)).find(|p| p.is_file());
    (!images.is_empty()).then(|| Sample { folder: folder.to_path_buf(), images, other_side, bearer })
}

/// `<prefix><light>.png|jpg|jpeg|tif` for each light present.
fn side_images(folder: &Path, prefix: &str) -> Vec<(PathBuf, Light)> {
    let mut images = Vec::new();
    for light in Light::ALL {
        for extension in ["png", "jpg", "jpeg", "tif"] {
            let path = folder.join(format!("{prefix}{}.{extension}", light.as_str()));
            if path.is_file() {
                images.push((path, light));
                break;
            }
        }
    }
    images
}

/// All fixture documents under a folder, in name order.
pub fn list_samples(fixtures: &Path) -> Vec<Sample> {
    let Ok(entries) = std::fs::read_dir(fixtures) else { return Vec::new() };
    let mut folders: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    folders.sort();
    folders.iter().filter_map(|f| read_sample(f)).collect()
}

/// The first genuine one-page fixture document with a chip (a passport data page
/// shows the portrait and the MRZ together, and its chip can be read; a card's other
/// side would be a second page), else the first genuine one-page one, else the first
/// genuine one, else the first one.
pub fn first_sample(fixtures: &Path) -> Option<Sample> {
    let samples = list_samples(fixtures);
    // The fixtures' truth says `"scenario": "genuine"` (older sets: `"genuine": true`).
    let genuine = |s: &&Sample| {
        std::fs::read_to_string(s.folder.join("truth.json"))
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .is_some_and(|truth| {
                truth.get("scenario").and_then(|g| g.as_str()) == Some("genuine")
                    || truth.get("genuine").and_then(|g| g.as_bool()) == Some(true)
            })
    };
    let one_page = |s: &&Sample| s.other_side.is_empty();
    let chip = |s: &&Sample| s.folder.join("chip").is_dir();
    samples
        .iter()
        .find(|s| genuine(s) && one_page(s) && chip(s))
        .or_else(|| samples.iter().find(|s| genuine(s) && one_page(s)))
        .or_else(|| samples.iter().find(genuine))
        .or(samples.first())
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_images_per_light_and_prefers_genuine() {
        let dir = tempfile::tempdir().unwrap();
        for (name, genuine) in [("a-forged", false), ("b-genuine", true)] {
            let folder = dir.path().join(name);
            std::fs::create_dir_all(&folder).unwrap();
            std::fs::write(folder.join("truth.json"), format!("{{\"genuine\": {genuine}}}")).unwrap();
            std::fs::write(folder.join("white.png"), b"").unwrap();
            std::fs::write(folder.join("ir.jpg"), b"").unwrap();
        }
        std::fs::create_dir_all(dir.path().join("c-no-truth")).unwrap();
        assert_eq!(list_samples(dir.path()).len(), 2);
        let sample = first_sample(dir.path()).unwrap();
        assert!(sample.folder.ends_with("b-genuine"));
        let lights: Vec<Light> = sample.images.iter().map(|(_, l)| *l).collect();
        assert_eq!(lights, vec![Light::White, Light::Ir]);
        assert!(first_sample(&dir.path().join("missing")).is_none());

        // A genuine card whose portrait is on the other side comes after a one-page document.
        let card = dir.path().join("a-card-genuine");
        std::fs::create_dir_all(&card).unwrap();
        std::fs::write(card.join("truth.json"), "{\"genuine\": true}").unwrap();
        std::fs::write(card.join("white.png"), b"").unwrap();
        std::fs::write(card.join("front.white.png"), b"").unwrap();
        std::fs::write(card.join("bearer.jpg"), b"").unwrap();
        assert!(first_sample(dir.path()).unwrap().folder.ends_with("b-genuine"));
        let card = read_sample(&card).unwrap();
        assert!(card.bearer.is_some());
        assert_eq!(card.other_side.len(), 1, "the card's front is its other side");

        // The generator's truth names the scenario; a genuine passport with a chip comes first.
        let passport = dir.path().join("d-passport-genuine");
        std::fs::create_dir_all(passport.join("chip")).unwrap();
        std::fs::write(passport.join("truth.json"), "{\"scenario\": \"genuine\"}").unwrap();
        std::fs::write(passport.join("white.png"), b"").unwrap();
        assert!(first_sample(dir.path()).unwrap().folder.ends_with("d-passport-genuine"));
    }

    #[test]
    fn the_bundled_fixtures_open_a_genuine_passport_with_its_chip() {
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("out/fixtures");
        if !fixtures.is_dir() {
            tdverify_core::test_data::missing_project_piece("out/fixtures", "run cargo xtask setup");
        }
        let sample = first_sample(&fixtures).expect("a sample");
        let truth = std::fs::read_to_string(sample.folder.join("truth.json")).unwrap();
        assert!(truth.contains("\"scenario\": \"genuine\""), "{}", sample.folder.display());
        assert!(sample.folder.join("chip").is_dir() && sample.other_side.is_empty(), "{}", sample.folder.display());
    }
}
