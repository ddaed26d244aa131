//! Certificates given as PEM, read as leniently as OpenSSL's PEM reader (which the real plugin
//! uses): pages paste PEM with the base64 on one long line, with CRLF, with text before the
//! BEGIN line or no newline after the END line, and OpenSSL 3.0 takes all of these
//! (`openssl x509 -in` checked on each), while the `der` crate's strict RFC 7468 reader wants
//! 64-column lines. What OpenSSL refuses is refused too: BEGIN and END not on lines of their
//! own, a label other than a certificate's, base64 that does not decode.

use base64ct::{Base64, Encoding};

use crate::api::{PluginError, Result};
use crate::codes::ErrorCode;

/// The labels OpenSSL's `PEM_read_bio_X509` takes: `PEM_STRING_X509` and the older
/// `PEM_STRING_X509_OLD` (OpenSSL `include/openssl/pem.h`).
const CERTIFICATE_LABELS: [&str; 2] = ["CERTIFICATE", "X509 CERTIFICATE"];

fn pem_error(reason: &str) -> PluginError {
    PluginError::new(ErrorCode::PemError, reason)
}

/// Whether `text` holds a PEM BEGIN line (anywhere: OpenSSL skips the lines before it).
pub fn looks_like_pem(text: &str) -> bool {
    text.lines().any(|l| l.trim().starts_with("-----BEGIN "))
}

/// The DER of the first certificate in `text`, PEM with any line length, line ending and
/// whitespace inside the base64, and anything before the BEGIN line.
pub fn certificate_der(text: &str) -> Result<Vec<u8>> {
    let mut lines = text.lines().map(str::trim);
    let label = lines
        .by_ref()
        .find_map(|l| {
            l.strip_prefix("-----BEGIN ")
                .and_then(|rest| rest.strip_suffix("-----"))
        })
        .ok_or_else(|| pem_error("no PEM BEGIN line"))?;
    if !CERTIFICATE_LABELS.contains(&label) {
        return Err(pem_error("the PEM block is not a certificate"));
    }
    let end = format!("-----END {label}-----");
    let mut body = String::new();
    let mut ended = false;
    for line in lines {
        if line == end {
            ended = true;
            break;
        }
        body.extend(line.chars().filter(|c| !c.is_ascii_whitespace()));
    }
    if !ended {
        return Err(pem_error("no PEM END line"));
    }
    Base64::decode_vec(&body).map_err(|_| pem_error("the PEM body is not base64"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    /// `0x30 0x03 0x02 0x01 0x05` (a DER SEQUENCE holding INTEGER 5), base64.
    const BODY: &str = "MAMCAQU=";
    const DER: [u8; 5] = [0x30, 0x03, 0x02, 0x01, 0x05];

    #[test]
    fn takes_what_openssl_takes() {
        for text in [
            format!("-----BEGIN CERTIFICATE-----\n{BODY}\n-----END CERTIFICATE-----\n"),
            "-----BEGIN CERTIFICATE-----\r\nMAMC\r\nAQU=\r\n-----END CERTIFICATE-----".to_owned(),
            format!(
                "note\n-----BEGIN X509 CERTIFICATE-----\n  {BODY}  \n-----END X509 CERTIFICATE-----"
            ),
        ] {
            assert_eq!(certificate_der(&text).unwrap(), DER, "{text}");
        }
    }

    #[test]
    fn refuses_what_openssl_refuses() {
        for text in [
            format!("-----BEGIN CERTIFICATE-----{BODY}-----END CERTIFICATE-----"),
            format!("-----BEGIN PUBLIC KEY-----\n{BODY}\n-----END PUBLIC KEY-----"),
            format!("-----BEGIN CERTIFICATE-----\n{BODY}\n"),
            "-----BEGIN CERTIFICATE-----\n*not base64*\n-----END CERTIFICATE-----".to_owned(),
            format!("-----BEGIN CERTIFICATE-----\n{BODY}\n-----END X509 CERTIFICATE-----"),
        ] {
            let e = certificate_der(&text).unwrap_err();
            assert_eq!(e.code, ErrorCode::PemError, "{text}");
        }
    }
}
