//! tdverify-chip: reading and checking eMRTD chips (passports, ID cards) and a
//! virtual eMRTD for tests, demo and training.
//!
//! One module per protocol, each with its own tests and fuzz-style proptests:
//! - [`tlv`], [`apdu`]: BER-TLV and ISO 7816-4 APDUs;
//! - [`transport`] (trait + scripted in-memory link), [`pcsc_transport`] (PC/SC);
//! - [`crypto`], [`sm`]: 3DES/AES, retail MAC, CMAC, KDF, secure messaging;
//! - [`key`], [`bac`], [`pace`], [`ec`]: access control (ICAO 9303-11 §4);
//! - [`lds`]: EF.COM, DG1, DG2, DG7, DG11, DG12, DG14, DG15, SecurityInfos;
//! - [`aa`], [`ca`]: active and chip authentication (clone detection);
//! - [`reader`]: the resumable read session producing a [`reader::ChipRead`];
//! - [`emulator`]: the virtual eMRTD, in-process and behind pcscd via vpcd;
//! - [`checks`]: results as `tdverify_core::Check`s ([`CHECK_IDS`]).
//!
//! Passive authentication (EF.SOD signature, certificates, master lists) lives
//! in `tdverify-pki`; this crate hands it the EF.SOD and data group bytes.

#![warn(missing_docs)]

pub mod aa;
pub mod agreement;
pub mod apdu;
pub mod bac;
pub mod ca;
pub mod checks;
pub mod crypto;
pub mod dh;
pub mod ec;
pub mod emulator;
pub mod hex;
pub mod key;
pub mod lds;
pub mod pace;
pub mod pcsc_transport;
pub mod reader;
pub mod sm;
pub mod tlv;
pub mod transport;

pub use checks::CHECK_IDS;
