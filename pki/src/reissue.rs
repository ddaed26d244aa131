//! The reissue request document in SafeTouch TLV (`docs/architecture.md` § pki,
//! `shared/spec/safetouch.md` "SafeTouch TLV tags for the reissue request document"): records of
//! tag (1 byte), length (2 bytes, big-endian), value (UTF-8 unless said otherwise).

use time::{Date, Month};

/// Tag `01`: document type, value `"CR"` (certificate reissue request).
pub const TAG_TYPE: u8 = 0x01;
/// Tag `02`: format version, one byte `0x01`.
pub const TAG_VERSION: u8 = 0x02;
/// Tag `90`: request date, `DD.MM.YYYY`.
pub const TAG_DATE: u8 = 0x90;
/// Tag `91`: the owner's full name.
pub const TAG_OWNER: u8 = 0x91;
/// Tag `92`: the organisation.
pub const TAG_ORGANISATION: u8 = 0x92;
/// Tag `93`: request number.
pub const TAG_REQUEST_NUMBER: u8 = 0x93;
/// Tag `94`: serial of the certificate being replaced (hex).
pub const TAG_REPLACED_SERIAL: u8 = 0x94;
/// Tag `95`: Streebog-256 of the PKCS#10 DER (hex of the wire-order digest).
pub const TAG_REQUEST_HASH: u8 = 0x95;
/// Tag `FF`: trailer, empty, last.
pub const TAG_TRAILER: u8 = 0xFF;
/// The document type value.
pub const DOCUMENT_TYPE: &[u8] = b"CR";
/// The version value.
pub const VERSION: u8 = 0x01;

/// Why a byte string is not a reissue document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// A record header or value runs past the end.
    #[error("truncated record at offset {offset}")]
    Truncated {
        /// Where the record starts.
        offset: usize,
    },
    /// A tag this document format does not have.
    #[error("unknown tag {tag:#04x} at offset {offset}")]
    UnknownTag {
        /// The tag.
        tag: u8,
        /// Where the record starts.
        offset: usize,
    },
    /// A tag that appears twice.
    #[error("tag {0:#04x} appears twice")]
    DuplicateTag(u8),
    /// A required tag that is absent.
    #[error("tag {0:#04x} is missing")]
    MissingTag(u8),
    /// Tag `01` is not `"CR"`.
    #[error("not a certificate reissue request (document type is not \"CR\")")]
    WrongDocumentType,
    /// Tag `02` is not the single byte `0x01`.
    #[error("unsupported document version")]
    UnsupportedVersion,
    /// A text value that is not UTF-8.
    #[error("tag {0:#04x}: value is not UTF-8")]
    InvalidUtf8(u8),
    /// The date is not `DD.MM.YYYY` or not a calendar date.
    #[error("tag 0x90: {0:?} is not a DD.MM.YYYY date")]
    InvalidDate(String),
    /// Tag `94` or `95` is not hex (or `95` not 32 bytes).
    #[error("tag {0:#04x}: value is not hex of the right length")]
    InvalidHex(u8),
    /// The trailer is not empty, or bytes follow it.
    #[error("the trailer (tag 0xff) must be empty and last")]
    BadTrailer,
    /// A value longer than the 2-byte length can say.
    #[error("tag {0:#04x}: value longer than 65535 bytes")]
    ValueTooLong(u8),
}

/// The reissue request document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReissueDocument {
    /// Request date.
    pub date: Date,
    /// Owner's full name (Ф.И.О. владельца).
    pub owner: String,
    /// Organisation (наименование организации).
    pub organisation: String,
    /// Request number (номер документа).
    pub request_number: String,
    /// Serial of the certificate being replaced, as upper-case hex of its content octets.
    pub replaced_serial: String,
    /// Streebog-256 (wire order) of the PKCS#10 DER.
    pub request_hash: [u8; 32],
}

/// Streebog-256 of a PKCS#10 DER, wire order (what tag `95` carries).
pub fn request_hash(pkcs10_der: &[u8]) -> [u8; 32] {
    let digest = gost::DigestAlgorithm::Streebog256.digest(pkcs10_der);
    let mut out = [0u8; 32];
    // The digest is 32 bytes by definition; copy what there is.
    for (o, d) in out.iter_mut().zip(digest) {
        *o = d;
    }
    out
}

/// Splits TLV bytes into (tag, value) records, without interpreting them.
pub fn records(bytes: &[u8]) -> Result<Vec<(u8, &[u8])>, DocumentError> {
    let mut out = Vec::new();
    let mut offset = 0;
    while offset < bytes.len() {
        let header = bytes
            .get(offset..offset + 3)
            .ok_or(DocumentError::Truncated { offset })?;
        let len = usize::from(u16::from_be_bytes([header[1], header[2]]));
        let value = bytes
            .get(offset + 3..offset + 3 + len)
            .ok_or(DocumentError::Truncated { offset })?;
        out.push((header[0], value));
        offset += 3 + len;
    }
    Ok(out)
}

