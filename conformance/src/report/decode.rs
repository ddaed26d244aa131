//! Decoded transcripts: each recorded exchange with its command's name and parameters and its
//! status word's meaning (names and meanings from `rutoken_apdu`), for people reading
//! artifacts, JSON and the HTML report.
//!
//! Decoding works on what the transcript stored — the command already masked by the one masking
//! function at recording time — so no report can hold more than the transcript does.

use serde::Serialize;
use serde::ser::SerializeSeq;

use crate::transcript::{Exchange, ExchangeKind, Transcript};

/// One exchange, decoded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
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

/// Decodes one recorded exchange. A PKCS#11 target records calls, not APDUs
/// (`C_Login(CKU_USER, **)` answered `CKR_PIN_INCORRECT`): their name is the function, their
/// meaning the `CKR_`.
pub fn decode(e: &Exchange) -> Decoded {
    if e.kind == ExchangeKind::Calls {
        // `C_SignInit(M, key 4); C_Sign(479 bytes)`: names `C_SignInit + C_Sign`, parameters
        // `M, key 4; 479 bytes`.
        let (mut names, mut parameters) = (Vec::new(), Vec::new());
        for call in e.command.split("; ") {
            let (name, args) = call.split_once('(').unwrap_or((call, ""));
            names.push(name);
            let args = args.strip_suffix(')').unwrap_or(args);
            if !args.is_empty() {
                parameters.push(args);
            }
        }
        return Decoded {
            step: e.step.clone(),
            command: e.command.to_string(),
            response: e.response.to_string(),
            name: names.join(" + "),
            parameters: parameters.join("; "),
            sw: None,
            meaning: e.response.to_string(),
        };
    }
    let (command, masked) = bytes_of(&e.command);
    let (name, parameters) = describe_command(&command, masked);
    let (sw, meaning) = match e.kind {
        ExchangeKind::TransportError => {
            let err = e.response.strip_prefix("error: ").unwrap_or(&e.response);
            (None, format!("transport error: {err}"))
        }
        ExchangeKind::Apdu | ExchangeKind::Calls => {
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
        command: e.command.to_string(),
        response: e.response.to_string(),
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

/// The instruction's name (`rutoken_apdu::names`, one table for every tool of the workspace).
pub fn instruction_name(cla: u8, ins: u8, p1: u8, p2: u8) -> &'static str {
    rutoken_apdu::names::instruction_name(cla, ins, p1, p2)
}

/// What a status word means: `rutoken_apdu`'s meaning, with the counts of 63Cx, 61xx and 6Cxx
/// spelled out, and `6FB1`, the SafeTouch's refusal of the default device profile
/// (`safetouch.md` "Gating").
pub fn sw_meaning(sw: u16) -> String {
    let word = rutoken_apdu::StatusWord(sw);
    let [sw1, sw2] = sw.to_be_bytes();
    if let Some(n) = word.tries_left() {
        return format!(
            "wrong PIN, {n} {} left",
            if n == 1 { "try" } else { "tries" }
        );
    }
    match sw1 {
        0x61 => format!("success, {sw2} more bytes to get"),
        0x6C => format!("wrong Le, {sw2} bytes available"),
        _ if sw == 0x6FB1 => "refused on the SafeTouch (Reject pressed or timed out)".to_owned(),
        _ => word.meaning().to_owned(),
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
        (false, 0x46) => params.push(format!("key {p2:02X}")),
        _ => {}
    }
    params.retain(|p| !p.is_empty());
    match data {
        Some((lc, _)) if masked => params.push(format!("{lc} bytes of data masked")),
        Some((lc, bytes)) if lc <= 8 && ins == 0xA4 => {
            params.push(format!("data {}", rutoken_apdu::hex::spaced(bytes)));
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
            command: command.into(),
            response: response.into(),
            step: "s".to_owned(),
            kind: ExchangeKind::Apdu,
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
        assert_eq!(d.name, "SELECT");
        assert!(d.parameters.contains("by path from the MF"), "{d:?}");
        assert!(d.parameters.contains("data 5F 5F"), "{d:?}");
        assert_eq!(d.meaning, "file not found");
        let d = decode(&ex("00 CA 01 81 00", "00 00 00 00 2E EA 3E D3 90 00"));
        assert_eq!(d.name, "GET DATA (serial number)");
        assert_eq!(d.meaning, "success, 8 bytes of data");
    }

    #[test]
    fn transport_errors_and_chains() {
        let d = decode(&Exchange {
            kind: ExchangeKind::TransportError,
            ..ex("10 2A 90 80 03 01 02 03", "error: no card in the reader")
        });
        assert_eq!(d.name, "PSO: HASH, chained");
        assert_eq!(d.sw, None);
        assert_eq!(d.meaning, "transport error: no card in the reader");
    }

    #[test]
    fn pkcs11_calls() {
        let d = decode(&Exchange {
            command: "C_Logout; C_Login(CKU_USER, **)".into(),
            response: "CKR_PIN_INCORRECT".into(),
            step: "verify_pin".into(),
            kind: ExchangeKind::Calls,
        });
        assert_eq!(
            d.summary(),
            "C_Logout + C_Login (CKU_USER, **) → CKR_PIN_INCORRECT"
        );
    }
}
