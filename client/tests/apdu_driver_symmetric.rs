//! GOST 28147-89 through the APDU driver (what the PKCS#11 module calls), each answer compared
//! with the host engine (`gost::gost28147`) for a key whose value the test knows.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

mod support;

use gost::CipherParams;
use gost::gost28147::{self, KeyWrap, Mac};
use rutoken_client::CipherMode;
use rutoken_client::driver::Driver;
use support::logged_in_driver;

#[test]
fn cipher_mac_and_wrap_equal_the_host_engine() {
    let mut d = logged_in_driver(5);
    assert!(d.has_symmetric());
    let params = CipherParams::CryptoProA;
    let (kek_value, cek_value) = ([0x11u8; 32], [0x5Au8; 32]);
    let kek = d.import_secret_key(params, &kek_value).unwrap();
    let cek = d.import_secret_key(params, &cek_value).unwrap();
    let data: Vec<u8> = (0..32u8).collect();

    let mut ecb = data.clone();
    gost28147::ecb_encrypt(params, &cek_value, &mut ecb).unwrap();
    assert_eq!(d.cipher(cek, CipherMode::Ecb, false, &data).unwrap(), ecb);
    assert_eq!(d.cipher(cek, CipherMode::Ecb, true, &ecb).unwrap(), data);
    assert_eq!(
        d.mac(cek, None, &data).unwrap(),
        Mac::compute(params, &cek_value, &data)
    );

    let ukm = [1, 2, 3, 4, 5, 6, 7, 8];
    let wrapped = d
        .wrap_secret_key(kek, KeyWrap::CryptoPro, Some(ukm), cek)
        .unwrap();
    assert_eq!(
        wrapped,
        gost28147::wrap(KeyWrap::CryptoPro, params, &kek_value, &ukm, &cek_value).to_vec()
    );
    let copy = d
        .unwrap_secret_key(kek, KeyWrap::CryptoPro, &wrapped, params)
        .unwrap();
    assert_ne!(copy.reference, cek.reference);
    assert_eq!(d.cipher(copy, CipherMode::Ecb, false, &data).unwrap(), ecb);

    // A deleted key no longer enciphers.
    d.delete_secret_key(copy).unwrap();
    assert!(d.cipher(copy, CipherMode::Ecb, false, &data).is_err());
}

#[test]
fn a_generated_key_round_trips() {
    let mut d = logged_in_driver(5);
    let key = d.generate_secret_key(CipherParams::CryptoProA).unwrap();
    let data = b"sixteen bytes!!!".to_vec();
    let enciphered = d
        .cipher(key, CipherMode::Cfb([3; 8]), false, &data)
        .unwrap();
    assert_ne!(enciphered, data);
    assert_eq!(
        d.cipher(key, CipherMode::Cfb([3; 8]), true, &enciphered)
            .unwrap(),
        data
    );
}

#[test]
fn a_key_transport_opens_on_the_token() {
    let mut d = logged_in_driver(5);
    let set = gost::ParamSet::from_name("256-A").unwrap();
    let pair = d
        .generate_key(rutoken_client::driver::KeySpec {
            algorithm: gost::KeyAlgorithm::Gost2012_256,
            param_set: set,
            label: "recipient",
            exchange: false,
        })
        .unwrap();
    let public =
        gost::VerifyingKey::from_le_bytes(set, pair.public_key.as_deref().unwrap()).unwrap();
    let recipient = gost::spki::to_spki(&public, gost::KeyAlgorithm::Gost2012_256);
    // The sender's side on the host: a content key sealed for the token's key, the content
    // enciphered with it (CFB, as CMS's id-Gost28147-89).
    let mut rng = gost::Rng::from_seed(11);
    let cek = [0x3Cu8; 32];
    let transport = gost::key_transport::KeyTransport::seal(&cek, &recipient, &mut rng).unwrap();
    let content = gost::key_transport::ContentParams {
        iv: [0x42; 8],
        params: CipherParams::CryptoProA,
    };
    let plain = b"a payment order for the recipient only".to_vec();
    let sealed = gost28147::Cfb::apply(
        content.params,
        &cek,
        &content.iv,
        gost28147::Direction::Encrypt,
        &plain,
    );
    assert_eq!(
        d.open_key_transport(&pair, &transport, &content, &sealed)
            .unwrap(),
        plain
    );
}
