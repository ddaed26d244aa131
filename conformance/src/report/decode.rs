//! Decoded transcripts: each recorded exchange with its command's name and parameters and its
//! status word's meaning, for people reading artifacts, JSON and the HTML report.
//!
//! Decoding works on what the transcript stored — the command already masked by the one masking
//! function at recording time — so no report can hold more than the transcript does.

use serde::Serialize;
use serde::ser::SerializeSeq;

use crate::transcript::{Exchange, Transcript};

/// One exchange, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decoded {
    /// The transcript heading (`verify_pin`, `assert objects`).
    pub step: String,
    /// The command as recorded (spaced hex, secret data as `**`).
    pub command: String,
    /// The response as recorded (spaced hex, data then SW), or the transport error.
    pub response: String,
    /// The instruction's name (`SELECT FILE`, `VERIFY`, `PSO: HASH`).
    pub name: String,
    /// The parameters in words (`P1 P2 = 00 02 (user PIN), 8 bytes of data masked`).
    pub parameters: String,
    /// The status word, 4 hex digits (absent when the transport failed).
    pub sw: Option<String>,
    /// What the status word means (`security status not satisfied`).
    pub meaning: String,
}

impl Decoded {
    /// One line: `VERIFY (P1 P2 = 00 02, …) → 63C9 wrong PIN, 9 tries left`.
    pub fn summary(&self) -> String {
        let mut out = format!("{} ({})", self.name, self.parameters);
        match &self.sw {
            Some(sw) => out.push_str(&format!(" → {sw} {}", self.meaning)),
            None => out.push_str(&format!(" → {}", self.meaning)),
        }
        out
    }
}

/// Bytes of a recorded (spaced hex) field, up to a `**` mask; `masked` tells whether one was
/// there.
fn bytes_of(field: &str) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    for token in field.split_whitespace() {
        if token == "**" {
            return (out, true);
        }
        match u8::from_str_radix(token, 16) {
            Ok(b) if token.len() == 2 => out.push(b),
            _ => return (out, false),
        }
    }
    (out, false)
}

/// Decodes one recorded exchange.
pub fn decode(e: &Exchange) -> Decoded {
    let (command, masked) = bytes_of(&e.command);
    let (name, parameters) = describe_command(&command, masked);
    let (sw, meaning) = match e.response.strip_prefix("error: ") {
        Some(err) => (None, format!("transport error: {err}")),
        None => {
            let (response, _) = bytes_of(&e.response);
            match response.len().checked_sub(2) {
                Some(at) => {
                    let sw = u16::from_be_bytes([response[at], response[at + 1]]);
                    let mut meaning = sw_meaning(sw);
                    if at > 0 {
                        meaning.push_str(&format!(", {at} bytes of data"));
                    }
                    (Some(format!("{sw:04X}")), meaning)
                }
                None => (None, "no status word".to_owned()),
            }
        }
    };
    Decoded {
        step: e.step.clone(),
        command: e.command.clone(),
        response: e.response.clone(),
        name,
        parameters,
        sw,
        meaning,
    }
}

/// Every exchange of a transcript, decoded.
pub fn decode_all(t: &Transcript) -> Vec<Decoded> {
    t.exchanges.iter().map(decode).collect()
}

/// `serialize_with` for report transcripts: the decoded exchanges.
pub fn serialize_transcript<S: serde::Serializer>(t: &Transcript, s: S) -> Result<S::Ok, S::Error> {
    let mut seq = s.serialize_seq(Some(t.exchanges.len()))?;
    for e in &t.exchanges {
        seq.serialize_element(&decode(e))?;
    }
    seq.end()
}

