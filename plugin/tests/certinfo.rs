//! `parseCertificate` / `parseCertificateFromString` (#28): every field the bridge returns for
//! the fixture certificates, checked against OpenSSL's reading of the same file (serial,
//! names, validity, key usage, extended key usage and policies by OpenSSL's own names for the
//! OIDs, key identifiers, subjectSignTool), and `text` with the lines pages read.

mod support;

use serde_json::{Value, json};
use support::{call, openssl, setup};

/// How OpenSSL names an OID (`asn1parse -genstr OID:…`).
fn openssl_name(dir: &std::path::Path, oid: &str) -> String {
    let (_, text) = openssl(dir, &["asn1parse", "-genstr", &format!("OID:{oid}")]);
    text.rsplit(':')
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned()
}

fn line_after<'a>(text: &'a str, header: &str) -> &'a str {
    let mut lines = text.lines();
    lines.find(|l| l.trim_start().starts_with(header));
    lines.next().unwrap_or_default().trim()
}

const KU_LABELS: &[(&str, &str)] = &[
    ("digitalSignature", "Digital Signature"),
    ("nonRepudiation", "Non Repudiation"),
    ("keyEncipherment", "Key Encipherment"),
    ("dataEncipherment", "Data Encipherment"),
    ("keyAgreement", "Key Agreement"),
    ("keyCertSign", "Certificate Sign"),
    ("cRLSign", "CRL Sign"),
];

#[test]
fn parsed_fields_match_openssl() {
    if !support::gost_engine() {
        println!("skipped: OpenSSL's gost engine is missing (libengine-gost-openssl)");
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    for name in [
        "owner-current.crt.pem",
        "ca.crt.pem",
        "second-owner.crt.pem",
    ] {
        let pem = rutoken_pki::fixtures::file(name).expect("fixture");
        std::fs::write(d.join("c.pem"), pem).expect("write");
        let (slot, c) = setup();
        let parsed = call(
            &slot,
            &c,
            "parseCertificateFromString",
            json!([String::from_utf8_lossy(pem)]),
        )
        .expect("parses");
        let (ok, x) = openssl(
            d,
            &[
                "x509",
                "-engine",
                "gost",
                "-in",
                "c.pem",
                "-noout",
                "-text",
                "-serial",
                "-startdate",
                "-enddate",
                "-nameopt",
                "RFC2253,-esc_msb",
            ],
        );
        assert!(ok, "{x}");
        // Serial: OpenSSL's hex, ours colon hex.
        let serial = x
            .lines()
            .find_map(|l| l.strip_prefix("serial="))
            .expect("serial");
        assert_eq!(
            parsed["serialNumber"]
                .as_str()
                .expect("serial")
                .replace(':', "")
                .to_uppercase(),
            serial,
            "{name}"
        );
        // Names: every value OpenSSL prints, ours has (and no more RDNs than it has).
        for (field, prefix) in [
            ("subject", "        Subject: "),
            ("issuer", "        Issuer: "),
        ] {
            let line = x
                .lines()
                .find_map(|l| l.strip_prefix(prefix))
                .expect("name");
            let rdns = parsed[field].as_array().expect("rdns");
            assert_eq!(
                rdns.len(),
                line.split(',').count(),
                "{name} {field}: {line}"
            );
            for rdn in rdns {
                let value = rdn["value"].as_str().expect("value");
                assert!(
                    line.contains(value),
                    "{name} {field}: {value} not in {line}"
                );
            }
        }
        // Validity.
        for (field, key) in [
            ("validNotBefore", "notBefore="),
            ("validNotAfter", "notAfter="),
        ] {
            let theirs = x.lines().find_map(|l| l.strip_prefix(key)).expect("date");
            let ours = time::OffsetDateTime::parse(
                parsed[field].as_str().expect("date"),
                &time::format_description::well_known::Rfc3339,
            )
            .expect("RFC 3339");
            let months = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ];
            let expected = format!(
                "{} {:>2} {:02}:{:02}:{:02} {} GMT",
                months[usize::from(u8::from(ours.month())) - 1],
                ours.day(),
                ours.hour(),
                ours.minute(),
                ours.second(),
                ours.year()
            );
            assert_eq!(theirs, expected, "{name} {field}");
        }
        let ext = &parsed["extensions"];
        // Key usage in OpenSSL's words.
        if let Some(names) = ext["keyUsage"].as_array() {
            let words: Vec<&str> = names
                .iter()
                .map(|n| {
                    let n = n.as_str().expect("name");
                    KU_LABELS
                        .iter()
                        .find(|(k, _)| *k == n)
                        .map(|(_, w)| *w)
                        .expect("label")
                })
                .collect();
            assert_eq!(
                line_after(&x, "X509v3 Key Usage"),
                words.join(", "),
                "{name}"
            );
        } else {
            assert!(!x.contains("X509v3 Key Usage"), "{name}: key usage missed");
        }
        for (field, header) in [
            ("extKeyUsage", "X509v3 Extended Key Usage"),
            ("certificatePolicies", "X509v3 Certificate Policies"),
        ] {
            match ext[field].as_array() {
                Some(oids) => {
                    let block: String = x
                        .split(header)
                        .nth(1)
                        .expect("extension")
                        .lines()
                        .take(oids.len() + 1)
                        .collect();
                    for oid in oids {
                        let named = openssl_name(d, oid.as_str().expect("oid"));
                        assert!(
                            block.contains(&named),
                            "{name} {field}: {named} not in {block}"
                        );
                    }
                }
                None => assert!(!x.contains(header), "{name}: {field} missed"),
            }
        }
        for (field, header) in [
            ("subjectKeyIdentifier", "X509v3 Subject Key Identifier"),
            ("authorityKeyIdentifier", "X509v3 Authority Key Identifier"),
        ] {
            match ext[field].as_str() {
                Some(hex) => assert_eq!(line_after(&x, header), hex.to_uppercase(), "{name}"),
                None => assert!(!x.contains(header), "{name}: {field} missed"),
            }
        }
        if let Some(tool) = ext["subjectSignTool"].as_str() {
            assert_eq!(line_after(&x, "Signing Tool of Subject"), tool, "{name}");
        }
        let text = parsed["text"].as_str().expect("text");
        for needed in [
            "Version: 3 (0x2)",
            "Public Key Algorithm:",
            "Serial Number:",
            "X509v3 extensions:",
        ] {
            assert!(text.contains(needed), "{name}: text lacks {needed}");
        }
        // The token's copy parses the same.
        if name == "owner-current.crt.pem" {
            let handles = call(&slot, &c, "enumerateCertificates", json!([0, 1])).expect("certs");
            let on_token =
                call(&slot, &c, "parseCertificate", json!([0, handles[0]])).expect("parse");
            assert_eq!(on_token, parsed);
            assert_eq!(
                call(&slot, &c, "getCertificateInfo", json!([0, handles[0], 1])),
                Ok(Value::String(
                    parsed["serialNumber"].as_str().expect("s").to_owned()
                ))
            );
        }
    }
}
