//! tdverify: offline verification of travel documents and their bearers.
//!
//! The library is the product: the GUI (`ui`) and the CLI (`main.rs`) only call
//! it. Domain crates do the work and are re-exported here under their module
//! names; see docs/ARCHITECTURE.md for the map.

pub use tdverify_core as core;
pub use tdverify_document as document;
pub use tdverify_face as face;
pub use tdverify_fixtures as fixtures;
pub use tdverify_inspect as inspect;
pub use tdverify_mrz as mrz;
pub use tdverify_ocr as ocr;
pub use tdverify_report as report;
pub use tdverify_store as store;
pub use tdverify_chip as chip;
pub use tdverify_pki as pki;
pub use tdverify_export as export;
pub use tdverify_sltd as sltd;
pub use tdverify_trends as trends;
pub use tdverify_training as training;

pub mod capture;
pub mod case_draft;
#[path = "chip/mod.rs"]
pub mod chip_session;
pub mod clock;
pub mod doctor;
pub mod engines;
pub mod i18n;
pub mod imaging;
pub mod logging;
pub mod onnx;
pub mod resources;
pub mod reference_station;
pub mod samples;
pub mod settings;
pub mod sltd_station;
pub mod training_station;
pub mod trends_station;
pub mod ui;
