//! `rutoken-lab run`: the conformance runner (owner: the conformance issue).

use std::process::ExitCode;

use crate::error::CliError;

/// Arguments of `run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {}

pub fn run(_args: RunArgs) -> Result<ExitCode, CliError> {
    Err(CliError::failed_msg(
        "no scenario exists yet: the conformance runner is not built yet",
    ))
}
