//! `parseCertificate` / `parseCertificateFromString`: the fields the real plugin returns —
//! serial, subject and issuer as `[{rdn, value}]`, validity, the public key algorithm, the
//! extensions (keyUsage names, extKeyUsage and certificatePolicies OIDs, key identifiers,
//! basic constraints, subjectSignTool) and `text`, an OpenSSL-style printout (pages read its
//! "Version:" and "Public Key Algorithm:" lines). tests/certinfo.rs checks each field against
//! `openssl x509 -text` of the same certificate.

use der::{Decode, Encode};
use rutoken_pki::cert::Cert;
use serde_json::{Map, Value, json};
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, CertificatePolicies, ExtendedKeyUsage, KeyUsage,
    KeyUsages, SubjectKeyIdentifier,
};

use crate::api::{PluginError, Result};
use crate::args::colon_hex;

/// The plugin's RDN names (demo `index.html`, pki-core `rt_pc_x500_rdn_nid`) with their OIDs.
pub const RDN_NAMES: &[(&str, &str)] = &[
    ("commonName", "2.5.4.3"),
    ("surname", "2.5.4.4"),
    ("serialNumber", "2.5.4.5"),
    ("countryName", "2.5.4.6"),
    ("localityName", "2.5.4.7"),
    ("stateOrProvinceName", "2.5.4.8"),
    ("streetAddress", "2.5.4.9"),
    ("organizationName", "2.5.4.10"),
    ("organizationalUnitName", "2.5.4.11"),
    ("title", "2.5.4.12"),
    ("postalAddress", "2.5.4.16"),
    ("givenName", "2.5.4.42"),
    ("pseudonym", "2.5.4.65"),
    ("emailAddress", "1.2.840.113549.1.9.1"),
    ("unstructuredName", "1.2.840.113549.1.9.2"),
    ("INN", "1.2.643.3.131.1.1"),
    ("OGRN", "1.2.643.100.1"),
    ("SNILS", "1.2.643.100.3"),
    ("INNLE", "1.2.643.100.4"),
    ("OGRNIP", "1.2.643.100.5"),
];

/// The OID of an RDN given by name or dotted OID.
pub fn rdn_oid(name: &str) -> Option<const_oid::ObjectIdentifier> {
    RDN_NAMES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, o)| *o)
        .map_or_else(
            || const_oid::ObjectIdentifier::new(name).ok(),
            |o| const_oid::ObjectIdentifier::new(o).ok(),
        )
}

fn rdn_name(oid: &const_oid::ObjectIdentifier) -> String {
    let dotted = oid.to_string();
    RDN_NAMES
        .iter()
        .find(|(_, o)| *o == dotted)
        .map_or(dotted, |(n, _)| (*n).to_owned())
}

fn name_json(name: &x509_cert::name::Name) -> Value {
    Value::Array(
        name.iter()
            .map(|atv| {
                let value = rutoken_pki::name::value_text(&atv.value).unwrap_or_default();
                json!({"rdn": rdn_name(&atv.oid), "value": value})
            })
            .collect(),
    )
}

