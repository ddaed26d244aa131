//! The mechanisms the module offers, with their `CK_MECHANISM_INFO`, and the key specs that
//! key-generation templates name.

use const_oid::ObjectIdentifier;
use cryptoki_sys::*;
use gost::{DigestAlgorithm, KeyAlgorithm, ParamSet};

use crate::device::KeySpec;
use crate::error::{Error, fail};
use crate::vendor::*;

/// One row of the mechanism table.
#[derive(Debug, Clone, Copy)]
pub struct Mechanism {
    /// `CKM_…`.
    pub kind: CK_MECHANISM_TYPE,
    /// Key size range in bits.
    pub min_bits: CK_ULONG,
    /// See `min_bits`.
    pub max_bits: CK_ULONG,
    /// `CKF_…`.
    pub flags: CK_FLAGS,
}

const SIGN: CK_FLAGS = CKF_SIGN | CKF_VERIFY | CKF_HW;

/// Every mechanism, in `C_GetMechanismList` order. Digests run on the host (no `CKF_HW`).
pub const MECHANISMS: [Mechanism; 17] = [
    Mechanism {
        kind: CKM_GOSTR3410_KEY_PAIR_GEN,
        min_bits: 256,
        max_bits: 256,
        flags: CKF_GENERATE_KEY_PAIR | CKF_HW,
    },
    Mechanism {
        kind: CKM_GOSTR3410_512_KEY_PAIR_GEN,
        min_bits: 512,
        max_bits: 512,
        flags: CKF_GENERATE_KEY_PAIR | CKF_HW,
    },
    Mechanism {
        kind: CKM_GOSTR3410,
        min_bits: 256,
        max_bits: 256,
        flags: SIGN,
    },
    Mechanism {
        kind: CKM_GOSTR3410_512,
        min_bits: 512,
        max_bits: 512,
        flags: SIGN,
    },
    Mechanism {
        kind: CKM_GOSTR3410_WITH_GOSTR3411,
        min_bits: 256,
        max_bits: 256,
        flags: SIGN,
    },
    Mechanism {
        kind: CKM_GOSTR3410_WITH_GOSTR3411_12_256,
        min_bits: 256,
        max_bits: 256,
        flags: SIGN,
    },
    Mechanism {
        kind: CKM_GOSTR3410_WITH_GOSTR3411_12_512,
        min_bits: 512,
        max_bits: 512,
        flags: SIGN,
    },
    Mechanism {
        kind: CKM_GOSTR3411_12_256,
        min_bits: 0,
        max_bits: 0,
        flags: CKF_DIGEST,
    },
    Mechanism {
        kind: CKM_GOSTR3411_12_512,
        min_bits: 0,
        max_bits: 0,
        flags: CKF_DIGEST,
    },
    Mechanism {
        kind: CKM_GOSTR3411,
        min_bits: 0,
        max_bits: 0,
        flags: CKF_DIGEST,
    },
    // GOST 28147-89 on the token (issue 23 item 3; `crate::symmetric`): 256-bit keys.
    Mechanism {
        kind: CKM_GOST28147_KEY_GEN,
        min_bits: 256,
        max_bits: 256,
        flags: CKF_GENERATE | CKF_HW,
    },
    Mechanism {
        kind: CKM_GOST28147_ECB,
        min_bits: 256,
        max_bits: 256,
        flags: CKF_ENCRYPT | CKF_DECRYPT | CKF_HW,
    },
    Mechanism {
        kind: CKM_GOST28147,
        min_bits: 256,
        max_bits: 256,
        flags: CKF_ENCRYPT | CKF_DECRYPT | CKF_HW,
    },
    Mechanism {
        kind: CKM_GOST28147_MAC,
        min_bits: 256,
        max_bits: 256,
        flags: CKF_SIGN | CKF_VERIFY | CKF_HW,
    },
    Mechanism {
        kind: CKM_GOST28147_KEY_WRAP,
        min_bits: 256,
        max_bits: 256,
        flags: CKF_WRAP | CKF_UNWRAP | CKF_HW,
    },
    Mechanism {
        kind: crate::symmetric::CKM_GOSTR3410_12_DERIVE,
        min_bits: 256,
        max_bits: 512,
        flags: CKF_DERIVE | CKF_HW,
    },
    // VKO GOST R 34.10-2001 (PKCS#11 v2.40 §2.42.6), which `C_DeriveKey` takes with 2001 keys:
    // listed so that an application that asks before it derives finds it.
    Mechanism {
        kind: CKM_GOSTR3410_DERIVE,
        min_bits: 256,
        max_bits: 256,
        flags: CKF_DERIVE | CKF_HW,
    },
];

