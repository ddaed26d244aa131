//! What the module takes from the device profile (`profiles/rutoken-ecp2-safetouch.yaml`):
//! the attribute-85 key codes, the SafeTouch's refusal words and the ATR. The environment
//! variable `RUTOKEN_PKCS11_PROFILE` names a profile file; without it, the built-in defaults.

use rutoken_client::ClientConfig;
use rutoken_device::profile::DeviceProfile;

use crate::error::ProfileWords;
use crate::slot::RUTOKEN_ECP_ATRS;

/// The environment variable naming a device profile.
pub const PROFILE_VARIABLE: &str = "RUTOKEN_PKCS11_PROFILE";

/// The module's device settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The client crate's configuration (key codes, SafeTouch words).
    pub config: ClientConfig,
    /// The status words the module maps itself.
    pub words: ProfileWords,
    /// ATRs of a Rutoken ECP: the profile's and the two known ones.
    pub atrs: Vec<Vec<u8>>,
}

impl Settings {
    /// From a profile.
    pub fn from_profile(profile: &DeviceProfile) -> Self {
        let mut atrs: Vec<Vec<u8>> = RUTOKEN_ECP_ATRS.iter().map(|a| a.to_vec()).collect();
        let own = profile.token.effective_atr().to_vec();
        if !atrs.contains(&own) {
            atrs.push(own);
        }
        Settings {
            config: ClientConfig::from_profile(profile),
            words: ProfileWords {
                reject: profile.safetouch.reject_sw,
                timeout: profile.safetouch.timeout_sw,
                other_role_logged_in: profile.token.other_role_logged_in_sw,
            },
            atrs,
        }
    }

    /// From the profile `RUTOKEN_PKCS11_PROFILE` names, or the defaults; the error says which
    /// file and key is wrong.
    pub fn from_env() -> Result<Self, String> {
        match std::env::var_os(PROFILE_VARIABLE) {
            None => Ok(Settings::from_profile(&DeviceProfile::default())),
            Some(path) => DeviceProfile::load(std::path::Path::new(&path))
                .map(|p| Settings::from_profile(&p))
                .map_err(|e| format!("{PROFILE_VARIABLE}: {e}")),
        }
    }

    /// Whether `atr` is a Rutoken ECP's.
    pub fn is_rutoken(&self, atr: &[u8]) -> bool {
        self.atrs.iter().any(|a| a == atr)
    }
}

#[cfg(test)]
mod tests {
    use rutoken_device::profile::AtrVariant;

    use super::*;

    /// The two known ATRs are always a Rutoken's; a profile's own ATR joins them, once.
    #[test]
    fn a_profile_s_own_atr_joins_the_known_ones_once() {
        let known: Vec<Vec<u8>> = RUTOKEN_ECP_ATRS.iter().map(|a| a.to_vec()).collect();
        let default = Settings::from_profile(&DeviceProfile::default());
        assert_eq!(default.atrs, known);
        let own = [0x3B, 0x02, 0x14, 0x50];
        let mut profile = DeviceProfile::default();
        profile.token.atr_variant = AtrVariant::Custom;
        profile.token.atr = own.to_vec();
        let custom = Settings::from_profile(&profile);
        assert_eq!(custom.atrs[..2], known[..]);
        assert_eq!(custom.atrs[2..], [own.to_vec()]);
        assert!(custom.is_rutoken(&own));
        assert!(custom.is_rutoken(RUTOKEN_ECP_ATRS[1]));
        assert!(!default.is_rutoken(&own));
        assert!(!custom.is_rutoken(&[0x3B, 0x00]));
    }
}
