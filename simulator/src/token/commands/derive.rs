//! VKO key agreement on the token (RFC 4357 §5.2, RFC 7836 §4.3.1): GENERAL AUTHENTICATE
//! `00 86 00 00` with a dynamic authentication template `7C { 85 peer public key, 81 UKM }`
//! after an MSE SET KAT (`A6`: 84 private key, 80 VKO, 83 target). The KEK goes into the
//! secret-key object the KAT named and never leaves the token. The ECP 2.0's command is not
//! public: ISO 7816-4 §11.5.5's template (85 "exponential", 81 "challenge") is our model
//! (`docs/assumptions.md`, "GOST 28147-89 and VKO").

use gost::{SigningKey, VerifyingKey, Vko};
use rutoken_apdu::StatusWord;

use crate::token::Token;
use crate::token::access::Op;
use crate::token::key::KeySpec;
use crate::token::operand::GeneralAuthenticate;
use crate::token::status::CardResult;
use crate::token::symmetric::{SECRET_KEY_LEN, SymmetricSe};

impl Token {
    /// Implements GENERAL AUTHENTICATE `00 86 00 00` for VKO: the private key's "use"
    /// condition, the peer's key on the same curve (`LE(x) ‖ LE(y)`), a UKM of 1 to 64 bytes
    /// (little-endian, not zero); the target object's "update" condition. Answers no data.
    pub(crate) fn general_authenticate(&mut self, auth: GeneralAuthenticate<'_>) -> CardResult {
        let Some(SymmetricSe::Agreement {
            key_ref,
            vko,
            target,
        }) = self.session.symmetric.as_ref()
        else {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        };
        let (key_ref, vko, target) = (*key_ref, *vko, *target);
        let (peer, ukm) = auth.template.peer_and_ukm()?;
        let (key, spec, sec) = self.private_key(key_ref)?;
        if key.is_rsa() {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        if !self.acl_ok(sec, Op::Bit2) {
            return Err(StatusWord::SECURITY_NOT_SATISFIED);
        }
        check_vko(spec, vko)?;
        let d = key
            .material
            .as_ref()
            .ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)?
            .clone();
        let ours = SigningKey::from_le_bytes(spec.param_set, d.expose())
            .map_err(|_| StatusWord::CONDITIONS_NOT_SATISFIED)?;
        let theirs = VerifyingKey::from_le_bytes(spec.param_set, peer)
            .map_err(|_| StatusWord::WRONG_DATA)?;
        let kek = gost::vko(vko, &ours, &theirs, ukm).map_err(|_| StatusWord::WRONG_DATA)?;
        // `check_vko` let through only the 32-byte VKOs: the KEK is one GOST 28147-89 key.
        let kek = kek.get(..SECRET_KEY_LEN).ok_or(StatusWord::WRONG_DATA)?;
        self.fill_secret_key(target, kek)?;
        Ok(StatusWord::OK)
    }
}

/// Which VKO a key may do: VKO 2001 with 2001 keys; VKO 2012-256 with any 2012 key (RFC 7836
/// §4.3.1 defines it for both sizes). VKO 2012-512's 64-byte KEK is no GOST 28147-89 key:
/// refused.
fn check_vko(spec: KeySpec, vko: Vko) -> CardResult<()> {
    use gost::KeyAlgorithm::*;
    match (spec.algorithm, vko) {
        (Gost2001, Vko::Gost2001) | (Gost2012_256 | Gost2012_512, Vko::Gost2012_256) => Ok(()),
        _ => Err(StatusWord::CONDITIONS_NOT_SATISFIED),
    }
}
