//! The GOST 28147-89 parameter sets (S-boxes), named by their OIDs as `CKA_GOST28147_PARAMS`
//! and CMS name them: RFC 4357 §11.2 (the test set and CryptoPro A-D) and TC26's
//! id-tc26-gost-28147-param-Z, whose S-box is GOST R 34.12-2015's (RFC 8891 §4.1).

use const_oid::ObjectIdentifier;
use der::{Decode, Encode};

use crate::Error;

/// A GOST 28147-89 parameter set: its S-box and whether CryptoPro key meshing applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CipherParams {
    /// id-Gost28147-89-TestParamSet (1.2.643.2.2.31.0), RFC 4357 §11.2; no key meshing.
    Test,
    /// id-Gost28147-89-CryptoPro-A-ParamSet (1.2.643.2.2.31.1), RFC 4357 §11.2.
    CryptoProA,
    /// id-Gost28147-89-CryptoPro-B-ParamSet (1.2.643.2.2.31.2), RFC 4357 §11.2.
    CryptoProB,
    /// id-Gost28147-89-CryptoPro-C-ParamSet (1.2.643.2.2.31.3), RFC 4357 §11.2.
    CryptoProC,
    /// id-Gost28147-89-CryptoPro-D-ParamSet (1.2.643.2.2.31.4), RFC 4357 §11.2.
    CryptoProD,
    /// id-tc26-gost-28147-param-Z (1.2.643.7.1.2.5.1.1, TC26): the S-box of GOST R 34.12-2015
    /// Magma (RFC 8891 §4.1), used with CryptoPro key meshing.
    Tc26Z,
}

/// id-Gost28147-89-TestParamSet, RFC 4357 §10.3/§11.2.
pub const OID_TEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.2.2.31.0");
/// id-Gost28147-89-CryptoPro-A-ParamSet, RFC 4357 §11.2.
pub const OID_CRYPTOPRO_A: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.2.2.31.1");
/// id-Gost28147-89-CryptoPro-B-ParamSet, RFC 4357 §11.2.
pub const OID_CRYPTOPRO_B: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.2.2.31.2");
/// id-Gost28147-89-CryptoPro-C-ParamSet, RFC 4357 §11.2.
pub const OID_CRYPTOPRO_C: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.2.2.31.3");
/// id-Gost28147-89-CryptoPro-D-ParamSet, RFC 4357 §11.2.
pub const OID_CRYPTOPRO_D: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.2.2.31.4");
/// id-tc26-gost-28147-param-Z (TC26's arc 1.2.643.7.1.2.5; OpenSSL's `objects.txt` names it).
pub const OID_TC26_Z: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.7.1.2.5.1.1");

impl CipherParams {
    /// All six, in OID order.
    pub const ALL: [CipherParams; 6] = [
        CipherParams::Test,
        CipherParams::CryptoProA,
        CipherParams::CryptoProB,
        CipherParams::CryptoProC,
        CipherParams::CryptoProD,
        CipherParams::Tc26Z,
    ];

    /// The parameter set's OID.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            CipherParams::Test => OID_TEST,
            CipherParams::CryptoProA => OID_CRYPTOPRO_A,
            CipherParams::CryptoProB => OID_CRYPTOPRO_B,
            CipherParams::CryptoProC => OID_CRYPTOPRO_C,
            CipherParams::CryptoProD => OID_CRYPTOPRO_D,
            CipherParams::Tc26Z => OID_TC26_Z,
        }
    }

    /// The parameter set of an OID.
    pub fn from_oid(oid: &ObjectIdentifier) -> Result<Self, Error> {
        Self::ALL
            .into_iter()
            .find(|p| p.oid() == *oid)
            .ok_or_else(|| Error::UnknownOid(oid.to_string()))
    }

    /// From the DER encoding of the OID (tag 06 included): the form of PKCS#11's
    /// `CKA_GOST28147_PARAMS`.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let oid = ObjectIdentifier::from_der(der).map_err(|e| Error::Der(e.to_string()))?;
        Self::from_oid(&oid)
    }

    /// The DER encoding of the OID (`CKA_GOST28147_PARAMS`).
    pub fn to_der(self) -> Vec<u8> {
        // An OID of these sizes always encodes; an error here would be a bug in `der`.
        self.oid().to_der().unwrap_or_default()
    }

    /// The name OpenSSL's gost engine and the RFCs give it (`id-Gost28147-89-CryptoPro-A-ParamSet`…).
    pub fn name(self) -> &'static str {
        match self {
            CipherParams::Test => "id-Gost28147-89-TestParamSet",
            CipherParams::CryptoProA => "id-Gost28147-89-CryptoPro-A-ParamSet",
            CipherParams::CryptoProB => "id-Gost28147-89-CryptoPro-B-ParamSet",
            CipherParams::CryptoProC => "id-Gost28147-89-CryptoPro-C-ParamSet",
            CipherParams::CryptoProD => "id-Gost28147-89-CryptoPro-D-ParamSet",
            CipherParams::Tc26Z => "id-tc26-gost-28147-param-Z",
        }
    }

    /// Whether CFB, CNT and the MAC mesh the key every 1024 bytes (RFC 4357 §2.3.2). RFC 4357
    /// §11.2 gives `keyMeshing = cryptoPro` for CryptoPro A-D and none for the test set;
    /// TC26 keeps CryptoPro meshing with param-Z (the gost engine does the same).
    pub fn key_meshing(self) -> bool {
        !matches!(self, CipherParams::Test)
    }
}

