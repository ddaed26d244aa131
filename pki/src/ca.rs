//! The test CA «УЦ НотариПро (ТЕСТ)»: issues certificates from PKCS#10 requests after the checks
//! of `reissue-flow.md` step 4, each failure a named [`Refusal`]. Its clock is an argument, its
//! serials and signature nonces come from a seeded [`gost::Rng`], so runs are reproducible.

pub mod build;
pub mod policy;
pub mod profile;
pub mod refusal;

use std::collections::BTreeSet;

use gost::{Rng, Signature};
use time::OffsetDateTime;

pub use self::build::{CertTemplate, build_certificate};
pub use self::policy::IssuancePolicy;
pub use self::refusal::Refusal;
use crate::cert::{Cert, add_months};
use crate::key::PrivateKey;
use crate::reissue::{ReissueDocument, request_hash};
use crate::request::Request;
use crate::verify::{sign_tbs, verify_digest_of};
use crate::{Error, Result, name};

/// What the bank passes to the CA for a reissue (step 4).
#[derive(Clone, Copy, Debug)]
pub struct ReissueInput<'a> {
    /// The PKCS#10, DER or PEM.
    pub request: &'a [u8],
    /// The reissue document (SafeTouch TLV), as signed.
    pub document: &'a [u8],
    /// The document's signature by the current key.
    pub document_signature: &'a Signature,
    /// The certificate being replaced, DER or PEM.
    pub current_certificate: &'a [u8],
}

/// The bank's request form for the expired-certificate path: the subject the bank approved.
#[derive(Clone, Debug)]
pub struct RequestForm {
    /// The subject the new certificate must have.
    pub subject: x509_cert::name::Name,
}

/// A CA: its certificate, key, policy and state (issued serials, random source).
pub struct TestCa {
    cert: Cert,
    key: PrivateKey,
    key_id: Vec<u8>,
    policy: IssuancePolicy,
    rng: Rng,
    issued: BTreeSet<Vec<u8>>,
}

impl std::fmt::Debug for TestCa {
    /// The CA's name and state; never the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestCa")
            .field("subject", &name::display(self.cert.subject()))
            .field("issued", &self.issued.len())
            .finish_non_exhaustive()
    }
}

impl TestCa {
    /// A CA from any certificate and its key; `seed` drives serials and signature nonces.
    pub fn new(cert: Cert, key: PrivateKey, policy: IssuancePolicy, seed: u64) -> Result<Self> {
        let (_, public) = cert.public_key()?;
        if public != key.key.verifying_key() {
            return Err(Error::KeyCertificateMismatch);
        }
        let key_id = match cert.subject_key_id()? {
            Some(id) => id,
            None => profile::key_identifier(cert.spki())?,
        };
        Ok(TestCa {
            cert,
            key,
            key_id,
            policy,
            rng: Rng::from_seed(seed),
            issued: BTreeSet::new(),
        })
    }

    /// The fixture CA «УЦ НотариПро (ТЕСТ)» with the default policy.
    pub fn fixture(seed: u64) -> Result<Self> {
        let ca = crate::fixtures::ca()?;
        TestCa::new(ca.cert, ca.key, IssuancePolicy::default(), seed)
    }

    /// The CA certificate.
    pub fn certificate(&self) -> &Cert {
        &self.cert
    }

    /// The policy.
    pub fn policy(&self) -> &IssuancePolicy {
        &self.policy
    }

