//! The extensions of the certificates the test CA makes: end-entity (from a request and the
//! policy) and CA (self-signed roots of the fixtures).

use der::Encode;
use der::referenced::OwnedToRef;
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::certpolicy::PolicyInformation;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, CertificatePolicies, ExtendedKeyUsage, KeyUsage,
    KeyUsages, SubjectKeyIdentifier,
};

use crate::Result;
use crate::ca::policy::IssuancePolicy;
use crate::ext::{
    IssuerSignTool, OID_IDENTIFICATION_KIND, RequestedExtensions, extension, issuer_sign_tool,
    subject_sign_tool,
};

/// subjectKeyIdentifier by RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT
/// STRING (what OpenSSL computes too).
pub fn key_identifier(spki: &SubjectPublicKeyInfoOwned) -> Result<Vec<u8>> {
    let ski = SubjectKeyIdentifier::try_from(spki.owned_to_ref())?;
    Ok(ski.0.as_bytes().to_vec())
}

fn ski_ext(key_id: &[u8]) -> Result<Extension> {
    let ski = SubjectKeyIdentifier(der::asn1::OctetString::new(key_id)?);
    extension(
        const_oid::db::rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER,
        false,
        ski.to_der()?,
    )
}

fn aki_ext(issuer_key_id: &[u8]) -> Result<Extension> {
    let aki = AuthorityKeyIdentifier {
        key_identifier: Some(der::asn1::OctetString::new(issuer_key_id)?),
        ..Default::default()
    };
    extension(
        const_oid::db::rfc5280::ID_CE_AUTHORITY_KEY_IDENTIFIER,
        false,
        aki.to_der()?,
    )
}

fn basic_constraints(ca: bool) -> Result<Extension> {
    let bc = BasicConstraints {
        ca,
        path_len_constraint: ca.then_some(0),
    };
    extension(
        const_oid::db::rfc5280::ID_CE_BASIC_CONSTRAINTS,
        true,
        bc.to_der()?,
    )
}

fn policies_ext(policies: &[const_oid::ObjectIdentifier]) -> Result<Extension> {
    let policies = CertificatePolicies(
        policies
            .iter()
            .map(|oid| PolicyInformation {
                policy_identifier: *oid,
                policy_qualifiers: None,
            })
            .collect(),
    );
    extension(
        const_oid::db::rfc5280::ID_CE_CERTIFICATE_POLICIES,
        false,
        policies.to_der()?,
    )
}

/// End-entity extensions: basicConstraints CA:FALSE (critical), keyUsage (critical) and
/// extKeyUsage as requested ∩ allowed (else the policy default), certificatePolicies likewise,
/// SKI, AKI, subjectSignTool copied from the request, issuerSignTool, identificationKind copied.
pub fn end_entity(
    requested: &RequestedExtensions,
    policy: &IssuancePolicy,
    subject_spki: &SubjectPublicKeyInfoOwned,
    issuer_key_id: &[u8],
) -> Result<Vec<Extension>> {
    let mut key_usage = requested
        .key_usage
        .map(|ku| ku.0 & policy.allowed_key_usage)
        .unwrap_or_default();
    if key_usage.is_empty() {
        key_usage = policy.default_key_usage;
    }
    let mut eku: Vec<_> = requested
        .ext_key_usage
        .iter()
        .filter(|oid| policy.allowed_ext_key_usage.contains(oid))
        .copied()
        .collect();
    if eku.is_empty() {
        eku = policy.default_ext_key_usage.clone();
    }
    let mut policies: Vec<_> = requested
        .policies
        .iter()
        .filter(|oid| policy.allowed_policies.contains(oid))
        .copied()
        .collect();
    if policies.is_empty() {
        policies = policy.default_policies.clone();
    }
    let mut out = vec![
        basic_constraints(false)?,
        extension(
            const_oid::db::rfc5280::ID_CE_KEY_USAGE,
            true,
            KeyUsage(key_usage).to_der()?,
        )?,
        extension(
            const_oid::db::rfc5280::ID_CE_EXT_KEY_USAGE,
            false,
            ExtendedKeyUsage(eku).to_der()?,
        )?,
        policies_ext(&policies)?,
        ski_ext(&key_identifier(subject_spki)?)?,
        aki_ext(issuer_key_id)?,
    ];
    if let Some(tool) = &requested.subject_sign_tool {
        out.push(subject_sign_tool(tool)?);
    }
    out.push(issuer_sign_tool(&policy.issuer_sign_tool)?);
    if let Some(kind) = requested.identification_kind {
        out.push(extension(OID_IDENTIFICATION_KIND, false, kind.to_der()?)?);
    }
    Ok(out)
}

/// CA extensions: basicConstraints CA:TRUE pathLen 0 (critical), keyUsage keyCertSign|cRLSign
/// (+digitalSignature), SKI, subjectSignTool and issuerSignTool.
pub fn ca(spki: &SubjectPublicKeyInfoOwned, tool: &IssuerSignTool) -> Result<Vec<Extension>> {
    let ku = KeyUsage(KeyUsages::DigitalSignature | KeyUsages::KeyCertSign | KeyUsages::CRLSign);
    Ok(vec![
        basic_constraints(true)?,
        extension(const_oid::db::rfc5280::ID_CE_KEY_USAGE, true, ku.to_der()?)?,
        ski_ext(&key_identifier(spki)?)?,
        subject_sign_tool(&tool.sign_tool)?,
        issuer_sign_tool(tool)?,
    ])
}
