//! tdverify-sltd: the offline copy of a stolen and lost travel documents (SLTD)
//! hotlist, as a border post keeps it without a network.
//!
//! A national central bureau (NCB) publishes a signed **bundle** ([`bundle`]): a header
//! (issuer, as-of date, the hashing key) and fixed-size entries, each the keyed hash of
//! (document type, issuing state, document number normalised as in the MRZ) with the
//! status and the date it was reported. Document numbers never appear in clear, in the
//! bundle or on the station's disk. The administrator trusts the NCB's Ed25519 key
//! ([`TrustedKeys`], kept and audited in the case store); [`Hotlist::import`] verifies a bundle against it and replaces the
//! station's copy atomically (a failed import leaves the old copy in use).
//! [`Hotlist::lookup`] is a binary search over the sorted entries.
//!
//! A hit is a *possible* hit: the officer confirms it with the NCB before any action.

#![warn(missing_docs)]

pub mod bundle;
mod error;
mod hotlist;
mod normalize;
pub mod online;
pub mod test_bundle;

pub use bundle::{BundleHeader, BundleWriter, Entry, Status, TEST_ONLY_SIGNER_SEED, days_from_iso, iso_from_days, test_only_signer};
pub use error::SltdError;
pub use hotlist::{DEFAULT_MAX_AGE_DAYS, Hit, Hotlist, HotlistStatus, Lookup, TrustedKeys, copy_path, folder, parse_key, today_days};
pub use online::{HttpSltd, ONLINE_TIMEOUT, OnlineAnswer, OnlineError, OnlineSltd};
pub use normalize::{DocumentKey, normalize_number, normalize_state, normalize_type};
