//! The relay transcript: what `relay` writes and `replay` reads. JSON Lines, one record a line,
//! written as the exchanges happen (a crash or Ctrl-C loses at most the line being written):
//! a header (reader, ATR, start time), then power events and command/response pairs with their
//! timings. Commands are stored as [`rutoken_apdu::mask::masked`] renders them — the one masking
//! function — so a PIN (VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER) is never in the
//! file; responses are stored whole except the data answering PSO: DECIPHER (a deciphered
//! session key), shown as `**` before the status word (`rutoken_sim::vpcd::apdu_log`).

use std::io::{BufRead, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::CliError;

/// The transcript format's version (the header's `format`).
pub const FORMAT: u32 = 1;

/// One line of a transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Record {
    /// The first line.
    Header {
        /// [`FORMAT`].
        format: u32,
        /// The real reader the card sat in.
        reader: String,
        /// The card's answer to reset, spaced hex.
        atr: String,
        /// When the recording started, seconds since the Unix epoch.
        started_unix: u64,
    },
    /// vpcd powered the card on or off, or reset it.
    Power {
        /// Milliseconds since the start.
        at_ms: f64,
        /// `on`, `off` or `reset`.
        event: PowerEvent,
    },
    /// One command and the card's answer.
    Apdu {
        /// Milliseconds since the start, when the command was sent.
        at_ms: f64,
        /// How long the card took to answer, milliseconds.
        took_ms: f64,
        /// A command a SafeTouch holds until a person presses (PSO: COMPUTE DIGITAL
        /// SIGNATURE): `took_ms` includes the person, not only the card.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        press: bool,
        /// The command, spaced hex, secret data as `**`.
        command: String,
        /// The response (data then SW1 SW2), spaced hex; empty when the reader failed.
        response: String,
        /// Why the reader failed, when it did.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
}

/// A power event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PowerEvent {
    /// Contacts powered.
    On,
    /// Contacts unpowered.
    Off,
    /// Warm reset.
    Reset,
}

/// Appends records to a transcript file, one flushed line each.
#[derive(Debug)]
#[cfg_attr(
    not(feature = "pcsc"),
    allow(dead_code, reason = "only the relay writes, and it needs PC/SC")
)]
pub struct Writer {
    file: std::io::BufWriter<std::fs::File>,
}

#[cfg_attr(
    not(feature = "pcsc"),
    allow(dead_code, reason = "only the relay writes, and it needs PC/SC")
)]
impl Writer {
    /// Creates (or truncates) the file.
    pub fn create(path: &Path) -> Result<Writer, CliError> {
        let file = std::fs::File::create(path).map_err(|e| {
            CliError::invalid(
                format!("cannot create the transcript {}", path.display()),
                e,
            )
        })?;
        Ok(Writer {
            file: std::io::BufWriter::new(file),
        })
    }

    /// Writes one record and flushes it.
    pub fn write(&mut self, record: &Record) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.file, record)?;
        self.file.write_all(b"\n")?;
        self.file.flush()
    }
}

/// Reads a whole transcript; a bad line is an input error naming `file:line`.
pub fn read(path: &Path) -> Result<Vec<Record>, CliError> {
    let file = std::fs::File::open(path)
        .map_err(|e| CliError::invalid(format!("cannot open {}", path.display()), e))?;
    let mut records = Vec::new();
    for (index, line) in std::io::BufReader::new(file).lines().enumerate() {
        let number = index + 1;
        let line =
            line.map_err(|e| CliError::invalid(format!("{}:{number}", path.display()), e))?;
        if line.trim().is_empty() {
            continue;
        }
        let record: Record = serde_json::from_str(&line).map_err(|e| {
            CliError::invalid(
                format!("{}:{number}: not a transcript record", path.display()),
                e,
            )
        })?;
        if number == 1 && !matches!(record, Record::Header { format: FORMAT, .. }) {
            return Err(CliError::invalid_msg(format!(
                "{}:1: not a rutoken-lab relay transcript (format {FORMAT} header expected)",
                path.display()
            )));
        }
        records.push(record);
    }
    if records.is_empty() {
        return Err(CliError::invalid_msg(format!(
            "{}: empty transcript",
            path.display()
        )));
    }
    Ok(records)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_a_bad_line_names_its_number() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        let mut writer = Writer::create(&path).unwrap();
        let records = [
            Record::Header {
                format: FORMAT,
                reader: "R".into(),
                atr: "3B 00".into(),
                started_unix: 1,
            },
            Record::Power {
                at_ms: 0.5,
                event: PowerEvent::On,
            },
            Record::Apdu {
                at_ms: 1.0,
                took_ms: 0.25,
                press: false,
                command: "00 20 00 02 08 **".into(),
                response: "90 00".into(),
                error: None,
            },
            Record::Apdu {
                at_ms: 2.0,
                took_ms: 1500.0,
                press: true,
                command: "00 2A 9E 9A 00".into(),
                response: "90 00".into(),
                error: None,
            },
        ];
        for r in &records {
            writer.write(r).unwrap();
        }
        drop(writer);
        assert_eq!(read(&path).unwrap(), records);
        // `press` is written only where it is true: older transcripts read the same.
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.matches("\"press\"").count(), 1, "{text}");
        std::fs::write(&path, "{\"record\":\"header\",\"format\":1,\"reader\":\"R\",\"atr\":\"\",\"started_unix\":0}\n{nope\n").unwrap();
        let err = read(&path).unwrap_err().to_string();
        assert!(err.ends_with(":2: not a transcript record"), "{err}");
    }
}