/// OpenSSL's one-line form (`-nameopt oneline`-like: `CN = x, O = y`), for `text`.
fn name_line(name: &x509_cert::name::Name) -> String {
    name.iter()
        .map(|atv| {
            let value = rutoken_pki::name::value_text(&atv.value).unwrap_or_default();
            format!("{} = {value}", rdn_name(&atv.oid))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// keyUsage bit names (RFC 5280 §4.2.1.3), in bit order.
const KEY_USAGES: &[(KeyUsages, &str)] = &[
    (KeyUsages::DigitalSignature, "digitalSignature"),
    (KeyUsages::NonRepudiation, "nonRepudiation"),
    (KeyUsages::KeyEncipherment, "keyEncipherment"),
    (KeyUsages::DataEncipherment, "dataEncipherment"),
    (KeyUsages::KeyAgreement, "keyAgreement"),
    (KeyUsages::KeyCertSign, "keyCertSign"),
    (KeyUsages::CRLSign, "cRLSign"),
    (KeyUsages::EncipherOnly, "encipherOnly"),
    (KeyUsages::DecipherOnly, "decipherOnly"),
];

/// A keyUsage name as a bit.
pub fn key_usage_bit(name: &str) -> Option<KeyUsages> {
    match name {
        "contentCommitment" => Some(KeyUsages::NonRepudiation),
        _ => KEY_USAGES.iter().find(|(_, n)| *n == name).map(|(b, _)| *b),
    }
}

/// subjectSignTool, 1.2.643.100.111 (Приказ ФСБ № 795).
const OID_SUBJECT_SIGN_TOOL: &str = "1.2.643.100.111";

fn time_iso(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn time_openssl(t: time::OffsetDateTime) -> String {
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = months
        .get(usize::from(u8::from(t.month())).saturating_sub(1))
        .copied()
        .unwrap_or("???");
    format!(
        "{month} {:>2} {:02}:{:02}:{:02} {} GMT",
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.year()
    )
}

/// The certificate's fields as the plugin gives them.
pub fn parse_certificate(cert: &Cert) -> Result<Value> {
    let tbs = cert.certificate().tbs_certificate();
    let serial = colon_hex(tbs.serial_number().as_bytes());
    let (alg, key) = cert.public_key().map_err(PluginError::asn1)?;
    let not_before = cert.not_before().map_err(PluginError::asn1)?;
    let not_after = cert.not_after().map_err(PluginError::asn1)?;
    let mut extensions = Map::new();
    let mut text_ext = Vec::new();
    for ext in tbs.extensions().map_or(&[][..], |e| &e[..]) {
        let value = ext.extn_value.as_bytes();
        let id = ext.extn_id.to_string();
        let critical = if ext.critical { " critical" } else { "" };
        let asn1 = PluginError::asn1;
        match id.as_str() {
            "2.5.29.15" => {
                let ku = KeyUsage::from_der(value).map_err(asn1)?;
                let names: Vec<&str> = KEY_USAGES
                    .iter()
                    .filter(|(b, _)| ku.0.contains(*b))
                    .map(|(_, n)| *n)
                    .collect();
                text_ext.push(format!(
                    "X509v3 Key Usage:{critical}\n                {}",
                    names.join(", ")
                ));
                extensions.insert("keyUsage".into(), json!(names));
            }
            "2.5.29.37" => {
                let eku = ExtendedKeyUsage::from_der(value).map_err(asn1)?;
                let oids: Vec<String> = eku.0.iter().map(ToString::to_string).collect();
                text_ext.push(format!(
                    "X509v3 Extended Key Usage:{critical}\n                {}",
                    oids.join(", ")
                ));
                extensions.insert("extKeyUsage".into(), json!(oids));
            }
            "2.5.29.32" => {
                let policies = CertificatePolicies::from_der(value).map_err(asn1)?;
                let oids: Vec<String> = policies
                    .0
                    .iter()
                    .map(|p| p.policy_identifier.to_string())
                    .collect();
                let lines: Vec<String> = oids
                    .iter()
                    .map(|o| format!("                Policy: {o}"))
                    .collect();
                text_ext.push(format!(
                    "X509v3 Certificate Policies:{critical}\n{}",
                    lines.join("\n")
                ));
                extensions.insert("certificatePolicies".into(), json!(oids));
            }
            "2.5.29.14" => {
                let ski = SubjectKeyIdentifier::from_der(value).map_err(asn1)?;
                let hex = colon_hex(ski.0.as_bytes());
                text_ext.push(format!(
                    "X509v3 Subject Key Identifier:{critical}\n                {}",
                    hex.to_uppercase()
                ));
                extensions.insert("subjectKeyIdentifier".into(), json!(hex));
            }
            "2.5.29.35" => {
                let aki = AuthorityKeyIdentifier::from_der(value).map_err(asn1)?;
                if let Some(k) = aki.key_identifier {
                    let hex = colon_hex(k.as_bytes());
                    text_ext.push(format!(
                        "X509v3 Authority Key Identifier:{critical}\n                {}",
                        hex.to_uppercase()
                    ));
                    extensions.insert("authorityKeyIdentifier".into(), json!(hex));
                }
            }
            "2.5.29.19" => {
                let bc = BasicConstraints::from_der(value).map_err(asn1)?;
                let ca = if bc.ca { "TRUE" } else { "FALSE" };
                text_ext.push(format!(
                    "X509v3 Basic Constraints:{critical}\n                CA:{ca}"
                ));
                extensions.insert(
                    "basicConstraints".into(),
                    json!({"ca": bc.ca, "pathLength": bc.path_len_constraint}),
                );
            }
            OID_SUBJECT_SIGN_TOOL => {
                let tool = der::asn1::Utf8StringRef::from_der(value)
                    .map(|s| s.as_str().to_owned())
                    .map_err(asn1)?;
                text_ext.push(format!("{id}:{critical}\n                {tool}"));
                extensions.insert("subjectSignTool".into(), json!(tool));
            }
            _ => {
                text_ext.push(format!(
                    "{id}:{critical}\n                {}",
                    colon_hex(value).to_uppercase()
                ));
            }
        }
    }
    let sig_oid = cert.certificate().signature_algorithm().oid.to_string();
    let public = key.to_le_bytes();
    let text = format!(
        "Certificate:\n    Data:\n        Version: {v} (0x{vx})\n        Serial Number:\n            {serial}\n        Signature Algorithm: {sig_oid}\n        Issuer: {issuer}\n        Validity\n            Not Before: {nb}\n            Not After : {na}\n        Subject: {subject}\n        Subject Public Key Info:\n            Public Key Algorithm: {alg_oid}\n                Public key:\n                    {public}\n                Parameter set: {ps}\n        X509v3 extensions:\n            {exts}\n    Signature Algorithm: {sig_oid}\n",
        v = version_number(cert),
        vx = version_number(cert).saturating_sub(1),
        issuer = name_line(tbs.issuer()),
        subject = name_line(tbs.subject()),
        nb = time_openssl(not_before),
        na = time_openssl(not_after),
        alg_oid = alg.oid(),
        public = colon_hex(&public),
        ps = key.param_set().oid(),
        exts = text_ext.join("\n            "),
    );
    Ok(json!({
        "serialNumber": serial,
        "subject": name_json(tbs.subject()),
        "issuer": name_json(tbs.issuer()),
        "validNotBefore": time_iso(not_before),
        "validNotAfter": time_iso(not_after),
        "publicKeyAlgorithm": alg.oid().to_string(),
        "extensions": extensions,
        "text": text,
    }))
}

fn version_number(cert: &Cert) -> u8 {
    match cert.certificate().tbs_certificate().version() {
        x509_cert::certificate::Version::V1 => 1,
        x509_cert::certificate::Version::V2 => 2,
        x509_cert::certificate::Version::V3 => 3,
    }
}

/// Reads a certificate given as PEM (as leniently as OpenSSL: `crate::pem`) or base64 DER.
pub fn cert_from_text(text: &str) -> Result<Cert> {
    let der = if crate::pem::looks_like_pem(text) {
        crate::pem::certificate_der(text)?
    } else {
        crate::args::from_base64(text.trim(), "certificate")?
    };
    let cert = Cert::parse(&der).map_err(PluginError::asn1)?;
    // The DER re-encodes to itself (no trailing bytes hidden behind a valid prefix).
    if cert.certificate().to_der().map_err(PluginError::asn1)? != der {
        return Err(PluginError::asn1("trailing or non-DER bytes"));
    }
    Ok(cert)
}
