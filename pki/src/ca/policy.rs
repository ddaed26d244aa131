//! What the test CA puts into the certificates it issues.

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5280::{ID_KP_CLIENT_AUTH, ID_KP_EMAIL_PROTECTION};
use x509_cert::der::flagset::FlagSet;
use x509_cert::ext::pkix::KeyUsages;

use crate::ext::{IssuerSignTool, OID_POLICY_KC1, OID_POLICY_KC2};

/// The issuing policy: validity and the extensions allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuancePolicy {
    /// Validity of issued certificates in calendar months (clamped to the CA's own notAfter).
    pub validity_months: u32,
    /// keyUsage bits a request may get; others are dropped.
    pub allowed_key_usage: FlagSet<KeyUsages>,
    /// keyUsage when the request asks for none (or only disallowed bits).
    pub default_key_usage: FlagSet<KeyUsages>,
    /// extKeyUsage purposes a request may get.
    pub allowed_ext_key_usage: Vec<ObjectIdentifier>,
    /// extKeyUsage when the request asks for none allowed.
    pub default_ext_key_usage: Vec<ObjectIdentifier>,
    /// Certificate policies a request may get.
    pub allowed_policies: Vec<ObjectIdentifier>,
    /// Certificate policies when the request asks for none allowed.
    pub default_policies: Vec<ObjectIdentifier>,
    /// The issuerSignTool extension's value.
    pub issuer_sign_tool: IssuerSignTool,
}

impl Default for IssuancePolicy {
    /// 15 months (a common term for bank client certificates), signing and key-exchange key
    /// usages, clientAuth and emailProtection, policies KC1/KC2.
    fn default() -> Self {
        IssuancePolicy {
            validity_months: 15,
            allowed_key_usage: KeyUsages::DigitalSignature
                | KeyUsages::NonRepudiation
                | KeyUsages::KeyEncipherment
                | KeyUsages::DataEncipherment
                | KeyUsages::KeyAgreement,
            default_key_usage: KeyUsages::DigitalSignature | KeyUsages::NonRepudiation,
            allowed_ext_key_usage: vec![ID_KP_CLIENT_AUTH, ID_KP_EMAIL_PROTECTION],
            default_ext_key_usage: vec![ID_KP_CLIENT_AUTH, ID_KP_EMAIL_PROTECTION],
            allowed_policies: vec![OID_POLICY_KC1, OID_POLICY_KC2],
            default_policies: vec![OID_POLICY_KC1],
            issuer_sign_tool: IssuerSignTool {
                sign_tool: "rutoken-lab gost (тестовое средство, не СКЗИ)".into(),
                ca_tool: "rutoken-lab test CA (не для реального использования)".into(),
                sign_tool_cert: "нет: тестовое средство".into(),
                ca_tool_cert: "нет: тестовое средство".into(),
            },
        }
    }
}
