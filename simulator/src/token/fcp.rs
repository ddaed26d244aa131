//! The FCP a SELECT returns and the template CREATE FILE carries (`rutoken-ecp-apdu.md` §3, §4;
//! `card-rtecp.c` `rtecp_construct_fci`): `62|6F L 80 02 size 82 02 desc 00 83 02 fid
//! [85 n prop] 86 0F sec`, lengths in BER (`81 xx` from 128 bytes on). An FCP must fit one
//! short answer (256 bytes): CREATE FILE refuses a tag 85 that would make it longer (6A80).

#![deny(clippy::indexing_slicing)]

use rutoken_apdu::codec::Reader;
use rutoken_apdu::tlv;

use super::fs::{Body, Node};
use rutoken_apdu::StatusWord;

/// The most data a short APDU's answer can carry (Le = 00, ISO 7816-4 §5.1).
pub const SHORT_ANSWER_MAX: usize = 256;

/// Tags 80, 82, 83 (2-byte values) and 86 (15 bytes) with their tags and lengths.
const FIXED_BODY: usize = 3 * 4 + 2 + 15;

/// Bytes of a BER length field for `len` (`xx`, `81 xx`, `82 xx xx`; ISO 7816-4 §5.2.2.2).
fn length_field(len: usize) -> usize {
    match len {
        0..=0x7F => 1,
        0x80..=0xFF => 2,
        _ => 3,
    }
}

/// The size of the FCP of an object whose tag 85 holds `prop_len` bytes.
pub fn fcp_len(prop_len: usize) -> usize {
    let prop = match prop_len {
        0 => 0,
        n => 1 + length_field(n) + n,
    };
    let body = FIXED_BODY + prop;
    1 + length_field(body) + body
}

/// An FCP longer than one short answer can carry (see [`SHORT_ANSWER_MAX`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the FCP would be {len} bytes, more than the {SHORT_ANSWER_MAX} of a short answer")]
pub struct FcpTooLong {
    /// Its length.
    pub len: usize,
}

/// Appends the FCP of `node` (template 62, BER lengths) to `out`; `out` is left as it was when
/// the FCP would not fit a short answer (CREATE FILE and image loading refuse such objects).
pub fn write_fcp(node: &Node, out: &mut Vec<u8>) -> Result<(), FcpTooLong> {
    let rendered;
    let prop: &[u8] = match &node.body {
        Body::Pin(pin) => {
            rendered = pin.render_attribute(&node.prop);
            &rendered
        }
        _ => &node.prop,
    };
    let len = fcp_len(prop.len());
    if len > SHORT_ANSWER_MAX {
        return Err(FcpTooLong { len });
    }
    // Straight into `out`, the lengths known beforehand (`fcp_len`): through the shared TLV
    // writer and a scratch buffer for the body this was 52 % of a SELECT MF (perf, 7 Dec 2026).
    let body = match prop.len() {
        0 => FIXED_BODY,
        n => FIXED_BODY + 1 + length_field(n) + n,
    };
    out.reserve(len);
    out.push(0x62);
    push_length(out, body);
    out.extend_from_slice(&[0x80, 0x02]);
    out.extend_from_slice(&node.size.to_be_bytes());
    out.extend_from_slice(&[0x82, 0x02, node.descriptor(), 0x00, 0x83, 0x02]);
    out.extend_from_slice(&node.fid.to_be_bytes());
    if !prop.is_empty() {
        out.push(0x85);
        push_length(out, prop.len());
        out.extend_from_slice(prop);
    }
    out.extend_from_slice(&[0x86, 0x0F]);
    out.extend_from_slice(&node.sec);
    Ok(())
}

/// Appends a BER length (ISO 7816-4 §5.2.2.2) of at most [`SHORT_ANSWER_MAX`] bytes, which is
/// all an FCP that passed the size check holds: `xx` below 128, `81 xx` below 256, `82 01 00`.
fn push_length(out: &mut Vec<u8>, len: usize) {
    match u8::try_from(len) {
        Ok(short) if short < 0x80 => out.push(short),
        Ok(byte) => out.extend_from_slice(&[0x81, byte]),
        Err(_) => {
            out.push(0x82);
            out.extend_from_slice(&u16::try_from(len).unwrap_or(u16::MAX).to_be_bytes());
        }
    }
}

/// What a CREATE FILE template asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateRequest {
    /// Tag 80 (0 when absent).
    pub size: u16,
    /// Tag 82 first byte: 38 DF, 01 EF, 10 RSF.
    pub descriptor: u8,
    /// Tag 83.
    pub fid: u16,
    /// Tag 85 (may be empty).
    pub prop: Vec<u8>,
    /// Tag 86.
    pub sec: [u8; 15],
}

