//! What the client takes from the device profile (`profiles/rutoken-ecp2-safetouch.yaml`).

use std::collections::BTreeMap;

use rutoken_apdu::StatusWord;

/// The status words of the SafeTouch's refusals (device profile `safetouch.reject_sw`,
/// `safetouch.timeout_sw`; default `6F B1` for both: safetouch.md "Gating", inferred from the
/// PINPad's vendor code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SafeTouchWords {
    /// Answered when the user presses Reject.
    pub reject: StatusWord,
    /// Answered when nobody presses in time.
    pub timeout: StatusWord,
}

/// The client's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// The SafeTouch's refusal words.
    pub safetouch: SafeTouchWords,
    /// Attribute-85 key codes by name (`gost2012-256-A` → `0x11`, `token.gost_key_codes`).
    pub key_codes: BTreeMap<String, u8>,
    /// Attribute-85 class of GOST 28147-89 secret-key objects (`token.secret_key_class`).
    pub secret_key_class: u8,
    /// Their parameter-set codes (`gost28147-A` → `0x81`, `token.gost28147_key_codes`).
    pub gost28147_key_codes: BTreeMap<String, u8>,
    /// MSE algorithm references of the symmetric operations and VKO
    /// (`token.symmetric_algorithm_refs`).
    pub symmetric_algorithm_refs: BTreeMap<String, u8>,
}

impl ClientConfig {
    /// From a device profile.
    pub fn from_profile(profile: &rutoken_device::profile::DeviceProfile) -> Self {
        ClientConfig {
            safetouch: SafeTouchWords {
                reject: StatusWord(profile.safetouch.reject_sw),
                timeout: StatusWord(profile.safetouch.timeout_sw),
            },
            key_codes: profile.token.gost_key_codes.clone(),
            secret_key_class: profile.token.secret_key_class,
            gost28147_key_codes: profile.token.gost28147_key_codes.clone(),
            symmetric_algorithm_refs: profile.token.symmetric_algorithm_refs.clone(),
        }
    }

    /// The algorithm and parameter set of a key whose attribute-85 code is `code`, if the
    /// profile names one: `gost2012-256-*` / `gost2012-512-*` 2012 keys, `gost2001-*` (a
    /// CryptoPro letter) 2001 keys.
    pub fn key_of_code(&self, code: u8) -> Option<(gost::KeyAlgorithm, gost::ParamSet)> {
        if let Some(set) = self.param_set_of_code(code) {
            return Some((gost::KeyAlgorithm::gost2012_for(set), set));
        }
        let name = self
            .key_codes
            .iter()
            .find(|(_, c)| **c == code)
            .map(|(n, _)| n)?;
        let letter = name.strip_prefix("gost2001-")?;
        let set = gost::ParamSet::from_name(&format!("cryptopro-{letter}")).ok()?;
        Some((gost::KeyAlgorithm::Gost2001, set))
    }

    /// The parameter set whose key code is `code`, if the profile names one.
    pub fn param_set_of_code(&self, code: u8) -> Option<gost::ParamSet> {
        let name = self
            .key_codes
            .iter()
            .find(|(_, c)| **c == code)
            .map(|(n, _)| n)?;
        gost::ParamSet::from_name(name.strip_prefix("gost2012-")?).ok()
    }
}

/// The default device profile's configuration.
impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig::from_profile(&rutoken_device::profile::DeviceProfile::default())
    }
}
