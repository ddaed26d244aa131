//! `rutoken-lab token new|show` (owner: the token issue); `pull|insert` are in `token_control`.

use std::process::ExitCode;

use crate::error::CliError;

/// Token commands.
#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Pull or insert the token of a running `sim` (through its control socket).
    #[command(flatten)]
    Control(super::token_control::TokenControlCommand),
}

pub fn run(cmd: TokenCommand) -> Result<ExitCode, CliError> {
    match cmd {
        TokenCommand::Control(cmd) => super::token_control::run(cmd),
    }
}
