//! The SafeTouch's part of the device profile: every guess about the device, with its default.
//!
//! Each field is a row of the "SafeTouch" table in `docs/assumptions.md`; the source of every
//! default is `shared/spec/safetouch.md` ("The model").

use std::time::Duration;

use serde::Deserialize;

/// What the SafeTouch does with a signature it cannot show as a document: a hash the host
/// computed itself (PSO: CDS with data) or hashed data that is neither SafeTouch TLV nor a
/// PKCS#10 `CertificationRequestInfo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HashOnlyPolicy {
    /// Show «Подписать хэш?» with the first bytes and wait for a press (the default).
    Ask,
    /// Answer the reject status word at once; the token signs nothing.
    Refuse,
    /// Forward the command without showing anything.
    Pass,
}

/// One shown field of a SafeTouch TLV document: its tag and the row label.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlvField {
    /// The record's tag (1 byte).
    pub tag: u8,
    /// The label shown before the value, e.g. «Дата».
    pub label: String,
}

/// The SafeTouch TLV tags (`safetouch.md`, "SafeTouch TLV tags for the reissue request document";
/// ours, the real ones are not public).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TlvTags {
    /// Document type, the first record of every document (`01`).
    pub document_type: u8,
    /// Format version (`02`), not shown.
    pub version: u8,
    /// Trailer (`FF`), empty, not shown.
    pub trailer: u8,
    /// The shown fields, in the order the document holds them; unknown tags are shown with
    /// their tag in hex as the label.
    pub fields: Vec<TlvField>,
    /// Titles shown above the fields, by document type value (e.g. `CR`).
    pub titles: Vec<DocumentTitle>,
}

/// A title row for a document type.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentTitle {
    /// The document type value, e.g. `CR`.
    pub document_type: String,
    /// The title shown, e.g. «Запрос на перевыпуск».
    pub title: String,
}

fn field(tag: u8, label: &str) -> TlvField {
    TlvField {
        tag,
        label: label.to_owned(),
    }
}

impl Default for TlvTags {
    fn default() -> Self {
        TlvTags {
            document_type: 0x01,
            version: 0x02,
            trailer: 0xFF,
            fields: vec![
                field(0x90, "Дата"),
                field(0x91, "Владелец"),
                field(0x92, "Организация"),
                field(0x93, "Номер запроса"),
                field(0x94, "Заменяемый сертификат"),
                field(0x95, "Хэш запроса"),
            ],
            titles: vec![DocumentTitle {
                document_type: "CR".to_owned(),
                title: "Запрос на перевыпуск сертификата".to_owned(),
            }],
        }
    }
}

/// Every SafeTouch assumption (`safetouch.md`, "The model").
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SafeTouchProfile {
    /// Status word the host gets when the person presses Reject (`6F B1`, inferred from the
    /// PINPad's `CKR_VENDOR_DEFINED + 0x6FB1`).
    pub reject_sw: u16,
    /// Status word the host gets when nobody presses before the time-out (`6F B1`).
    pub timeout_sw: u16,
    /// How long a screen waits for a press, in milliseconds (60 000).
    pub timeout_ms: u64,
    /// Screen rows (4).
    pub rows: usize,
    /// Screen columns, in characters (20).
    pub columns: usize,
    /// What to do with a signature over a hash only (`ask`).
    pub hash_only_policy: HashOnlyPolicy,
    /// How many leading bytes of the hash the «Подписать хэш?» screen shows (64: all of a
    /// Streebog-512 digest, paged by the screen).
    pub hash_preview_bytes: usize,
    /// The title of the PKCS#10 screen (the bank's instruction, `seed/`).
    pub certificate_request_title: String,
    /// The question of the hash-only screen.
    pub hash_only_title: String,
    /// The TLV tags and their labels.
    pub tlv: TlvTags,
    /// Show documents in the Rutoken PINPad text format (`<!PINPADFILE UTF8>`,
    /// `<!PINPADFILE RU>`: `<N>` name, `<V>` value, `<T>` text; Aktiv's PINPad samples) as the
    /// PINPad does (`true`); the INVISIBLE forms are never signed unseen: they get the
    /// hash-only policy.
    pub pinpad_files: bool,
}

impl Default for SafeTouchProfile {
    fn default() -> Self {
        SafeTouchProfile {
            reject_sw: 0x6FB1,
            timeout_sw: 0x6FB1,
            timeout_ms: 60_000,
            rows: 4,
            columns: 20,
            hash_only_policy: HashOnlyPolicy::Ask,
            hash_preview_bytes: 64,
            certificate_request_title: "Запрос подписи запроса на сертификат".to_owned(),
            hash_only_title: "Подписать хэш?".to_owned(),
            tlv: TlvTags::default(),
            pinpad_files: true,
        }
    }
}

impl SafeTouchProfile {
    /// The time-out as a [`Duration`].
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }
}
