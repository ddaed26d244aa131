//! `C_DeriveKey` (PKCS#11 v2.40 §5.13) with `CKM_GOSTR3410_12_DERIVE` (TC26) and
//! `CKM_GOSTR3410_DERIVE` (§2.42.6): VKO on the token with the base private key and the
//! peer's public key (`LE(x) ‖ LE(y)`, as `CKA_VALUE` of a GOST public key), into a new
//! GOST 28147-89 secret key that stays on the token; or, for a session key with
//! `CKA_SENSITIVE` false and `CKA_EXTRACTABLE` true, answered by the token to the module, which
//! keeps the value (`CKA_VALUE`) and imports it into the token object the session uses.

use cryptoki_sys::*;
use rutoken_client::DriverError;
use rutoken_client::driver::{Code, StatusWord, TokenKey};

use super::Module;
use super::encryption::symmetric_of;
use crate::attribute::Template;
use crate::error::{Error, fail};
use crate::object::Kind;
use crate::symmetric::{self, CKM_GOSTR3410_12_DERIVE, ClearValue, SecretKeyObject};

/// `CK_GOSTR3410_DERIVE_PARAMS`, copied out of the caller's memory.
#[derive(Debug, Clone)]
pub struct DeriveParams {
    /// `kdf`: `CKD_NULL` or `CKM_KDF_GOSTR3411_2012_256`.
    pub kdf: CK_ULONG,
    /// `pPublicData`: the peer's public key.
    pub public: Vec<u8>,
    /// `pUKM`.
    pub ukm: Vec<u8>,
}

impl Module {
    /// `C_DeriveKey`.
    pub fn derive_key(
        &self,
        handle: CK_SESSION_HANDLE,
        mechanism: CK_MECHANISM_TYPE,
        params: &DeriveParams,
        base: CK_OBJECT_HANDLE,
        template: &Template,
    ) -> Result<CK_OBJECT_HANDLE, Error> {
        if !matches!(mechanism, CKM_GOSTR3410_12_DERIVE | CKM_GOSTR3410_DERIVE) {
            return fail(CKR_MECHANISM_INVALID);
        }
        let (cipher_params, clear) = symmetric::check_derive_template(template)?;
        let slot = self.secret_key_session(handle, template)?;
        let pair = {
            let mut table = self.table();
            let entry = table
                .visible(handle, base)
                .map_err(|_| Error::Rv(CKR_KEY_HANDLE_INVALID))?;
            let Kind::PrivateKey(pair) = &entry.kind else {
                return fail(CKR_KEY_TYPE_INCONSISTENT);
            };
            pair.clone()
        };
        let vko = symmetric::vko_for(params.kdf, pair.spec.algorithm)?;
        // The 2001 mechanism is for 2001 keys, the 2012 one for 2012 keys.
        if (mechanism == CKM_GOSTR3410_DERIVE) != (vko == gost::Vko::Gost2001) {
            return fail(CKR_KEY_TYPE_INCONSISTENT);
        }
        if params.public.len() != pair.public.len() {
            return fail(CKR_MECHANISM_PARAM_INVALID);
        }
        if params.ukm.is_empty() || params.ukm.len() > 64 {
            return fail(CKR_MECHANISM_PARAM_INVALID);
        }
        let base = TokenKey {
            reference: Some(pair.reference),
            ..TokenKey::default()
        };
        let made = self
            .with_token(slot, |t| {
                let device = symmetric_of(&mut t.device)?;
                if !clear {
                    let key = device.derive_vko(
                        pair.reference,
                        vko,
                        &params.public,
                        &params.ukm,
                        cipher_params,
                    )?;
                    return Ok((key, None));
                }
                let value = device.derive_vko_value(&base, vko, &params.public, &params.ukm)?;
                let key = device.import_secret_key(cipher_params, &value)?;
                Ok((key, Some(ClearValue(value))))
            })
            .map_err(|e| match e {
                // The token's 6A80: a point not on the curve, a zero UKM.
                Error::Device(DriverError::Refused {
                    code: Code::Sw(StatusWord(0x6A80)),
                    ..
                }) => Error::Rv(CKR_MECHANISM_PARAM_INVALID),
                other => other,
            })?;
        let (key, value) = made;
        let mut object = SecretKeyObject::new(key, template, false, CK_UNAVAILABLE_INFORMATION)?;
        object.value = value;
        self.secret_key_handle(handle, slot, object)
    }
}