/// The instruction's name (ISO 7816-4 and the Rutoken commands of `rutoken-ecp-apdu.md`).
pub fn instruction_name(cla: u8, ins: u8, p1: u8, p2: u8) -> &'static str {
    let proprietary = cla & 0x80 != 0;
    match (proprietary, ins, p1, p2) {
        (true, 0x40, ..) => "LOGOUT (reset access rights)",
        (true, 0x8A, ..) => "ERASE",
        (true, 0x84, ..) => "INIT END",
        (false, 0xA4, ..) => "SELECT FILE",
        (false, 0xB0, ..) => "READ BINARY",
        (false, 0xD6, ..) => "UPDATE BINARY",
        (false, 0xD0, ..) => "WRITE BINARY",
        (false, 0x20, ..) => "VERIFY",
        (false, 0x24, ..) => "CHANGE REFERENCE DATA",
        (false, 0x2C, ..) => "RESET RETRY COUNTER",
        (false, 0xCA, ..) => "GET DATA",
        (false, 0x22, ..) => "MANAGE SECURITY ENVIRONMENT",
        (false, 0x2A, 0x90, 0x80) => "PSO: HASH",
        (false, 0x2A, 0x9E, 0x9A) => "PSO: COMPUTE DIGITAL SIGNATURE",
        (false, 0x2A, 0x00, 0xA8) => "PSO: VERIFY DIGITAL SIGNATURE",
        (false, 0x2A, 0x80, 0x86) => "PSO: DECIPHER",
        (false, 0x2A, ..) => "PERFORM SECURITY OPERATION",
        (false, 0x46, ..) => "GENERATE KEY PAIR",
        (false, 0xE0, ..) => "CREATE FILE",
        (false, 0xE4, ..) => "DELETE FILE",
        (false, 0xC0, ..) => "GET RESPONSE",
        (false, 0x84, ..) => "GET CHALLENGE",
        _ => "unknown instruction",
    }
}

/// What a status word means (ISO 7816-4 §5.1.3; `6FB1`: the SafeTouch's refusal of the default
/// device profile, `safetouch.md` "Gating").
pub fn sw_meaning(sw: u16) -> String {
    let [sw1, sw2] = sw.to_be_bytes();
    match (sw1, sw2) {
        (0x90, 0x00) => "success".to_owned(),
        (0x61, n) => format!("success, {n} more bytes to get"),
        (0x63, n) if n & 0xF0 == 0xC0 => format!("wrong PIN, {} tries left", n & 0x0F),
        (0x63, 0x00) => "verification failed".to_owned(),
        (0x65, 0x81) => "memory failure".to_owned(),
        (0x67, 0x00) => "wrong length".to_owned(),
        (0x69, 0x82) => "security status not satisfied".to_owned(),
        (0x69, 0x83) => "authentication method blocked".to_owned(),
        (0x69, 0x84) => "reference data not usable".to_owned(),
        (0x69, 0x85) => "conditions of use not satisfied".to_owned(),
        (0x69, 0x86) => "command not allowed (no current EF)".to_owned(),
        (0x6A, 0x80) => "incorrect data".to_owned(),
        (0x6A, 0x81) => "function not supported".to_owned(),
        (0x6A, 0x82) => "file not found".to_owned(),
        (0x6A, 0x84) => "not enough memory".to_owned(),
        (0x6A, 0x86) => "incorrect P1 P2".to_owned(),
        (0x6A, 0x88) => "referenced data not found".to_owned(),
        (0x6A, 0x89) => "file already exists".to_owned(),
        (0x6B, 0x00) => "wrong parameters P1 P2".to_owned(),
        (0x6C, n) => format!("wrong Le, {n} bytes available"),
        (0x6D, 0x00) => "instruction not supported".to_owned(),
        (0x6E, 0x00) => "class not supported".to_owned(),
        (0x6F, 0x86) => "the other role is logged in".to_owned(),
        (0x6F, 0xB1) => "refused on the SafeTouch (Reject pressed or timed out)".to_owned(),
        (0x6F, 0x00) => "no precise diagnosis".to_owned(),
        _ => "unknown status word".to_owned(),
    }
}

