//! Every GOST OID the workspace uses, each with its source (RFC 4357 §10-11, RFC 7836, RFC 9215).

use const_oid::ObjectIdentifier;

const fn oid(s: &str) -> ObjectIdentifier {
    ObjectIdentifier::new_unwrap(s)
}

/// id-GostR3410-2001, RFC 4357 §10.3 (public-key algorithm).
pub const GOST_R3410_2001: ObjectIdentifier = oid("1.2.643.2.2.19");
/// id-tc26-gost3410-12-256, RFC 9215 §3.1.
pub const GOST_R3410_2012_256: ObjectIdentifier = oid("1.2.643.7.1.1.1.1");
/// id-tc26-gost3410-12-512, RFC 9215 §3.1.
pub const GOST_R3410_2012_512: ObjectIdentifier = oid("1.2.643.7.1.1.1.2");

/// id-GostR3411-94-with-GostR3410-2001, RFC 4491 §2.2.2 (signature with digest).
pub const SIGN_GOST_R3411_94_WITH_3410_2001: ObjectIdentifier = oid("1.2.643.2.2.3");
/// id-tc26-signwithdigest-gost3410-12-256, RFC 9215 §3.2.
pub const SIGN_WITH_DIGEST_2012_256: ObjectIdentifier = oid("1.2.643.7.1.1.3.2");
/// id-tc26-signwithdigest-gost3410-12-512, RFC 9215 §3.2.
pub const SIGN_WITH_DIGEST_2012_512: ObjectIdentifier = oid("1.2.643.7.1.1.3.3");

/// id-GostR3411-94, RFC 4357 §10.1 (the hash algorithm).
pub const GOST_R3411_94: ObjectIdentifier = oid("1.2.643.2.2.9");
/// id-GostR3411-94-CryptoProParamSet, RFC 4357 §11.2 (the digest parameter set of 2001 keys).
pub const GOST_R3411_94_CRYPTOPRO_PARAMSET: ObjectIdentifier = oid("1.2.643.2.2.30.1");
/// id-tc26-gost3411-12-256 (Streebog-256), RFC 9215 §3.3.
pub const STREEBOG_256: ObjectIdentifier = oid("1.2.643.7.1.1.2.2");
/// id-tc26-gost3411-12-512 (Streebog-512), RFC 9215 §3.3.
pub const STREEBOG_512: ObjectIdentifier = oid("1.2.643.7.1.1.2.3");
/// id-tc26-hmac-gost-3411-12-256, RFC 7836 §4.1.
pub const HMAC_STREEBOG_256: ObjectIdentifier = oid("1.2.643.7.1.1.4.1");
/// id-tc26-hmac-gost-3411-12-512, RFC 7836 §4.1.
pub const HMAC_STREEBOG_512: ObjectIdentifier = oid("1.2.643.7.1.1.4.2");

/// id-GostR3410-2001-TestParamSet, RFC 4357 §11.4.
pub const GOST_R3410_2001_TEST: ObjectIdentifier = oid("1.2.643.2.2.35.0");
/// id-GostR3410-2001-CryptoPro-A-ParamSet, RFC 4357 §11.4.
pub const CRYPTOPRO_A: ObjectIdentifier = oid("1.2.643.2.2.35.1");
/// id-GostR3410-2001-CryptoPro-B-ParamSet, RFC 4357 §11.4.
pub const CRYPTOPRO_B: ObjectIdentifier = oid("1.2.643.2.2.35.2");
/// id-GostR3410-2001-CryptoPro-C-ParamSet, RFC 4357 §11.4.
pub const CRYPTOPRO_C: ObjectIdentifier = oid("1.2.643.2.2.35.3");
/// id-GostR3410-2001-CryptoPro-XchA-ParamSet (= CryptoPro-A's curve), RFC 4357 §11.4.
pub const CRYPTOPRO_XCH_A: ObjectIdentifier = oid("1.2.643.2.2.36.0");
/// id-GostR3410-2001-CryptoPro-XchB-ParamSet (= CryptoPro-C's curve), RFC 4357 §11.4.
pub const CRYPTOPRO_XCH_B: ObjectIdentifier = oid("1.2.643.2.2.36.1");

/// id-tc26-gost-3410-12-256-paramSetA, RFC 7836 App. A.2 / RFC 9215 App. C.
pub const TC26_256_A: ObjectIdentifier = oid("1.2.643.7.1.2.1.1.1");
/// id-tc26-gost-3410-12-256-paramSetB, RFC 9215 App. C.
pub const TC26_256_B: ObjectIdentifier = oid("1.2.643.7.1.2.1.1.2");
/// id-tc26-gost-3410-12-256-paramSetC, RFC 9215 App. C.
pub const TC26_256_C: ObjectIdentifier = oid("1.2.643.7.1.2.1.1.3");
/// id-tc26-gost-3410-12-256-paramSetD, RFC 9215 App. C.
pub const TC26_256_D: ObjectIdentifier = oid("1.2.643.7.1.2.1.1.4");
/// id-tc26-gost-3410-12-512-paramSetTest, RFC 9215 App. E.
pub const TC26_512_TEST: ObjectIdentifier = oid("1.2.643.7.1.2.1.2.0");
/// id-tc26-gost-3410-12-512-paramSetA, RFC 7836 App. A.1.
pub const TC26_512_A: ObjectIdentifier = oid("1.2.643.7.1.2.1.2.1");
/// id-tc26-gost-3410-12-512-paramSetB, RFC 7836 App. A.1.
pub const TC26_512_B: ObjectIdentifier = oid("1.2.643.7.1.2.1.2.2");
/// id-tc26-gost-3410-12-512-paramSetC, RFC 7836 App. A.1.
pub const TC26_512_C: ObjectIdentifier = oid("1.2.643.7.1.2.1.2.3");
