//! The runner's use of `rutoken-pki`: the PKCS#10 with a signer callback (the token), the
//! reissue document in SafeTouch TLV, and the test CA. Everything the flow needs from the PKI
//! goes through this file.

use std::collections::{BTreeMap, BTreeSet};

use rutoken_pki::ca::{ReissueInput, RequestForm, TestCa};
use rutoken_pki::name::{self, Attribute, NameBuilder};
use rutoken_pki::reissue::ReissueDocument;
use rutoken_pki::{Cert, Request};

use crate::error::PkiError;

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

fn attribute(short: &str) -> Result<Attribute, PkiError> {
    Attribute::from_short_name(short).ok_or_else(|| PkiError::UnknownAttribute(short.to_owned()))
}

/// The request's subject: the current certificate's (the bank page pre-fills the form from it),
/// with the scenario's attributes replacing or adding values.
pub fn subject(
    current_certificate: Option<&[u8]>,
    overrides: &BTreeMap<String, String>,
) -> Result<x509_cert::name::Name, PkiError> {
    let mut pairs: Vec<(Attribute, String)> = Vec::new();
    if let Some(der) = current_certificate {
        let cert = Cert::parse(der).map_err(PkiError::CurrentCertificate)?;
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
    builder.build().map_err(PkiError::Subject)
}

/// Encodes the reissue document (SafeTouch TLV, with the hash of the PKCS#10).
pub fn reissue_document(fields: &DocumentData, pkcs10_der: &[u8]) -> Result<Vec<u8>, PkiError> {
    let date = rutoken_pki::reissue::parse_date(&fields.date).map_err(PkiError::Document)?;
    let document = ReissueDocument {
        date,
        owner: fields.owner.clone(),
        organisation: fields.organisation.clone(),
        request_number: fields.number.clone(),
        replaced_serial: fields.replaced_serial.clone(),
        request_hash: rutoken_pki::reissue::request_hash(pkcs10_der),
    };
    document.encode().map_err(PkiError::Document)
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
    pub fn new(seed: u64) -> Self {
        Ca {
            seed,
            cas: BTreeMap::new(),
            requests: 0,
            issued: 0,
            serials: BTreeSet::new(),
            last_pem: None,
            last_which: None,
        }
    }

    fn ca(&mut self, which: CaChoice) -> Result<&mut TestCa, PkiError> {
        use std::collections::btree_map::Entry;
        Ok(match self.cas.entry(which as u8) {
            Entry::Occupied(built) => built.into_mut(),
            Entry::Vacant(slot) => slot.insert(
                match which {
                    CaChoice::Test => TestCa::fixture(self.seed),
                    CaChoice::Foreign => rutoken_pki::fixtures::foreign_ca()
                        .and_then(|f| TestCa::new(f.cert, f.key, Default::default(), self.seed)),
                }
                .map_err(PkiError::TestCa)?,
            ),
        })
    }

    fn answer(
        &mut self,
        which: CaChoice,
        result: Result<Cert, rutoken_pki::ca::refusal::Refusal>,
    ) -> Result<Submitted, PkiError> {
        self.last_pem = self.ca(which)?.certificate().to_pem().ok();
        self.last_which = Some(which);
        Ok(match result {
            Ok(cert) => {
                let serial = cert.certificate().tbs_certificate().serial_number();
                if !self
                    .serials
                    .insert((which as u8, serial.as_bytes().to_vec()))
                {
                    return Err(PkiError::SerialReused(cert.serial_hex()));
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
    ) -> Result<Submitted, PkiError> {
        self.requests += 1;
        let signature =
            gost::Signature::from_x509_bytes(document_signature).map_err(PkiError::Signature)?;
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
    pub fn verifies(&mut self, der: &[u8]) -> Result<(), PkiError> {
        let which = self.last_which.unwrap_or(CaChoice::Test);
        let cert = Cert::parse(der).map_err(PkiError::Parse)?;
        cert.verify_issued_by(self.ca(which)?.certificate())
            .map_err(PkiError::Parse)
    }

    /// The subjectKeyIdentifier of the certificate of the CA that answered last (the test CA
    /// when none answered yet).
    pub fn issuer_key_id(&mut self) -> Result<Option<Vec<u8>>, PkiError> {
        let which = self.last_which.unwrap_or(CaChoice::Test);
        self.ca(which)?
            .certificate()
            .subject_key_id()
            .map_err(PkiError::Parse)
    }

    /// A new certificate after expiry: the PKCS#10 alone, checked against the bank's form (the
    /// subject of the certificate on the token).
    pub fn issue_new(
        &mut self,
        which: CaChoice,
        pkcs10_der: &[u8],
        current_certificate: Option<&[u8]>,
        today: time::Date,
    ) -> Result<Submitted, PkiError> {
        self.requests += 1;
        let form_subject = match current_certificate {
            Some(der) => Cert::parse(der).map_err(PkiError::Parse)?.subject().clone(),
            None => Request::parse(pkcs10_der)
                .map_err(PkiError::Parse)?
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
