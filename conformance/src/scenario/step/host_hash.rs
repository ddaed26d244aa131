//! `sign_hash`: a signature over a digest the host computed (`PSO: COMPUTE DIGITAL SIGNATURE`
//! with the digest; PKCS#11 `CKM_GOSTR3410`), as GOST R 34.10-2001 clients such as OpenSC sign.

use serde::Deserialize;

use super::SignOutcome;
use super::reissue::PressAction;

/// `sign_hash`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignHash {
    /// The signing key (`current`, or a `generate_key` name with a known public key).
    pub key: String,
    /// The text hashed on the host with the key's digest (GOST R 34.11-94 CryptoPro for 2001,
    /// Streebog for 2012); its digest is what the token signs.
    pub text: String,
    /// The press on the SafeTouch's hash-only screen (default confirm).
    #[serde(default = "default_press")]
    pub press: PressAction,
    /// Default `signed` (the signature must then verify under the key's public key).
    #[serde(default)]
    pub expect: SignOutcome,
}

fn default_press() -> PressAction {
    PressAction::Confirm
}
