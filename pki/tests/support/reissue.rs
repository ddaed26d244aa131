//! Helpers for the CA tests: a correct reissue of a fixture certificate, and its parts.
#![allow(
    dead_code,
    clippy::unwrap_used,
    reason = "test helpers; each test crate uses a subset"
)]

use gost::{ParamSet, Rng, Signature, SigningKey};
use rutoken_pki::ca::{ReissueInput, TestCa};
use rutoken_pki::fixtures::{self, Fixture, REISSUE_DATE};
use rutoken_pki::reissue::{ReissueDocument, request_hash};
use rutoken_pki::{Cert, Request};

use super::keys;

/// Everything the bank sends: request, document, its signature, the current certificate.
pub struct Reissue {
    pub request: Vec<u8>,
    pub document: Vec<u8>,
    pub signature: Signature,
    pub current: Vec<u8>,
    pub new_key: SigningKey,
}

impl Reissue {
    pub fn input(&self) -> ReissueInput<'_> {
        ReissueInput {
            request: &self.request,
            document: &self.document,
            document_signature: &self.signature,
            current_certificate: &self.current,
        }
    }
}

pub fn document_for(request: &Request, current: &Cert) -> ReissueDocument {
    let doc = ReissueDocument::for_request(REISSUE_DATE.date(), "37562", request, current);
    assert_eq!(doc.owner, "Иванов Иван Иванович");
    assert_eq!(doc.organisation, "3867XXXXXXXXXX");
    assert_eq!(doc.request_hash, request_hash(request.to_der()));
    doc
}

pub fn sign_document(signer: &Fixture, document: &[u8]) -> Signature {
    let algorithm = signer.key.algorithm;
    let digest = algorithm.digest().digest(document);
    signer
        .key
        .key
        .sign_digest(&digest, &mut Rng::from_seed(99))
        .unwrap()
}

/// A correct reissue of `current` (signed by its key) for a new key with `subject`.
pub fn reissue(current: &Fixture, param: ParamSet, subject: x509_cert::name::Name) -> Reissue {
    let (new_key, request) = keys::request(param, 42, subject);
    let document = document_for(&request, &current.cert).encode().unwrap();
    let signature = sign_document(current, &document);
    Reissue {
        request: request.to_der().to_vec(),
        document,
        signature,
        current: current.cert.to_der().to_vec(),
        new_key,
    }
}

pub fn owner() -> Fixture {
    fixtures::owner_current().unwrap()
}

pub fn ca() -> TestCa {
    TestCa::fixture(1).unwrap()
}
