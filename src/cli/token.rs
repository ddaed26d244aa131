//! `rutoken-lab token new|show` (owner: the token issue); `pull|insert` are in `token_control`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rutoken_sim::profile::DeviceProfile;
use rutoken_sim::token::{Fixture, Token, TokenProfile};

use crate::error::CliError;

/// Token commands.
#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Create a token image file from a fixture.
    New(NewArgs),
    /// Print a token image: files, PIN counters, keys, certificates (never a secret).
    Show(ShowArgs),
    /// Pull or insert the token of a running `sim` (through its control socket).
    #[command(flatten)]
    Control(super::token_control::TokenControlCommand),
}

/// Arguments of `token new`.
#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The image file to create (mode 0600: it holds keys and PINs).
    #[arg(long)]
    image: PathBuf,
    /// `factory` (Aktiv formatting, default PINs) or `personalised` (OpenSC PKCS#15, a key and
    /// the owner's certificate).
    #[arg(long)]
    fixture: Fixture,
    /// Seed: the serial and keys derive from it (0 = the default serial 0787103443).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Replace an existing file.
    #[arg(long)]
    force: bool,
    /// The device profile (YAML); its `token:` section is used.
    #[arg(long)]
    profile: Option<PathBuf>,
}

/// Arguments of `token show`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The image file (also that of a running `sim --image FILE`: it writes every change).
    #[arg(long, required_unless_present = "control", conflicts_with = "control")]
    image: Option<PathBuf>,
    /// A running `sim`'s control socket: shows that sim's token as it is now (in memory or on
    /// its image).
    #[arg(long, value_name = "PATH")]
    control: Option<PathBuf>,
    /// The device profile (YAML): key codes are named with it.
    #[arg(long)]
    profile: Option<PathBuf>,
}

/// The token part of `--profile FILE`, or the defaults.
pub fn load_profile(path: Option<&Path>) -> Result<TokenProfile, CliError> {
    match path {
        None => Ok(TokenProfile::default()),
        Some(path) => DeviceProfile::load(path).map(|p| p.token).map_err(|e| {
            CliError::invalid(format!("cannot load the profile {}", path.display()), e)
        }),
    }
}

/// `token show --control SOCKET`: the running sim's token, as the sim sees it now (between two
/// APDUs), and whether it is in the reader.
fn running_sim(socket: &Path) -> Result<String, CliError> {
    let status = super::safetouch::send(socket, rutoken_sim::control::Request::Status)?;
    let reply = super::safetouch::send(socket, rutoken_sim::control::Request::Summary)?;
    let summary = reply.summary.ok_or_else(|| {
        CliError::failed_msg(format!(
            "the sim at {} gave no summary of its token",
            socket.display()
        ))
    })?;
    let place = match status.inserted {
        Some(false) => "pulled: the reader is empty",
        _ => "in the reader",
    };
    Ok(format!(
        "the token of the sim at {} ({place})\n{summary}",
        socket.display()
    ))
}

pub fn run(cmd: TokenCommand) -> Result<ExitCode, CliError> {
    match cmd {
        TokenCommand::New(args) => {
            let profile = load_profile(args.profile.as_deref())?;
            let token =
                Token::create_image_with(&args.image, args.fixture, args.seed, profile, args.force)
                    .map_err(|e| {
                        CliError::failed(format!("cannot create {}", args.image.display()), e)
                    })?;
            super::print_out(&format!(
                "created {} ({} fixture, seed {})\n{}",
                args.image.display(),
                args.fixture,
                args.seed,
                token.summary()
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::Show(args) => {
            let profile = load_profile(args.profile.as_deref())?;
            let image = match (args.image, args.control) {
                (Some(image), _) => image,
                (None, Some(socket)) => {
                    super::print_out(&running_sim(&socket)?)?;
                    return Ok(ExitCode::SUCCESS);
                }
                (None, None) => {
                    return Err(CliError::invalid_msg(
                        "token show needs --image or --control",
                    ));
                }
            };
            let token = Token::open_image(&image, profile)
                .map_err(|e| CliError::invalid(format!("cannot open {}", image.display()), e))?;
            super::print_out(&token.summary().to_string())?;
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::Control(cmd) => super::token_control::run(cmd),
    }
}