/// Parses `6F|62 L {80 82 83 85 86 …}` (BER-TLV, ISO 7816-4 §5.2). Unknown one-byte tags inside
/// are skipped. A template that is not 62/6F or misses 82, 83 or 86, a multi-byte tag, a wrong
/// value length, a truncated inner TLV, or an FCP the object could not answer in one short APDU
/// give 6A80; an outer length that does not match the data gives 6700.
pub fn parse_create(data: &[u8]) -> Result<CreateRequest, StatusWord> {
    if !matches!(data.first(), Some(0x62 | 0x6F)) {
        return Err(StatusWord::WRONG_DATA);
    }
    let mut outer = Reader::new(data);
    let template = tlv::read(&mut outer, "FCP template").map_err(|_| StatusWord::WRONG_LENGTH)?;
    outer
        .expect_empty("FCP template")
        .map_err(|_| StatusWord::WRONG_LENGTH)?;
    let (mut size, mut desc, mut fid, mut prop, mut sec) = (None, None, None, Vec::new(), None);
    let mut inner = Reader::new(template.value);
    while inner.any_left() {
        let t = tlv::read(&mut inner, "FCP attribute").map_err(|_| StatusWord::WRONG_DATA)?;
        match (t.tag, t.value) {
            (0x80 | 0x81, [hi, lo]) => size = Some(u16::from_be_bytes([*hi, *lo])),
            (0x82, [d, ..]) => desc = Some(*d),
            (0x83, [hi, lo]) => fid = Some(u16::from_be_bytes([*hi, *lo])),
            (0x85, v) => prop = v.to_vec(),
            (0x86, v) => sec = Some(<[u8; 15]>::try_from(v).map_err(|_| StatusWord::WRONG_DATA)?),
            (0x80..=0x83, _) => return Err(StatusWord::WRONG_DATA),
            // A tag of two or more bytes: none belongs in an FCP.
            (0x100.., _) => return Err(StatusWord::WRONG_DATA),
            _ => {}
        }
    }
    if fcp_len(prop.len()) > SHORT_ANSWER_MAX {
        return Err(StatusWord::WRONG_DATA);
    }
    match (desc, fid, sec) {
        (Some(descriptor), Some(fid), Some(sec)) => Ok(CreateRequest {
            size: size.unwrap_or(0),
            descriptor,
            fid,
            prop,
            sec,
        }),
        _ => Err(StatusWord::WRONG_DATA),
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::token::fs::Node;

    #[test]
    fn mf_fcp_matches_trace() {
        // 04_create.log: `00 A4 00 00 02 3F 00 00` answer.
        let sec = [0x47, 2, 2, 1, 0, 0, 0, 0xFF, 0, 0, 0, 0, 0, 0, 0];
        let mut out = Vec::new();
        write_fcp(&Node::df(0x3F00, 0, sec), &mut out).unwrap();
        assert_eq!(
            hex::encode_upper(out),
            "621D800200008202380083023F00860F47020201000000FF00000000000000"
        );
    }

    /// The FCP as the shared TLV writer builds it: the reference the direct writer must match.
    fn fcp_by_tlv(node: &Node) -> Vec<u8> {
        let mut body = Vec::new();
        tlv::write(&mut body, 0x80, &node.size.to_be_bytes()).unwrap();
        tlv::write(&mut body, 0x82, &[node.descriptor(), 0]).unwrap();
        tlv::write(&mut body, 0x83, &node.fid.to_be_bytes()).unwrap();
        if !node.prop.is_empty() {
            tlv::write(&mut body, 0x85, &node.prop).unwrap();
        }
        tlv::write(&mut body, 0x86, &node.sec).unwrap();
        tlv::encode(0x62, &body).unwrap()
    }

    #[test]
    fn the_fcp_is_the_tlv_writers_at_every_attribute_length_and_too_long_writes_nothing() {
        let mut node = Node::ef(0x2001, 0x0100, [7; 15]);
        for prop_len in 0..=300usize {
            node.prop = (0..prop_len).map(|i| i.to_le_bytes()[0]).collect();
            let mut out = vec![0xEE];
            match write_fcp(&node, &mut out) {
                Ok(()) => {
                    assert_eq!(out[1..], fcp_by_tlv(&node), "tag 85 of {prop_len} bytes");
                    assert_eq!(out.len() - 1, fcp_len(prop_len));
                }
                Err(FcpTooLong { len }) => {
                    assert!(len > SHORT_ANSWER_MAX, "{prop_len}");
                    assert_eq!(len, fcp_by_tlv(&node).len());
                    assert_eq!(out, [0xEE], "nothing appended");
                }
            }
        }
    }

    #[test]
    fn create_template() {
        let apdu = hex::decode(
            "6F258002002082021000830200018506032000AA0000860F460002020000000200000000000000",
        )
        .unwrap();
        let req = parse_create(&apdu).unwrap();
        assert_eq!((req.size, req.descriptor, req.fid), (0x20, 0x10, 1));
        assert_eq!(req.prop, [3, 0x20, 0, 0xAA, 0, 0]);
        assert_eq!(
            parse_create(&apdu[..apdu.len() - 1]).unwrap_err(),
            StatusWord::WRONG_LENGTH
        );
        assert_eq!(
            parse_create(&[0x6F, 0]).unwrap_err(),
            StatusWord::WRONG_DATA
        );
    }
}