/// The S-box of id-Gost28147-89-CryptoPro-D-ParamSet. `magma` 0.10's `CryptoProD` is not this
/// table: it is GOST R 34.11-94's CryptoPro S-box (id-GostR3411-94-CryptoProParamSet,
/// 1.2.643.2.2.30.1), and encrypting with it misses CryptoPro CSP's D-set vector
/// (`tests/gost28147_vectors.rs`). Rows K1 first, from RFC 4357 §11.2 as the gost engine
/// tabulates it (K8 first there).
pub enum Rfc4357CryptoProDSbox {}

impl magma::Sbox for Rfc4357CryptoProDSbox {
    const NAME: &'static str = "Rfc4357CryptoProD";
    const SBOX: [[u8; 16]; 8] = [
        [15, 12, 2, 10, 6, 4, 5, 0, 7, 9, 14, 13, 1, 11, 8, 3],
        [11, 6, 3, 4, 12, 15, 14, 2, 7, 13, 8, 0, 5, 10, 9, 1],
        [1, 12, 11, 0, 15, 14, 6, 5, 10, 13, 4, 8, 9, 3, 7, 2],
        [1, 5, 14, 12, 10, 7, 0, 13, 6, 2, 11, 4, 9, 3, 15, 8],
        [0, 12, 8, 9, 13, 2, 10, 11, 7, 3, 6, 5, 4, 14, 15, 1],
        [8, 0, 15, 3, 2, 5, 14, 11, 1, 10, 4, 7, 12, 9, 13, 6],
        [3, 0, 6, 15, 1, 14, 9, 2, 13, 8, 12, 4, 11, 10, 5, 7],
        [1, 10, 6, 8, 15, 11, 0, 4, 12, 3, 5, 9, 7, 13, 2, 14],
    ];
}

/// The S-box of id-Gost28147-89-TestParamSet, which the `magma` crate lacks (its `TestSbox`
/// is the one of the GOST R 34.11-94 examples, RFC 5831 §7.3, a different table).
///
/// Rows in the crate's order: row 0 substitutes the least significant nibble of the 32-bit
/// word (K1 of GOST 28147-89 §2.1), row 7 the most significant. The values are RFC 4357
/// §11.2's `id-Gost28147-89-TestParamSet` (as OpenSSL's gost engine tabulates it, K8 first, so
/// reversed here); `tests/gost28147_vectors.rs` checks them against the engine's output.
pub enum Rfc4357TestSbox {}

impl magma::Sbox for Rfc4357TestSbox {
    const NAME: &'static str = "Rfc4357Test";
    const SBOX: [[u8; 16]; 8] = [
        [4, 2, 15, 5, 9, 1, 0, 8, 14, 3, 11, 12, 13, 7, 10, 6],
        [12, 9, 15, 14, 8, 1, 3, 10, 2, 7, 4, 13, 6, 0, 11, 5],
        [13, 8, 14, 12, 7, 3, 9, 10, 1, 5, 2, 4, 6, 15, 0, 11],
        [14, 9, 11, 2, 5, 15, 7, 1, 0, 13, 12, 6, 10, 4, 3, 8],
        [3, 14, 5, 9, 6, 8, 0, 13, 10, 11, 7, 12, 2, 1, 15, 4],
        [8, 15, 6, 11, 1, 9, 12, 5, 13, 3, 7, 10, 0, 14, 2, 4],
        [9, 11, 12, 0, 3, 6, 7, 5, 4, 8, 14, 15, 1, 10, 2, 13],
        [12, 6, 5, 2, 11, 0, 9, 13, 3, 14, 7, 10, 15, 4, 1, 8],
    ];
}
