//! The image file format, version 1: a 20-byte header then a JSON body.
//!
//! `"RTLABTKN"` (8 bytes) ‖ version (u32 BE) ‖ body length (u32 BE) ‖ CRC-32 of the body
//! (u32 BE, IEEE 802.3 polynomial) ‖ body (`serde_json` of [`State`]). Keys and PINs are in the
//! body: the file is created 0600 ([`super::storage::FileStorage`]).

use std::path::Path;

use super::commands::MAX_DEPTH;
use super::error::TokenError;
use super::fcp;
use super::fs::{self, Body, MF_FID};
use super::state::State;

/// The file's first bytes.
pub const MAGIC: &[u8; 8] = b"RTLABTKN";
/// The format this build writes and the newest it reads.
pub const VERSION: u32 = 1;
const HEADER_LEN: usize = 20;

/// Encodes a state as image bytes. A body that cannot be serialised, or one too long for the
/// header's 32-bit length, is an error: an image is never written with a wrong body.
pub fn encode(state: &State) -> Result<Vec<u8>, TokenError> {
    encode_body(state)
}

fn encode_body(body: &impl serde::Serialize) -> Result<Vec<u8>, TokenError> {
    // The body is serialised straight behind the header, whose length and CRC are filled in
    // afterwards: one buffer, sized for a typical image (about 26 KB), no copy of the body.
    let mut out = Vec::with_capacity(HEADER_LEN + 32 * 1024);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_be_bytes());
    out.extend_from_slice(&[0; 8]);
    serde_json::to_writer(&mut out, body).map_err(TokenError::Encode)?;
    let body_len = out.len() - HEADER_LEN;
    let len = u32::try_from(body_len).map_err(|_| TokenError::ImageTooLarge { len: body_len })?;
    let crc = crc32(&out[HEADER_LEN..]);
    out[HEADER_LEN - 8..HEADER_LEN - 4].copy_from_slice(&len.to_be_bytes());
    out[HEADER_LEN - 4..HEADER_LEN].copy_from_slice(&crc.to_be_bytes());
    Ok(out)
}

/// Decodes image bytes; every failure names `path` and leaves the file alone.
pub fn decode(bytes: &[u8], path: &Path) -> Result<State, TokenError> {
    let corrupt = |reason: String| TokenError::Corrupt {
        path: path.to_path_buf(),
        reason,
    };
    if bytes.len() < HEADER_LEN {
        if bytes.get(..MAGIC.len()).is_some_and(|m| m != MAGIC) {
            return Err(corrupt("not a rutoken-lab token image (bad magic)".into()));
        }
        return Err(TokenError::Truncated {
            path: path.to_path_buf(),
            expected: HEADER_LEN,
            actual: bytes.len(),
        });
    }
    let (header, body) = bytes.split_at(HEADER_LEN);
    let [
        m0,
        m1,
        m2,
        m3,
        m4,
        m5,
        m6,
        m7,
        v0,
        v1,
        v2,
        v3,
        l0,
        l1,
        l2,
        l3,
        c0,
        c1,
        c2,
        c3,
    ] = *header
    else {
        return Err(corrupt("header".into()));
    };
    if [m0, m1, m2, m3, m4, m5, m6, m7] != *MAGIC {
        return Err(corrupt("not a rutoken-lab token image (bad magic)".into()));
    }
    let version = u32::from_be_bytes([v0, v1, v2, v3]);
    let len = usize::try_from(u32::from_be_bytes([l0, l1, l2, l3]))
        .map_err(|_| corrupt("body length beyond this machine's address space".into()))?;
    let crc = u32::from_be_bytes([c0, c1, c2, c3]);
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
    let state: State = serde_json::from_slice(body).map_err(|e| corrupt(format!("body: {e}")))?;
    validate(&state).map_err(corrupt)?;
    Ok(state)
}

