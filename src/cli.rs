//! Subcommands. Each lives in its own file under `cli/`.

mod apdu;
mod fixtures;
mod plugin;
mod relay;
mod replay;
mod run;
mod safetouch;
mod sim;
mod token;
mod token_control;
mod transcript;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::CliError;

/// A virtual Rutoken ECP 2.0 inside a virtual SafeTouch, on PC/SC, and a conformance suite that
/// replays a bank's certificate reissue against it or against real tokens.
#[derive(Debug, Parser)]
#[command(name = "rutoken-lab", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Replay scenarios against the built-in emulator or a PC/SC reader.
    Run(Box<run::RunArgs>),
    /// Attach the virtual token (and SafeTouch) to pcscd through vpcd.
    Sim(sim::SimArgs),
    /// Create, inspect, pull or insert a virtual token.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// An APDU shell against an in-process token (no pcscd), like pcsc-tools' scriptor.
    Apdu(apdu::ApduArgs),
    /// Read the SafeTouch screen or press its buttons through a running `sim`'s control socket.
    #[command(subcommand)]
    Safetouch(safetouch::SafetouchCommand),
    /// Regenerate or check the test PKI in `fixtures/`.
    #[command(subcommand)]
    Fixtures(fixtures::FixturesCommand),
    /// Serve the Rutoken Plugin's JavaScript API to web pages (loopback WebSocket), backed by
    /// the virtual token and SafeTouch.
    Plugin(Box<plugin::PluginArgs>),
    /// Present a card in a real PC/SC reader behind vpcd as a virtual reader, recording every
    /// command and answer (PINs masked).
    Relay(relay::RelayArgs),
    /// Replay a relay transcript against the emulator and show both answers side by side.
    Replay(replay::ReplayArgs),
}

impl Cli {
    /// Runs the chosen subcommand.
    pub fn run(self) -> Result<ExitCode, CliError> {
        match self.command {
            Command::Run(args) => run::run(*args),
            Command::Sim(args) => sim::run(args),
            Command::Token(cmd) => token::run(cmd),
            Command::Apdu(args) => apdu::run(args),
            Command::Safetouch(cmd) => safetouch::run(cmd),
            Command::Fixtures(cmd) => fixtures::run(cmd),
            Command::Plugin(args) => plugin::run(*args),
            Command::Relay(args) => relay::run(args),
            Command::Replay(args) => replay::run(args),
        }
    }
}

/// Writes `text` to standard output. A reader that went away (`| head -c1`, a closed pager)
/// is not an error: the output is simply no longer wanted (Rust ignores SIGPIPE, so `print!`
/// would panic on the broken pipe instead).
pub fn print_out(text: &str) -> Result<(), CliError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::failed("cannot write to standard output", e))
        }
        _ => Ok(()),
    }
}
