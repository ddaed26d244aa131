//! GOST 28147-89 secret-key objects and the symmetric security environment: what the profile's
//! codes mean (`token.secret_key_class`, `token.gost28147_key_codes`,
//! `token.symmetric_algorithm_refs`) and the operation MSE SET chose, with its running state.
//! The ECP 2.0's own commands for these are not public: the model is ours
//! (`docs/assumptions.md`, "GOST 28147-89 and VKO").

use gost::gost28147::{Cfb, Cnt, Mac};
use gost::{CipherParams, Vko};

use super::profile::TokenProfile;

/// Bytes of a GOST 28147-89 key (GOST 28147-89 §1.2: 256 bits).
pub const SECRET_KEY_LEN: usize = 32;

/// The parameter set a secret-key code stands for (`gost28147-A` → CryptoPro A).
pub fn params_of_code(profile: &TokenProfile, code: u8) -> Option<CipherParams> {
    let name = profile
        .gost28147_key_codes
        .iter()
        .find(|(_, c)| **c == code)
        .map(|(n, _)| n)?;
    params_of_name(name)
}

/// The parameter set of a profile name.
pub fn params_of_name(name: &str) -> Option<CipherParams> {
    Some(match name {
        "gost28147-Test" => CipherParams::Test,
        "gost28147-A" => CipherParams::CryptoProA,
        "gost28147-B" => CipherParams::CryptoProB,
        "gost28147-C" => CipherParams::CryptoProC,
        "gost28147-D" => CipherParams::CryptoProD,
        "gost28147-Z" => CipherParams::Tc26Z,
        _ => return None,
    })
}

/// What an algorithm reference (MSE tag 80) asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    /// ECB (`CKM_GOST28147_ECB`).
    Ecb,
    /// CFB with meshing (`CKM_GOST28147`).
    Cfb,
    /// Counter mode (OpenSSL's `gost89-cnt`).
    Cnt,
    /// The 4-byte MAC (`CKM_GOST28147_MAC`).
    Mac,
    /// RFC 4357 §6.1 key wrap (`CKM_GOST28147_KEY_WRAP`).
    KeyWrap,
    /// RFC 4357 §6.3 CryptoPro key wrap (CMS key transport).
    CryptoProKeyWrap,
    /// A VKO key agreement.
    Vko(Vko),
}

impl Algorithm {
    /// The algorithm of a profile name.
    pub fn from_name(name: &str) -> Option<Algorithm> {
        Some(match name {
            "gost28147-ecb" => Algorithm::Ecb,
            "gost28147-cfb" => Algorithm::Cfb,
            "gost28147-cnt" => Algorithm::Cnt,
            "gost28147-mac" => Algorithm::Mac,
            "gost28147-key-wrap" => Algorithm::KeyWrap,
            "cryptopro-key-wrap" => Algorithm::CryptoProKeyWrap,
            "vko-2001" => Algorithm::Vko(Vko::Gost2001),
            "vko-2012-256" => Algorithm::Vko(Vko::Gost2012_256),
            "vko-2012-512" => Algorithm::Vko(Vko::Gost2012_512),
            _ => return None,
        })
    }

    /// The algorithm a reference stands for in this profile.
    pub fn from_ref(profile: &TokenProfile, reference: u8) -> Option<Algorithm> {
        profile
            .symmetric_algorithm_refs
            .iter()
            .find(|(_, r)| **r == reference)
            .and_then(|(n, _)| Algorithm::from_name(n))
    }

    /// True for the modes that need an 8-byte IV (tag 87).
    pub fn needs_iv(self) -> bool {
        matches!(self, Algorithm::Cfb | Algorithm::Cnt)
    }
}

/// Which PSO runs an operation (a stream, once started, is bound to it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pso {
    /// PSO: ENCIPHER `2A 84 80`.
    Encipher,
    /// PSO: DECIPHER `2A 80 84`.
    Decipher,
    /// PSO: COMPUTE CRYPTOGRAPHIC CHECKSUM `2A 8E 80`.
    Checksum,
}

/// A stream in progress: the chained pieces of one PSO.
pub enum Running {
    /// ECB: stateless between blocks; keeps the key and its set.
    Ecb {
        /// The key.
        key: zeroize::Zeroizing<[u8; SECRET_KEY_LEN]>,
        /// Its parameter set.
        params: CipherParams,
    },
    /// CFB.
    Cfb(Cfb),
    /// Counter mode.
    Cnt(Cnt),
    /// MAC.
    Mac(Mac),
}

/// The environment MSE SET chose for a symmetric operation or a key agreement.
pub enum SymmetricSe {
    /// CT (`B8`) or CCT (`B4`): a secret key and an algorithm.
    Cipher {
        /// The secret key's reference (`…/6003/00kk`).
        key_ref: u8,
        /// ECB, CFB, CNT, MAC or a key wrap.
        algorithm: Algorithm,
        /// Tag 87: the IV (CFB, CNT, MAC) or the UKM (key wraps).
        iv: Option<[u8; 8]>,
        /// The stream in progress and the PSO it belongs to.
        running: Option<(Pso, Running)>,
    },
    /// KAT (`A6`): a private key, the VKO, and the secret-key object the result goes to.
    Agreement {
        /// The private key's reference (`…/6002/00kk`).
        key_ref: u8,
        /// Which VKO.
        vko: Vko,
        /// The secret-key object (`…/6003/00tt`) that receives the KEK.
        target: u8,
    },
}
