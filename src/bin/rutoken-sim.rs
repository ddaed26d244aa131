//! `rutoken-sim`: the emulator alone — `rutoken-lab sim` with the same options, in a binary
//! that holds only the emulator's code (issue #12: at most 10 MiB resident while attached).
//!
//! Why a second binary: most of the emulator's resident memory is the executable's code that
//! the kernel maps in as it runs (64 KiB around every page touched). In `rutoken-lab`, the
//! emulator's code is interleaved with the runner's, the CA's and the plugin bridge's, so the
//! same work touches about 5 MiB of code; here about 3.6 MiB (`benches/scripts/suite-through-pcscd.sh`
//! measures both).
#![forbid(unsafe_code)]

#[allow(
    dead_code,
    reason = "the shared error type also has constructors for the other subcommands"
)]
#[path = "../error.rs"]
mod error;

/// `src/cli/sim.rs` and its submodules, compiled into this binary too.
#[path = "../cli"]
mod cli {
    pub mod sim;
}

use std::process::ExitCode;

use clap::Parser;

/// Attach the virtual Rutoken ECP 2.0 (in a SafeTouch unless `--no-safetouch`) to pcscd through
/// vpcd, until SIGINT or SIGTERM (`docs/pcsc.md`). The same options as `rutoken-lab sim`.
#[derive(Parser)]
#[command(name = "rutoken-sim", version)]
struct Args {
    #[command(flatten)]
    sim: cli::sim::SimArgs,
}

fn main() -> ExitCode {
    match cli::sim::run(Args::parse().sim) {
        Ok(code) => code,
        Err(err) => {
            err.report();
            err.exit_code()
        }
    }
}
