//! `rutoken-lab token pull|insert|power-cycle|load|restart --control PATH`: the token of a
//! running `sim`, through its control socket (`docs/pcsc.md`).

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
    /// Replace the token with a fresh one (the reader sees the card go and come; with
    /// `sim --image` the image file is rewritten).
    Load(LoadArgs),
    /// Restart the emulator: the token is read back from its image (logins are lost).
    Restart(ControlArgs),
}

/// Arguments of `token load`.
#[derive(Debug, clap::Args)]
pub struct LoadArgs {
    /// The fresh token's fixture: `factory` or `personalised`.
    #[arg(long, default_value = "personalised")]
    pub fixture: String,
    /// Its seed (serial, keys; 0 = the default serial).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[command(flatten)]
    control: ControlArgs,
}

pub fn run(cmd: TokenControlCommand) -> Result<ExitCode, CliError> {
    let (args, request, done) = match cmd {
        TokenControlCommand::Pull(args) => (args, Request::Pull, "token pulled"),
        TokenControlCommand::Insert(args) => (args, Request::Insert, "token inserted"),
        TokenControlCommand::PowerCycle(args) => (args, Request::PowerCycle, "token power-cycled"),
        TokenControlCommand::Restart(args) => (args, Request::Restart, "emulator restarted"),
        TokenControlCommand::Load(load) => {
            let fixture = load.fixture.parse().map_err(|message: String| {
                CliError::invalid_msg(format!("--fixture: {message}"))
            })?;
            let request = Request::Load {
                fixture,
                seed: load.seed,
            };
            (load.control, request, "fresh token loaded")
        }
    };
    let reply = send(&args.control, request)?;
    match reply.serial {
        Some(serial) => println!("{done}: serial {serial}"),
        None => println!("{done}"),
    }
    Ok(ExitCode::SUCCESS)
}
