//! `rutoken-lab apdu`: an in-process APDU shell (owner: the token issue).

use std::process::ExitCode;

use crate::error::CliError;

/// Arguments of `apdu`.
#[derive(Debug, clap::Args)]
pub struct ApduArgs {}

pub fn run(_args: ApduArgs) -> Result<ExitCode, CliError> {
    Err(CliError::failed_msg("`apdu` is not built yet"))
}
