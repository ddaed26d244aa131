//! `rutoken-lab safetouch screen|confirm|reject` (owner: the vpcd/SafeTouch issue).

use std::process::ExitCode;

use crate::error::CliError;

/// SafeTouch control commands.
#[derive(Debug, clap::Subcommand)]
pub enum SafetouchCommand {}

pub fn run(cmd: SafetouchCommand) -> Result<ExitCode, CliError> {
    match cmd {}
}
