//! Document identification and security-feature checks.
//!
//! For now this crate holds the reference library ([`reference`]): the
//! `template.toml` format that says where a document's zones are and how it
//! must look under white, UV and IR light. The checks that compare a capture
//! with a template (issue 6) will live beside it in `checks/`.

pub mod reference;

// Checks (issue 6): registration, identification, capture quality, check
// families and the evaluation over fixture sets.
pub mod checks;
pub mod eval;
pub mod identify;
pub mod quality;
pub mod register;
pub mod viz;

pub use checks::CHECK_IDS;
pub use checks::document::{
    DocumentOptions, DocumentReport, LightRegistration, StageTiming, check_document,
    check_document_with,
};
