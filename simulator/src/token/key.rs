//! Key objects (RSF class 03/23 private, 13/33 public: GOST and RSA) and the attribute-85 codes that name their
//! algorithm and parameter set (`rutoken-ecp-apdu.md` §3; our codes in `docs/assumptions.md`).

use gost::{DigestAlgorithm, KeyAlgorithm, ParamSet};
use serde::{Deserialize, Serialize};

use super::profile::TokenProfile;
use super::secret::Secret;

/// RSF class of a GOST private key.
pub const CLASS_GOST_PRIVATE: u8 = 0x03;
/// RSF class of a GOST public key.
pub const CLASS_GOST_PUBLIC: u8 = 0x13;
/// RSF class of an RSA private key (`pkcs15-rtecp.c` `prkey_prop`; attribute 85 `23 00 00 AA 00
/// 00`, the modulus size given by the object's size: [`super::rsa::private_size`]).
pub const CLASS_RSA_PRIVATE: u8 = 0x23;
/// RSF class of an RSA public key (`pkcs15-rtecp.c` `pbkey_prop`, `33 00 00 AA 00 00`).
pub const CLASS_RSA_PUBLIC: u8 = 0x33;

/// A key object: class, algorithm code, and its material once generated (private: d
/// little-endian; public: `LE(x) ‖ LE(y)`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KeyObject {
    /// Attribute 85 byte 0 (03, 13, 23 or 33).
    pub class: u8,
    /// Attribute 85 byte 1 (GOST: see [`KeySpec::from_code`]; RSA: 00).
    pub code: u8,
    /// The key bytes, `None` until GENERATE KEY (or import). RSA: the layouts of
    /// [`super::rsa`].
    pub material: Option<Secret>,
}

impl KeyObject {
    /// True for the private half.
    pub fn is_private(&self) -> bool {
        matches!(self.class, CLASS_GOST_PRIVATE | CLASS_RSA_PRIVATE)
    }

    /// True for an RSA key (class 23 or 33).
    pub fn is_rsa(&self) -> bool {
        matches!(self.class, CLASS_RSA_PRIVATE | CLASS_RSA_PUBLIC)
    }
}

/// What a key code means: the algorithm and the curve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeySpec {
    /// GOST R 34.10-2001 or -2012 (256/512).
    pub algorithm: KeyAlgorithm,
    /// The curve.
    pub param_set: ParamSet,
}

impl KeySpec {
    /// Parses a profile key-code name (`gost2001-A`, `gost2012-256-D`, `gost2012-512-C`).
    pub fn from_name(name: &str) -> Option<KeySpec> {
        use KeyAlgorithm::*;
        use ParamSet::*;
        let (algorithm, param_set) = match name {
            // CryptoPro A/B/C = tc26 256-B/C/D (RFC 7836 App. A; `gost::ParamSet` docs).
            "gost2001-A" => (Gost2001, Gost256B),
            "gost2001-B" => (Gost2001, Gost256C),
            "gost2001-C" => (Gost2001, Gost256D),
            "gost2012-256-A" => (Gost2012_256, Gost256A),
            "gost2012-256-B" => (Gost2012_256, Gost256B),
            "gost2012-256-C" => (Gost2012_256, Gost256C),
            "gost2012-256-D" => (Gost2012_256, Gost256D),
            "gost2012-512-A" => (Gost2012_512, Gost512A),
            "gost2012-512-B" => (Gost2012_512, Gost512B),
            "gost2012-512-C" => (Gost2012_512, Gost512C),
            _ => return None,
        };
        Some(KeySpec {
            algorithm,
            param_set,
        })
    }

    /// The spec a code stands for in this profile.
    pub fn from_code(profile: &TokenProfile, code: u8) -> Option<KeySpec> {
        profile
            .gost_key_codes
            .iter()
            .find(|(_, c)| **c == code)
            .and_then(|(n, _)| KeySpec::from_name(n))
    }

    /// The profile code of a spec.
    pub fn code(self, profile: &TokenProfile) -> Option<u8> {
        profile
            .gost_key_codes
            .iter()
            .find(|(n, _)| KeySpec::from_name(n) == Some(self))
            .map(|(_, c)| *c)
    }

    /// The profile name of this spec (`gost2012-256-A`).
    pub fn name(self, profile: &TokenProfile) -> String {
        profile
            .gost_key_codes
            .keys()
            .find(|n| KeySpec::from_name(n) == Some(self))
            .cloned()
            .unwrap_or_else(|| "unknown".to_owned())
    }

    /// Bytes of a scalar or a coordinate: 32, or 64 for 512-bit sets.
    pub fn scalar_len(self) -> usize {
        if self.algorithm == KeyAlgorithm::Gost2012_512 {
            64
        } else {
            32
        }
    }

    /// The digest PSO: HASH uses: 34.11-94 (CryptoPro) for 2001 keys, Streebog for 2012.
    pub fn digest(self) -> DigestAlgorithm {
        match self.algorithm {
            KeyAlgorithm::Gost2001 => DigestAlgorithm::Gost94CryptoPro,
            KeyAlgorithm::Gost2012_256 => DigestAlgorithm::Streebog256,
            KeyAlgorithm::Gost2012_512 => DigestAlgorithm::Streebog512,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_codes_round_trip() {
        let p = TokenProfile::default();
        for (name, code) in &p.gost_key_codes {
            let spec = KeySpec::from_name(name).unwrap();
            assert_eq!(KeySpec::from_code(&p, *code), Some(spec));
            assert_eq!(spec.code(&p), Some(*code));
            assert_eq!(&spec.name(&p), name);
        }
        assert_eq!(
            KeySpec::from_code(&p, 0x20).unwrap().algorithm,
            KeyAlgorithm::Gost2001
        );
        assert_eq!(KeySpec::from_code(&p, 0x12).unwrap().scalar_len(), 64);
        assert_eq!(KeySpec::from_code(&p, 0x99), None);
    }
}
