//! The runner's use of `rutoken-pki`: the PKCS#10 with a signer callback (the token), the
//! reissue document in SafeTouch TLV, and the test CA. Everything the flow needs from the PKI
//! goes through this file.

use std::collections::{BTreeMap, BTreeSet};

use rutoken_pki::ca::{ReissueInput, RequestForm, TestCa};
use rutoken_pki::ext::RequestedExtensions;
use rutoken_pki::name::{self, Attribute, NameBuilder};
use rutoken_pki::reissue::ReissueDocument;
use rutoken_pki::{Cert, Request, RequestInfo};

/// The reissue document's fields (reissue-flow.md step 3.2).
#[derive(Debug, Clone)]
pub struct DocumentData {
    /// `DD.MM.YYYY`.
    pub date: String,
    /// Owner's full name.
    pub owner: String,
    /// Organisation.
    pub organisation: String,
    /// Request number.
    pub number: String,
    /// Serial of the replaced certificate, hex.
    pub replaced_serial: String,
}

/// What the CA answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// The new certificate, DER.
    Issued(Vec<u8>),
    /// A named refusal (`rutoken_pki::ca::Refusal`'s variant in snake_case) and its message.
    Refused(String, String),
}

/// Signs the DER `CertificationRequestInfo` (on the token); returns `s ‖ r` big-endian.
pub type Signer<'a> = dyn FnMut(&[u8]) -> Result<Vec<u8>, String> + 'a;

fn attribute(short: &str) -> Result<Attribute, String> {
    Attribute::from_short_name(short).ok_or_else(|| format!("unknown subject attribute {short:?}"))
}

/// The request's subject: the current certificate's (the bank page pre-fills the form from it),
/// with the scenario's attributes replacing or adding values.
pub fn subject(
    current_certificate: Option<&[u8]>,
    overrides: &BTreeMap<String, String>,
) -> Result<x509_cert::name::Name, String> {
    let mut pairs: Vec<(Attribute, String)> = Vec::new();
    if let Some(der) = current_certificate {
        let cert = Cert::parse(der).map_err(|e| format!("the current certificate: {e}"))?;
        for atv in cert.subject().iter() {
            if let (Some(a), Some(v)) =
                (Attribute::from_oid(&atv.oid), name::value_text(&atv.value))
            {
                pairs.push((a, v));
            }
        }
    }
    for (short, value) in overrides {
        let a = attribute(short)?;
        match pairs.iter_mut().find(|(p, _)| *p == a) {
            Some(pair) => pair.1 = value.clone(),
            None => pairs.push((a, value.clone())),
        }
    }
    let mut builder = NameBuilder::new();
    for (a, v) in pairs {
        builder = builder.with(a, v);
    }
    builder.build().map_err(|e| format!("the subject: {e}"))
}

/// Builds and signs a PKCS#10 for `public_key` with the bank's requested extensions.
pub fn build_request(
    subject: x509_cert::name::Name,
    key: &gost::VerifyingKey,
    algorithm: gost::KeyAlgorithm,
    signer: &mut Signer<'_>,
) -> Result<Vec<u8>, String> {
    let info = RequestInfo::new(
        subject,
        key,
        algorithm,
        &RequestedExtensions::bank_default(),
    )
    .map_err(|e| e.to_string())?;
    let request = info
        .sign_with(|tbs: &[u8]| signer(tbs))
        .map_err(|e| e.to_string())?;
    Ok(request.to_der().to_vec())
}

/// Encodes the reissue document (SafeTouch TLV, with the hash of the PKCS#10).
pub fn reissue_document(fields: &DocumentData, pkcs10_der: &[u8]) -> Result<Vec<u8>, String> {
    let date = rutoken_pki::reissue::parse_date(&fields.date).map_err(|e| e.to_string())?;
    let document = ReissueDocument {
        date,
        owner: fields.owner.clone(),
        organisation: fields.organisation.clone(),
        request_number: fields.number.clone(),
        replaced_serial: fields.replaced_serial.clone(),
        request_hash: rutoken_pki::reissue::request_hash(pkcs10_der),
    };
    document.encode().map_err(|e| e.to_string())
}

/// Which CA the bank sends to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaChoice {
    /// «УЦ НотариПро (ТЕСТ)», the issuer of the fixture's certificate.
    Test,
    /// «Чужой УЦ (ТЕСТ)»: to it the token's certificate is from another CA.
    Foreign,
}

/// The test CA of one scenario, with its counters.
pub struct Ca {
    seed: u64,
    cas: BTreeMap<u8, TestCa>,
    /// Requests that reached it.
    pub requests: usize,
    /// Certificates it issued.
    pub issued: usize,
    /// The serials each CA issued in this scenario (RFC 5280 §4.1.2.2: unique per CA).
    serials: BTreeSet<(u8, Vec<u8>)>,
    /// The certificate of the CA that answered last.
    pub last_pem: Option<String>,
    last_which: Option<CaChoice>,
}

