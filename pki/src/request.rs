//! PKCS#10 certification requests (RFC 2986) for GOST keys: build with a signer callback, parse,
//! verify.
//!
//! The signer callback receives the DER `CertificationRequestInfo` and returns the X.509
//! signature value `s ‖ r` (RFC 9215 §2), so the same code serves a token (hash and sign through
//! APDUs) and a software key.

use std::error::Error as StdError;

use const_oid::AssociatedOid;
use der::asn1::{BitString, SetOfVec};
use der::{Decode, Encode};
use gost::{KeyAlgorithm, Rng, SigningKey, VerifyingKey};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::attr::Attribute;
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::request::{CertReq, CertReqInfo, ExtensionReq, Version};

use crate::ext::RequestedExtensions;
use crate::verify::{raw_tbs, sign_tbs, signature_algorithm_identifier, verify_tbs};
use crate::{Error, Result, encoding};

/// The content of a request before it is signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestInfo {
    /// The subject.
    pub subject: Name,
    /// The new public key.
    pub public_key: SubjectPublicKeyInfoOwned,
    /// The extensionRequest (omitted when empty).
    pub extensions: Vec<Extension>,
}

impl RequestInfo {
    /// A request for `key` (encoded per RFC 9215 §4) with the given extensions.
    pub fn new(
        subject: Name,
        key: &VerifyingKey,
        algorithm: KeyAlgorithm,
        extensions: &RequestedExtensions,
    ) -> Result<Self> {
        Ok(RequestInfo {
            subject,
            public_key: gost::spki::to_spki(key, algorithm),
            extensions: extensions.to_extensions()?,
        })
    }

    /// A request for a key given as DER SubjectPublicKeyInfo (what a token's public key read-back
    /// was turned into); the SPKI must be a GOST key.
    pub fn with_spki_der(
        subject: Name,
        spki_der: &[u8],
        extensions: &RequestedExtensions,
    ) -> Result<Self> {
        let public_key = SubjectPublicKeyInfoOwned::from_der(spki_der)?;
        gost::spki::from_spki(&public_key)?;
        Ok(RequestInfo {
            subject,
            public_key,
            extensions: extensions.to_extensions()?,
        })
    }

    /// The `CertificationRequestInfo`: version 0, subject, SPKI, attributes `[0]` holding the
    /// extensionRequest (RFC 2985 §5.4.2) when there are extensions.
    pub fn to_cert_req_info(&self) -> Result<CertReqInfo> {
        let mut attributes = SetOfVec::new();
        if !self.extensions.is_empty() {
            let attribute: Attribute = ExtensionReq(self.extensions.clone()).try_into()?;
            attributes.insert(attribute)?;
        }
        Ok(CertReqInfo {
            version: Version::V1,
            subject: self.subject.clone(),
            public_key: self.public_key.clone(),
            attributes,
        })
    }

    /// The bytes a signer signs: DER `CertificationRequestInfo`.
    pub fn to_be_signed(&self) -> Result<Vec<u8>> {
        Ok(self.to_cert_req_info()?.to_der()?)
    }

    /// Signs with a callback: `signer(tbs)` returns `s ‖ r` big-endian (64 or 128 bytes).
    pub fn sign_with<F, E>(&self, mut signer: F) -> Result<Request>
    where
        F: FnMut(&[u8]) -> Result<Vec<u8>, E>,
        E: Into<Box<dyn StdError + Send + Sync>>,
    {
        let (algorithm, _) = gost::spki::from_spki(&self.public_key)?;
        let info = self.to_cert_req_info()?;
        let tbs = info.to_der()?;
        let signature = signer(&tbs).map_err(|e| Error::Signer(e.into()))?;
        let req = CertReq {
            info,
            algorithm: signature_algorithm_identifier(algorithm),
            signature: BitString::from_bytes(&signature)?,
        };
        Request::from_cert_req(req)
    }

    /// Signs with a software key (its public key must be the one in the request).
    pub fn sign_with_key(&self, key: &SigningKey, rng: &mut Rng) -> Result<Request> {
        let (algorithm, public) = gost::spki::from_spki(&self.public_key)?;
        if public != key.verifying_key() {
            return Err(Error::KeyCertificateMismatch);
        }
        self.sign_with(|tbs| sign_tbs(key, algorithm, tbs, rng))
    }
}

/// A parsed PKCS#10 request, with its DER.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    req: CertReq,
    der: Vec<u8>,
}

/// What verifying a request proves: the key inside signed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedRequest {
    /// The key's algorithm.
    pub algorithm: KeyAlgorithm,
    /// The key in the request.
    pub key: VerifyingKey,
}

impl Request {
    /// Wraps a `CertReq`.
    pub fn from_cert_req(req: CertReq) -> Result<Self> {
        let der = req.to_der()?;
        Ok(Request { req, der })
    }

    /// Parses PEM (`CERTIFICATE REQUEST`) or DER.
    pub fn parse(input: &[u8]) -> Result<Self> {
        // Keep the DER as received, so hashes and signatures cover the sender's bytes.
        let (req, der) = encoding::decode::<CertReq>(input)?;
        Ok(Request { req, der })
    }

    /// The structure.
    pub fn cert_req(&self) -> &CertReq {
        &self.req
    }

    /// DER.
    pub fn to_der(&self) -> &[u8] {
        &self.der
    }

    /// PEM.
    pub fn to_pem(&self) -> Result<String> {
        encoding::to_pem(&self.req)
    }

    /// The subject.
    pub fn subject(&self) -> &Name {
        &self.req.info.subject
    }

    /// The public key.
    pub fn public_key(&self) -> Result<(KeyAlgorithm, VerifyingKey)> {
        Ok(gost::spki::from_spki(&self.req.info.public_key)?)
    }

    /// The extensions of the extensionRequest attribute (empty if none).
    pub fn extensions(&self) -> Result<Vec<Extension>> {
        let mut out = Vec::new();
        for attribute in self.req.info.attributes.iter() {
            if attribute.oid == ExtensionReq::OID {
                for value in attribute.values.iter() {
                    out.extend(Vec::<Extension>::from_der(&value.to_der()?)?);
                }
            }
        }
        Ok(out)
    }

    /// The extensions this crate understands.
    pub fn requested_extensions(&self) -> Result<RequestedExtensions> {
        RequestedExtensions::from_extensions(&self.extensions()?)
    }

    /// Verifies the signature (proof of possession): signature algorithm → GOST algorithm,
    /// digest of the DER `CertificationRequestInfo`, verification with the key inside.
    pub fn verify(&self) -> Result<VerifiedRequest> {
        let tbs = raw_tbs(&self.der)?;
        let (algorithm, key) = verify_tbs(
            &tbs,
            &self.req.algorithm,
            &self.req.signature,
            &self.req.info.public_key,
        )?;
        Ok(VerifiedRequest { algorithm, key })
    }
}
