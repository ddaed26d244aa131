//! The image file format, version 1: a 20-byte header then a JSON body.
//!
//! `"RTLABTKN"` (8 bytes) ‖ version (u32 BE) ‖ body length (u32 BE) ‖ CRC-32 of the body
//! (u32 BE, IEEE 802.3 polynomial) ‖ body (`serde_json` of [`State`]). Keys and PINs are in the
//! body: the file is created 0600 ([`super::storage::FileStorage`]).

use std::path::Path;

use super::error::TokenError;
use super::state::State;

/// The file's first bytes.
pub const MAGIC: &[u8; 8] = b"RTLABTKN";
/// The format this build writes and the newest it reads.
pub const VERSION: u32 = 1;
const HEADER_LEN: usize = 20;

/// Encodes a state as image bytes.
pub fn encode(state: &State) -> Vec<u8> {
    // `State` holds only strings, numbers, arrays and maps: serialisation cannot fail.
    let body = serde_json::to_vec(state).unwrap_or_default();
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_be_bytes());
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out.extend_from_slice(&body);
    out
}

/// Decodes image bytes; every failure names `path` and leaves the file alone.
pub fn decode(bytes: &[u8], path: &Path) -> Result<State, TokenError> {
    let corrupt = |reason: String| TokenError::Corrupt {
        path: path.to_path_buf(),
        reason,
    };
    if bytes.len() < HEADER_LEN {
        if bytes.len() >= MAGIC.len() && &bytes[..MAGIC.len()] != MAGIC {
            return Err(corrupt("not a rutoken-lab token image (bad magic)".into()));
        }
        return Err(TokenError::Truncated {
            path: path.to_path_buf(),
            expected: HEADER_LEN,
            actual: bytes.len(),
        });
    }
    let (header, body) = bytes.split_at(HEADER_LEN);
    if &header[..8] != MAGIC {
        return Err(corrupt("not a rutoken-lab token image (bad magic)".into()));
    }
    let word =
        |i: usize| u32::from_be_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]);
    let (version, len, crc) = (word(8), word(12) as usize, word(16));
    if version > VERSION {
        return Err(TokenError::NewerVersion {
            path: path.to_path_buf(),
            found: version,
            supported: VERSION,
        });
    }
    if version == 0 {
        return Err(corrupt("format version 0".into()));
    }
    if body.len() < len {
        return Err(TokenError::Truncated {
            path: path.to_path_buf(),
            expected: HEADER_LEN + len,
            actual: bytes.len(),
        });
    }
    if body.len() > len {
        return Err(corrupt(format!(
            "{} bytes after the body",
            body.len() - len
        )));
    }
    if crc32(body) != crc {
        return Err(corrupt("checksum mismatch".into()));
    }
    serde_json::from_slice(body).map_err(|e| corrupt(format!("body: {e}")))
}

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), bitwise: images are small.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_check_value() {
        // The CRC-32 check value of "123456789" (the Rocksoft catalogue, CRC-32/ISO-HDLC).
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn round_trip_and_damage() {
        let state = State {
            serial: [0, 0, 0, 0, 0x2E, 0xF0, 0xC3, 0x93],
            finalised: true,
            mf: None,
        };
        let bytes = encode(&state);
        let p = Path::new("t.img");
        assert_eq!(decode(&bytes, p).unwrap().serial, state.serial);
        assert!(matches!(
            decode(&bytes[..bytes.len() - 1], p),
            Err(TokenError::Truncated { .. })
        ));
        let mut flipped = bytes.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(matches!(
            decode(&flipped, p),
            Err(TokenError::Corrupt { .. })
        ));
        let mut newer = bytes.clone();
        newer[11] = 2;
        assert!(matches!(
            decode(&newer, p),
            Err(TokenError::NewerVersion { found: 2, .. })
        ));
        assert!(matches!(
            decode(b"garbage!garbage!garbage!", p),
            Err(TokenError::Corrupt { .. })
        ));
        assert!(decode(&bytes, p).is_ok());
    }
}
