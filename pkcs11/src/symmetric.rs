//! GOST 28147-89 secret keys and VKO (issue 23 item 3): what the module asks of a token that
//! does them (the client seam's GOST 28147-89 calls, through [`crate::device::Device`]), the secret-key objects a session sees and their attributes
//! (PKCS#11 v2.40 §2.43 "GOST 28147-89", §4.10 secret keys), and the mechanism parameters.
//!
//! A secret key lives in a token RSF (`…/6003/00kk`, `docs/assumptions.md` "GOST 28147-89 and
//! VKO"); its value never leaves the token (`CKA_SENSITIVE`, not `CKA_EXTRACTABLE` but by key
//! wrap), except a session key `C_DeriveKey` makes with `CKA_SENSITIVE` false and
//! `CKA_EXTRACTABLE` true: the token answers that VKO to the host, the module keeps the value
//! ([`ClearValue`], `CKA_VALUE`) and imports it into the token object the session uses. Session keys (`CKA_TOKEN` false) are deleted from the token at `C_DestroyObject`, at
//! the session's close, `C_Logout` and `C_Finalize`; token keys keep their attributes in a
//! private data object ([`RECORD_APPLICATION`]) and stay until `C_DestroyObject`.

use cryptoki_sys::*;
use gost::{CipherParams, Vko};
use rutoken_client::{CipherMode, SecretKey};

use crate::attribute::{self, Template};
use crate::device::DataObject;
use crate::error::{Error, fail};
use crate::object::Missing;
use crate::vendor::VENDOR_PKCS11_RU_TEAM;

/// `CKM_GOSTR3410_12_DERIVE` (TC26: RU_TEAM | 0x007; Aktiv's `rtpkcs11t.h`, pkcs11jna's
/// `RtPkcs11Constants`): VKO GOST R 34.10-2012.
pub const CKM_GOSTR3410_12_DERIVE: CK_MECHANISM_TYPE = VENDOR_PKCS11_RU_TEAM | 0x007;

/// `CKM_KDF_GOSTR3411_2012_256` (TC26: RU_TEAM | 0x026, same sources): the KDF value of
/// `CK_GOSTR3410_DERIVE_PARAMS` that asks for VKO with Streebog-256.
pub const CKM_KDF_GOSTR3411_2012_256: CK_ULONG = VENDOR_PKCS11_RU_TEAM | 0x026;

/// A secret-key object: the token's key and the attributes the session gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretKeyObject {
    /// The key on the token.
    pub key: SecretKey,
    /// `CKA_LABEL`.
    pub label: Vec<u8>,
    /// `CKA_ID`.
    pub id: Vec<u8>,
    /// How it came to be (`CKA_LOCAL`: generated on the token).
    pub local: bool,
    /// `CKA_KEY_GEN_MECHANISM` (or `CK_UNAVAILABLE_INFORMATION`).
    pub mechanism: CK_MECHANISM_TYPE,
    /// The usage flags: encrypt, decrypt, sign, verify, wrap, unwrap, derive.
    pub usage: Usage,
    /// `CKA_TOKEN`: a token object, its attributes kept in a private data object
    /// ([`SecretKeyObject::record`]) so that every session and application finds it.
    pub token: bool,
    /// That data object, once stored.
    pub record: Option<DataObject>,
    /// The value of a non-sensitive, extractable key (`CKA_VALUE`); `None`: sensitive.
    pub value: Option<ClearValue>,
}

/// The value of a non-sensitive key; zeroized when dropped, never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct ClearValue(pub zeroize::Zeroizing<[u8; 32]>);

impl std::fmt::Debug for ClearValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClearValue(..)")
    }
}

/// The application name of the data objects that keep token secret keys' attributes
/// (`docs/assumptions.md`, "GOST 28147-89 and VKO") [GUESS: where Aktiv's library keeps them is
/// not public].
pub const RECORD_APPLICATION: &str = "rutoken-lab GOST 28147-89 key";

