//! `rutoken-lab token pull|insert|power-cycle --control PATH`: the token of a running `sim`,
//! through its control socket (`docs/pcsc.md`).

use std::process::ExitCode;

use rutoken_sim::control::Request;

use super::safetouch::{ControlArgs, send};
use crate::error::CliError;

/// Token control commands sent to a running `sim`.
#[derive(Debug, clap::Subcommand)]
pub enum TokenControlCommand {
    /// Pull the token out of the reader (the reader sees the card go).
    Pull(ControlArgs),
    /// Insert the token again (the reader sees the card come).
    Insert(ControlArgs),
    /// Cut the token's power and restore it (logins and pending operations are lost).
    PowerCycle(ControlArgs),
}

pub fn run(cmd: TokenControlCommand) -> Result<ExitCode, CliError> {
    let (args, request, done) = match cmd {
        TokenControlCommand::Pull(args) => (args, Request::Pull, "token pulled"),
        TokenControlCommand::Insert(args) => (args, Request::Insert, "token inserted"),
        TokenControlCommand::PowerCycle(args) => (args, Request::PowerCycle, "token power-cycled"),
    };
    send(&args.control, request)?;
    println!("{done}");
    Ok(ExitCode::SUCCESS)
}