/// The row of `kind`.
pub fn find(kind: CK_MECHANISM_TYPE) -> Option<&'static Mechanism> {
    MECHANISMS.iter().find(|m| m.kind == kind)
}

/// The digest a digest mechanism computes.
pub fn digest_of(kind: CK_MECHANISM_TYPE) -> Option<DigestAlgorithm> {
    match kind {
        CKM_GOSTR3411_12_256 => Some(DigestAlgorithm::Streebog256),
        CKM_GOSTR3411_12_512 => Some(DigestAlgorithm::Streebog512),
        CKM_GOSTR3411 => Some(DigestAlgorithm::Gost94CryptoPro),
        _ => None,
    }
}

/// How a signature mechanism gets its digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignKind {
    /// The caller passes the digest (`CKM_GOSTR3410`, `CKM_GOSTR3410_512`).
    HostDigest {
        /// Its length in bytes.
        len: usize,
    },
    /// The token hashes the data (`CKM_GOSTR3410_WITH_GOSTR3411_12_*`; `…_WITH_GOSTR3411`:
    /// GOST R 34.11-94 for 2001 keys, the digest the token's PSO: HASH uses for them).
    OnToken(DigestAlgorithm),
}

/// What a signature mechanism does with a key of `spec`.
pub fn sign_kind(kind: CK_MECHANISM_TYPE, spec: KeySpec) -> Result<SignKind, Error> {
    let size512 = spec.algorithm == KeyAlgorithm::Gost2012_512;
    match kind {
        CKM_GOSTR3410 if !size512 => Ok(SignKind::HostDigest { len: 32 }),
        CKM_GOSTR3410_512 if size512 => Ok(SignKind::HostDigest { len: 64 }),
        CKM_GOSTR3410_WITH_GOSTR3411 if spec.algorithm == KeyAlgorithm::Gost2001 => {
            Ok(SignKind::OnToken(DigestAlgorithm::Gost94CryptoPro))
        }
        CKM_GOSTR3410_WITH_GOSTR3411_12_256 if spec.algorithm == KeyAlgorithm::Gost2012_256 => {
            Ok(SignKind::OnToken(DigestAlgorithm::Streebog256))
        }
        CKM_GOSTR3410_WITH_GOSTR3411_12_512 if size512 => {
            Ok(SignKind::OnToken(DigestAlgorithm::Streebog512))
        }
        CKM_GOSTR3410
        | CKM_GOSTR3410_512
        | CKM_GOSTR3410_WITH_GOSTR3411
        | CKM_GOSTR3410_WITH_GOSTR3411_12_256
        | CKM_GOSTR3410_WITH_GOSTR3411_12_512 => fail(CKR_KEY_TYPE_INCONSISTENT),
        _ => fail(CKR_MECHANISM_INVALID),
    }
}

/// The optional parameter of a hashing signature mechanism: the DER OID of its digest
/// (Aktiv's samples pass `CKA_GOSTR3411_PARAMS` there); anything else is refused.
pub fn check_sign_parameter(kind: SignKind, parameter: &[u8]) -> Result<(), Error> {
    match kind {
        _ if parameter.is_empty() => Ok(()),
        SignKind::OnToken(DigestAlgorithm::Streebog256) if parameter == HASH_PARAMS_2012_256 => {
            Ok(())
        }
        SignKind::OnToken(DigestAlgorithm::Streebog512) if parameter == HASH_PARAMS_2012_512 => {
            Ok(())
        }
        SignKind::OnToken(DigestAlgorithm::Gost94CryptoPro) if parameter == HASH_PARAMS_2001 => {
            Ok(())
        }
        _ => fail(CKR_MECHANISM_PARAM_INVALID),
    }
}

/// Signature length in bytes.
pub fn signature_len(spec: KeySpec) -> usize {
    2 * spec.param.scalar_len()
}

/// DER of an OID (every GOST OID is far shorter than 128 bytes).
pub fn oid_der(oid: &ObjectIdentifier) -> Vec<u8> {
    let body = oid.as_bytes();
    let mut der = vec![0x06];
    der.push(u8::try_from(body.len()).unwrap_or(0x7F));
    der.extend_from_slice(body);
    der
}