impl Ca {
    /// The fixture CAs, seeded.
    pub fn new(seed: u64) -> Result<Self, String> {
        Ok(Ca {
            seed,
            cas: BTreeMap::new(),
            requests: 0,
            issued: 0,
            serials: BTreeSet::new(),
            last_pem: None,
            last_which: None,
        })
    }

    fn ca(&mut self, which: CaChoice) -> Result<&mut TestCa, String> {
        let key = which as u8;
        if !self.cas.contains_key(&key) {
            let ca = match which {
                CaChoice::Test => TestCa::fixture(self.seed),
                CaChoice::Foreign => rutoken_pki::fixtures::foreign_ca()
                    .and_then(|f| TestCa::new(f.cert, f.key, Default::default(), self.seed)),
            }
            .map_err(|e| format!("the test CA: {e}"))?;
            self.cas.insert(key, ca);
        }
        self.cas
            .get_mut(&key)
            .ok_or_else(|| "the test CA".to_owned())
    }

    fn answer(
        &mut self,
        which: CaChoice,
        result: Result<Cert, rutoken_pki::ca::refusal::Refusal>,
    ) -> Result<Submitted, String> {
        self.last_pem = self.ca(which)?.certificate().to_pem().ok();
        self.last_which = Some(which);
        Ok(match result {
            Ok(cert) => {
                let serial = cert.certificate().tbs_certificate().serial_number();
                if !self
                    .serials
                    .insert((which as u8, serial.as_bytes().to_vec()))
                {
                    return Err(format!(
                        "the CA issued serial {} a second time (RFC 5280 §4.1.2.2: a CA's \
                         serials are unique)",
                        cert.serial_hex()
                    ));
                }
                self.issued += 1;
                Submitted::Issued(cert.to_der().to_vec())
            }
            Err(refusal) => Submitted::Refused(refusal.code().to_owned(), refusal.to_string()),
        })
    }

    /// Reissue: the checks of reissue-flow.md step 4, then a certificate or a named refusal.
    pub fn reissue(
        &mut self,
        which: CaChoice,
        pkcs10_der: &[u8],
        document: &[u8],
        document_signature: &[u8],
        current_certificate: &[u8],
        today: time::Date,
    ) -> Result<Submitted, String> {
        self.requests += 1;
        let signature =
            gost::Signature::from_x509_bytes(document_signature).map_err(|e| e.to_string())?;
        let input = ReissueInput {
            request: pkcs10_der,
            document,
            document_signature: &signature,
            current_certificate,
        };
        let result = self.ca(which)?.issue_reissue(&input, noon(today));
        self.answer(which, result)
    }

    /// Verifies `der` under the certificate of the CA that answered last (the test CA when none
    /// answered yet).
    pub fn verifies(&mut self, der: &[u8]) -> Result<(), String> {
        let which = self.last_which.unwrap_or(CaChoice::Test);
        let cert = Cert::parse(der).map_err(|e| e.to_string())?;
        cert.verify_issued_by(self.ca(which)?.certificate())
            .map_err(|e| e.to_string())
    }

    /// The subjectKeyIdentifier of the certificate of the CA that answered last (the test CA
    /// when none answered yet).
    pub fn issuer_key_id(&mut self) -> Result<Option<Vec<u8>>, String> {
        let which = self.last_which.unwrap_or(CaChoice::Test);
        self.ca(which)?
            .certificate()
            .subject_key_id()
            .map_err(|e| e.to_string())
    }

    /// A new certificate after expiry: the PKCS#10 alone, checked against the bank's form (the
    /// subject of the certificate on the token).
    pub fn issue_new(
        &mut self,
        which: CaChoice,
        pkcs10_der: &[u8],
        current_certificate: Option<&[u8]>,
        today: time::Date,
    ) -> Result<Submitted, String> {
        self.requests += 1;
        let form_subject = match current_certificate {
            Some(der) => Cert::parse(der)
                .map_err(|e| e.to_string())?
                .subject()
                .clone(),
            None => Request::parse(pkcs10_der)
                .map_err(|e| e.to_string())?
                .subject()
                .clone(),
        };
        let form = RequestForm {
            subject: form_subject,
        };
        let result = self.ca(which)?.issue_new(pkcs10_der, &form, noon(today));
        self.answer(which, result)
    }
}

/// The CA's clock on the scenario's date: 12:00 UTC.
fn noon(date: time::Date) -> time::OffsetDateTime {
    date.with_time(time::macros::time!(12:00)).assume_utc()
}
