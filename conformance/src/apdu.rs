//! Command APDUs the client builds, responses it reads, and the patterns raw-APDU steps expect.

/// SW 9000, success (ISO 7816-4 §5.1.3).
pub const SW_OK: u16 = 0x9000;
/// SW 6A82, file not found (rutoken-ecp-apdu.md §2).
pub const SW_FILE_NOT_FOUND: u16 = 0x6A82;
/// SW 6983, authentication method blocked (rutoken-ecp-apdu.md §2).
pub const SW_BLOCKED: u16 = 0x6983;

/// A short command APDU (ISO 7816-3 §12.1): header, optional data, optional Le.
#[derive(Clone, PartialEq, Eq)]
pub struct Command {
    /// CLA; bit `0x10` is command chaining.
    pub cla: u8,
    /// INS.
    pub ins: u8,
    /// P1.
    pub p1: u8,
    /// P2.
    pub p2: u8,
    /// Data (≤ 255 bytes: the token's max_send_size, rutoken-ecp-apdu.md §2).
    pub data: Vec<u8>,
    /// Le; `Some(0)` asks for up to 256 bytes.
    pub le: Option<u8>,
}

impl Command {
    /// A case-1 command.
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Command {
            cla,
            ins,
            p1,
            p2,
            data: Vec::new(),
            le: None,
        }
    }
    /// With data.
    pub fn data(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.data = data.into();
        self
    }
    /// With Le.
    pub fn le(mut self, le: u8) -> Self {
        self.le = Some(le);
        self
    }
    /// The bytes on the wire. Data longer than 255 bytes is truncated by the caller's contract
    /// (every builder here chunks first).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![self.cla, self.ins, self.p1, self.p2];
        if !self.data.is_empty() {
            out.push(u8::try_from(self.data.len()).unwrap_or(u8::MAX));
            out.extend_from_slice(&self.data[..self.data.len().min(255)]);
        }
        if let Some(le) = self.le {
            out.push(le);
        }
        out
    }
}

/// Whether a command carries a PIN in its data: VERIFY (`20`), CHANGE REFERENCE DATA (`24`),
/// RESET RETRY COUNTER (`2C`), interindustry class only. These are masked in every transcript.
pub fn carries_pin(command: &[u8]) -> bool {
    command.len() > 5 && command[0] & 0x80 == 0 && matches!(command[1], 0x20 | 0x24 | 0x2C)
}

/// A response APDU split into data and status word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The data before SW1 SW2.
    pub data: Vec<u8>,
    /// SW1 SW2.
    pub sw: u16,
}

impl Response {
    /// Splits raw response bytes; fewer than two bytes is `None`.
    pub fn parse(raw: &[u8]) -> Option<Self> {
        let split = raw.len().checked_sub(2)?;
        let sw = u16::from_be_bytes([raw[split], raw[split + 1]]);
        Some(Response {
            data: raw[..split].to_vec(),
            sw,
        })
    }
    /// SW 9000.
    pub fn ok(&self) -> bool {
        self.sw == SW_OK
    }
}

/// Parses hex with optional spaces and colons.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, String> {
    let clean: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ':')
        .collect();
    hex::decode(&clean).map_err(|e| format!("{text:?}: not hex ({e})"))
}

/// Hex, upper case, bytes separated by spaces (how transcripts print). A table instead of
/// `format!` per byte: transcripts are built for every APDU of every scenario.
pub fn spaced_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = Vec::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        out.push(DIGITS[usize::from(b >> 4)]);
        out.push(DIGITS[usize::from(b & 0x0F)]);
    }
    // Only ASCII digits and spaces were pushed.
    String::from_utf8(out).unwrap_or_default()
}

