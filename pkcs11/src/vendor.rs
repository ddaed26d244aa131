//! The TC26 vendor codes for GOST R 34.10-2012 / 34.11-2012 ("PKCS#11 extensions for GOST R
//! 34.10-2012 and GOST R 34.11-2012", TC26), as OpenSC's `pkcs11.h` and Aktiv's wrappers
//! (AktivCo/pkcs11wrapper, AktivCo/RutokenPkcs11Interop) define them. `cryptoki-sys` has the
//! PKCS#11 v2.40 GOST codes (CKK_GOSTR3410, CKM_GOSTR3410*, CKA_GOSTR3410_PARAMS …) but not these.

use cryptoki_sys::{CK_KEY_TYPE, CK_MECHANISM_TYPE, CK_ULONG};

/// `NSSCK_VENDOR_PKCS11_RU_TEAM` = `CKK_VENDOR_DEFINED | 0x54321000` (OpenSC `pkcs11.h`;
/// Aktiv: `CK_VENDOR_PKCS11_RU_TEAM_TC26`).
pub const VENDOR_PKCS11_RU_TEAM: CK_ULONG = 0x8000_0000 | 0x5432_1000;

/// `CKK_GOSTR3410_512` (RU_TEAM | 0x003): GOST R 34.10-2012 512-bit keys.
pub const CKK_GOSTR3410_512: CK_KEY_TYPE = VENDOR_PKCS11_RU_TEAM | 0x003;
/// `CKM_GOSTR3410_512_KEY_PAIR_GEN` (RU_TEAM | 0x005).
pub const CKM_GOSTR3410_512_KEY_PAIR_GEN: CK_MECHANISM_TYPE = VENDOR_PKCS11_RU_TEAM | 0x005;
/// `CKM_GOSTR3410_512` (RU_TEAM | 0x006): sign a 64-byte host digest.
pub const CKM_GOSTR3410_512: CK_MECHANISM_TYPE = VENDOR_PKCS11_RU_TEAM | 0x006;
/// `CKM_GOSTR3410_WITH_GOSTR3411_12_256` (RU_TEAM | 0x008): hash with Streebog-256 and sign.
pub const CKM_GOSTR3410_WITH_GOSTR3411_12_256: CK_MECHANISM_TYPE = VENDOR_PKCS11_RU_TEAM | 0x008;
/// `CKM_GOSTR3410_WITH_GOSTR3411_12_512` (RU_TEAM | 0x009): hash with Streebog-512 and sign.
pub const CKM_GOSTR3410_WITH_GOSTR3411_12_512: CK_MECHANISM_TYPE = VENDOR_PKCS11_RU_TEAM | 0x009;
/// `CKM_GOSTR3411_12_256` (RU_TEAM | 0x012): Streebog-256.
pub const CKM_GOSTR3411_12_256: CK_MECHANISM_TYPE = VENDOR_PKCS11_RU_TEAM | 0x012;
/// `CKM_GOSTR3411_12_512` (RU_TEAM | 0x013): Streebog-512.
pub const CKM_GOSTR3411_12_512: CK_MECHANISM_TYPE = VENDOR_PKCS11_RU_TEAM | 0x013;

/// DER of id-GostR3411-94-CryptoProParamSet (1.2.643.2.2.30.1): the `CKA_GOSTR3411_PARAMS` of
/// GOST R 34.10-2001 keys (OpenSC pkcs11-tool's `GOST_HASH2001_PARAMSET_OID`).
pub const HASH_PARAMS_2001: &[u8] = &[0x06, 0x07, 0x2A, 0x85, 0x03, 0x02, 0x02, 0x1E, 0x01];
/// DER of id-tc26-gost3411-12-256 (1.2.643.7.1.1.2.2), RFC 9215 §3.3.
pub const HASH_PARAMS_2012_256: &[u8] =
    &[0x06, 0x08, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x02];
/// DER of id-tc26-gost3411-12-512 (1.2.643.7.1.1.2.3), RFC 9215 §3.3.
pub const HASH_PARAMS_2012_512: &[u8] =
    &[0x06, 0x08, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x03];

/// `CKA_VENDOR_DEFINED` (PKCS#11 v2.40 §4.1: `0x80000000`).
const CKA_VENDOR_DEFINED: CK_ULONG = 0x8000_0000;
/// `CKA_VENDOR_KEY_PIN_ENTER` (`CKA_VENDOR_DEFINED | 0x2000`, CK_BBOOL; Aktiv's `rtpkcs11t.h`
/// as AktivCo/RutokenPkcs11Interop's `Extended_CKA` and pkcs11jna declare it): the operation
/// needs the PIN typed on a PINPad; deprecated by Aktiv.
pub const CKA_VENDOR_KEY_PIN_ENTER: CK_ULONG = CKA_VENDOR_DEFINED | 0x2000;
/// `CKA_VENDOR_KEY_CONFIRM_OP` (`| 0x2001`, CK_BBOOL, same source): signing needs the
/// owner's confirmation on the device.
pub const CKA_VENDOR_KEY_CONFIRM_OP: CK_ULONG = CKA_VENDOR_DEFINED | 0x2001;
/// `CKA_VENDOR_KEY_JOURNAL` (`| 0x2002`, CK_BBOOL, same source): the key pair that signs the
/// token's journal.
pub const CKA_VENDOR_KEY_JOURNAL: CK_ULONG = CKA_VENDOR_DEFINED | 0x2002;
/// `CKA_VENDOR_CONFIRM_BY_TOUCH` (`| 0x2003`, CK_BBOOL, same source): a token with a button
/// signs only after a press.
pub const CKA_VENDOR_CONFIRM_BY_TOUCH: CK_ULONG = CKA_VENDOR_DEFINED | 0x2003;
