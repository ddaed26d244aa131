//! VKO key agreement on the token (RFC 4357 §5.2, RFC 7836 §4.3.1): GENERAL AUTHENTICATE
//! `00 86` with a dynamic authentication template `7C { 85 peer public key, 81 UKM }`, in two
//! forms:
//! - P1-P2 `00 00`, after an MSE SET KAT (`A6`: 84 private key, 80 VKO, 83 target): the KEK
//!   goes into the secret-key object the KAT named and never leaves the token;
//! - P1 the VKO's algorithm reference, P2 the private key's reference, the template asking for
//!   the response with an empty `82`: the token answers `7C { 82 KEK }` and keeps nothing
//!   (a non-sensitive session key, as PKCS#11's `C_DeriveKey` with `CKA_SENSITIVE` false
//!   makes it and the Rutoken Plugin's `derive` returns it).
//!
//! The ECP 2.0's commands are not public: ISO 7816-4 §11.5.5 (P1 algorithm reference, P2 key
//! reference; template tags 85 "exponential", 81 "challenge", 82 "response", an empty data
//! object asking for that object in the answer) is our model (`docs/assumptions.md`,
//! "GOST 28147-89 and VKO").

use gost::{SigningKey, VerifyingKey, Vko};
use rutoken_apdu::StatusWord;
use rutoken_apdu::tlv;
use zeroize::Zeroizing;

use crate::token::Token;
use crate::token::access::Op;
use crate::token::key::KeySpec;
use crate::token::operand::{AuthRequest, GeneralAuthenticate};
use crate::token::status::CardResult;
use crate::token::symmetric::{Algorithm, SECRET_KEY_LEN, SymmetricSe};

impl Token {
    /// Implements GENERAL AUTHENTICATE `00 86` for VKO: the private key's "use" condition, the
    /// peer's key on the same curve (`LE(x) ‖ LE(y)`), a UKM of 1 to 64 bytes (little-endian,
    /// not zero). P1-P2 `00 00`: the KAT's target object's "update" condition, no answer
    /// data (asking for the KEK there is 6A80: that key is sensitive). Otherwise P1 is the
    /// VKO and P2 the key; the template must ask for the KEK (`82` empty), answered in
    /// `7C { 82 KEK }`.
    pub(crate) fn general_authenticate(
        &mut self,
        auth: GeneralAuthenticate<'_>,
        out: &mut Vec<u8>,
    ) -> CardResult {
        match auth {
            GeneralAuthenticate::IntoObject { template } => {
                let Some(SymmetricSe::Agreement {
                    key_ref,
                    vko,
                    target,
                }) = self.session.symmetric.as_ref()
                else {
                    return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
                };
                let (key_ref, vko, target) = (*key_ref, *vko, *target);
                let request = template.read()?;
                if request.wants_kek {
                    return Err(StatusWord::WRONG_DATA);
                }
                let kek = self.vko_kek(key_ref, vko, &request)?;
                self.fill_secret_key(target, &kek)?;
                Ok(StatusWord::OK)
            }
            GeneralAuthenticate::ToHost {
                algorithm,
                key_ref,
                template,
            } => {
                let Some(Algorithm::Vko(vko)) = Algorithm::from_ref(&self.profile, algorithm)
                else {
                    return Err(StatusWord::WRONG_P1P2);
                };
                let request = template.read()?;
                if !request.wants_kek {
                    return Err(StatusWord::WRONG_DATA);
                }
                let kek = self.vko_kek(key_ref, vko, &request)?;
                let mut inner = Zeroizing::new(Vec::with_capacity(SECRET_KEY_LEN + 2));
                tlv::write(&mut inner, 0x82, &kek).map_err(|_| StatusWord::UNKNOWN_ERROR)?;
                tlv::write(out, 0x7C, &inner).map_err(|_| StatusWord::UNKNOWN_ERROR)?;
                Ok(StatusWord::OK)
            }
        }
    }

    /// The 32-byte KEK of private key `key_ref` with the template's peer key and UKM.
    fn vko_kek(
        &self,
        key_ref: u8,
        vko: Vko,
        request: &AuthRequest<'_>,
    ) -> CardResult<Zeroizing<Vec<u8>>> {
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
            .ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)?;
        let ours = SigningKey::from_le_bytes(spec.param_set, d.expose())
            .map_err(|_| StatusWord::CONDITIONS_NOT_SATISFIED)?;
        let theirs = VerifyingKey::from_le_bytes(spec.param_set, request.peer)
            .map_err(|_| StatusWord::WRONG_DATA)?;
        // `check_vko` let through only the 32-byte VKOs: the KEK is one GOST 28147-89 key as it
        // comes (`fill_secret_key` checks the length again for the object form).
        gost::vko(vko, &ours, &theirs, request.ukm).map_err(|_| StatusWord::WRONG_DATA)
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