/// Matches a status word against a pattern of 4 hex digits where `x` is any nibble (`63Cx`).
pub fn sw_matches(pattern: &str, sw: u16) -> Result<bool, String> {
    let p: Vec<char> = pattern.chars().filter(|c| !c.is_whitespace()).collect();
    if p.len() != 4 {
        return Err(format!("sw {pattern:?}: expected 4 hex digits, x for any"));
    }
    let actual = format!("{sw:04X}");
    let mut ok = true;
    for (pc, ac) in p.iter().zip(actual.chars()) {
        if pc.eq_ignore_ascii_case(&'x') {
            continue;
        }
        if !pc.is_ascii_hexdigit() {
            return Err(format!("sw {pattern:?}: expected 4 hex digits, x for any"));
        }
        ok &= pc.eq_ignore_ascii_case(&ac);
    }
    Ok(ok)
}

/// Matches data against a pattern: hex bytes, `..` for any byte, a final `*` for any rest.
/// Spaces are ignored.
pub fn data_matches(pattern: &str, data: &[u8]) -> Result<bool, String> {
    let mut p: String = pattern.chars().filter(|c| !c.is_whitespace()).collect();
    let open = p.ends_with('*');
    if open {
        p.pop();
    }
    if p.len() % 2 != 0 {
        return Err(format!("data {pattern:?}: odd number of hex digits"));
    }
    let expected_len = p.len() / 2;
    if data.len() < expected_len || (!open && data.len() != expected_len) {
        return Ok(false);
    }
    for (i, pair) in p.as_bytes().chunks(2).enumerate() {
        if pair == b".." {
            continue;
        }
        let text = std::str::from_utf8(pair).map_err(|_| format!("data {pattern:?}: not hex"))?;
        let byte =
            u8::from_str_radix(text, 16).map_err(|_| format!("data {pattern:?}: not hex"))?;
        if data[i] != byte {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn builds_select_with_le() {
        let c = Command::new(0, 0xA4, 0x08, 0).data(vec![0x50, 0x00]).le(0);
        assert_eq!(
            c.to_bytes(),
            vec![0x00, 0xA4, 0x08, 0x00, 0x02, 0x50, 0x00, 0x00]
        );
    }

    #[test]
    fn patterns() {
        assert!(sw_matches("63Cx", 0x63C4).unwrap());
        assert!(!sw_matches("63Cx", 0x6983).unwrap());
        assert!(sw_matches("6a82", 0x6A82).unwrap());
        assert!(sw_matches("63C", 0x63C4).is_err());
        assert!(data_matches("01 .. 03", &[1, 9, 3]).unwrap());
        assert!(!data_matches("01 .. 03", &[1, 9, 3, 4]).unwrap());
        assert!(data_matches("01*", &[1, 9, 3, 4]).unwrap());
        assert!(!data_matches("02*", &[1]).unwrap());
        assert!(data_matches("abc", &[1]).is_err());
    }

    #[test]
    fn pins_are_recognised() {
        assert!(carries_pin(&[0x00, 0x20, 0x00, 0x02, 0x02, 0x31, 0x32]));
        assert!(!carries_pin(&[0x00, 0x20, 0x00, 0x02]));
        assert!(!carries_pin(&[0x80, 0x20, 0x00, 0x02, 0x01, 0x31]));
    }

    proptest! {
        #[test]
        fn response_parse_round_trip(data in proptest::collection::vec(any::<u8>(), 0..300), sw in any::<u16>()) {
            let mut raw = data.clone();
            raw.extend_from_slice(&sw.to_be_bytes());
            let r = Response::parse(&raw).unwrap();
            prop_assert_eq!(r.data, data);
            prop_assert_eq!(r.sw, sw);
        }
        #[test]
        fn patterns_never_panic(p in ".{0,20}", d in proptest::collection::vec(any::<u8>(), 0..10)) {
            let _ = data_matches(&p, &d);
            let _ = sw_matches(&p, 0x9000);
        }
        #[test]
        fn spaced_hex_is_hex_encode_with_spaces(d in proptest::collection::vec(any::<u8>(), 0..40)) {
            prop_assert_eq!(spaced_hex(&d).replace(' ', ""), hex::encode_upper(&d));
        }
        #[test]
        fn data_matches_its_own_hex(d in proptest::collection::vec(any::<u8>(), 0..40)) {
            prop_assert!(data_matches(&spaced_hex(&d), &d).unwrap());
        }
    }
}
