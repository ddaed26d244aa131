//! `rutoken-lab`: the command line of the virtual Rutoken ECP 2.0 + SafeTouch and the
//! conformance suite.
#![forbid(unsafe_code)]

mod cli;
mod error;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.run() {
        Ok(code) => code,
        Err(err) => {
            err.report();
            err.exit_code()
        }
    }
}
