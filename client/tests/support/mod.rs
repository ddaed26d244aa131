//! The APDU driver over the emulator's personalised token in process, attached, with the user
//! PIN (the profile's factory one, which the personalised fixture keeps) verified: where the
//! driver tests start. `seed` is the token's random seed.
#![allow(clippy::unwrap_used, reason = "tests")]

use rutoken_client::driver::{ApduDriver, Driver};
use rutoken_client::transport::InProcess;
use rutoken_client::{Client, ClientConfig, PinRole};
use rutoken_sim::profile::DeviceProfile;
use rutoken_sim::token::{Fixture, Token};

/// The driver the tests use.
pub type InProcessDriver = ApduDriver<InProcess<Token>>;

/// A logged-in driver over a fresh personalised token.
pub fn logged_in_driver(seed: u64) -> InProcessDriver {
    let profile = DeviceProfile::default();
    let token = Token::in_memory(Fixture::Personalised, seed, profile.token.clone()).unwrap();
    let mut d = ApduDriver::new(Client::new(
        InProcess::new(token),
        ClientConfig::from_profile(&profile),
    ));
    d.attach().unwrap();
    d.verify_pin(PinRole::User, &profile.token.factory_user_pin)
        .unwrap();
    d
}