fn push(out: &mut Vec<u8>, tag: u8, value: &[u8]) -> Result<(), DocumentError> {
    let len = u16::try_from(value.len()).map_err(|_| DocumentError::ValueTooLong(tag))?;
    out.push(tag);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(value);
    Ok(())
}

/// `DD.MM.YYYY`.
pub fn format_date(date: Date) -> String {
    format!(
        "{:02}.{:02}.{:04}",
        date.day(),
        u8::from(date.month()),
        date.year()
    )
}

/// Parses `DD.MM.YYYY`.
pub fn parse_date(text: &str) -> Result<Date, DocumentError> {
    let bad = || DocumentError::InvalidDate(text.to_owned());
    let parts: Vec<&str> = text.split('.').collect();
    let [d, m, y] = parts.as_slice() else {
        return Err(bad());
    };
    if d.len() != 2 || m.len() != 2 || y.len() != 4 {
        return Err(bad());
    }
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !(all_digits(d) && all_digits(m) && all_digits(y)) {
        return Err(bad());
    }
    let day: u8 = d.parse().map_err(|_| bad())?;
    let month: u8 = m.parse().map_err(|_| bad())?;
    let year: i32 = y.parse().map_err(|_| bad())?;
    let month = Month::try_from(month).map_err(|_| bad())?;
    Date::from_calendar_date(year, month, day).map_err(|_| bad())
}

impl ReissueDocument {
    /// The document a bank client builds for `request` replacing `current`: owner = the
    /// certificate's CN, organisation = its O (empty if absent), serial = its serial.
    pub fn for_request(
        date: Date,
        request_number: &str,
        request: &crate::Request,
        current: &crate::Cert,
    ) -> Self {
        use crate::name::{Attribute, get};
        ReissueDocument {
            date,
            owner: get(current.subject(), Attribute::CommonName).unwrap_or_default(),
            organisation: get(current.subject(), Attribute::Organization).unwrap_or_default(),
            request_number: request_number.to_owned(),
            replaced_serial: current.serial_hex(),
            request_hash: request_hash(request.to_der()),
        }
    }

    /// The TLV bytes, tags in order `01 02 90 91 92 93 94 95 FF`.
    pub fn encode(&self) -> Result<Vec<u8>, DocumentError> {
        let mut out = Vec::new();
        push(&mut out, TAG_TYPE, DOCUMENT_TYPE)?;
        push(&mut out, TAG_VERSION, &[VERSION])?;
        push(&mut out, TAG_DATE, format_date(self.date).as_bytes())?;
        push(&mut out, TAG_OWNER, self.owner.as_bytes())?;
        push(&mut out, TAG_ORGANISATION, self.organisation.as_bytes())?;
        push(&mut out, TAG_REQUEST_NUMBER, self.request_number.as_bytes())?;
        push(
            &mut out,
            TAG_REPLACED_SERIAL,
            self.replaced_serial.as_bytes(),
        )?;
        push(
            &mut out,
            TAG_REQUEST_HASH,
            hex::encode_upper(self.request_hash).as_bytes(),
        )?;
        push(&mut out, TAG_TRAILER, &[])?;
        Ok(out)
    }

