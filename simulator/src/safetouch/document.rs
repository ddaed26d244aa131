//! What the SafeTouch makes of the data it saw hashed (`safetouch.md`, "What it shows"):
//! SafeTouch TLV, a PKCS#10 `CertificationRequestInfo` (RFC 2986 §4.1), or neither.

use der::Decode;
use x509_cert::request::CertReqInfo;

use rutoken_device::profile::{SafeTouchProfile, TlvTags};

/// The decision for one signature command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    /// A document the device can show: its rows (title first).
    Document(Vec<String>),
    /// Only a hash (or unrecognised data): the hash-only policy applies. [`classify`] gives the
    /// data; the SafeTouch replaces it by the digest the token signs, which the «Подписать хэш?»
    /// screen shows.
    HashOnly(Vec<u8>),
}

/// Classifies the data hashed on the token.
pub fn classify(data: &[u8], profile: &SafeTouchProfile) -> Shown {
    if profile.pinpad_files
        && let Some(rows) = super::pinpad::rows(data)
    {
        return Shown::Document(rows);
    }
    if let Some(rows) = tlv_rows(data, &profile.tlv) {
        return Shown::Document(rows);
    }
    if let Ok(info) = CertReqInfo::from_der(data) {
        let mut rows = vec![profile.certificate_request_title.clone()];
        if let Ok(Some(cn)) = info.subject.common_name() {
            rows.push(cn.value().into_owned());
        }
        return Shown::Document(rows);
    }
    Shown::HashOnly(data.to_vec())
}

/// The rows of the hash-only screen: the question, then the digest in hex groups of two bytes
/// (at most `hash_preview_bytes`, an ellipsis when cut), which the screen wraps and pages.
pub fn hash_only_rows(digest: &[u8], profile: &SafeTouchProfile) -> Vec<String> {
    let shown = &digest[..digest.len().min(profile.hash_preview_bytes)];
    let mut groups: Vec<String> = shown.chunks(2).map(hex::encode_upper).collect();
    if digest.len() > shown.len() {
        groups.push("…".to_owned());
    }
    vec![profile.hash_only_title.clone(), groups.join(" ")]
}

/// One TLV record: tag (1 byte), length (2 bytes, big-endian), value (`safetouch.md`).
fn records(mut data: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    let mut out = Vec::new();
    while !data.is_empty() {
        let [tag, hi, lo, rest @ ..] = data else {
            return None;
        };
        let len = usize::from(u16::from_be_bytes([*hi, *lo]));
        if rest.len() < len {
            return None;
        }
        let (value, tail) = rest.split_at(len);
        out.push((*tag, value));
        data = tail;
    }
    Some(out)
}

fn display_value(value: &[u8]) -> String {
    match std::str::from_utf8(value) {
        Ok(text) if !text.chars().any(char::is_control) => text.to_owned(),
        _ => hex::encode_upper(value),
    }
}

/// The rows of a SafeTouch TLV document; `None` unless the data is well-formed TLV that starts
/// with the document-type record.
fn tlv_rows(data: &[u8], tags: &TlvTags) -> Option<Vec<String>> {
    let records = records(data)?;
    let (first_tag, doc_type) = records.first()?;
    if *first_tag != tags.document_type {
        return None;
    }
    let doc_type = display_value(doc_type);
    let title = tags
        .titles
        .iter()
        .find(|t| t.document_type == doc_type)
        .map_or_else(|| format!("Документ {doc_type}"), |t| t.title.clone());
    let mut rows = vec![title];
    for (tag, value) in &records[1..] {
        if *tag == tags.version || *tag == tags.trailer || *tag == tags.document_type {
            continue;
        }
        let label = tags
            .fields
            .iter()
            .find(|f| f.tag == *tag)
            .map_or_else(|| format!("{tag:02X}"), |f| f.label.clone());
        rows.push(format!("{label}: {}", display_value(value)));
    }
    Some(rows)
}

/// Encodes TLV records (for tests and for the benches' sample documents).
pub fn encode_tlv(records: &[(u8, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (tag, value) in records {
        out.push(*tag);
        let len = u16::try_from(value.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&value[..usize::from(len)]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> Vec<u8> {
        encode_tlv(&[
            (0x01, b"CR"),
            (0x02, &[0x01]),
            (0x90, "04.02.2020".as_bytes()),
            (0x91, "Иванов Иван Иванович".as_bytes()),
            (0x92, "3867XXXXXXXXXX".as_bytes()),
            (0xFF, &[]),
        ])
    }

    #[test]
    fn reissue_document_rows() {
        let shown = classify(&sample(), &SafeTouchProfile::default());
        assert_eq!(
            shown,
            Shown::Document(vec![
                "Запрос на перевыпуск сертификата".to_owned(),
                "Дата: 04.02.2020".to_owned(),
                "Владелец: Иванов Иван Иванович".to_owned(),
                "Организация: 3867XXXXXXXXXX".to_owned(),
            ])
        );
    }

    #[test]
    fn truncated_tlv_is_hash_only() {
        let mut data = sample();
        data.pop();
        data.pop();
        assert!(matches!(
            classify(&data, &SafeTouchProfile::default()),
            Shown::HashOnly(_)
        ));
    }

    #[test]
    fn hash_is_shown_in_groups_and_cut_at_the_profile_length() {
        let whole = hash_only_rows(&[0xAB; 32], &SafeTouchProfile::default());
        assert_eq!(whole[0], "Подписать хэш?");
        assert_eq!(whole[1], ["ABAB"; 16].join(" "));
        let cut = SafeTouchProfile {
            hash_preview_bytes: 3,
            ..SafeTouchProfile::default()
        };
        assert_eq!(
            hash_only_rows(&[0x01, 0x02, 0x03, 0x04], &cut)[1],
            "0102 03 …"
        );
    }

    proptest! {
        #[test]
        fn any_bytes_classify_without_panic(data in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = classify(&data, &SafeTouchProfile::default());
        }
    }
}
