//! The command line's error type: a message, its chain of causes, and the exit code.

use std::error::Error as StdError;
use std::process::ExitCode;

/// What a subcommand can fail with. Printed as `error: …` plus one `caused by: …` line per cause,
/// never as a debug dump.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Invalid input or usage (exit 2): a bad file, a bad argument.
    #[error("{message}")]
    Invalid {
        /// What was wrong, naming the input.
        message: String,
        /// The underlying error, if any.
        #[source]
        source: Option<Box<dyn StdError + Send + Sync>>,
    },
    /// The operation itself failed (exit 1).
    #[error("{message}")]
    Failed {
        /// What failed.
        message: String,
        /// The underlying error, if any.
        #[source]
        source: Option<Box<dyn StdError + Send + Sync>>,
    },
}

#[allow(
    dead_code,
    reason = "each constructor is used once its subcommand lands"
)]
impl CliError {
    /// Invalid input or usage, with its cause.
    pub fn invalid(
        message: impl Into<String>,
        source: impl StdError + Send + Sync + 'static,
    ) -> Self {
        CliError::Invalid {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }
    /// Invalid input or usage, no further cause.
    pub fn invalid_msg(message: impl Into<String>) -> Self {
        CliError::Invalid {
            message: message.into(),
            source: None,
        }
    }
    /// A failed operation, with its cause.
    pub fn failed(
        message: impl Into<String>,
        source: impl StdError + Send + Sync + 'static,
    ) -> Self {
        CliError::Failed {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }
    /// A failed operation, no further cause.
    pub fn failed_msg(message: impl Into<String>) -> Self {
        CliError::Failed {
            message: message.into(),
            source: None,
        }
    }

    /// 2 for invalid input, 1 for a failure.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Invalid { .. } => ExitCode::from(2),
            CliError::Failed { .. } => ExitCode::from(1),
        }
    }

    /// Prints the error and its causes to stderr.
    pub fn report(&self) {
        eprintln!("error: {self}");
        let mut cause = self.source();
        while let Some(err) = cause {
            eprintln!("  caused by: {err}");
            cause = err.source();
        }
    }
}