/// The structure every image must have, whatever its checksum says: the MF is the DF `3F00`,
/// the children of a DF have distinct FIDs in ascending order (SELECT finds one file per FID;
/// CREATE keeps the order), paths are no deeper than SELECT can reach, every FCP fits a short
/// answer, PIN and key objects have references 01..FF (as CREATE FILE makes them).
fn validate(state: &State) -> Result<(), String> {
    let Some(mf) = &state.mf else {
        return Ok(());
    };
    if mf.fid != MF_FID || !mf.is_df() {
        return Err(format!("the root is {:04X}, not the MF DF 3F00", mf.fid));
    }
    let mut problem = None;
    fs::walk(mf, &mut Vec::new(), &mut |path, node| {
        if problem.is_some() {
            return;
        }
        let at = || {
            std::iter::once(MF_FID)
                .chain(path.iter().copied())
                .map(|fid| format!("{fid:04X}"))
                .collect::<Vec<_>>()
                .join("/")
        };
        if path.len() > MAX_DEPTH {
            problem = Some(format!("{} is deeper than {MAX_DEPTH} levels", at()));
            return;
        }
        if fcp::fcp_len(node.prop.len()) > fcp::SHORT_ANSWER_MAX {
            problem = Some(format!(
                "the FCP of {} would be {} bytes, more than a short answer carries",
                at(),
                fcp::fcp_len(node.prop.len())
            ));
            return;
        }
        if matches!(node.body, Body::Pin(_) | Body::Key(_)) && !(1..=0xFF).contains(&node.fid) {
            problem = Some(format!(
                "PIN or key object {} has no one-byte reference",
                at()
            ));
            return;
        }
        for pair in node.children().windows(2) {
            if let [a, b] = pair {
                if a.fid == b.fid {
                    problem = Some(format!("two files with ID {:04X} in {}", a.fid, at()));
                    return;
                }
                if a.fid > b.fid {
                    problem = Some(format!(
                        "files of {} out of ID order ({:04X} before {:04X})",
                        at(),
                        a.fid,
                        b.fid
                    ));
                    return;
                }
            }
        }
    });
    problem.map_or(Ok(()), Err)
}

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), eight bytes at a time through
/// [`CRC_TABLES`] ("slicing-by-8", Kounavis and Berry, Intel 2005). The image is rewritten on
/// every change the token makes, so this runs over the whole image many times per scenario: bit
/// by bit it took half of an in-process flow (perf, 5 Dec 2026).
fn crc32(data: &[u8]) -> u32 {
    let t = &CRC_TABLES;
    let mut crc = !0u32;
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        let [a, b, c2, d] = (u32::from_le_bytes([c[0], c[1], c[2], c[3]]) ^ crc).to_le_bytes();
        let [e, f, g, h] = [c[4], c[5], c[6], c[7]];
        crc = t[7][usize::from(a)]
            ^ t[6][usize::from(b)]
            ^ t[5][usize::from(c2)]
            ^ t[4][usize::from(d)]
            ^ t[3][usize::from(e)]
            ^ t[2][usize::from(f)]
            ^ t[1][usize::from(g)]
            ^ t[0][usize::from(h)];
    }
    for &byte in chunks.remainder() {
        crc = (crc >> 8) ^ t[0][usize::from(crc.to_le_bytes()[0] ^ byte)];
    }
    !crc
}

/// `CRC_TABLES[0][b]`: the CRC register after byte b alone (eight steps of the bitwise
/// algorithm); `CRC_TABLES[k][b]`: the same byte followed by k zero bytes. Built at compile time.
const CRC_TABLES: [[u32; 256]; 8] = crc_tables();

/// [`CRC_TABLES`], computed at compile time.
const fn crc_tables() -> [[u32; 256]; 8] {
    let mut t = [[0u32; 256]; 8];
    let mut i: u32 = 0;
    while i < 256 {
        let mut crc = i;
        let mut bit = 0;
        while bit < 8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
            bit += 1;
        }
        t[0][i as usize] = crc;
        i += 1;
    }
    let mut k = 1;
    while k < 8 {
        let mut i = 0;
        while i < 256 {
            let prev = t[k - 1][i];
            t[k][i] = (prev >> 8) ^ t[0][(prev & 0xFF) as usize];
            i += 1;
        }
        k += 1;
    }
    t
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
    fn crc_matches_the_bitwise_definition_at_every_length() {
        fn bitwise(data: &[u8]) -> u32 {
            let mut crc = !0u32;
            for &byte in data {
                crc ^= u32::from(byte);
                for _ in 0..8 {
                    crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
                }
            }
            !crc
        }
        let data: Vec<u8> = (0u32..300)
            .map(|i| (i * 7 + i / 3).to_le_bytes()[0])
            .collect();
        for len in 0..data.len() {
            assert_eq!(crc32(&data[..len]), bitwise(&data[..len]), "length {len}");
        }
    }

    /// A body whose serialisation fails, as a future field with a fallible `Serialize` would.
    struct Unserialisable;

    impl serde::Serialize for Unserialisable {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom(
                "a key object refused to serialise",
            ))
        }
    }

    #[test]
    fn a_body_that_does_not_serialise_is_an_error_with_its_cause() {
        let err = encode_body(&Unserialisable).unwrap_err();
        assert!(matches!(err, TokenError::Encode(_)), "{err:?}");
        let text = err.to_string();
        assert!(text.contains("a key object refused to serialise"), "{text}");
        assert!(text.starts_with("encoding the token image"), "{text}");
    }

    #[test]
    fn round_trip_and_damage() {
        let state = State {
            serial: [0, 0, 0, 0, 0x2E, 0xF0, 0xC3, 0x93],
            finalised: true,
            mf: None,
        };
        let bytes = encode(&state).unwrap();
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
