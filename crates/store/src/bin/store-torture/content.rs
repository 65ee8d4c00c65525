//! Deterministic case content of the crash-safety test, shared by the helper binary and
//! the integration test (which includes this file with `#[path]`).

use serde_json::json;
use tdverify_core::{Light, Verdict};
use tdverify_store::{CaseDraft, CaseMetadata, StoredCapture};

/// Deterministic content of case `seed` at `version` (the test recomputes it to compare).
pub fn draft(seed: u64, version: u64) -> CaseDraft {
    CaseDraft {
        metadata: CaseMetadata {
            proposed_verdict: Some(Verdict::Review),
            issuing_state: Some("UTO".into()),
            ..CaseMetadata::default()
        },
        inspection: json!({"seed": seed, "version": version, "filler": "x".repeat(usize::try_from(seed % 3000).unwrap_or(0))}),
        captures: vec![StoredCapture {
            light: Light::White,
            image: image_bytes(seed, version),
        }],
        ..CaseDraft::default()
    }
}

/// Pseudo-random image bytes for (seed, version), 20–27 KB.
pub fn image_bytes(seed: u64, version: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ version.wrapping_add(1);
    let len = 20_000 + usize::try_from(seed % 8).unwrap_or(0) * 1000;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state & 0xff) as u8
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn image_bytes_are_deterministic() {
        assert_eq!(super::image_bytes(5, 1), super::image_bytes(5, 1));
        assert_ne!(super::image_bytes(5, 1), super::image_bytes(5, 2));
    }
}