/// Whether a data object keeps a token secret key's attributes (not an object of its own).
pub fn is_record(object: &DataObject) -> bool {
    object.application == RECORD_APPLICATION
}

/// `CKA_ENCRYPT` … `CKA_DERIVE` of a secret key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// `CKA_ENCRYPT`.
    pub encrypt: bool,
    /// `CKA_DECRYPT`.
    pub decrypt: bool,
    /// `CKA_SIGN` (the MAC).
    pub sign: bool,
    /// `CKA_VERIFY`.
    pub verify: bool,
    /// `CKA_WRAP`.
    pub wrap: bool,
    /// `CKA_UNWRAP`.
    pub unwrap: bool,
    /// `CKA_DERIVE`: no GOST 28147-89 key derives here.
    pub derive: bool,
}

impl Usage {
    /// From a template, every use allowed unless the template says false (as Aktiv's samples
    /// expect of a key made for encryption and wrapping).
    pub fn from_template(t: &Template) -> Result<Usage, Error> {
        let flag = |kind| -> Result<bool, Error> { Ok(t.bool(kind)?.unwrap_or(true)) };
        Ok(Usage {
            encrypt: flag(CKA_ENCRYPT)?,
            decrypt: flag(CKA_DECRYPT)?,
            sign: flag(CKA_SIGN)?,
            verify: flag(CKA_VERIFY)?,
            wrap: flag(CKA_WRAP)?,
            unwrap: flag(CKA_UNWRAP)?,
            derive: false,
        })
    }
}

/// Checks a secret-key template (`C_GenerateKey`, `C_UnwrapKey`, `C_DeriveKey`,
/// `C_CreateObject`): class and key type, if given, are GOST 28147-89's; `CKA_SENSITIVE` may not
/// be false, `CKA_EXTRACTABLE` may not be true (the value never leaves the token in clear).
/// Returns the parameter set (`CKA_GOST28147_PARAMS`, default CryptoPro A, as Aktiv's
/// library).
pub fn check_template(t: &Template) -> Result<CipherParams, Error> {
    if wants_clear_value(t)? {
        return fail(CKR_TEMPLATE_INCONSISTENT);
    }
    check_derive_template(t).map(|(params, _)| params)
}

/// True for a template with `CKA_SENSITIVE` false and `CKA_EXTRACTABLE` true (both given).
fn wants_clear_value(t: &Template) -> Result<bool, Error> {
    Ok(t.bool(CKA_SENSITIVE)? == Some(false) && t.bool(CKA_EXTRACTABLE)? == Some(true))
}

/// [`check_template`] for `C_DeriveKey`, which may also make a session key with `CKA_SENSITIVE`
/// false and `CKA_EXTRACTABLE` true (as Aktiv's samples read a derived key's value): the
/// parameter set, and whether the key's value is the session's to read. A token key
/// (`CKA_TOKEN` true) stays sensitive, and the one attribute without the other is
/// `CKR_TEMPLATE_INCONSISTENT`.
pub fn check_derive_template(t: &Template) -> Result<(CipherParams, bool), Error> {
    if t.ulong(CKA_CLASS)?.is_some_and(|c| c != CKO_SECRET_KEY)
        || t.ulong(CKA_KEY_TYPE)?.is_some_and(|k| k != CKK_GOST28147)
    {
        return fail(CKR_TEMPLATE_INCONSISTENT);
    }
    let clear = wants_clear_value(t)?;
    if clear && t.bool(CKA_TOKEN)? == Some(true) {
        return fail(CKR_TEMPLATE_INCONSISTENT);
    }
    if !clear && (t.bool(CKA_SENSITIVE)? == Some(false) || t.bool(CKA_EXTRACTABLE)? == Some(true)) {
        return fail(CKR_TEMPLATE_INCONSISTENT);
    }
    if t.get(CKA_VALUE_LEN)?
        .is_some_and(|v| attribute::decode_ulong(v).ok() != Some(32))
    {
        return fail(CKR_ATTRIBUTE_VALUE_INVALID);
    }
    let params = match t.get(CKA_GOST28147_PARAMS)? {
        Some(der) => {
            CipherParams::from_der(der).map_err(|_| Error::Rv(CKR_ATTRIBUTE_VALUE_INVALID))?
        }
        None => CipherParams::CryptoProA,
    };
    Ok((params, clear))
}

