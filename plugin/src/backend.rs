//! The ways to reach a token: the in-process emulator inside its SafeTouch (the default), or a
//! reader on PC/SC (`pcsc` feature). Both go through the client crate's driver seam
//! (`rutoken_client::Driver` over its APDUs): every APDU the bridge causes is one the bank
//! client would send. The `Driver`'s calls in the plugin's terms are in `calls`.

use rutoken_client::ClientConfig;
use rutoken_device::DeviceProfile;

use crate::BridgeError;

mod calls;
#[cfg(feature = "emulator")]
mod emulator;
use crate::server;

/// Where the token comes from.
#[derive(Debug, Clone)]
pub enum TokenSource {
    /// An in-memory emulator from a fixture.
    #[cfg(feature = "emulator")]
    Fixture(rutoken_sim::token::Fixture),
    /// The emulator on a token image (changes are saved).
    #[cfg(feature = "emulator")]
    Image(std::path::PathBuf),
    /// A token behind PC/SC, in the reader of this name.
    Reader(String),
}

/// Opens the token: an emulator in its SafeTouch (panel buttons), or a PC/SC reader.
pub fn open(
    source: &TokenSource,
    seed: u64,
    profile: &DeviceProfile,
) -> Result<server::Token, BridgeError> {
    let config = ClientConfig::from_profile(profile);
    match source {
        #[cfg(feature = "emulator")]
        TokenSource::Fixture(_) | TokenSource::Image(_) => {
            emulator::open(source, seed, profile, config)
        }
        TokenSource::Reader(name) => {
            let _ = seed;
            open_reader(name, config)
        }
    }
}

#[cfg(feature = "pcsc")]
fn open_reader(name: &str, config: ClientConfig) -> Result<server::Token, BridgeError> {
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;

    use crate::slot::Slot;

    // The factory user PIN's tries (the device profile's default): a real token's counter
    // after a successful VERIFY.
    let transport = rutoken_client::transport::pcsc::PcscTransport::open(name)
        .map_err(|e| BridgeError::Token(e.to_string()))?;
    let driver =
        rutoken_client::driver::ApduDriver::new(rutoken_client::Client::new(transport, config));
    // A sim behind vpcd runs its own SafeTouch; a real one is a CCID reader we cannot tell
    // apart: assume one, as the bank's setup has. Its free memory: no APDU for it is known.
    let device = crate::device::Device::new(Box::new(driver), name, true, 10);
    Ok(server::Token {
        slot: Slot::new(device, Arc::new(AtomicBool::new(true)), None),
        monitor: None,
        panel: None,
    })
}

#[cfg(not(feature = "pcsc"))]
fn open_reader(_name: &str, _config: ClientConfig) -> Result<server::Token, BridgeError> {
    Err(BridgeError::Token(
        "--reader needs rutoken-lab built with the `pcsc` feature".to_owned(),
    ))
}

// The emulator is on in tests (the crate's dev-dependency on itself turns the feature on).
#[cfg(all(test, feature = "emulator"))]
mod tests {
    use super::*;
    use rutoken_client as client;
    use rutoken_sim::token::Fixture;

    /// `formatToken` on the emulated token (the real APDU backend, not the tests' soft device):
    /// every object gone, the new user PIN works.
    #[test]
    fn format_clears_the_emulated_token_and_sets_the_new_user_pin() {
        let profile = DeviceProfile::default();
        let token = open(&TokenSource::Fixture(Fixture::Personalised), 1, &profile).unwrap();
        token
            .slot
            .with_session(|s| {
                assert!(!s.device.keys()?.is_empty(), "the fixture has a key");
                s.device.format("87654321", "11112222", None)?;
                s.device.login("11112222")?;
                assert!(s.device.keys()?.is_empty());
                assert!(s.device.certificates()?.is_empty());
                assert!(s.device.data_files()?.is_empty());
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{}", e.what));
    }

    #[test]
    fn a_missing_object_maps_by_its_kind_not_its_words() {
        use crate::codes::ErrorCode;
        use crate::plugin_error::PluginError;
        let not_found = |what| {
            let e: rutoken_client::DriverError = client::ClientError::NotFound { what }.into();
            PluginError::from(e).code
        };
        assert_eq!(
            not_found(client::Missing::PrivateKey),
            ErrorCode::KeyNotFound
        );
        assert_eq!(
            not_found(client::Missing::DataObject),
            ErrorCode::BfNotFound
        );
        for what in [
            client::Missing::Certificate,
            client::Missing::CertificateFile,
            client::Missing::InterruptedCertificate,
            client::Missing::DirectoryFile,
            client::Missing::Pkcs15Application,
        ] {
            assert_eq!(not_found(what), ErrorCode::CertificateNotFound, "{what}");
        }
    }
}
