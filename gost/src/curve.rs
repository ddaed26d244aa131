//! Parameter sets (curves) and key algorithms.
//!
//! Contract for the rest of the workspace (the implementation may add, not change):
//! names are `"256-test"`, `"256-A"`, `"256-B"`, `"256-C"`, `"256-D"`, `"512-test"`, `"512-A"`,
//! `"512-B"`, `"512-C"`; `from_name` also takes (case-insensitively) `cryptopro-a|b|c`,
//! `xcha`, `xchb`, `tc26-256-a` … and the OID in dotted form.

use const_oid::ObjectIdentifier;

use crate::{DigestAlgorithm, Error};

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
        todo!()
    }
    /// Parses a name or alias (see the module docs).
    pub fn from_name(name: &str) -> Result<Self, Error> {
        let _ = name;
        todo!()
    }
    /// The canonical OID: the tc26 one for 2012 sets, 1.2.643.2.2.35.0 for the 2001 test set.
    pub fn oid(self) -> ObjectIdentifier {
        todo!()
    }
    /// The CryptoPro OID of the same curve (B, C, D, and the test set), as GOST R 34.10-2001
    /// keys and OpenSC 0.23 name them.
    pub fn cryptopro_oid(self) -> Option<ObjectIdentifier> {
        todo!()
    }
    /// Any OID naming this curve: tc26, CryptoPro and the XchA/XchB aliases.
    pub fn from_oid(oid: &ObjectIdentifier) -> Result<Self, Error> {
        let _ = oid;
        todo!()
    }
    /// 256 or 512.
    pub fn size(self) -> KeySize {
        todo!()
    }
    /// Bytes in a scalar or a coordinate: 32 or 64.
    pub fn scalar_len(self) -> usize {
        todo!()
    }
    /// True for the two test sets, which RFC 9215 forbids outside testing.
    pub fn is_test(self) -> bool {
        todo!()
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
        let _ = param;
        todo!()
    }
    /// The public-key algorithm OID.
    pub fn oid(self) -> ObjectIdentifier {
        todo!()
    }
    /// Parses a public-key algorithm OID.
    pub fn from_oid(oid: &ObjectIdentifier) -> Result<Self, Error> {
        let _ = oid;
        todo!()
    }
    /// The signature-with-digest algorithm OID (1.2.643.2.2.3, 1.2.643.7.1.1.3.2, …3.3).
    pub fn signature_oid(self) -> ObjectIdentifier {
        todo!()
    }
    /// The algorithm whose signature-with-digest OID this is.
    pub fn from_signature_oid(oid: &ObjectIdentifier) -> Result<Self, Error> {
        let _ = oid;
        todo!()
    }
    /// The digest this algorithm signs with.
    pub fn digest(self) -> DigestAlgorithm {
        todo!()
    }
}
