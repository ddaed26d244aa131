//! Parameter sets (curves) and key algorithms.
//!
//! Contract for the rest of the workspace (the implementation may add, not change):
//! names are `"256-test"`, `"256-A"`, `"256-B"`, `"256-C"`, `"256-D"`, `"512-test"`, `"512-A"`,
//! `"512-B"`, `"512-C"`; `from_name` also takes (case-insensitively) `cryptopro-a|b|c`,
//! `xcha`, `xchb`, `tc26-256-a` … and the OID in dotted form.

#[cfg(test)]
mod checks;
pub(crate) mod params;

use const_oid::ObjectIdentifier;

use crate::{DigestAlgorithm, Error, oid};

/// A GOST R 34.10 elliptic-curve parameter set (RFC 4357 §11.4, RFC 7836 App. A, RFC 9215 App. C).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ParamSet {
    /// id-GostR3410-2001-TestParamSet, 1.2.643.2.2.35.0 (RFC 7091 §7 example curve). Tests only.
    Gost256Test,
    /// id-tc26-gost-3410-2012-256-paramSetA, 1.2.643.7.1.2.1.1.1 (twisted Edwards, RFC 7836).
    Gost256A,
    /// id-tc26-gost-3410-2012-256-paramSetB = CryptoPro-A (1.2.643.2.2.35.1) = XchA.
    Gost256B,
    /// id-tc26-gost-3410-2012-256-paramSetC = CryptoPro-B (1.2.643.2.2.35.2).
    Gost256C,
    /// id-tc26-gost-3410-2012-256-paramSetD = CryptoPro-C (1.2.643.2.2.35.3) = XchB.
    Gost256D,
    /// id-tc26-gost-3410-2012-512-paramSetTest, 1.2.643.7.1.2.1.2.0. Tests only.
    Gost512Test,
    /// id-tc26-gost-3410-2012-512-paramSetA, 1.2.643.7.1.2.1.2.1.
    Gost512A,
    /// id-tc26-gost-3410-2012-512-paramSetB, 1.2.643.7.1.2.1.2.2.
    Gost512B,
    /// id-tc26-gost-3410-2012-512-paramSetC, 1.2.643.7.1.2.1.2.3 (twisted Edwards).
    Gost512C,
}

/// Key size: 256-bit or 512-bit GOST R 34.10-2012 (2001 keys are 256-bit).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeySize {
    /// 32-byte scalars, 64-byte public keys and signatures.
    Bits256,
    /// 64-byte scalars, 128-byte public keys and signatures.
    Bits512,
}

impl ParamSet {
    /// Every parameter set, test sets included.
    pub const ALL: [ParamSet; 9] = [
        ParamSet::Gost256Test,
        ParamSet::Gost256A,
        ParamSet::Gost256B,
        ParamSet::Gost256C,
        ParamSet::Gost256D,
        ParamSet::Gost512Test,
        ParamSet::Gost512A,
        ParamSet::Gost512B,
        ParamSet::Gost512C,
    ];

    /// The short name used on the command line, in scenarios and bench ids (`"256-A"`).
    pub fn name(self) -> &'static str {
        match self {
            ParamSet::Gost256Test => "256-test",
            ParamSet::Gost256A => "256-A",
            ParamSet::Gost256B => "256-B",
            ParamSet::Gost256C => "256-C",
            ParamSet::Gost256D => "256-D",
            ParamSet::Gost512Test => "512-test",
            ParamSet::Gost512A => "512-A",
            ParamSet::Gost512B => "512-B",
            ParamSet::Gost512C => "512-C",
        }
    }
    /// Parses a name or alias (see the module docs).
    pub fn from_name(name: &str) -> Result<Self, Error> {
        let lower = name.trim().to_ascii_lowercase();
        let found = match lower.as_str() {
            "256-test" | "2001-test" | "test" | "cryptopro-test" => Some(ParamSet::Gost256Test),
            "256-a" | "tc26-256-a" => Some(ParamSet::Gost256A),
            "256-b" | "tc26-256-b" | "cryptopro-a" | "xcha" => Some(ParamSet::Gost256B),
            "256-c" | "tc26-256-c" | "cryptopro-b" => Some(ParamSet::Gost256C),
            "256-d" | "tc26-256-d" | "cryptopro-c" | "xchb" => Some(ParamSet::Gost256D),
            "512-test" | "tc26-512-test" => Some(ParamSet::Gost512Test),
            "512-a" | "tc26-512-a" => Some(ParamSet::Gost512A),
            "512-b" | "tc26-512-b" => Some(ParamSet::Gost512B),
            "512-c" | "tc26-512-c" => Some(ParamSet::Gost512C),
            _ => None,
        };
        if let Some(param) = found {
            return Ok(param);
        }
        ObjectIdentifier::new(&lower)
            .ok()
            .and_then(|oid| ParamSet::from_oid(&oid).ok())
            .ok_or_else(|| Error::UnknownParamSetName(name.to_owned()))
    }
    /// The canonical OID: the tc26 one for 2012 sets, 1.2.643.2.2.35.0 for the 2001 test set.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            ParamSet::Gost256Test => oid::GOST_R3410_2001_TEST,
            ParamSet::Gost256A => oid::TC26_256_A,
            ParamSet::Gost256B => oid::TC26_256_B,
            ParamSet::Gost256C => oid::TC26_256_C,
            ParamSet::Gost256D => oid::TC26_256_D,
            ParamSet::Gost512Test => oid::TC26_512_TEST,
            ParamSet::Gost512A => oid::TC26_512_A,
            ParamSet::Gost512B => oid::TC26_512_B,
            ParamSet::Gost512C => oid::TC26_512_C,
        }
    }
    /// The CryptoPro OID of the same curve (B, C, D, and the test set), as GOST R 34.10-2001
    /// keys and OpenSC 0.23 name them.
    pub fn cryptopro_oid(self) -> Option<ObjectIdentifier> {
        match self {
            ParamSet::Gost256Test => Some(oid::GOST_R3410_2001_TEST),
            ParamSet::Gost256B => Some(oid::CRYPTOPRO_A),
            ParamSet::Gost256C => Some(oid::CRYPTOPRO_B),
            ParamSet::Gost256D => Some(oid::CRYPTOPRO_C),
            _ => None,
        }
    }
    /// Any OID naming this curve: tc26, CryptoPro and the XchA/XchB aliases.
    pub fn from_oid(oid: &ObjectIdentifier) -> Result<Self, Error> {
        let found = ParamSet::ALL
            .into_iter()
            .find(|p| p.oid() == *oid || p.cryptopro_oid() == Some(*oid));
        match found {
            Some(param) => Ok(param),
            None if *oid == oid::CRYPTOPRO_XCH_A => Ok(ParamSet::Gost256B),
            None if *oid == oid::CRYPTOPRO_XCH_B => Ok(ParamSet::Gost256D),
            None => Err(Error::UnknownOid(oid.to_string())),
        }
    }
    /// 256 or 512.
    pub fn size(self) -> KeySize {
        match self {
            ParamSet::Gost512Test
            | ParamSet::Gost512A
            | ParamSet::Gost512B
            | ParamSet::Gost512C => KeySize::Bits512,
            _ => KeySize::Bits256,
        }
    }
    /// Bytes in a scalar or a coordinate: 32 or 64.
    pub fn scalar_len(self) -> usize {
        match self.size() {
            KeySize::Bits256 => 32,
            KeySize::Bits512 => 64,
        }
    }
    /// True for the two test sets, which RFC 9215 forbids outside testing.
    pub fn is_test(self) -> bool {
        matches!(self, ParamSet::Gost256Test | ParamSet::Gost512Test)
    }
}

