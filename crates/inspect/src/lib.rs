//! Runs the inspection stages and proposes a verdict.
//!
//! Stages, in order of dependency: **MRZ** (typed, or read from the IR then the
//! white capture), then in parallel **document** (identify, register, quality,
//! security features; it needs the MRZ to choose the template) and **face**
//! (printed portrait, chip portrait, live bearer); the **chip** is read before
//! the inspection (it needs the MRZ or CAN and a card on the reader) and its
//! outcome is handed in. Every stage reports progress and its time. The
//! verdict rules are in [`verdict`]. tdverify proposes; the officer decides.

pub mod eval;
pub mod ghost;
pub mod ghost_eval;
pub mod lights;
pub mod mrz_review;
mod run;
pub mod sltd;
pub mod verdict;

pub use run::{ChipEvidence, DocumentSummary, Engines, FaceView, InspectInput, Inspection, MrzOutcome, Stage, run};
pub use mrz_review::MrzHandFix;
pub use verdict::{ProposedVerdict, propose};

/// Ids of the checks the inspection itself adds (the stages' own ids are in their
/// crates; `consistency.mrz_vs_dg1` is the chip session's, used here when it is missing).
pub const CHECK_IDS: &[tdverify_core::CheckIdInfo] = &[
    tdverify_core::CheckIdInfo { id: "mrz.read", meaning: "the MRZ was read from the IR or white image with confidence (or typed)" },
    tdverify_core::CheckIdInfo { id: "mrz.lights_agree", meaning: "the MRZ reads the same under white and IR light (confident characters compared; a difference is an MRZ printed over)" },
    tdverify_core::CheckIdInfo { id: "face.stage", meaning: "the face comparison could run (models loaded, no internal error)" },
    tdverify_core::CheckIdInfo { id: "sltd.hit", meaning: "the document (printed MRZ, and the chip's DG1 when read) is not on the station's offline stolen and lost documents hotlist; a fail is a possible hit to confirm with the national central bureau, never a finding of theft" },
];
