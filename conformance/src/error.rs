//! The crate's one error type.

use std::path::PathBuf;

/// What loading scenarios or running the suite can fail with. Step failures inside a scenario
/// are not errors: they are findings in the report ([`crate::report::Outcome`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A scenario file is not valid YAML or does not match the scenario format.
    #[error("{file}:{line}:{column}: {message}")]
    Scenario {
        /// The scenario file.
        file: PathBuf,
        /// 1-based line of the offending node.
        line: u64,
        /// 1-based column of the offending node.
        column: u64,
        /// What was wrong and what was expected.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The system error.
        #[source]
        source: std::io::Error,
    },
    /// Bad usage: an argument the runner cannot honour.
    #[error("{0}")]
    Usage(String),
    /// No scenario matched the selection.
    #[error("no scenario found: {0}")]
    NoScenario(String),
    /// The target could not be opened at all (no reader, no control socket).
    #[error("target: {0}")]
    Target(#[from] crate::target::TargetError),
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
