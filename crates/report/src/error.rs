//! Errors of the report: a missing font or an unwritable file, with the path.

use std::path::PathBuf;

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// No usable font was found at any of the usual places.
    #[error(
        "no font for the PDF report: tried {tried}; install the Debian package fonts-dejavu-core"
    )]
    FontMissing {
        /// The paths tried, comma-separated.
        tried: String,
    },
    /// The font file exists but could not be read.
    #[error("cannot read the font {path}: {source}")]
    FontRead {
        /// The font file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The font file is not a TrueType font this writer can embed.
    #[error("the font {path} is not a usable TrueType font: {reason}")]
    FontParse {
        /// The font file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The PDF could not be written.
    #[error("cannot write the report {path}: {source}")]
    Write {
        /// The file being written.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The trends database could not answer a view (a bad filter, a database error).
    #[error("trends data: {0}")]
    Trends(#[from] tdverify_trends::TrendsError),
    /// A chart image could not be encoded.
    #[error("cannot encode the chart image: {reason}")]
    Image {
        /// The encoder's error.
        reason: String,
    },
}
