//! `rutoken-lab token pull|insert --control PATH` (owner: the vpcd/SafeTouch issue).

use std::process::ExitCode;

use crate::error::CliError;

/// Token control commands sent to a running `sim`.
#[derive(Debug, clap::Subcommand)]
pub enum TokenControlCommand {}

pub fn run(cmd: TokenControlCommand) -> Result<ExitCode, CliError> {
    match cmd {}
}
