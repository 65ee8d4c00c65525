//! tdverify-training: practice sessions on fixture documents, scored the way document
//! examiners are measured (issue 25, docs/TRAINING.md).
//!
//! Trainers build a [`Session`] from a generated fixture set (never real cases): so many
//! documents at a fraud prevalence, optionally only some fraud types, forgery methods or
//! capture kinds, a time limit, when the automatic checks are shown, and face-matching
//! drills. The session file keeps every item's truth and is signed by the station, so
//! other stations can verify it on import. A trainee's [`Answer`]s are scored by
//! [`score`] (hits, misses, false alarms, correct rejections, d′ and c with the
//! log-linear correction, per fraud type and forgery method, hotspot recall, time) and
//! each answer gets [`feedback`].
//!
//! The GUI's path: [`Session::load`] → [`Session::verify`] (trusted keys from the store)
//! → [`Session::items`] (image paths through [`DocumentItem::image_path`] and
//! [`FaceDrill::portrait_path`]) → per answer [`feedback`] → at the end [`score`] →
//! the store's `record_training_run`. This crate does not touch the store: signing is
//! done by the store's key ([`Session::signing_payload`], [`Session::attach_signature`]).

#![warn(missing_docs)]

mod difficulty;
mod error;
mod feedback;
mod normal;
mod score;
mod session;
#[cfg(test)]
mod test_support;

pub use difficulty::{Difficulty, class_of};
pub use error::TrainingError;
pub use feedback::{Feedback, HotspotFeedback, RegionFeedback, feedback};
pub use normal::inverse_normal_cdf;
pub use score::{
    Answer, AnswerVerdict, Detection, FaceScore, GroupScore, Hotspot, Score, parse_answers,
    regions_hit, score,
};
pub use session::{
    CheckDisplay, DefectRegion, DocumentItem, FaceDrill, FixtureSource, MAX_ITEMS, SESSION_FORMAT,
    SESSION_VERSION, SIGNATURE_CONTEXT, Session, SessionItem, SessionRequest, SessionSignature,
    SideImages,
};
pub use tdverify_fixtures::capture::CaptureKind;