/// The command's name and its parameters in words.
fn describe_command(c: &[u8], masked: bool) -> (String, String) {
    let [cla, ins, p1, p2] = match c.get(..4) {
        Some(&[a, b, p, q]) => [a, b, p, q],
        _ => return ("a short command".to_owned(), format!("{} bytes", c.len())),
    };
    let mut name = instruction_name(cla, ins, p1, p2).to_owned();
    if cla & 0x10 != 0 {
        name.push_str(", chained");
    }
    let body = &c[4..];
    // Lc and data (short APDUs: the client never sends extended ones).
    let (data, le) = match body {
        [] => (None, None),
        // The mask keeps the header and Lc: the one byte left is Lc, not Le.
        [lc] if masked => (Some((usize::from(*lc), &[][..])), None),
        [le] => (None, Some(*le)),
        [lc, rest @ ..] => {
            let lc = usize::from(*lc);
            (
                Some((lc, rest.get(..lc.min(rest.len())).unwrap_or(&[]))),
                rest.get(lc).copied(),
            )
        }
    };
    let mut params = vec![format!("P1 P2 = {p1:02X} {p2:02X}")];
    match (cla & 0x80 != 0, ins) {
        (false, 0x20 | 0x24 | 0x2C) => params.push(match p2 {
            0x01 => "admin PIN".to_owned(),
            0x02 => "user PIN".to_owned(),
            r => format!("PIN {r:02X}"),
        }),
        (false, 0xA4) => params.push(
            match p1 {
                0x00 => "by file ID",
                0x04 => "by name",
                0x08 => "by path from the MF",
                0x09 => "by path from the current DF",
                _ => "",
            }
            .to_owned(),
        ),
        (false, 0xCA) if (p1, p2) == (0x01, 0x81) => params.push("serial number".to_owned()),
        (false, 0x46) => params.push(format!("key {p2:02X}")),
        _ => {}
    }
    params.retain(|p| !p.is_empty());
    match data {
        Some((lc, _)) if masked => params.push(format!("{lc} bytes of data masked")),
        Some((lc, bytes)) if lc <= 8 && ins == 0xA4 => {
            params.push(format!("data {}", crate::apdu::spaced_hex(bytes)));
        }
        Some((lc, _)) => params.push(format!("{lc} bytes of data")),
        None if masked => params.push("data masked".to_owned()),
        None => {}
    }
    if let Some(le) = le {
        params.push(if le == 0 {
            "Le 256".to_owned()
        } else {
            format!("Le {le}")
        });
    }
    (name, params.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(command: &str, response: &str) -> Exchange {
        Exchange {
            command: command.to_owned(),
            response: response.to_owned(),
            step: "s".to_owned(),
        }
    }

    #[test]
    fn verify_is_named_masked_and_its_counter_read() {
        let d = decode(&ex("00 20 00 02 08 **", "63 C9"));
        assert_eq!(d.name, "VERIFY");
        assert_eq!(
            d.parameters,
            "P1 P2 = 00 02, user PIN, 8 bytes of data masked"
        );
        assert_eq!(d.sw.as_deref(), Some("63C9"));
        assert_eq!(d.meaning, "wrong PIN, 9 tries left");
    }

    #[test]
    fn select_and_get_data() {
        let d = decode(&ex("00 A4 08 00 02 5F 5F 00", "6A 82"));
        assert_eq!(d.name, "SELECT FILE");
        assert!(d.parameters.contains("by path from the MF"), "{d:?}");
        assert!(d.parameters.contains("data 5F 5F"), "{d:?}");
        assert_eq!(d.meaning, "file not found");
        let d = decode(&ex("00 CA 01 81 00", "00 00 00 00 2E EA 3E D3 90 00"));
        assert_eq!(d.name, "GET DATA");
        assert_eq!(d.meaning, "success, 8 bytes of data");
        assert!(d.parameters.contains("serial number"));
    }

    #[test]
    fn transport_errors_and_chains() {
        let d = decode(&ex(
            "10 2A 90 80 03 01 02 03",
            "error: no card in the reader",
        ));
        assert_eq!(d.name, "PSO: HASH, chained");
        assert_eq!(d.sw, None);
        assert_eq!(d.meaning, "transport error: no card in the reader");
    }
}
