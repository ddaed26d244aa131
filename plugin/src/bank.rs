//! The demo's bank server (`--demo`): what the bank's back end does around the page, so the
//! page can follow the instruction end to end. It builds the reissue request document (SafeTouch
//! TLV, `rutoken_pki::reissue`) for the page to sign, and passes the PKCS#10 and the signed
//! document to the test CA (reissue-flow.md step 4). The page reaches the token only through
//! the plugin API.

use base64ct::{Base64, Encoding};
use rutoken_pki::ca::{ReissueInput, TestCa};
use rutoken_pki::cert::Cert;
use rutoken_pki::name::Attribute;
use rutoken_pki::reissue::ReissueDocument;
use rutoken_pki::request::Request;
use serde_json::{Value, json};

/// The bank's state: its CA, its clock, its request numbers.
pub struct Bank {
    ca: TestCa,
    now: time::OffsetDateTime,
    next_request: u64,
}

/// A request the bank refuses, with the reason shown to the user.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BankError(pub String);

fn b64(text: &str, what: &str) -> Result<Vec<u8>, BankError> {
    let compact: String = text.split_whitespace().collect();
    Base64::decode_vec(&compact).map_err(|_| BankError(format!("{what}: not base64")))
}

fn field<'a>(body: &'a Value, name: &str) -> Result<&'a str, BankError> {
    body.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| BankError(format!("missing {name}")))
}

/// The signature in a CMS SignedData of one signer without unsigned attributes: the last
/// element of the first SignerInfo (RFC 5652 §5.3).
pub fn cms_signature(cms: &[u8]) -> Option<Vec<u8>> {
    fn read(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let (&tag, rest) = input.split_first()?;
        let (&first, rest) = rest.split_first()?;
        let (len, rest) = if first < 0x80 {
            (usize::from(first), rest)
        } else {
            let n = usize::from(first & 0x7F);
            if n == 0 || n > 4 || rest.len() < n {
                return None;
            }
            let len = rest[..n]
                .iter()
                .fold(0usize, |a, &b| (a << 8) | usize::from(b));
            (len, &rest[n..])
        };
        if rest.len() < len {
            return None;
        }
        Some((tag, &rest[..len], &rest[len..]))
    }
    fn children(mut content: &[u8]) -> Option<Vec<(u8, &[u8])>> {
        let mut out = Vec::new();
        while !content.is_empty() {
            let (tag, value, rest) = read(content)?;
            out.push((tag, value));
            content = rest;
        }
        Some(out)
    }
    let (_, info, _) = read(cms)?;
    let info = children(info)?;
    let (_, explicit) = info.get(1)?;
    let (_, signed, _) = read(explicit)?;
    let signed = children(signed)?;
    let (tag, signer_infos) = signed.last()?;
    if *tag != 0x31 {
        return None;
    }
    let (_, signer, _) = read(signer_infos)?;
    let signer = children(signer)?;
    let (tag, signature) = signer.last()?;
    (*tag == 0x04).then(|| signature.to_vec())
}

impl Bank {
    /// The bank with the fixture CA «УЦ НотариПро (ТЕСТ)»; its clock reads `now`.
    pub fn new(now: time::OffsetDateTime, seed: u64) -> Result<Self, crate::BridgeError> {
        Ok(Bank {
            ca: TestCa::fixture(seed).map_err(|e| crate::BridgeError::Ca(e.to_string()))?,
            now,
            // The instruction's sample request number (reissue-flow.md).
            next_request: 37562,
        })
    }

    /// `POST /bank/document {pkcs10, certificate}` → the document to sign and its fields.
    pub fn document(&mut self, body: &Value) -> Result<Value, BankError> {
        let request = Request::parse(field(body, "pkcs10")?.as_bytes())
            .map_err(|e| BankError(format!("PKCS#10: {e}")))?;
        let current = Cert::parse(field(body, "certificate")?.as_bytes())
            .map_err(|e| BankError(format!("certificate: {e}")))?;
        let owner = rutoken_pki::name::get(current.subject(), Attribute::CommonName)
            .ok_or_else(|| BankError("the certificate names no owner".into()))?;
        let organisation =
            rutoken_pki::name::get(current.subject(), Attribute::Organization).unwrap_or_default();
        let number = self.next_request;
        self.next_request += 1;
        let document = ReissueDocument {
            date: self.now.date(),
            owner: owner.clone(),
            organisation: organisation.clone(),
            request_number: number.to_string(),
            replaced_serial: current.serial_hex(),
            request_hash: rutoken_pki::reissue::request_hash(request.to_der()),
        };
        let bytes = document
            .encode()
            .map_err(|e| BankError(format!("document: {e}")))?;
        Ok(json!({
            "document": Base64::encode_string(&bytes),
            "number": number.to_string(),
            "date": rutoken_pki::reissue::format_date(self.now.date()),
            "owner": owner,
            "organisation": organisation,
        }))
    }

    /// `POST /bank/ca {pkcs10, document, cms, certificate}` → the new certificate (PEM), or the
    /// CA's refusal.
    pub fn issue(&mut self, body: &Value) -> Result<Value, BankError> {
        let document = b64(field(body, "document")?, "document")?;
        let cms = b64(field(body, "cms")?, "cms")?;
        let signature =
            cms_signature(&cms).ok_or_else(|| BankError("the CMS holds no signature".into()))?;
        let signature = gost::Signature::from_x509_bytes(&signature)
            .map_err(|e| BankError(format!("signature: {e}")))?;
        let input = ReissueInput {
            request: field(body, "pkcs10")?.as_bytes(),
            document: &document,
            document_signature: &signature,
            current_certificate: field(body, "certificate")?.as_bytes(),
        };
        let cert = self
            .ca
            .issue_reissue(&input, self.now)
            .map_err(|refusal| BankError(format!("ЦС отказал: {refusal}")))?;
        let pem = cert
            .to_pem()
            .map_err(|e| BankError(format!("certificate: {e}")))?;
        let ca = self
            .ca
            .certificate()
            .to_pem()
            .map_err(|e| BankError(format!("CA certificate: {e}")))?;
        Ok(json!({"certificate": pem, "ca": ca, "state": "Взаимодействие с ЦС успешно завершено"}))
    }
}
