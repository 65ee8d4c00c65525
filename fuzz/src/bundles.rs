//! Targets for signed files a station imports: the SLTD hotlist, DESC export
//! bundles (and their import into trends), training sessions. Each re-signs
//! the mutated bytes with a TEST-ONLY key, so the parsers behind the signature
//! check see the mutations.

use std::hint::black_box;
use std::path::Path;
use std::sync::OnceLock;

use ring::signature::{Ed25519KeyPair, KeyPair};
use serde_json::Value;
use tdverify_sltd::{Hotlist, test_bundle};
use tdverify_training::{SIGNATURE_CONTEXT, Session};
use tdverify_trends::{Trends, TrustedKey, demo_bundles, demo_key};

/// Seed of the TEST-ONLY demo station whose bundle the export targets start from.
pub const DEMO_SEED: u64 = 27;
/// The files of an export bundle, in the order the first input byte picks them.
pub const BUNDLE_FILES: [&str; 4] = ["manifest.json", "records.jsonl", "records.csv", "schema.json"];

/// The TEST-ONLY training publisher key (the seed session is signed with it).
pub fn training_key() -> Option<&'static Ed25519KeyPair> {
    static KEY: OnceLock<Option<Ed25519KeyPair>> = OnceLock::new();
    KEY.get_or_init(|| Ed25519KeyPair::from_seed_unchecked(b"TEST-ONLY tdverify fuzz trainer!").ok()).as_ref()
}

/// The SLTD hotlist: the input is a bundle without its signature; the target
/// signs it with the TEST-ONLY signer (the seeds name that signer in their
/// header), then verifies, loads and looks a document up.
pub fn sltd(data: &[u8]) {
    let signer = tdverify_sltd::test_only_signer();
    let mut bytes = data.to_vec();
    bytes.extend_from_slice(signer.sign(data).as_ref());
    let trusted = test_bundle::test_only_trust();
    black_box(Hotlist::from_bundle(data.to_vec(), &trusted).ok());
    if let Ok(hotlist) = Hotlist::from_bundle(bytes, &trusted) {
        let today = tdverify_sltd::days_from_iso("2026-06-15").unwrap_or(0);
        black_box(hotlist.status(today));
        black_box(hotlist.lookup(&test_bundle::test_document(1, 1), today));
    }
}

/// The files of one TEST-ONLY demo station's export bundle (a few dozen
/// records), made once per process.
pub fn base_bundle() -> Option<&'static Vec<(String, Vec<u8>)>> {
    static BUNDLE: OnceLock<Option<Vec<(String, Vec<u8>)>>> = OnceLock::new();
    BUNDLE
        .get_or_init(|| {
            let dir = tempfile::tempdir().ok()?;
            let demo = demo_bundles(1, 40, DEMO_SEED, dir.path()).ok()?;
            let bundle = demo.bundles.first()?;
            let mut files = Vec::new();
            for name in BUNDLE_FILES {
                files.push((name.to_string(), std::fs::read(bundle.path.join(name)).ok()?));
            }
            Some(files)
        })
        .as_ref()
}

/// Writes the bundle the input describes into `dir`: the first byte picks the
/// file the rest replaces; the manifest's hashes and key are then brought in
/// line and it is signed with the TEST-ONLY demo key. Returns that key's
/// public half.
fn write_bundle(data: &[u8], dir: &Path) -> Option<Vec<u8>> {
    let (&choice, content) = data.split_first()?;
    let mut files = base_bundle()?.clone();
    let index = usize::from(choice) % files.len();
    files[index].1 = content.to_vec();
    let key = demo_key(DEMO_SEED, 0);
    let public = key.public_key().as_ref().to_vec();
    let mut manifest = files[0].1.clone();
    if choice & 0x80 == 0
        && let Ok(mut value) = serde_json::from_slice::<Value>(&manifest)
    {
        value["station_public_key"] = Value::String(tdverify_core::hex::encode(&public));
        if let Some(listed) = value["files"].as_array_mut() {
            for entry in listed {
                let Some(name) = entry["name"].as_str() else { continue };
                let Some((_, bytes)) = files.iter().find(|(n, _)| n == name) else { continue };
                let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
                entry["sha256"] = Value::String(tdverify_core::hex::encode(digest.as_ref()));
                entry["bytes"] = Value::from(bytes.len() as u64);
            }
        }
        manifest = serde_json::to_vec_pretty(&value).ok()?;
    }
    files[0].1 = manifest;
    let signature = key.sign(&files[0].1);
    for (name, bytes) in &files {
        std::fs::write(dir.join(name), bytes).ok()?;
    }
    std::fs::write(dir.join("manifest.sig"), tdverify_core::hex::encode(signature.as_ref())).ok()?;
    Some(public)
}

/// `tdverify export verify`: a DESC bundle with one file replaced, re-signed.
pub fn export(data: &[u8]) {
    let Ok(dir) = tempfile::tempdir() else { return };
    let Some(public) = write_bundle(data, dir.path()) else { return };
    black_box(tdverify_export::verify_bundle(dir.path(), Some(&public)).ok());
}

/// The trends dashboard's import of such a bundle into its database.
pub fn trends(data: &[u8]) {
    let Ok(dir) = tempfile::tempdir() else { return };
    let bundle = dir.path().join("bundle");
    if std::fs::create_dir(&bundle).is_err() {
        return;
    }
    let Some(public) = write_bundle(data, &bundle) else { return };
    let Ok(mut trends) = Trends::open(&dir.path().join("data")) else { return };
    let trusted = [TrustedKey { label: "TEST-ONLY fuzz station".into(), key: public }];
    black_box(trends.import_bundle(&bundle, &trusted).ok());
    black_box(trends.records());
}

/// A training session file: parsed, its own signature checked, then re-signed
/// with the TEST-ONLY trainer key and verified against it, its items listed.
pub fn training(data: &[u8]) {
    let Ok(mut session) = Session::parse(data) else { return };
    black_box(session.verify_signature().ok());
    let Some(key) = training_key() else { return };
    let mut message = SIGNATURE_CONTEXT.to_vec();
    message.extend_from_slice(&session.signing_payload());
    let signature = key.sign(&message);
    if session.attach_signature(key.public_key().as_ref(), signature.as_ref()).is_ok() {
        black_box(session.verify(&[key.public_key().as_ref().to_vec()]).ok());
    }
    for item in session.items() {
        black_box(item.id());
    }
}
