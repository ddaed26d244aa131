//! The one error type of the `rutoken-pki` crate (the CA's refusals are [`crate::ca::Refusal`]).

use std::path::PathBuf;

/// Everything that can go wrong building, parsing or verifying requests, certificates, keys and
/// reissue documents. Bad input always ends here with a name, never in a panic.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// DER that does not decode as the expected ASN.1 structure (or cannot be encoded).
    #[error("malformed DER: {0}")]
    Der(#[from] der::Error),
    /// Input that is neither DER nor PEM with the expected label.
    #[error("expected PEM with label {expected:?} or DER: {reason}")]
    Pem {
        /// The PEM label we looked for (`CERTIFICATE`, `CERTIFICATE REQUEST`, `PRIVATE KEY`).
        expected: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// A GOST key, signature or OID problem reported by the `gost` crate.
    #[error("GOST: {0}")]
    Gost(#[from] gost::Error),
    /// A signature algorithm OID that is not one of the GOST signature-with-digest algorithms.
    #[error("unsupported signature algorithm {0}")]
    UnsupportedSignatureAlgorithm(String),
    /// The signature algorithm does not belong to the public key's algorithm (e.g. a 512-bit
    /// signature OID on a 256-bit key).
    #[error("signature algorithm {signature:?} does not match the key algorithm {key:?}")]
    AlgorithmMismatch {
        /// What the signature algorithm OID names.
        signature: gost::KeyAlgorithm,
        /// What the public key is.
        key: gost::KeyAlgorithm,
    },
    /// A signature BIT STRING with unused bits (GOST signatures are whole octets, RFC 9215 §2).
    #[error("the signature BIT STRING has unused bits")]
    SignatureBitString,
    /// The signature does not verify with the key.
    #[error("signature verification failed")]
    SignatureInvalid,
    /// The signer callback failed (the token refused, the user rejected, …).
    #[error("the signer failed: {0}")]
    Signer(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A subject attribute value that its ASN.1 string type cannot carry.
    #[error("subject attribute {attribute}: {reason}")]
    InvalidAttributeValue {
        /// The attribute's short name (`INN`, `C`, …).
        attribute: &'static str,
        /// What is wrong with the value.
        reason: &'static str,
    },
    /// A date the certificate time types cannot represent.
    #[error("invalid time: {0}")]
    InvalidTime(String),
    /// A private key file that is not a GOST PKCS#8 key.
    #[error("malformed private key: {0}")]
    PrivateKey(&'static str),
    /// A certificate that is not the one expected (fixtures: key and certificate disagree).
    #[error("the certificate's public key does not match the private key")]
    KeyCertificateMismatch,
    /// `x509-cert`'s certificate builder refused the template.
    #[error("certificate builder: {0}")]
    Builder(String),
    /// A certificate whose issuer name is not the subject of the certificate it was checked
    /// against.
    #[error("the certificate's issuer is not the given issuer certificate's subject")]
    IssuerMismatch,
    /// A SafeTouch TLV reissue document that does not decode.
    #[error("reissue document: {0}")]
    Document(#[from] crate::reissue::DocumentError),
    /// Reading or writing a file.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// This crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
