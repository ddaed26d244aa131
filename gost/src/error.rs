//! The one error type of the `gost` crate.

/// Everything that can go wrong with GOST keys, signatures and encodings.
///
/// Bad input always ends here with a name, never in a panic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A parameter-set name that none of the sets (or their aliases) carries.
    #[error("unknown GOST parameter set name {0:?}")]
    UnknownParamSetName(String),
    /// An OID that names no parameter set, key algorithm or digest this crate knows.
    #[error("unknown GOST OID {0}")]
    UnknownOid(String),
    /// A byte string of the wrong length (a digest, key, point or signature).
    #[error("{what}: expected {expected} bytes, got {actual}")]
    InvalidLength {
        /// What was being decoded.
        what: &'static str,
        /// The length it must have.
        expected: usize,
        /// The length it had.
        actual: usize,
    },
    /// A public key whose point is not on the parameter set's curve (or is the identity).
    #[error("the public key is not a point of the curve")]
    PointNotOnCurve,
    /// A private key that is 0 or not below the group order q.
    #[error("the private key is out of range (must be 0 < d < q)")]
    PrivateKeyOutOfRange,
    /// A caller-chosen nonce k that is 0 or not below q (known-answer tests only).
    #[error("the nonce k is out of range (must be 0 < k < q)")]
    NonceOutOfRange,
    /// A signature whose r or s is 0 or not below q (RFC 7091 §6.2 step 1).
    #[error("signature r or s out of range (must be 0 < r, s < q)")]
    SignatureOutOfRange,
    /// The signature does not verify (RFC 7091 §6.2 step 7).
    #[error("signature verification failed")]
    VerificationFailed,
    /// A key of one parameter set used with data of another size.
    #[error("parameter set mismatch: {0}")]
    ParamSetMismatch(&'static str),
    /// A base-point multiplication that could not be computed: the parameter set's precomputed
    /// table did not build, or k·P came out as the identity (neither happens for the published
    /// curves and 0 < k < q; this names the cause instead of returning a made-up point).
    #[error("cannot compute k·P on the base point: {0}")]
    BasePointMultiplication(&'static str),
    /// Data for a block mode (ECB, key wrap) whose length is not a multiple of 8 bytes.
    #[error("{what}: {len} bytes is not a multiple of the 8-byte block")]
    NotBlockAligned {
        /// What was being processed.
        what: &'static str,
        /// Its length.
        len: usize,
    },
    /// A MAC length outside 1..=8 bytes.
    #[error("MAC length {0} is out of range (1 to 8 bytes)")]
    InvalidMacLength(usize),
    /// A wrapped key whose MAC does not match: wrong KEK, wrong UKM or damaged data.
    #[error("key unwrap failed: the wrapped key's MAC does not match")]
    KeyUnwrapFailed,
    /// A UKM of zero, which VKO cannot use (the shared point would be the identity).
    #[error("the UKM is zero")]
    ZeroUkm,
    /// DER that does not decode as the expected structure.
    #[error("malformed DER: {0}")]
    Der(String),
}