/// The OID in a DER `OBJECT IDENTIFIER`.
fn parse_oid(der: &[u8]) -> Result<ObjectIdentifier, Error> {
    match der {
        [0x06, len, body @ ..] if usize::from(*len) == body.len() => {
            ObjectIdentifier::from_bytes(body).map_err(|_| Error::Rv(CKR_ATTRIBUTE_VALUE_INVALID))
        }
        _ => fail(CKR_ATTRIBUTE_VALUE_INVALID),
    }
}

/// The key spec a key-pair template names (TC26 / PKCS#11 v2.40 §2.57.4): the mechanism and
/// `CKA_KEY_TYPE` give the size, `CKA_GOSTR3410_PARAMS` the curve, `CKA_GOSTR3411_PARAMS`
/// tells 2001 (GOST R 34.11-94 parameters) from 2012-256 (Streebog-256) on the CryptoPro
/// curves, as OpenSC's pkcs11-tool sends them. Without `CKA_GOSTR3411_PARAMS`, a CryptoPro OID
/// means 2001 and a TC26 OID means 2012; without `CKA_GOSTR3410_PARAMS`, paramSetA of the
/// mechanism's size.
pub fn key_spec(
    mechanism: CK_MECHANISM_TYPE,
    key_type: Option<CK_KEY_TYPE>,
    params: Option<&[u8]>,
    hash_params: Option<&[u8]>,
) -> Result<KeySpec, Error> {
    let size512 = match mechanism {
        CKM_GOSTR3410_KEY_PAIR_GEN => false,
        CKM_GOSTR3410_512_KEY_PAIR_GEN => true,
        _ => return fail(CKR_MECHANISM_INVALID),
    };
    match (key_type, size512) {
        (None, _) | (Some(CKK_GOSTR3410), false) | (Some(CKK_GOSTR3410_512), true) => {}
        _ => return fail(CKR_TEMPLATE_INCONSISTENT),
    }
    let Some(params) = params else {
        // No curve named: the TC26 paramSetA of the size (docs/pkcs11.md "Key generation").
        if hash_params.is_some_and(|h| h != hash_params_of(size512)) {
            return fail(CKR_TEMPLATE_INCONSISTENT);
        }
        return Ok(if size512 {
            KeySpec {
                algorithm: KeyAlgorithm::Gost2012_512,
                param: ParamSet::Gost512A,
            }
        } else {
            KeySpec {
                algorithm: KeyAlgorithm::Gost2012_256,
                param: ParamSet::Gost256A,
            }
        });
    };
    let oid = parse_oid(params)?;
    let param = ParamSet::from_oid(&oid).map_err(|_| Error::Rv(CKR_ATTRIBUTE_VALUE_INVALID))?;
    if param.is_test() {
        return fail(CKR_ATTRIBUTE_VALUE_INVALID);
    }
    let cryptopro = param.cryptopro_oid() == Some(oid);
    let algorithm = if size512 {
        if param.scalar_len() != 64 {
            return fail(CKR_TEMPLATE_INCONSISTENT);
        }
        if hash_params.is_some_and(|h| h != HASH_PARAMS_2012_512) {
            return fail(CKR_TEMPLATE_INCONSISTENT);
        }
        KeyAlgorithm::Gost2012_512
    } else {
        if param.scalar_len() != 32 {
            return fail(CKR_TEMPLATE_INCONSISTENT);
        }
        match hash_params {
            Some(h) if h == HASH_PARAMS_2012_256 => KeyAlgorithm::Gost2012_256,
            Some(h) if h == HASH_PARAMS_2001 && cryptopro => KeyAlgorithm::Gost2001,
            None if cryptopro => KeyAlgorithm::Gost2001,
            None => KeyAlgorithm::Gost2012_256,
            Some(_) => return fail(CKR_TEMPLATE_INCONSISTENT),
        }
    };
    Ok(KeySpec { algorithm, param })
}

fn hash_params_of(size512: bool) -> &'static [u8] {
    if size512 {
        HASH_PARAMS_2012_512
    } else {
        HASH_PARAMS_2012_256
    }
}

/// `CKA_GOSTR3410_PARAMS` of a key: the CryptoPro OID where the curve has one (as 2001 keys
/// and OpenSC name them), the TC26 OID otherwise.
pub fn key_params(spec: KeySpec) -> Vec<u8> {
    oid_der(
        &spec
            .param
            .cryptopro_oid()
            .unwrap_or_else(|| spec.param.oid()),
    )
}

