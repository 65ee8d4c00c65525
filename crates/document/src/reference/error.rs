//! Errors of the reference library: each names the file, and the line when known.

use std::path::PathBuf;

/// Why a template or the library could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    /// A file or folder could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML or does not fit the template format.
    #[error("{path}{}: {message}", line_suffix(*line))]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem, when the parser could tell.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// The file parses but describes an impossible document (zone off the page…).
    #[error("{path}{}: {message}", line_suffix(*line))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line of the offending value, when it could be found.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// Two folders declare templates with the same key.
    #[error("{path}: template `{key}` is already defined")]
    Duplicate {
        /// The second file.
        path: PathBuf,
        /// The key used twice.
        key: String,
    },
    /// A template could not be written back to TOML.
    #[error("cannot write template `{key}` as TOML: {message}")]
    Serialize {
        /// The template's key.
        key: String,
        /// The serialiser's message.
        message: String,
    },
}

fn line_suffix(line: Option<usize>) -> String {
    line.map(|line| format!(":{line}")).unwrap_or_default()
}