impl SecretKeyObject {
    /// A new object for `key` from its template.
    pub fn new(
        key: SecretKey,
        t: &Template,
        local: bool,
        mechanism: CK_MECHANISM_TYPE,
    ) -> Result<Self, Error> {
        Ok(SecretKeyObject {
            key,
            label: t.get(CKA_LABEL)?.unwrap_or_default().to_vec(),
            id: t.get(CKA_ID)?.unwrap_or_default().to_vec(),
            local,
            mechanism,
            usage: Usage::from_template(t)?,
            token: t.bool(CKA_TOKEN)?.unwrap_or(false),
            record: None,
            value: None,
        })
    }

    /// The private data object that keeps a token key's attributes: label the key reference
    /// in two hex digits, value `01 ‖ usage ‖ local ‖ mechanism (8 bytes, little-endian) ‖
    /// len ‖ CKA_GOST28147_PARAMS ‖ len ‖ CKA_ID ‖ CKA_LABEL`.
    pub fn to_record(&self) -> DataObject {
        let u = self.usage;
        let usage = [u.encrypt, u.decrypt, u.sign, u.verify, u.wrap, u.unwrap]
            .iter()
            .enumerate()
            .fold(0u8, |acc, (i, on)| acc | (u8::from(*on) << i));
        let params = self.key.params.to_der();
        let mut value = vec![1, usage, u8::from(self.local)];
        #[allow(
            clippy::useless_conversion,
            reason = "CK_ULONG is 32 bits on some platforms, 64 here"
        )]
        let mechanism = u64::from(self.mechanism);
        value.extend_from_slice(&mechanism.to_le_bytes());
        // Both fit a byte: a parameter-set OID is 9-11 bytes; IDs longer than 255 are refused
        // when the key is made.
        value.push(u8::try_from(params.len()).unwrap_or(u8::MAX));
        value.extend_from_slice(&params);
        value.push(u8::try_from(self.id.len()).unwrap_or(u8::MAX));
        value.extend_from_slice(&self.id);
        value.extend_from_slice(&self.label);
        DataObject {
            label: format!("{:02x}", self.key.reference),
            application: RECORD_APPLICATION.to_owned(),
            oid: Vec::new(),
            private: true,
            path: Vec::new(),
            value,
        }
    }

    /// A token key from its data object (`None` for one that does not parse).
    pub fn from_record(record: &DataObject) -> Option<SecretKeyObject> {
        let reference = u8::from_str_radix(&record.label, 16).ok()?;
        let v = &record.value;
        let (&[1, usage, local], rest) = v.split_first_chunk::<3>()? else {
            return None;
        };
        let (mechanism, rest) = rest.split_first_chunk::<8>()?;
        let (&params_len, rest) = rest.split_first()?;
        let (params, rest) = rest.split_at_checked(usize::from(params_len))?;
        let (&id_len, rest) = rest.split_first()?;
        let (id, label) = rest.split_at_checked(usize::from(id_len))?;
        let bit = |i: u8| usage & (1 << i) != 0;
        Some(SecretKeyObject {
            key: SecretKey {
                reference,
                params: CipherParams::from_der(params).ok()?,
            },
            label: label.to_vec(),
            id: id.to_vec(),
            local: local != 0,
            mechanism: CK_ULONG::try_from(u64::from_le_bytes(*mechanism)).ok()?,
            usage: Usage {
                encrypt: bit(0),
                decrypt: bit(1),
                sign: bit(2),
                verify: bit(3),
                wrap: bit(4),
                unwrap: bit(5),
                derive: false,
            },
            token: true,
            record: Some(record.clone()),
            value: None,
        })
    }

    /// The value of one attribute (PKCS#11 v2.40 §4.7-§4.10, §2.43.2).
    pub fn attribute(&self, kind: CK_ATTRIBUTE_TYPE) -> Result<Vec<u8>, Missing> {
        use attribute::{bool, ulong};
        let u = self.usage;
        Ok(match kind {
            CKA_CLASS => ulong(CKO_SECRET_KEY),
            CKA_KEY_TYPE => ulong(CKK_GOST28147),
            CKA_TOKEN => bool(self.token),
            CKA_MODIFIABLE | CKA_COPYABLE | CKA_TRUSTED | CKA_WRAP_WITH_TRUSTED => bool(false),
            CKA_PRIVATE | CKA_DESTROYABLE => bool(true),
            CKA_EXTRACTABLE => bool(self.value.is_some()),
            CKA_SENSITIVE | CKA_ALWAYS_SENSITIVE | CKA_NEVER_EXTRACTABLE => {
                bool(self.value.is_none())
            }
            CKA_LOCAL => bool(self.local),
            CKA_LABEL => self.label.clone(),
            CKA_ID => self.id.clone(),
            CKA_KEY_GEN_MECHANISM => ulong(self.mechanism),
            CKA_START_DATE | CKA_END_DATE => Vec::new(),
            CKA_ENCRYPT => bool(u.encrypt),
            CKA_DECRYPT => bool(u.decrypt),
            CKA_SIGN => bool(u.sign),
            CKA_VERIFY => bool(u.verify),
            CKA_WRAP => bool(u.wrap),
            CKA_UNWRAP => bool(u.unwrap),
            CKA_DERIVE => bool(u.derive),
            CKA_VALUE_LEN => ulong(32),
            CKA_GOST28147_PARAMS => self.key.params.to_der(),
            CKA_VALUE => match &self.value {
                Some(v) => v.0.to_vec(),
                None => return Err(Missing::Sensitive),
            },
            _ => return Err(Missing::Invalid),
        })
    }
}

