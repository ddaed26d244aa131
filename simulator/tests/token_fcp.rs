//! FCPs are BER-TLV with consistent lengths and always fit one short answer (issue #9: a key
//! object with a 226-byte tag 85 used to answer SELECT with a length byte of `01` followed by
//! 257 bytes). CREATE FILE refuses what SELECT could not answer.

#![allow(clippy::unwrap_used, reason = "tests")]

use rutoken_apdu::codec::Reader;
use rutoken_apdu::tlv;
use rutoken_sim::Card;
use rutoken_sim::token::{Fixture, Token, TokenProfile};

fn tx(token: &mut Token, apdu: &[u8]) -> (Vec<u8>, u16) {
    let mut answer = token.transmit(apdu);
    let sw = answer.split_off(answer.len() - 2);
    (answer, u16::from_be_bytes([sw[0], sw[1]]))
}

fn h(text: &str) -> Vec<u8> {
    hex::decode(text.split_whitespace().collect::<String>()).expect("hex")
}

/// A factory token with the User PIN verified (private key objects need it to be created).
fn token() -> Token {
    let mut t = Token::in_memory(Fixture::Factory, 1, TokenProfile::default()).expect("token");
    assert_eq!(tx(&mut t, &h("00 20 00 02 08 3132333435363738")).1, 0x9000);
    t
}

/// `00 E0 00 00 Lc data`, short.
fn create(data: &[u8]) -> Vec<u8> {
    let mut apdu = vec![
        0x00,
        0xE0,
        0x00,
        0x00,
        u8::try_from(data.len()).expect("short"),
    ];
    apdu.extend_from_slice(data);
    apdu
}

/// A GOST private key object `…/6002/0007` whose tag 85 is `prop_len` bytes (class 03, code 21,
/// then filler), in BER, without tag 80.
fn key_template(prop_len: usize) -> Vec<u8> {
    let mut prop = vec![0x03, 0x21];
    prop.resize(prop_len, 0xAA);
    let mut inner = Vec::new();
    tlv::write(&mut inner, 0x82, &[0x10, 0x00]).unwrap();
    tlv::write(&mut inner, 0x83, &[0x00, 0x07]).unwrap();
    tlv::write(&mut inner, 0x85, &prop).unwrap();
    tlv::write(
        &mut inner,
        0x86,
        &h("46 00 02 02 00 00 00 02 00 00 00 00 00 00 00"),
    )
    .unwrap();
    tlv::encode(0x6F, &inner).unwrap()
}

const SELECT_KEY_7: &str = "00 A4 08 00 08 1000 1000 6002 0007 00";

/// Checks that `fcp` is one BER-TLV `62` filling the answer, whose children fill its value
/// exactly; returns the children as (tag, value).
fn well_formed(fcp: &[u8]) -> Vec<(u32, Vec<u8>)> {
    let outer = tlv::parse_one(fcp, "FCP").expect("one TLV filling the answer");
    assert_eq!(outer.tag, 0x62);
    let mut r = Reader::new(outer.value);
    let mut children = Vec::new();
    while r.any_left() {
        let t = tlv::read(&mut r, "FCP attribute").expect("children fill the template");
        children.push((t.tag, t.value.to_vec()));
    }
    children
}

#[test]
fn the_issue_9_template_is_refused_and_nothing_is_created() {
    // The reproduction of issue #9: 6F FD (no tag 80) with a 226-byte tag 85 written `85 E2`.
    // `FD` and `E2` are not BER lengths: the template's length does not add up (6700).
    let mut prop = vec![0x03, 0x21];
    prop.resize(226, 0xAA);
    let mut data = h("6F FD 8202 1000 8302 0007 85 E2");
    data.extend_from_slice(&prop);
    data.extend_from_slice(&h("860F 460002020000000200000000000000"));
    assert_eq!(data.len(), 255);
    let mut t = token();
    let before = t.snapshot().expect("snapshot");
    assert_eq!(tx(&mut t, &create(&data)).1, 0x6700);
    assert_eq!(t.snapshot().expect("snapshot"), before);
    assert_eq!(tx(&mut t, &h(SELECT_KEY_7)).1, 0x6A82);
}

#[test]
fn the_longest_tag_85_that_fits_is_answered_in_ber_and_one_more_byte_is_refused() {
    // 221 bytes of tag 85 make an FCP of exactly 256 bytes: `62 81 FD`, `85 81 DD`.
    let mut t = token();
    assert_eq!(tx(&mut t, &create(&key_template(221))).1, 0x9000);
    let (fcp, sw) = tx(&mut t, &h(SELECT_KEY_7));
    assert_eq!(sw, 0x9000);
    assert_eq!(fcp.len(), 256);
    assert_eq!(&fcp[..3], &[0x62, 0x81, 0xFD]);
    let children = well_formed(&fcp);
    let tags: Vec<u32> = children.iter().map(|(t, _)| *t).collect();
    assert_eq!(tags, [0x80, 0x82, 0x83, 0x85, 0x86]);
    assert_eq!(children[3].1.len(), 221);
    assert_eq!(
        children[4].1.len(),
        15,
        "tag 86 is exactly 15 bytes (OpenSC requires it)"
    );

    // 222 bytes would make 257: CREATE refuses it (6A80) and leaves nothing behind.
    let mut t = token();
    let before = t.snapshot().expect("snapshot");
    assert_eq!(tx(&mut t, &create(&key_template(222))).1, 0x6A80);
    assert_eq!(t.snapshot().expect("snapshot"), before);
    assert_eq!(tx(&mut t, &h(SELECT_KEY_7)).1, 0x6A82);
}

#[test]
fn every_tag_85_length_gives_a_well_formed_fcp_or_a_refusal() {
    for prop_len in 2..=230 {
        let mut t = token();
        let template = key_template(prop_len);
        if template.len() > 255 {
            break;
        }
        let sw = tx(&mut t, &create(&template)).1;
        let (fcp, select_sw) = tx(&mut t, &h(SELECT_KEY_7));
        match sw {
            0x9000 => {
                assert_eq!(select_sw, 0x9000, "{prop_len}");
                assert!(fcp.len() <= 256, "{prop_len}: {} bytes", fcp.len());
                let children = well_formed(&fcp);
                let prop = children.iter().find(|(t, _)| *t == 0x85).expect("85");
                assert_eq!(prop.1.len(), prop_len);
            }
            0x6A80 => {
                assert!(prop_len > 221, "{prop_len} refused");
                assert_eq!(select_sw, 0x6A82);
            }
            other => panic!("{prop_len}: CREATE answered {other:04X}"),
        }
    }
}
