//! The card `sim` attaches: the token (from an image or a fixture), or the hidden echo card.

use rutoken_sim::Card;
use rutoken_sim::control::{TokenControl, TokenSlot};
use rutoken_sim::profile::DeviceProfile;
use rutoken_sim::token::{Fixture, Token};
use rutoken_sim::vpcd::EchoCard;

use super::SimArgs;
use crate::error::CliError;

/// The card, a one-line description of it (serial, where it lives), and the token's slot for
/// the control socket's `load` and `restart` (`None` for the echo card).
pub type Built = (Box<dyn Card>, String, Option<TokenControl>);

/// Builds the card `sim` attaches ([`Built`]).
pub fn build(args: &SimArgs, profile: &DeviceProfile) -> Result<Built, CliError> {
    if args.echo_card {
        return Ok((
            Box::new(EchoCard::default()),
            "echo card (answers 90 00)".to_owned(),
            None,
        ));
    }
    let seed = args.seed.unwrap_or(0);
    let token_profile = profile.token.clone();
    let (token, place) = match (&args.image, &args.fixture) {
        (Some(path), _) if path.exists() => {
            let token = Token::open_image(path, token_profile)
                .map_err(|e| CliError::invalid(format!("cannot open {}", path.display()), e))?;
            (token, format!("image {}", path.display()))
        }
        (Some(path), fixture) => {
            let fixture = parse_fixture(fixture.as_deref().unwrap_or("personalised"))?;
            let token = Token::create_image(path, fixture, seed, token_profile)
                .map_err(|e| CliError::failed(format!("cannot create {}", path.display()), e))?;
            (
                token,
                format!(
                    "new image {} ({fixture} fixture, seed {seed})",
                    path.display()
                ),
            )
        }
        (None, fixture) => {
            let fixture = parse_fixture(fixture.as_deref().unwrap_or("personalised"))?;
            let token = Token::in_memory(fixture, seed, token_profile)
                .map_err(|e| CliError::failed("cannot build the token", e))?;
            (
                token,
                format!("in memory ({fixture} fixture, seed {seed}; gone on exit)"),
            )
        }
    };
    let summary = token.summary();
    let description = format!(
        "Rutoken ECP 2.0, serial {} (device number {}), {place}",
        summary.serial, summary.device_number
    );
    let slot = TokenSlot::new(token);
    let control = TokenControl {
        slot: slot.clone(),
        profile: profile.token.clone(),
        image: args.image.clone(),
    };
    Ok((Box::new(slot), description, Some(control)))
}

fn parse_fixture(name: &str) -> Result<Fixture, CliError> {
    name.parse()
        .map_err(|message: String| CliError::invalid_msg(format!("--fixture: {message}")))
}
