//! Reading the visual inspection zone (VIZ): the personal data printed on the
//! page in plain type, which forgers alter while leaving the MRZ genuine.
//!
//! [`glyphs`] holds the character prototypes and the classifier, [`read`]
//! finds and cuts the value line of one template zone. The comparison with the
//! MRZ is a check family (`checks::viz`).

pub mod glyphs;
pub mod read;

pub use glyphs::{GlyphError, GlyphSet};
pub use read::{READ_PX_PER_MM, ReadGlyph, Unreadable, ZoneImage, ZoneReading, read_zone};
