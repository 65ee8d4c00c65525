//! Sample documents from the generated fixtures (`cargo xtask fixtures`), for
//! the demo, the "Open sample document" button and training.

use std::path::{Path, PathBuf};

use tdverify_core::Light;

/// One fixture document: its folder and its images per light.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The document's folder (holds `truth.json`).
    pub folder: PathBuf,
    /// Image files with their light.
    pub images: Vec<(PathBuf, Light)>,
}

/// Reads one fixture folder: `white|uv|ir|coaxial` `.png|.jpg` and `truth.json`.
pub fn read_sample(folder: &Path) -> Option<Sample> {
    if !folder.join("truth.json").is_file() {
        return None;
    }
    let mut images = Vec::new();
    for light in Light::ALL {
        for extension in ["png", "jpg", "jpeg", "tif"] {
            let path = folder.join(format!("{}.{extension}", light.as_str()));
            if path.is_file() {
                images.push((path, light));
                break;
            }
        }
    }
    (!images.is_empty()).then(|| Sample { folder: folder.to_path_buf(), images })
}

/// All fixture documents under a folder, in name order.
pub fn list_samples(fixtures: &Path) -> Vec<Sample> {
    let Ok(entries) = std::fs::read_dir(fixtures) else { return Vec::new() };
    let mut folders: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    folders.sort();
    folders.iter().filter_map(|f| read_sample(f)).collect()
}

/// The first genuine fixture document (by its truth.json), else the first one.
pub fn first_sample(fixtures: &Path) -> Option<Sample> {
    let samples = list_samples(fixtures);
    let genuine = samples.iter().find(|s| {
        std::fs::read_to_string(s.folder.join("truth.json"))
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .is_some_and(|truth| truth.get("genuine").and_then(|g| g.as_bool()) == Some(true))
    });
    genuine.or(samples.first()).cloned()
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
    }
}
