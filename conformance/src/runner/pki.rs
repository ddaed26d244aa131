//! The runner's use of `rutoken-pki`: the PKCS#10 with a signer callback (the token), the
//! reissue document in SafeTouch TLV, and the test CA. Everything the flow needs from the PKI
//! goes through this file.

use std::collections::BTreeMap;

/// Why the PKI part could not run (not a CA refusal: those are [`Submitted::Refused`]).
pub const NOT_MERGED: &str = "rutoken-pki is not merged yet: the PKCS#10, the reissue document and the test CA are unavailable";

/// The reissue document's fields (reissue-flow.md step 3.2).
#[derive(Debug, Clone)]
pub struct DocumentData {
    /// `DD.MM.YYYY`.
    pub date: String,
    /// Owner's full name.
    pub owner: String,
    /// Organisation.
    pub organisation: String,
    /// Request number.
    pub number: String,
    /// Serial of the replaced certificate, hex.
    pub replaced_serial: String,
}

/// What the CA answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// The new certificate, DER.
    Issued(Vec<u8>),
    /// A named refusal (`rutoken_pki::ca::Refusal` in snake_case).
    Refused(String),
}

/// Signs the DER `CertificationRequestInfo` (on the token); returns `s ‖ r` big-endian.
pub type Signer<'a> = dyn FnMut(&[u8]) -> Result<Vec<u8>, String> + 'a;

/// Builds and signs a PKCS#10. `signer` gets the DER `CertificationRequestInfo` and returns
/// the signature `s ‖ r` big-endian.
pub fn build_request(
    subject: &BTreeMap<String, String>,
    extended_key_usage: &[String],
    spki_der: &[u8],
    signer: &mut Signer<'_>,
) -> Result<Vec<u8>, String> {
    let _ = (subject, extended_key_usage, spki_der, signer);
    Err(NOT_MERGED.to_owned())
}

/// Encodes the reissue document (SafeTouch TLV, with the hash of the PKCS#10).
pub fn reissue_document(fields: &DocumentData, pkcs10_der: &[u8]) -> Result<Vec<u8>, String> {
    let _ = (fields, pkcs10_der);
    Err(NOT_MERGED.to_owned())
}

/// The test CA of one scenario, with its counters.
#[derive(Debug, Default)]
pub struct Ca {
    /// Requests that reached it.
    pub requests: usize,
    /// Certificates it issued.
    pub issued: usize,
}

impl Ca {
    /// The fixture CA, seeded.
    pub fn new(seed: u64) -> Result<Self, String> {
        let _ = seed;
        Ok(Ca::default())
    }

    /// The CA certificate, PEM.
    pub fn certificate_pem(&self) -> Option<String> {
        None
    }

    /// Reissue: checks of reissue-flow.md step 4, then a certificate or a named refusal.
    pub fn reissue(
        &mut self,
        pkcs10_der: &[u8],
        document: &[u8],
        document_signature: &[u8],
        current_certificate: &[u8],
        today: time::Date,
    ) -> Result<Submitted, String> {
        self.requests += 1;
        let _ = (
            pkcs10_der,
            document,
            document_signature,
            current_certificate,
            today,
        );
        Err(NOT_MERGED.to_owned())
    }

    /// A new certificate after expiry: PKCS#10 alone.
    pub fn issue_new(&mut self, pkcs10_der: &[u8], today: time::Date) -> Result<Submitted, String> {
        self.requests += 1;
        let _ = (pkcs10_der, today);
        Err(NOT_MERGED.to_owned())
    }
}
