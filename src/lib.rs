//! tdverify: offline verification of travel documents and their bearers.
//!
//! The library is the product: the GUI (`ui`) and the CLI (`main.rs`) only call
//! it. Domain crates do the work and are re-exported here under their module
//! names; see docs/ARCHITECTURE.md for the map.

pub use tdverify_core as core;
pub use tdverify_mrz as mrz;

pub mod capture;
pub mod clock;
pub mod doctor;
pub mod i18n;
pub mod imaging;
pub mod inspect;
pub mod logging;
pub mod onnx;
pub mod resources;
pub mod samples;
pub mod settings;
pub mod ui;
