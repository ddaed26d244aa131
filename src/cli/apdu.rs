//! `rutoken-lab apdu`: an in-process APDU shell (no pcscd), like pcsc-tools' `scriptor`.

use std::fs::File;
use std::io::{self, BufReader};
use std::path::PathBuf;
use std::process::ExitCode;

use rutoken_sim::token::{Fixture, Token, shell};

use super::token::load_profile;
use crate::error::CliError;

/// Arguments of `apdu`.
#[derive(Debug, clap::Args)]
pub struct ApduArgs {
    /// A token image to run against (changes are saved to it).
    #[arg(long, conflicts_with = "fixture")]
    image: Option<PathBuf>,
    /// An in-memory token from a fixture: `factory` or `personalised` (the default: factory).
    #[arg(long)]
    fixture: Option<Fixture>,
    /// Seed of the in-memory fixture (serial, keys, random numbers).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// The device profile (YAML); its `token:` section is used.
    #[arg(long)]
    profile: Option<PathBuf>,
    /// The script: one APDU in hex per line, `#` comments, `reset`; standard input if absent.
    script: Option<PathBuf>,
}

pub fn run(args: ApduArgs) -> Result<ExitCode, CliError> {
    let profile = load_profile(args.profile.as_deref())?;
    let mut token = match &args.image {
        Some(path) => Token::open_image(path, profile).map_err(|e| {
            CliError::invalid(format!("cannot open the token image {}", path.display()), e)
        })?,
        None => Token::in_memory(args.fixture.unwrap_or(Fixture::Factory), args.seed, profile)
            .map_err(|e| CliError::failed("cannot build the token", e))?,
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let result = match &args.script {
        Some(path) => {
            let file = File::open(path).map_err(|e| {
                CliError::invalid(format!("cannot read the script {}", path.display()), e)
            })?;
            shell::run(&mut token, BufReader::new(file), &mut out)
        }
        None => shell::run(&mut token, io::stdin().lock(), &mut out),
    };
    let bad = match result {
        Ok(bad) => bad,
        // The reader of our output went away (`| head`): nothing more to say.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
        Err(e) => return Err(CliError::failed("the APDU shell failed", e)),
    };
    if bad > 0 {
        // Every good line ran; the malformed ones (printed as `! line N`) make the script
        // invalid input.
        return Err(CliError::invalid_msg(format!(
            "{bad} malformed line{} in the script (see the `!` lines)",
            if bad == 1 { "" } else { "s" }
        )));
    }
    Ok(ExitCode::SUCCESS)
}