    /// Decodes a document: every tag once, in any order, the trailer empty and last.
    pub fn decode(bytes: &[u8]) -> Result<Self, DocumentError> {
        let records = records(bytes)?;
        let mut seen: Vec<u8> = Vec::new();
        let mut offset = 0;
        for (i, (tag, value)) in records.iter().enumerate() {
            if !matches!(
                *tag,
                TAG_TYPE | TAG_VERSION | TAG_DATE..=TAG_REQUEST_HASH | TAG_TRAILER
            ) {
                return Err(DocumentError::UnknownTag { tag: *tag, offset });
            }
            if seen.contains(tag) {
                return Err(DocumentError::DuplicateTag(*tag));
            }
            if *tag == TAG_TRAILER && (!value.is_empty() || i + 1 != records.len()) {
                return Err(DocumentError::BadTrailer);
            }
            seen.push(*tag);
            offset += 3 + value.len();
        }
        let field = |tag: u8| -> Result<&[u8], DocumentError> {
            records
                .iter()
                .find(|(t, _)| *t == tag)
                .map(|(_, v)| *v)
                .ok_or(DocumentError::MissingTag(tag))
        };
        let text = |tag: u8| -> Result<String, DocumentError> {
            String::from_utf8(field(tag)?.to_vec()).map_err(|_| DocumentError::InvalidUtf8(tag))
        };
        if field(TAG_TYPE)? != DOCUMENT_TYPE {
            return Err(DocumentError::WrongDocumentType);
        }
        if field(TAG_VERSION)? != [VERSION] {
            return Err(DocumentError::UnsupportedVersion);
        }
        field(TAG_TRAILER)?;
        let date = parse_date(&text(TAG_DATE)?)?;
        let replaced_serial = text(TAG_REPLACED_SERIAL)?;
        if replaced_serial.is_empty() || hex::decode(&replaced_serial).is_err() {
            return Err(DocumentError::InvalidHex(TAG_REPLACED_SERIAL));
        }
        let hash = hex::decode(text(TAG_REQUEST_HASH)?)
            .map_err(|_| DocumentError::InvalidHex(TAG_REQUEST_HASH))?;
        let request_hash: [u8; 32] = hash
            .try_into()
            .map_err(|_| DocumentError::InvalidHex(TAG_REQUEST_HASH))?;
        Ok(ReissueDocument {
            date,
            owner: text(TAG_OWNER)?,
            organisation: text(TAG_ORGANISATION)?,
            request_number: text(TAG_REQUEST_NUMBER)?,
            replaced_serial: replaced_serial.to_ascii_uppercase(),
            request_hash,
        })
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    pub(crate) fn sample() -> ReissueDocument {
        ReissueDocument {
            date: date!(2020 - 02 - 04),
            owner: "Иванов Иван Иванович".into(),
            organisation: "3867XXXXXXXXXX".into(),
            request_number: "37562".into(),
            replaced_serial: "010101D1010201B6".into(),
            request_hash: [0xB9; 32],
        }
    }

    #[test]
    fn encodes_the_documented_layout() {
        let bytes = sample().encode().unwrap();
        assert_eq!(
            &bytes[..9],
            &[0x01, 0x00, 0x02, b'C', b'R', 0x02, 0x00, 0x01, 0x01]
        );
        assert_eq!(&bytes[9..22], b"\x90\x00\x0a04.02.2020");
        let owner = "Иванов Иван Иванович".as_bytes();
        assert_eq!(bytes[22], 0x91);
        assert_eq!(
            usize::from(u16::from_be_bytes([bytes[23], bytes[24]])),
            owner.len()
        );
        assert_eq!(&bytes[25..25 + owner.len()], owner);
        assert_eq!(&bytes[bytes.len() - 3..], &[0xFF, 0x00, 0x00]);
    }

    #[test]
    fn round_trips() {
        let doc = sample();
        assert_eq!(
            ReissueDocument::decode(&doc.encode().unwrap()).unwrap(),
            doc
        );
    }

    #[test]
    fn named_errors() {
        let good = sample().encode().unwrap();
        let cases: Vec<(Vec<u8>, DocumentError)> = vec![
            (
                good[..good.len() - 1].to_vec(),
                DocumentError::Truncated {
                    offset: good.len() - 3,
                },
            ),
            (
                [good.clone(), vec![0x50, 0, 0]].concat(),
                DocumentError::BadTrailer,
            ),
            (
                [vec![0x50, 0, 0], good.clone()].concat(),
                DocumentError::UnknownTag {
                    tag: 0x50,
                    offset: 0,
                },
            ),
            (
                [vec![0x93, 0, 1, b'1'], good.clone()].concat(),
                DocumentError::DuplicateTag(0x93),
            ),
            (
                good[..good.len() - 3].to_vec(),
                DocumentError::MissingTag(0xFF),
            ),
        ];
        for (bytes, want) in cases {
            assert_eq!(ReissueDocument::decode(&bytes).unwrap_err(), want);
        }
        let mut doc = good.clone();
        doc[3] = b'X';
        assert_eq!(
            ReissueDocument::decode(&doc).unwrap_err(),
            DocumentError::WrongDocumentType
        );
        let mut doc = good.clone();
        doc[8] = 2;
        assert_eq!(
            ReissueDocument::decode(&doc).unwrap_err(),
            DocumentError::UnsupportedVersion
        );
        let mut doc = good;
        doc[12] = b'3'; // 34.02.2020
        assert!(matches!(
            ReissueDocument::decode(&doc).unwrap_err(),
            DocumentError::InvalidDate(_)
        ));
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("04.02.2020").unwrap(), date!(2020 - 02 - 04));
        for bad in ["4.2.2020", "30.02.2020", "aa.bb.cccc", "04-02-2020", ""] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }
}
