//! A key pair made for key agreement too keeps that on the token (the PrKDF usage `derive`,
//! PKCS#15 `KeyUsageFlags` bit 3), and only that pair reads back as such: the client's
//! `key_derives` and the APDU driver's `key_exchange`, against the emulator's personalised
//! token in process, with a signing pair beside it and the fixture's own key.
#![allow(clippy::unwrap_used, reason = "tests")]

mod support;

use rutoken_client::driver::{Driver, KeySpec, TokenKey};
use support::{InProcessDriver, logged_in_driver};

fn generate(d: &mut InProcessDriver, label: &str, exchange: bool) -> TokenKey {
    d.generate_key(KeySpec {
        algorithm: gost::KeyAlgorithm::Gost2012_256,
        param_set: gost::ParamSet::from_name("256-A").unwrap(),
        label,
        exchange,
    })
    .unwrap()
}

#[test]
fn only_the_pair_made_for_exchange_derives() {
    let mut d = logged_in_driver(3);
    // The signing pair after the exchange pair: a match on "any entry that derives" would
    // answer true for it.
    let exchange = generate(&mut d, "exchange", true);
    let signing = generate(&mut d, "signing", false);
    assert_eq!((exchange.reference, signing.reference), (Some(2), Some(3)));
    let listed = d.objects().unwrap().keys;
    let by_ref = |r: u8| listed.iter().find(|k| k.reference == Some(r)).unwrap();
    assert!(d.key_exchange(by_ref(2)).unwrap(), "the exchange pair");
    assert!(!d.key_exchange(by_ref(3)).unwrap(), "the signing pair");
    assert!(
        !d.key_exchange(by_ref(1)).unwrap(),
        "the fixture's signing key"
    );
    let client = d.client();
    assert!(client.key_derives(2).unwrap());
    assert!(!client.key_derives(3).unwrap());
    // A reference with no key and no entry.
    assert!(!client.key_derives(7).unwrap());
}

/// A short-form TLV (every length here is below 128).
fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag, u8::try_from(body.len()).unwrap()];
    out.extend_from_slice(body);
    out
}

/// The content of a GOST private key's PrKDF choice: common attributes (label), class
/// attributes (ID, `usage`, reference 1), typed attributes (the path 3F00).
fn prkdf_choice(usage: &[u8]) -> Vec<u8> {
    let common = tlv(0x30, &tlv(0x0C, b"key"));
    let class = tlv(
        0x30,
        &[tlv(0x04, &[0xAA]), usage.to_vec(), tlv(0x02, &[1])].concat(),
    );
    let typed = tlv(0xA1, &tlv(0x30, &tlv(0x30, &tlv(0x04, &[0x3F, 0x00]))));
    [common, class, typed].concat()
}

#[test]
fn derive_is_bit_8_of_the_usage_not_any_third_byte() {
    use rutoken_client::layout::pkcs15::parse_entry;
    // PKCS#15 KeyUsageFlags: sign is bit 2 (0x20 of the first byte), derive bit 8 and
    // nonRepudiation bit 9 (0x80 and 0x40 of the second).
    for (usage, derive) in [
        (vec![0x03, 0x02, 0x06, 0x20], false),
        (vec![0x03, 0x03, 0x06, 0x20, 0x40], false),
        (vec![0x03, 0x03, 0x07, 0x20, 0x80], true),
    ] {
        let entry = parse_entry(0xA0, &prkdf_choice(&usage)).unwrap();
        assert_eq!(entry.derive, derive, "usage {usage:02X?}");
        assert_eq!(entry.id, [0xAA]);
        assert_eq!(entry.key_reference, Some(1));
    }
}
