//! Runs the inspection stages and proposes a verdict.
//!
//! Stages, in order of dependency: **MRZ** (typed, or read from the IR then the
//! white capture), then in parallel **document** (identify, register, quality,
//! security features; it needs the MRZ to choose the template) and **face**
//! (printed portrait, chip portrait, live bearer); the **chip** is read before
//! the inspection (it needs the MRZ or CAN and a card on the reader) and its
//! outcome is handed in. Every stage reports progress and its time. The
//! verdict rules are in [`verdict`]. tdverify proposes; the officer decides.

mod run;
pub mod verdict;

pub use run::{ChipEvidence, DocumentSummary, Engines, InspectInput, Inspection, MrzOutcome, Stage, run};
pub use verdict::{ProposedVerdict, propose};
