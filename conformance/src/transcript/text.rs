//! One side of a recorded exchange, kept as bytes and turned into text on first reading.
//!
//! A flow records every APDU it sends but reads them back only when a report, a failure or the
//! artifacts ask: rendering each command and response as spaced hex at recording time was 7 %
//! of an in-process reissue flow (issue 25, `perf`). A command is kept as
//! [`MaskedCommand`] — the secret data already removed by the one masking rule — so the
//! unmasked bytes are still never stored.

use std::fmt;
use std::ops::Deref;
use std::sync::OnceLock;

use rutoken_apdu::hex::spaced;
use rutoken_apdu::mask::MaskedCommand;

/// What an exchange side holds before it is read.
#[derive(Clone)]
enum Source {
    /// Already text (a transport error, PKCS#11 calls).
    Text,
    /// A command or a response with its secrets removed.
    Masked(MaskedCommand),
    /// Response bytes.
    Bytes(Vec<u8>),
}

/// The text of one side of an exchange (spaced hex, `**` for secret data, or words), rendered
/// once when first read. Reads as a `str`; serialises as a string.
#[derive(Clone)]
pub struct Text {
    source: Source,
    text: OnceLock<String>,
}

impl Text {
    /// A command or a response, masked already (`rutoken_apdu::mask`).
    pub fn masked(masked: MaskedCommand) -> Self {
        Text {
            source: Source::Masked(masked),
            text: OnceLock::new(),
        }
    }

    /// Bytes shown as spaced hex, whole (nothing in them is secret).
    pub fn bytes(bytes: &[u8]) -> Self {
        Text {
            source: Source::Bytes(bytes.to_vec()),
            text: OnceLock::new(),
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        self.text.get_or_init(|| match &self.source {
            Source::Text => String::new(),
            Source::Masked(masked) => masked.render(),
            Source::Bytes(bytes) => spaced(bytes),
        })
    }
}

impl From<String> for Text {
    fn from(text: String) -> Self {
        Text {
            source: Source::Text,
            text: OnceLock::from(text),
        }
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        Text::from(text.to_owned())
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_source_reads_as_its_text() {
        let verify = [0x00, 0x20, 0x00, 0x02, 0x04, b'1', b'2', b'3', b'4'];
        let command = Text::masked(rutoken_apdu::mask::mask(&verify));
        assert_eq!(&*command, "00 20 00 02 04 **");
        assert_eq!(command.to_string(), "00 20 00 02 04 **");
        assert_eq!(&*Text::bytes(&[0x6A, 0x82]), "6A 82");
        assert_eq!(&*Text::from("error: no card"), "error: no card");
        assert_eq!(
            serde_json::to_string(&Text::bytes(&[0x90, 0x00])).unwrap(),
            "\"90 00\""
        );
        assert_eq!(Text::bytes(&[0x90, 0x00]), Text::from("90 00"));
        assert_ne!(Text::bytes(&[0x90, 0x00]), Text::from("90 01"));
    }
}
