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
    /// A running `sim`'s control socket: says what it can about that sim's token, and how to
    /// show it whole.
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

/// `token show --control SOCKET`: the socket answers whether a token is in and nothing of its
/// contents, which live in the sim's image file (or only in its memory): says where to look.
fn running_sim(socket: &Path) -> CliError {
    let status = match super::safetouch::send(socket, rutoken_sim::control::Request::Status) {
        Ok(reply) => reply,
        Err(e) => return e,
    };
    let inserted = match status.inserted {
        Some(false) => "pulled (the reader is empty)",
        _ => "in the reader",
    };
    CliError::invalid_msg(format!(
        "the sim at {} has its token {inserted}; its control socket does not give the token's \
         contents. A sim started with --image FILE writes every change to FILE: run \
         `rutoken-lab token show --image FILE` (safe while the sim runs). A sim started with \
         --fixture keeps its token in memory only: restart it with --image FILE to inspect it",
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
                (None, Some(socket)) => return Err(running_sim(&socket)),
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
