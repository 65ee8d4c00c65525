//! The reference library: one `template.toml` per document model, under
//! `reference-library/<ISSUER>/<document>/`, with specimen images per light.
//!
//! Checks identify a document from its MRZ (issuer, document code, format) with
//! [`ReferenceLibrary::find`] and compare each capture with the template's zones
//! and expected appearance; the fixture generator draws documents from the same
//! templates, so the two cannot drift apart.

mod error;
mod library;
mod pack;
mod template;

pub use error::ReferenceError;
pub use library::{ReferenceLibrary, TEMPLATE_FILE_NAME};
pub use pack::{PackError, PackInstall, install_pack, validate_pack};
pub use template::{
    CoaxialAppearance, Colour, DocumentInfo, DocumentKind, IrAppearance, Issuer, LaminateMotif,
    MIN_LAMINATE_PITCH_MM, MrzFormat, MrzLayout, RectMm, RetroLaminate, Side,
    TEMPLATE_FORMAT_VERSION, Template, UvAppearance, UvFluorescence, UvSubstrate, VizField,
    WhiteAppearance, Zone, ZoneKind,
};
