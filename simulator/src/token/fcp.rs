//! The FCP a SELECT returns and the template CREATE FILE carries (`rutoken-ecp-apdu.md` §3, §4;
//! `card-rtecp.c` `rtecp_construct_fci`): `62|6F L 80 02 size 82 02 desc 00 83 02 fid
//! [85 n prop] 86 0F sec`.

use super::fs::{Body, Node};
use super::status::Sw;

/// Appends the FCP of `node` (template 62) to `out`. No allocation beyond `out`'s growth.
pub fn write_fcp(node: &Node, out: &mut Vec<u8>) {
    let mut prop_buf = [0u8; 32];
    let prop: &[u8] = match &node.body {
        Body::Pin(pin) if node.prop.len() <= prop_buf.len() => {
            let rendered = pin.render_attribute(&node.prop);
            prop_buf[..rendered.len()].copy_from_slice(&rendered);
            &prop_buf[..rendered.len()]
        }
        _ => &node.prop,
    };
    let prop_len = if prop.is_empty() { 0 } else { 2 + prop.len() };
    let body_len = 4 + 4 + 4 + prop_len + 2 + 15;
    out.push(0x62);
    out.push(body_len as u8);
    out.extend_from_slice(&[0x80, 0x02]);
    out.extend_from_slice(&node.size.to_be_bytes());
    out.extend_from_slice(&[0x82, 0x02, node.descriptor(), 0x00]);
    out.extend_from_slice(&[0x83, 0x02]);
    out.extend_from_slice(&node.fid.to_be_bytes());
    if !prop.is_empty() {
        out.push(0x85);
        out.push(prop.len() as u8);
        out.extend_from_slice(prop);
    }
    out.extend_from_slice(&[0x86, 0x0F]);
    out.extend_from_slice(&node.sec);
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

/// Parses `6F|62 L {80 82 83 85 86 …}`. Unknown tags inside are skipped; a missing 82, 83 or 86,
/// a multi-byte tag or a truncated TLV give 6A80 (6700 for a bad outer length).
pub fn parse_create(data: &[u8]) -> Result<CreateRequest, Sw> {
    let [0x62 | 0x6F, len, inner @ ..] = data else {
        return Err(Sw::WRONG_DATA);
    };
    if usize::from(*len) != inner.len() {
        return Err(Sw::WRONG_LENGTH);
    }
    let (mut size, mut desc, mut fid, mut prop, mut sec) = (None, None, None, Vec::new(), None);
    let mut rest = inner;
    while !rest.is_empty() {
        let [t, l, after @ ..] = rest else {
            return Err(Sw::WRONG_DATA);
        };
        let l = usize::from(*l);
        if after.len() < l || *t & 0x1F == 0x1F {
            return Err(Sw::WRONG_DATA);
        }
        let (value, next) = after.split_at(l);
        match (*t, value) {
            (0x80 | 0x81, [hi, lo]) => size = Some(u16::from_be_bytes([*hi, *lo])),
            (0x82, [d, ..]) => desc = Some(*d),
            (0x83, [hi, lo]) => fid = Some(u16::from_be_bytes([*hi, *lo])),
            (0x85, v) => prop = v.to_vec(),
            (0x86, v) if v.len() == 15 => {
                let mut s = [0u8; 15];
                s.copy_from_slice(v);
                sec = Some(s);
            }
            (0x80 | 0x81 | 0x82 | 0x83 | 0x86, _) => return Err(Sw::WRONG_DATA),
            _ => {}
        }
        rest = next;
    }
    match (desc, fid, sec) {
        (Some(descriptor), Some(fid), Some(sec)) => Ok(CreateRequest {
            size: size.unwrap_or(0),
            descriptor,
            fid,
            prop,
            sec,
        }),
        _ => Err(Sw::WRONG_DATA),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::fs::Node;

    #[test]
    fn mf_fcp_matches_trace() {
        // 04_create.log: `00 A4 00 00 02 3F 00 00` answer.
        let sec = [0x47, 2, 2, 1, 0, 0, 0, 0xFF, 0, 0, 0, 0, 0, 0, 0];
        let mut out = Vec::new();
        write_fcp(&Node::df(0x3F00, 0, sec), &mut out);
        assert_eq!(
            hex::encode_upper(out),
            "621D800200008202380083023F00860F47020201000000FF00000000000000"
        );
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
            Sw::WRONG_LENGTH
        );
        assert_eq!(parse_create(&[0x6F, 0]).unwrap_err(), Sw::WRONG_DATA);
    }
}