/// An optional 8-byte mechanism parameter (IV or UKM): none, or exactly 8 bytes.
pub fn eight(parameter: &[u8]) -> Result<Option<[u8; 8]>, Error> {
    match parameter.len() {
        0 => Ok(None),
        8 => Ok(parameter.try_into().ok()),
        _ => fail(CKR_MECHANISM_PARAM_INVALID),
    }
}

/// The cipher of an encryption mechanism and its parameter.
pub fn cipher_mode(kind: CK_MECHANISM_TYPE, parameter: &[u8]) -> Result<CipherMode, Error> {
    match kind {
        CKM_GOST28147_ECB if parameter.is_empty() => Ok(CipherMode::Ecb),
        CKM_GOST28147_ECB => fail(CKR_MECHANISM_PARAM_INVALID),
        CKM_GOST28147 => Ok(CipherMode::Cfb(
            eight(parameter)?.ok_or(Error::Rv(CKR_MECHANISM_PARAM_INVALID))?,
        )),
        _ => fail(CKR_MECHANISM_INVALID),
    }
}

/// The VKO a `CK_GOSTR3410_DERIVE_PARAMS` KDF asks for with a key of `algorithm`:
/// `CKM_KDF_GOSTR3411_2012_256` (TC26) is VKO GOST R 34.10-2012 with Streebog-256;
/// `CKD_NULL` the plain VKO of the key's standard (2001: GOST R 34.11-94; 2012:
/// Streebog-256) [GUESS: Aktiv's reading of CKD_NULL for 2012 keys is not public]. Others
/// (`CKM_KDF_4357`, …) are not offered.
pub fn vko_for(kdf: CK_ULONG, algorithm: gost::KeyAlgorithm) -> Result<Vko, Error> {
    use gost::KeyAlgorithm::*;
    match (kdf, algorithm) {
        (CKD_NULL, Gost2001) => Ok(Vko::Gost2001),
        (CKD_NULL | CKM_KDF_GOSTR3411_2012_256, Gost2012_256 | Gost2012_512) => {
            Ok(Vko::Gost2012_256)
        }
        _ => fail(CKR_MECHANISM_PARAM_INVALID),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A GOST 28147-89 key is 32 bytes: a template may say so (`CKA_VALUE_LEN` 32) and no
    /// other length.
    #[test]
    fn a_template_s_value_length_must_be_32() {
        let with_len = |len: CK_ULONG| {
            Template(vec![attribute::Attribute {
                kind: CKA_VALUE_LEN,
                value: attribute::ulong(len),
            }])
        };
        assert_eq!(check_template(&with_len(32)), Ok(CipherParams::CryptoProA));
        for wrong in [16, 31, 33, 64] {
            assert_eq!(
                check_template(&with_len(wrong)),
                Err(Error::Rv(CKR_ATTRIBUTE_VALUE_INVALID)),
                "{wrong}"
            );
        }
    }

    /// A secret key's fixed attributes (PKCS#11 v2.40 §4.4, §4.7, §4.10; §2.43.2 for the
    /// GOST 28147-89 key type): its type, not modifiable, copyable or trusted, private and
    /// destroyable, no dates, 32 bytes long.
    #[test]
    fn a_secret_key_s_fixed_attributes() {
        let key = SecretKeyObject {
            key: SecretKey {
                reference: 3,
                params: CipherParams::CryptoProA,
            },
            label: b"k".to_vec(),
            id: Vec::new(),
            local: true,
            mechanism: CKM_GOST28147_KEY_GEN,
            usage: Usage::from_template(&Template::default()).unwrap_or_else(|_| unreachable!()),
            token: false,
            record: None,
            value: None,
        };
        let read = |kind| key.attribute(kind);
        assert_eq!(read(CKA_KEY_TYPE), Ok(attribute::ulong(CKK_GOST28147)));
        for kind in [
            CKA_MODIFIABLE,
            CKA_COPYABLE,
            CKA_TRUSTED,
            CKA_WRAP_WITH_TRUSTED,
        ] {
            assert_eq!(read(kind), Ok(vec![0]), "{kind:#x}");
        }
        for kind in [CKA_PRIVATE, CKA_DESTROYABLE] {
            assert_eq!(read(kind), Ok(vec![1]), "{kind:#x}");
        }
        for kind in [CKA_START_DATE, CKA_END_DATE] {
            assert_eq!(read(kind), Ok(Vec::new()), "{kind:#x}");
        }
        assert_eq!(read(CKA_VALUE_LEN), Ok(attribute::ulong(32)));
        assert_eq!(read(CKA_VALUE), Err(Missing::Sensitive));
    }

    /// `CKD_NULL` is the plain VKO of the key's own standard: GOST R 34.10-2001's for a 2001
    /// key, 2012's (Streebog-256) for 2012 keys; the TC 26 KDF only with 2012 keys.
    #[test]
    fn the_kdf_and_the_key_choose_the_vko() {
        use gost::KeyAlgorithm::*;
        assert_eq!(vko_for(CKD_NULL, Gost2001), Ok(Vko::Gost2001));
        for algorithm in [Gost2012_256, Gost2012_512] {
            assert_eq!(vko_for(CKD_NULL, algorithm), Ok(Vko::Gost2012_256));
            assert_eq!(
                vko_for(CKM_KDF_GOSTR3411_2012_256, algorithm),
                Ok(Vko::Gost2012_256)
            );
        }
        assert_eq!(
            vko_for(CKM_KDF_GOSTR3411_2012_256, Gost2001),
            Err(Error::Rv(CKR_MECHANISM_PARAM_INVALID))
        );
    }

    /// A readable key value never reaches a log through `{:?}` (no key material in logs):
    /// its Debug form names the type only.
    #[test]
    fn a_clear_value_prints_no_bytes() {
        let value = ClearValue(zeroize::Zeroizing::new([0x5A; 32]));
        assert_eq!(format!("{value:?}"), "ClearValue(..)");
    }
}
