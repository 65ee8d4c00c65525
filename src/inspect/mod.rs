//! Runs the inspection stages (MRZ, document, chip, face, SLTD), collects their
//! checks and proposes a verdict.

pub mod verdict;

pub use verdict::{ProposedVerdict, propose};
