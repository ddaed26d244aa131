//! `rutoken-lab sim`: attach the emulator to pcscd through vpcd (owner: the vpcd/SafeTouch issue).

use std::process::ExitCode;

use crate::error::CliError;

/// Arguments of `sim`.
#[derive(Debug, clap::Args)]
pub struct SimArgs {}

pub fn run(_args: SimArgs) -> Result<ExitCode, CliError> {
    Err(CliError::failed_msg("`sim` is not built yet"))
}
