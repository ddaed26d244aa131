//! Certificate assembly with `x509-cert`'s `CertificateBuilder` around a signer callback: the
//! builder's `finalize` gives the DER TBSCertificate, the callback signs it (`s ‖ r`), and
//! `assemble` makes the certificate.

use std::error::Error as StdError;

use der::asn1::BitString;
use der::{Document, Encode};
use spki::{
    AlgorithmIdentifierOwned, DynSignatureAlgorithmIdentifier, EncodePublicKey,
    SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef,
};
use time::OffsetDateTime;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Validity;

use crate::cert::{Cert, to_x509_time};
use crate::verify::signature_algorithm_identifier;
use crate::{Error, Result};

/// Everything in a certificate but the signature.
#[derive(Clone, Debug)]
pub struct CertTemplate {
    /// Serial number, big-endian content octets (positive, at most 20 bytes).
    pub serial: Vec<u8>,
    /// Issuer name.
    pub issuer: Name,
    /// Subject name.
    pub subject: Name,
    /// notBefore.
    pub not_before: OffsetDateTime,
    /// notAfter.
    pub not_after: OffsetDateTime,
    /// The subject's public key.
    pub public_key: SubjectPublicKeyInfoOwned,
    /// Extensions, in order.
    pub extensions: Vec<Extension>,
}

/// A `BuilderProfile` that puts exactly the template's names and extensions in.
struct FixedProfile {
    subject: Name,
    issuer: Name,
    extensions: Vec<Extension>,
}

impl BuilderProfile for FixedProfile {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }
    fn get_subject(&self) -> Name {
        self.subject.clone()
    }
    fn build_extensions(
        &self,
        _spk: SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: SubjectPublicKeyInfoRef<'_>,
        _tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        Ok(self.extensions.clone())
    }
}

/// The issuer's public side, as the builder's trait bounds want it (no private key here: the
/// signature comes from the callback).
#[derive(Clone)]
struct IssuerKey {
    spki: SubjectPublicKeyInfoOwned,
    algorithm: AlgorithmIdentifierOwned,
}

impl signature::Keypair for IssuerKey {
    type VerifyingKey = IssuerKey;
    fn verifying_key(&self) -> IssuerKey {
        self.clone()
    }
}

impl EncodePublicKey for IssuerKey {
    fn to_public_key_der(&self) -> spki::Result<Document> {
        Ok(Document::try_from(self.spki.to_der()?)?)
    }
}

impl DynSignatureAlgorithmIdentifier for IssuerKey {
    fn signature_algorithm_identifier(&self) -> spki::Result<AlgorithmIdentifierOwned> {
        Ok(self.algorithm.clone())
    }
}

fn builder_error(e: x509_cert::builder::Error) -> Error {
    Error::Builder(e.to_string())
}

/// Builds and signs a certificate; `signer(tbs)` returns `s ‖ r` made with the key of
/// `issuer_spki`.
pub fn build_certificate<F, E>(
    template: &CertTemplate,
    issuer_spki: &SubjectPublicKeyInfoOwned,
    mut signer: F,
) -> Result<Cert>
where
    F: FnMut(&[u8]) -> Result<Vec<u8>, E>,
    E: Into<Box<dyn StdError + Send + Sync>>,
{
    let (algorithm, _) = gost::spki::from_spki(issuer_spki)?;
    let issuer_key = IssuerKey {
        spki: issuer_spki.clone(),
        algorithm: signature_algorithm_identifier(algorithm),
    };
    let profile = FixedProfile {
        subject: template.subject.clone(),
        issuer: template.issuer.clone(),
        extensions: template.extensions.clone(),
    };
    let validity = Validity::new(
        to_x509_time(template.not_before)?,
        to_x509_time(template.not_after)?,
    );
    let serial = SerialNumber::new(&template.serial)?;
    let mut builder =
        CertificateBuilder::new(profile, serial, validity, template.public_key.clone())
            .map_err(builder_error)?;
    let tbs = builder.finalize(&issuer_key).map_err(builder_error)?;
    let signature = signer(&tbs).map_err(|e| Error::Signer(e.into()))?;
    let cert = builder
        .assemble(BitString::from_bytes(&signature)?, &issuer_key)
        .map_err(builder_error)?;
    Cert::from_certificate(cert)
}
