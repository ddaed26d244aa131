//! The extensions a request asks for and a certificate carries, including the Russian ones
//! (Приказ ФСБ № 795 §II: subjectSignTool, issuerSignTool; № 31 of 2021: identificationKind).

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5280::{ID_KP_CLIENT_AUTH, ID_KP_EMAIL_PROTECTION};
use der::asn1::{OctetString, Utf8StringRef};
use der::{Decode, Encode, Sequence};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::certpolicy::PolicyInformation;
use x509_cert::ext::pkix::{CertificatePolicies, ExtendedKeyUsage, KeyUsage, KeyUsages};

use crate::Result;

/// subjectSignTool, 1.2.643.100.111: `UTF8String (SIZE (1..200))`, the signing tool the key
/// lives in (Приказ ФСБ № 795 §II.3).
pub const OID_SUBJECT_SIGN_TOOL: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.100.111");
/// issuerSignTool, 1.2.643.100.112: SEQUENCE of four UTF8String (Приказ ФСБ № 795 §II.4).
pub const OID_ISSUER_SIGN_TOOL: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.100.112");
/// identificationKind, 1.2.643.100.114: INTEGER, how the owner was identified (Приказ ФСБ
/// № 795 as amended by № 31 of 2021: 0 in person, 1 remotely with a qualified signature, 2 with
/// a passport chip, 3 through the unified biometric system).
pub const OID_IDENTIFICATION_KIND: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.643.100.114");
/// Certificate policy «КС1» (class of protection KC1), 1.2.643.100.113.1 (Приказ ФСБ № 795).
pub const OID_POLICY_KC1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.100.113.1");
/// Certificate policy «КС2», 1.2.643.100.113.2.
pub const OID_POLICY_KC2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.643.100.113.2");
/// The subjectSignTool value of a Rutoken ECP (what Aktiv's software writes into requests).
pub const RUTOKEN_SIGN_TOOL: &str = "СКЗИ \"РУТОКЕН ЭЦП\"";

/// issuerSignTool (1.2.643.100.112).
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct IssuerSignTool {
    /// The issuer's signature tool.
    pub sign_tool: String,
    /// The CA tool.
    pub ca_tool: String,
    /// The certificate of conformity of the signature tool.
    pub sign_tool_cert: String,
    /// The certificate of conformity of the CA tool.
    pub ca_tool_cert: String,
}

/// What a request asks for (its extensionRequest), in a form callers can fill in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestedExtensions {
    /// keyUsage bits.
    pub key_usage: Option<KeyUsage>,
    /// extKeyUsage purposes.
    pub ext_key_usage: Vec<ObjectIdentifier>,
    /// certificatePolicies (identifiers only).
    pub policies: Vec<ObjectIdentifier>,
    /// subjectSignTool.
    pub subject_sign_tool: Option<String>,
    /// identificationKind.
    pub identification_kind: Option<u8>,
}

impl RequestedExtensions {
    /// What the bank's client asks for in a reissue: digitalSignature + nonRepudiation (+
    /// keyEncipherment, as bank clients request for TLS client auth), clientAuth and
    /// emailProtection, policy KC1, subjectSignTool «СКЗИ "РУТОКЕН ЭЦП"», identificationKind 1
    /// (remote, with the current qualified signature).
    pub fn bank_default() -> Self {
        RequestedExtensions {
            key_usage: Some(KeyUsage(
                KeyUsages::DigitalSignature
                    | KeyUsages::NonRepudiation
                    | KeyUsages::KeyEncipherment,
            )),
            ext_key_usage: vec![ID_KP_CLIENT_AUTH, ID_KP_EMAIL_PROTECTION],
            policies: vec![OID_POLICY_KC1],
            subject_sign_tool: Some(RUTOKEN_SIGN_TOOL.to_owned()),
            identification_kind: Some(1),
        }
    }

    /// The extensions, in a fixed order.
    pub fn to_extensions(&self) -> Result<Vec<Extension>> {
        let mut out = Vec::new();
        if let Some(ku) = &self.key_usage {
            out.push(extension(ku_oid(), true, ku.to_der()?)?);
        }
        if !self.ext_key_usage.is_empty() {
            let eku = ExtendedKeyUsage(self.ext_key_usage.clone());
            out.push(extension(eku_oid(), false, eku.to_der()?)?);
        }
        if !self.policies.is_empty() {
            let policies = CertificatePolicies(
                self.policies
                    .iter()
                    .map(|oid| PolicyInformation {
                        policy_identifier: *oid,
                        policy_qualifiers: None,
                    })
                    .collect(),
            );
            out.push(extension(policies_oid(), false, policies.to_der()?)?);
        }
        if let Some(tool) = &self.subject_sign_tool {
            out.push(subject_sign_tool(tool)?);
        }
        if let Some(kind) = self.identification_kind {
            out.push(extension(OID_IDENTIFICATION_KIND, false, kind.to_der()?)?);
        }
        Ok(out)
    }

