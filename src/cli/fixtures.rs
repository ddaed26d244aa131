//! `rutoken-lab fixtures regenerate|check` (owner: the PKI issue).

use std::process::ExitCode;

use crate::error::CliError;

/// Fixture commands.
#[derive(Debug, clap::Subcommand)]
pub enum FixturesCommand {}

pub fn run(cmd: FixturesCommand) -> Result<ExitCode, CliError> {
    match cmd {}
}