    /// Reissue (step 4): checks, in order, that the request's signature verifies with its own
    /// key; the current certificate was issued by this CA and is valid at `now`; the document's
    /// signature verifies with the current certificate's key; the document names the current
    /// certificate and this request; the subject is unchanged; the key is new. Then issues.
    /// (The certificate is judged before the signature made with its key, as a CA first asks
    /// whose certificate this is: a foreign or expired certificate is refused as such.)
    pub fn issue_reissue(
        &mut self,
        input: &ReissueInput<'_>,
        now: OffsetDateTime,
    ) -> Result<Cert, Refusal> {
        let request = Request::parse(input.request).map_err(Refusal::MalformedRequest)?;
        request.verify().map_err(Refusal::RequestSignatureInvalid)?;
        let current =
            Cert::parse(input.current_certificate).map_err(Refusal::MalformedCurrentCertificate)?;
        let (current_algorithm, current_key) = current
            .public_key()
            .map_err(Refusal::MalformedCurrentCertificate)?;
        current
            .verify_issued_by(&self.cert)
            .map_err(|_| Refusal::NotIssuedByThisCa)?;
        let not_before = current
            .not_before()
            .map_err(Refusal::MalformedCurrentCertificate)?;
        let not_after = current
            .not_after()
            .map_err(Refusal::MalformedCurrentCertificate)?;
        if now > not_after {
            return Err(Refusal::CurrentCertificateExpired { not_after });
        }
        if now < not_before {
            return Err(Refusal::CurrentCertificateNotYetValid { not_before });
        }
        verify_digest_of(
            &current_key,
            current_algorithm,
            input.document,
            input.document_signature,
        )
        .map_err(|_| Refusal::DocumentSignatureInvalid)?;
        let document =
            ReissueDocument::decode(input.document).map_err(Refusal::MalformedDocument)?;
        if !document
            .replaced_serial
            .eq_ignore_ascii_case(&current.serial_hex())
        {
            return Err(Refusal::DocumentSerialMismatch {
                document: document.replaced_serial,
                certificate: current.serial_hex(),
            });
        }
        if document.request_hash != request_hash(request.to_der()) {
            return Err(Refusal::DocumentRequestMismatch);
        }
        check_subject(current.subject(), request.subject())?;
        let (_, new_key) = request.public_key().map_err(Refusal::MalformedRequest)?;
        if new_key == current_key {
            return Err(Refusal::KeyNotRenewed);
        }
        self.issue(&request, now).map_err(Refusal::Internal)
    }

    /// The expired-certificate path: no old-key signature; the request must verify and carry the
    /// subject of the bank's form.
    pub fn issue_new(
        &mut self,
        request: &[u8],
        form: &RequestForm,
        now: OffsetDateTime,
    ) -> Result<Cert, Refusal> {
        let request = Request::parse(request).map_err(Refusal::MalformedRequest)?;
        request.verify().map_err(Refusal::RequestSignatureInvalid)?;
        check_subject(&form.subject, request.subject())?;
        self.issue(&request, now).map_err(Refusal::Internal)
    }

    /// Issues without checks (the caller has checked): new serial, the request's subject and
    /// key, validity from the policy, extensions from the request and the policy.
    pub fn issue(&mut self, request: &Request, now: OffsetDateTime) -> Result<Cert> {
        let requested = request.requested_extensions()?;
        let public_key = request.cert_req().info.public_key.clone();
        let not_after = add_months(now, self.policy.validity_months)?.min(self.cert.not_after()?);
        let template = CertTemplate {
            serial: self.next_serial(),
            issuer: self.cert.subject().clone(),
            subject: request.subject().clone(),
            not_before: now,
            not_after,
            extensions: profile::end_entity(&requested, &self.policy, &public_key, &self.key_id)?,
            public_key,
        };
        let cert = self.sign(&template)?;
        Ok(cert)
    }

    /// Signs a template with the CA key.
    pub fn sign(&mut self, template: &CertTemplate) -> Result<Cert> {
        let algorithm = self.key.algorithm;
        let key = &self.key.key;
        let rng = &mut self.rng;
        build_certificate(template, self.cert.spki(), |tbs| {
            sign_tbs(key, algorithm, tbs, rng)
        })
    }

    /// A fresh serial: 8 random bytes from the CA's stream, positive, first byte non-zero, never
    /// one issued before by this CA instance.
    fn next_serial(&mut self) -> Vec<u8> {
        loop {
            let mut serial = self.rng.next_u64().to_be_bytes().to_vec();
            serial[0] = (serial[0] & 0x7F).max(1);
            if self.issued.insert(serial.clone()) {
                return serial;
            }
        }
    }
}

/// Subjects match when they hold the same attributes with the same text (RDN order and string
/// types aside).
fn check_subject(
    expected: &x509_cert::name::Name,
    requested: &x509_cert::name::Name,
) -> Result<(), Refusal> {
    if name::canonical(expected) == name::canonical(requested) {
        Ok(())
    } else {
        Err(Refusal::SubjectMismatch {
            expected: name::display(expected),
            requested: name::display(requested),
        })
    }
}