/// `CKA_GOSTR3411_PARAMS` of a key.
pub fn hash_params(spec: KeySpec) -> &'static [u8] {
    match spec.algorithm {
        KeyAlgorithm::Gost2001 => HASH_PARAMS_2001,
        KeyAlgorithm::Gost2012_256 => HASH_PARAMS_2012_256,
        KeyAlgorithm::Gost2012_512 => HASH_PARAMS_2012_512,
    }
}

/// `CKA_KEY_TYPE` of a key.
pub fn key_type(spec: KeySpec) -> CK_KEY_TYPE {
    match spec.algorithm {
        KeyAlgorithm::Gost2012_512 => CKK_GOSTR3410_512,
        _ => CKK_GOSTR3410,
    }
}

/// `CKA_KEY_GEN_MECHANISM` of a key.
pub fn keygen_mechanism(spec: KeySpec) -> CK_MECHANISM_TYPE {
    match spec.algorithm {
        KeyAlgorithm::Gost2012_512 => CKM_GOSTR3410_512_KEY_PAIR_GEN,
        _ => CKM_GOSTR3410_KEY_PAIR_GEN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CRYPTOPRO_A: &[u8] = &[0x06, 0x07, 0x2A, 0x85, 0x03, 0x02, 0x02, 0x23, 0x01];
    const TC26_256_A: &[u8] = &[
        0x06, 0x09, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x01, 0x01,
    ];
    const TC26_512_A: &[u8] = &[
        0x06, 0x09, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x02, 0x01,
    ];

    #[test]
    fn pkcs11_tool_key_types() {
        let g = CKM_GOSTR3410_KEY_PAIR_GEN;
        let s = |m, t, p, h| key_spec(m, Some(t), Some(p), h);
        // GOSTR3410-2012-256:A
        let k = s(g, CKK_GOSTR3410, TC26_256_A, Some(HASH_PARAMS_2012_256)).unwrap();
        assert_eq!(
            (k.algorithm, k.param),
            (KeyAlgorithm::Gost2012_256, ParamSet::Gost256A)
        );
        // GOSTR3410-2012-256:B is CryptoPro-A with Streebog
        let k = s(g, CKK_GOSTR3410, CRYPTOPRO_A, Some(HASH_PARAMS_2012_256)).unwrap();
        assert_eq!(
            (k.algorithm, k.param),
            (KeyAlgorithm::Gost2012_256, ParamSet::Gost256B)
        );
        // GOSTR3410-2001:A
        let k = s(g, CKK_GOSTR3410, CRYPTOPRO_A, Some(HASH_PARAMS_2001)).unwrap();
        assert_eq!(
            (k.algorithm, k.param),
            (KeyAlgorithm::Gost2001, ParamSet::Gost256B)
        );
        // GOSTR3410-2012-512:A
        let k = s(
            CKM_GOSTR3410_512_KEY_PAIR_GEN,
            CKK_GOSTR3410_512,
            TC26_512_A,
            Some(HASH_PARAMS_2012_512),
        )
        .unwrap();
        assert_eq!(
            (k.algorithm, k.param),
            (KeyAlgorithm::Gost2012_512, ParamSet::Gost512A)
        );
        assert_eq!(key_params(k), TC26_512_A);
    }

    #[test]
    fn mismatches_are_refused() {
        let g = CKM_GOSTR3410_KEY_PAIR_GEN;
        let rv = |r: Result<KeySpec, Error>| r.unwrap_err().rv();
        assert_eq!(
            rv(key_spec(g, Some(CKK_GOSTR3410), Some(TC26_512_A), None)),
            CKR_TEMPLATE_INCONSISTENT
        );
        assert_eq!(
            rv(key_spec(g, Some(CKK_GOSTR3410_512), Some(TC26_256_A), None)),
            CKR_TEMPLATE_INCONSISTENT
        );
        let default = key_spec(g, None, None, None).unwrap();
        assert_eq!(
            (default.algorithm, default.param),
            (KeyAlgorithm::Gost2012_256, ParamSet::Gost256A)
        );
        assert_eq!(
            rv(key_spec(g, None, None, Some(HASH_PARAMS_2012_512))),
            CKR_TEMPLATE_INCONSISTENT
        );
        assert_eq!(
            rv(key_spec(g, None, Some(&[0x06, 0x05, 1]), None)),
            CKR_ATTRIBUTE_VALUE_INVALID
        );
        assert_eq!(
            rv(key_spec(g, None, Some(TC26_256_A), Some(HASH_PARAMS_2001))),
            CKR_TEMPLATE_INCONSISTENT
        );
    }
}
