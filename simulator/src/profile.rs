//! The device profile: one YAML file holding every assumption about the real token and SafeTouch
//! (`docs/assumptions.md`), each with its default, so a lab that measures a real device can make
//! the emulator match it without changing code. The default file is
//! `profiles/rutoken-ecp2-safetouch.yaml`.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

pub use crate::safetouch::SafeTouchProfile;
pub use crate::token::TokenProfile;

/// The whole device: the token, the SafeTouch it sits in, and the answer latencies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeviceProfile {
    /// The token's assumptions (`token:`).
    pub token: TokenProfile,
    /// The SafeTouch's assumptions (`safetouch:`).
    pub safetouch: SafeTouchProfile,
    /// How long the device takes to answer (`latency:`); applied by the vpcd transport.
    pub latency: LatencyProfile,
}

/// Answer latencies: none by default (the emulator answers as fast as it can).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LatencyProfile {
    /// Added to every APDU's answer, in milliseconds (0).
    pub default_ms: u64,
    /// Per-command latencies, replacing `default_ms` for the commands they match.
    pub commands: Vec<CommandLatency>,
}

/// The latency of one command, matched by INS (and P1 when given).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandLatency {
    /// The instruction byte, e.g. `0x46` (GENERATE KEY).
    pub ins: u8,
    /// The P1 byte, when only one variant of the command is slow.
    #[serde(default)]
    pub p1: Option<u8>,
    /// The latency, in milliseconds.
    pub ms: u64,
}

impl LatencyProfile {
    /// The latency the device adds to the answer of `apdu` (a command APDU).
    pub fn for_apdu(&self, apdu: &[u8]) -> Duration {
        let (Some(&ins), p1) = (apdu.get(1), apdu.get(2).copied()) else {
            return Duration::from_millis(self.default_ms);
        };
        let matched = self
            .commands
            .iter()
            .find(|c| c.ins == ins && (c.p1.is_none() || c.p1 == p1))
            .map_or(self.default_ms, |c| c.ms);
        Duration::from_millis(matched)
    }

    /// True when no command has a latency (the transport then skips the timer).
    pub fn is_zero(&self) -> bool {
        self.default_ms == 0 && self.commands.iter().all(|c| c.ms == 0)
    }
}

/// A profile that could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The file could not be read.
    #[error("cannot read the device profile {path}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The YAML is malformed, has an unknown key, or a value of the wrong type. The message
    /// names the key and gives the line and column.
    #[error("bad device profile {origin}: {message}")]
    Parse {
        /// The file (or `<string>`).
        origin: String,
        /// serde-saphyr's message, with the key, line and column.
        message: String,
    },
    /// A value that parses but cannot work (e.g. a screen with no rows).
    #[error("bad device profile {origin}: `{key}`: {message}")]
    Invalid {
        /// The file (or `<string>`).
        origin: String,
        /// The key, as a dotted path.
        key: &'static str,
        /// What is wrong with it.
        message: &'static str,
    },
}

impl DeviceProfile {
    /// Parses a profile from YAML text; `origin` names it in errors.
    pub fn from_yaml(text: &str, origin: &str) -> Result<Self, ProfileError> {
        let profile: DeviceProfile =
            serde_saphyr::from_str(text).map_err(|err| ProfileError::Parse {
                origin: origin.to_owned(),
                message: err.to_string(),
            })?;
        profile.check(origin)?;
        Ok(profile)
    }

    /// Loads a profile file.
    pub fn load(path: &Path) -> Result<Self, ProfileError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Read {
            path: origin.clone(),
            source,
        })?;
        Self::from_yaml(&text, &origin)
    }

    fn check(&self, origin: &str) -> Result<(), ProfileError> {
        let invalid = |key, message| ProfileError::Invalid {
            origin: origin.to_owned(),
            key,
            message,
        };
        if self
            .token
            .rsa_modulus_bits
            .iter()
            .any(|bits| !(512..=4096).contains(bits) || bits % 128 != 0)
        {
            return Err(invalid(
                "token.rsa_modulus_bits",
                "RSA sizes are multiples of 128 bits from 512 to 4096",
            ));
        }
        let st = &self.safetouch;
        if st.rows == 0 {
            return Err(invalid("safetouch.rows", "a screen needs at least one row"));
        }
        if st.columns < 8 {
            return Err(invalid(
                "safetouch.columns",
                "a screen needs at least 8 columns",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_text_gives_the_defaults() {
        let profile = DeviceProfile::from_yaml("{}", "t").unwrap();
        assert_eq!(profile, DeviceProfile::default());
        assert_eq!(profile.safetouch.reject_sw, 0x6FB1);
        assert_eq!(profile.safetouch.timeout(), Duration::from_secs(60));
    }

    #[test]
    fn values_override_defaults() {
        let text = "safetouch:\n  reject_sw: 0x6985\n  timeout_ms: 500\n  hash_only_policy: refuse\n\
                    latency:\n  commands:\n    - { ins: 0x46, ms: 30 }\n";
        let profile = DeviceProfile::from_yaml(text, "t").unwrap();
        assert_eq!(profile.safetouch.reject_sw, 0x6985);
        assert_eq!(profile.safetouch.timeout_sw, 0x6FB1);
        assert_eq!(profile.safetouch.timeout_ms, 500);
        assert_eq!(
            profile.safetouch.hash_only_policy,
            crate::safetouch::HashOnlyPolicy::Refuse
        );
        assert_eq!(
            profile.latency.for_apdu(&[0, 0x46, 0x80, 0]),
            Duration::from_millis(30)
        );
        assert_eq!(profile.latency.for_apdu(&[0, 0xA4, 0, 0]), Duration::ZERO);
    }

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let text = "safetouch:\n  rows: 4\n  colums: 20\n";
        let err = DeviceProfile::from_yaml(text, "p.yaml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("colums"), "{err}");
        assert!(err.contains("line 3") || err.contains("3:"), "{err}");
    }

    #[test]
    fn wrong_type_is_named_with_its_line() {
        let text = "safetouch:\n  timeout_ms: soon\n";
        let err = DeviceProfile::from_yaml(text, "p.yaml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2") || err.contains("2:"), "{err}");
    }

    #[test]
    fn impossible_screen_is_refused() {
        let err = DeviceProfile::from_yaml("safetouch:\n  rows: 0\n", "p").unwrap_err();
        assert!(err.to_string().contains("safetouch.rows"), "{err}");
    }

    #[test]
    fn rsa_sizes_are_checked() {
        let err =
            DeviceProfile::from_yaml("token:\n  rsa_modulus_bits: [1000]\n", "p").unwrap_err();
        assert!(err.to_string().contains("token.rsa_modulus_bits"), "{err}");
        let p =
            DeviceProfile::from_yaml("token:\n  rsa_modulus_bits: [1024, 4096]\n", "p").unwrap();
        assert_eq!(p.token.rsa_modulus_bits, [1024, 4096]);
    }
}
