//! `rutoken-lab fixtures regenerate|check` (owner: the PKI issue).

use std::path::PathBuf;
use std::process::ExitCode;

use rutoken_pki::fixtures;

use crate::error::CliError;

/// Fixture commands.
#[derive(Debug, clap::Subcommand)]
pub enum FixturesCommand {
    /// Regenerate the test PKI (CA, owner certificates and keys) byte for byte from a seed.
    Regenerate(FixturesArgs),
    /// Check that the files in the directory are exactly what the seed generates.
    Check(FixturesArgs),
}

/// Where and from what.
#[derive(Debug, clap::Args)]
pub struct FixturesArgs {
    /// The fixtures directory.
    #[arg(long, default_value = "fixtures")]
    dir: PathBuf,
    /// The seed (the committed fixtures use the default).
    #[arg(long, default_value_t = fixtures::DEFAULT_SEED)]
    seed: u64,
}

pub fn run(cmd: FixturesCommand) -> Result<ExitCode, CliError> {
    match cmd {
        FixturesCommand::Regenerate(args) => {
            let written = fixtures::regenerate(&args.dir, args.seed)
                .map_err(|e| CliError::failed("cannot regenerate the fixtures", e))?;
            for path in written {
                println!("wrote {}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        FixturesCommand::Check(args) => {
            let differ = fixtures::check(&args.dir, args.seed)
                .map_err(|e| CliError::failed("cannot check the fixtures", e))?;
            if differ.is_empty() {
                println!(
                    "{}: all fixtures match seed {}",
                    args.dir.display(),
                    args.seed
                );
                Ok(ExitCode::SUCCESS)
            } else {
                for name in &differ {
                    println!("differs: {}", args.dir.join(name).display());
                }
                Err(CliError::failed_msg(format!(
                    "{} fixture file(s) differ from seed {}; run `rutoken-lab fixtures regenerate`",
                    differ.len(),
                    args.seed
                )))
            }
        }
    }
}
