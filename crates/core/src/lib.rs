//! The shared vocabulary of tdverify.
//!
//! Every domain crate (MRZ, chip, document, face, store, export) speaks in these
//! types, so that a finding made anywhere can be shown, saved, scored and
//! exported the same way. Keep this crate small and free of heavy dependencies.

mod capture;
mod check;
pub mod civil;
pub mod codec;
mod fraud;
pub mod geometry;
pub mod hash;
pub mod hex;
mod light;
/// The rule for tests whose data or service may be missing (`TDVERIFY_REQUIRE_DATA`).
pub mod test_data;

pub use capture::{Capture, CaptureSource};
pub use check::{Check, CheckIdInfo, CheckStatus, Evidence, Rect};
pub use fraud::{FraudType, ForgeryMethod, Verdict};
pub use light::Light;