/// A GOST public-key algorithm (what goes in SubjectPublicKeyInfo.algorithm).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyAlgorithm {
    /// GOST R 34.10-2001, 1.2.643.2.2.19, hashed with GOST R 34.11-94 (CryptoPro parameters).
    Gost2001,
    /// GOST R 34.10-2012 256-bit, 1.2.643.7.1.1.1.1, hashed with Streebog-256.
    Gost2012_256,
    /// GOST R 34.10-2012 512-bit, 1.2.643.7.1.1.1.2, hashed with Streebog-512.
    Gost2012_512,
}

impl KeyAlgorithm {
    /// The 2012 algorithm for a parameter set's size.
    pub fn gost2012_for(param: ParamSet) -> Self {
        match param.size() {
            KeySize::Bits256 => KeyAlgorithm::Gost2012_256,
            KeySize::Bits512 => KeyAlgorithm::Gost2012_512,
        }
    }
    /// The public-key algorithm OID.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            KeyAlgorithm::Gost2001 => oid::GOST_R3410_2001,
            KeyAlgorithm::Gost2012_256 => oid::GOST_R3410_2012_256,
            KeyAlgorithm::Gost2012_512 => oid::GOST_R3410_2012_512,
        }
    }
    /// Parses a public-key algorithm OID.
    pub fn from_oid(oid: &ObjectIdentifier) -> Result<Self, Error> {
        [
            KeyAlgorithm::Gost2001,
            KeyAlgorithm::Gost2012_256,
            KeyAlgorithm::Gost2012_512,
        ]
        .into_iter()
        .find(|alg| alg.oid() == *oid)
        .ok_or_else(|| Error::UnknownOid(oid.to_string()))
    }
    /// The signature-with-digest algorithm OID (1.2.643.2.2.3, 1.2.643.7.1.1.3.2, …3.3).
    pub fn signature_oid(self) -> ObjectIdentifier {
        match self {
            KeyAlgorithm::Gost2001 => oid::SIGN_GOST_R3411_94_WITH_3410_2001,
            KeyAlgorithm::Gost2012_256 => oid::SIGN_WITH_DIGEST_2012_256,
            KeyAlgorithm::Gost2012_512 => oid::SIGN_WITH_DIGEST_2012_512,
        }
    }
    /// The algorithm whose signature-with-digest OID this is.
    pub fn from_signature_oid(oid: &ObjectIdentifier) -> Result<Self, Error> {
        [
            KeyAlgorithm::Gost2001,
            KeyAlgorithm::Gost2012_256,
            KeyAlgorithm::Gost2012_512,
        ]
        .into_iter()
        .find(|alg| alg.signature_oid() == *oid)
        .ok_or_else(|| Error::UnknownOid(oid.to_string()))
    }
    /// The digest this algorithm signs with.
    pub fn digest(self) -> DigestAlgorithm {
        match self {
            KeyAlgorithm::Gost2001 => DigestAlgorithm::Gost94CryptoPro,
            KeyAlgorithm::Gost2012_256 => DigestAlgorithm::Streebog256,
            KeyAlgorithm::Gost2012_512 => DigestAlgorithm::Streebog512,
        }
    }
}

impl KeyAlgorithm {
    /// The key size this algorithm uses.
    pub fn size(self) -> KeySize {
        match self {
            KeyAlgorithm::Gost2001 | KeyAlgorithm::Gost2012_256 => KeySize::Bits256,
            KeyAlgorithm::Gost2012_512 => KeySize::Bits512,
        }
    }
}
