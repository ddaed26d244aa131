//! Why the test CA refuses to issue: one variant per check of `reissue-flow.md` step 4 (and the
//! checks that bind the reissue document to the request and the certificate).

use time::OffsetDateTime;

use crate::Error;
use crate::reissue::DocumentError;

/// A refusal to issue. Each variant is one failed check.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The PKCS#10 does not parse.
    #[error("the certificate request is malformed: {0}")]
    MalformedRequest(#[source] Error),
    /// The PKCS#10 signature does not verify with the key inside it (no proof of possession),
    /// or its signature algorithm does not fit the key.
    #[error("the certificate request's signature is invalid: {0}")]
    RequestSignatureInvalid(#[source] Error),
    /// The current certificate (the one being replaced) does not parse.
    #[error("the current certificate is malformed: {0}")]
    MalformedCurrentCertificate(#[source] Error),
    /// The reissue document's signature does not verify with the current certificate's key:
    /// it was signed by some other key.
    #[error("the reissue document is not signed by the current certificate's key")]
    DocumentSignatureInvalid,
    /// The current certificate was not issued by this CA (issuer name or signature).
    #[error("the current certificate was not issued by this CA")]
    NotIssuedByThisCa,
    /// The current certificate expired before the CA's "now".
    #[error("the current certificate expired on {not_after}")]
    CurrentCertificateExpired {
        /// Its notAfter.
        not_after: OffsetDateTime,
    },
    /// The current certificate is not valid yet at the CA's "now".
    #[error("the current certificate is not valid before {not_before}")]
    CurrentCertificateNotYetValid {
        /// Its notBefore.
        not_before: OffsetDateTime,
    },
    /// The reissue document does not decode.
    #[error("the reissue document is malformed: {0}")]
    MalformedDocument(#[source] DocumentError),
    /// The document names another certificate than the current one.
    #[error("the reissue document replaces certificate {document}, not the current {certificate}")]
    DocumentSerialMismatch {
        /// Serial in the document (tag 94).
        document: String,
        /// Serial of the current certificate.
        certificate: String,
    },
    /// The document's hash of the PKCS#10 (tag 95) is not the hash of this request.
    #[error("the reissue document is for another certificate request")]
    DocumentRequestMismatch,
    /// The request's subject differs from the current certificate's (or the bank's form).
    #[error("the request's subject does not match: expected {expected}, got {requested}")]
    SubjectMismatch {
        /// The subject the CA expects.
        expected: String,
        /// The subject in the request.
        requested: String,
    },
    /// The request is for the key of the current certificate: a reissue needs a new key.
    #[error("the request is for the current key; a reissue needs a new key pair")]
    KeyNotRenewed,
    /// The CA could not build or sign the certificate (not the requester's fault).
    #[error("the CA failed to issue: {0}")]
    Internal(#[source] Error),
}

impl Refusal {
    /// A stable snake_case name for scenarios and reports (`expect: {refused: <code>}`).
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::MalformedRequest(_) => "malformed_request",
            Refusal::RequestSignatureInvalid(_) => "request_signature_invalid",
            Refusal::MalformedCurrentCertificate(_) => "malformed_current_certificate",
            Refusal::DocumentSignatureInvalid => "document_signature_invalid",
            Refusal::NotIssuedByThisCa => "not_issued_by_this_ca",
            Refusal::CurrentCertificateExpired { .. } => "current_certificate_expired",
            Refusal::CurrentCertificateNotYetValid { .. } => "current_certificate_not_yet_valid",
            Refusal::MalformedDocument(_) => "malformed_document",
            Refusal::DocumentSerialMismatch { .. } => "document_serial_mismatch",
            Refusal::DocumentRequestMismatch => "document_request_mismatch",
            Refusal::SubjectMismatch { .. } => "subject_mismatch",
            Refusal::KeyNotRenewed => "key_not_renewed",
            Refusal::Internal(_) => "internal",
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn codes_are_distinct_snake_case() {
        let at = datetime!(2020-01-01 0:00 UTC);
        let all = [
            Refusal::MalformedRequest(Error::SignatureInvalid),
            Refusal::RequestSignatureInvalid(Error::SignatureInvalid),
            Refusal::MalformedCurrentCertificate(Error::SignatureInvalid),
            Refusal::DocumentSignatureInvalid,
            Refusal::NotIssuedByThisCa,
            Refusal::CurrentCertificateExpired { not_after: at },
            Refusal::CurrentCertificateNotYetValid { not_before: at },
            Refusal::MalformedDocument(DocumentError::BadTrailer),
            Refusal::DocumentSerialMismatch {
                document: String::new(),
                certificate: String::new(),
            },
            Refusal::DocumentRequestMismatch,
            Refusal::SubjectMismatch {
                expected: String::new(),
                requested: String::new(),
            },
            Refusal::KeyNotRenewed,
            Refusal::Internal(Error::SignatureInvalid),
        ];
        let codes: std::collections::BTreeSet<&str> = all.iter().map(Refusal::code).collect();
        assert_eq!(codes.len(), all.len());
        assert!(
            codes
                .iter()
                .all(|c| c.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        );
    }
}