    /// Reads the extensions this type knows; others are ignored.
    pub fn from_extensions(extensions: &[Extension]) -> Result<Self> {
        let mut out = RequestedExtensions::default();
        for ext in extensions {
            let value = ext.extn_value.as_bytes();
            if ext.extn_id == ku_oid() {
                out.key_usage = Some(KeyUsage::from_der(value)?);
            } else if ext.extn_id == eku_oid() {
                out.ext_key_usage = ExtendedKeyUsage::from_der(value)?.0;
            } else if ext.extn_id == policies_oid() {
                out.policies = CertificatePolicies::from_der(value)?
                    .0
                    .into_iter()
                    .map(|p| p.policy_identifier)
                    .collect();
            } else if ext.extn_id == OID_SUBJECT_SIGN_TOOL {
                out.subject_sign_tool = Some(Utf8StringRef::from_der(value)?.as_str().to_owned());
            } else if ext.extn_id == OID_IDENTIFICATION_KIND {
                out.identification_kind = Some(u8::from_der(value)?);
            }
        }
        Ok(out)
    }
}

/// An extKeyUsage purpose by name (`clientAuth`, `emailProtection`, `serverAuth`,
/// `codeSigning`, `timeStamping`, RFC 5280 §4.2.1.12) or dotted OID.
pub fn key_purpose(name: &str) -> Option<ObjectIdentifier> {
    use const_oid::db::rfc5280::{ID_KP_CODE_SIGNING, ID_KP_SERVER_AUTH, ID_KP_TIME_STAMPING};
    match name.to_ascii_lowercase().as_str() {
        "clientauth" => Some(ID_KP_CLIENT_AUTH),
        "emailprotection" => Some(ID_KP_EMAIL_PROTECTION),
        "serverauth" => Some(ID_KP_SERVER_AUTH),
        "codesigning" => Some(ID_KP_CODE_SIGNING),
        "timestamping" => Some(ID_KP_TIME_STAMPING),
        _ => ObjectIdentifier::new(name).ok(),
    }
}

/// An extension from its OID, criticality and DER value.
pub fn extension(oid: ObjectIdentifier, critical: bool, value_der: Vec<u8>) -> Result<Extension> {
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value_der)?,
    })
}

/// The subjectSignTool extension (non-critical).
pub fn subject_sign_tool(tool: &str) -> Result<Extension> {
    extension(
        OID_SUBJECT_SIGN_TOOL,
        false,
        Utf8StringRef::new(tool)?.to_der()?,
    )
}

/// The issuerSignTool extension (non-critical).
pub fn issuer_sign_tool(tool: &IssuerSignTool) -> Result<Extension> {
    extension(OID_ISSUER_SIGN_TOOL, false, tool.to_der()?)
}

fn ku_oid() -> ObjectIdentifier {
    const_oid::db::rfc5280::ID_CE_KEY_USAGE
}

fn eku_oid() -> ObjectIdentifier {
    const_oid::db::rfc5280::ID_CE_EXT_KEY_USAGE
}

fn policies_oid() -> ObjectIdentifier {
    const_oid::db::rfc5280::ID_CE_CERTIFICATE_POLICIES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requested_extensions_round_trip() {
        let req = RequestedExtensions::bank_default();
        let exts = req.to_extensions().unwrap();
        assert_eq!(exts.len(), 5);
        assert!(
            exts[0].critical,
            "keyUsage is critical (RFC 5280 §4.2.1.3 SHOULD)"
        );
        let back = RequestedExtensions::from_extensions(&exts).unwrap();
        assert_eq!(back, req);
        assert_eq!(
            back.subject_sign_tool.as_deref(),
            Some("СКЗИ \"РУТОКЕН ЭЦП\"")
        );
    }

    #[test]
    fn subject_sign_tool_is_utf8string() {
        let ext = subject_sign_tool(RUTOKEN_SIGN_TOOL).unwrap();
        assert_eq!(ext.extn_value.as_bytes()[0], 0x0C, "UTF8String tag");
        assert_eq!(ext.extn_id.to_string(), "1.2.643.100.111");
    }

    #[test]
    fn issuer_sign_tool_round_trips() {
        let tool = IssuerSignTool {
            sign_tool: "rutoken-lab gost".into(),
            ca_tool: "rutoken-lab test CA".into(),
            sign_tool_cert: "нет (тестовый УЦ)".into(),
            ca_tool_cert: "нет (тестовый УЦ)".into(),
        };
        let ext = issuer_sign_tool(&tool).unwrap();
        assert_eq!(
            IssuerSignTool::from_der(ext.extn_value.as_bytes()).unwrap(),
            tool
        );
    }

    #[test]
    fn key_purposes_by_name() {
        assert_eq!(key_purpose("clientAuth"), Some(ID_KP_CLIENT_AUTH));
        assert_eq!(
            key_purpose("1.3.6.1.5.5.7.3.4"),
            Some(ID_KP_EMAIL_PROTECTION)
        );
        assert_eq!(key_purpose("nonsense"), None);
    }

    #[test]
    fn malformed_extension_values_are_errors() {
        let bad = extension(OID_SUBJECT_SIGN_TOOL, false, vec![0x02, 0x01, 0x01]).unwrap();
        assert!(RequestedExtensions::from_extensions(&[bad]).is_err());
    }
}
