//! The card `sim` attaches: the token (from an image or a fixture), or the hidden echo card.

use rutoken_sim::Card;
use rutoken_sim::profile::DeviceProfile;
use rutoken_sim::vpcd::EchoCard;

use super::SimArgs;
use crate::error::CliError;

/// The card and a one-line description of it (serial, where it lives).
pub fn build(
    args: &SimArgs,
    _profile: &DeviceProfile,
) -> Result<(Box<dyn Card>, String), CliError> {
    if args.echo_card {
        return Ok((
            Box::new(EchoCard::default()),
            "echo card (answers 90 00)".to_owned(),
        ));
    }
    Err(CliError::failed_msg(
        "the virtual token is not built yet (it lands with the token issue)",
    ))
}
