//! `derive` on the emulated token (the bridge's real backend, the emulator in process): the key
//! it returns is the one OpenSSL's gost engine derives on the peer's side (`openssl pkeyutl
//! -derive` with the peer's private key, the token's public key and the same UKM), for the
//! fixture's key (2012-256, CryptoPro A) and for keys generated on the token (2012-256
//! CryptoPro B, 2012-512 set A, and the demo page's default: a 2012-256 XA key made with
//! `keySpec: KEY_SPEC_SIGN_AND_EXCHANGE`), with the demo page's arguments (colon hex, an 8-byte UKM);
//! its argument errors and a point off the curve keep their codes.
//!
//! Prints `skipped: …` without OpenSSL's gost engine.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

mod support;

use std::sync::Mutex;

use gost::{KeyAlgorithm, ParamSet, VerifyingKey};
use rutoken_plugin_bridge::api::{self, Connection};
use rutoken_plugin_bridge::backend::{self, TokenSource};
use rutoken_plugin_bridge::slot::Slot;
use rutoken_sim::profile::DeviceProfile;
use rutoken_sim::token::Fixture;
use serde_json::{Value, json};
use support::{gost_engine, openssl};

fn call(slot: &Slot, method: &str, params: Value) -> Result<Value, u32> {
    let conn = Mutex::new(Connection::default());
    let params = params.as_array().cloned().unwrap_or_default();
    api::call(slot, &conn, method, &params).map_err(|e| e.code.code())
}

fn colon_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn from_colon_hex(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap().replace(':', "")).unwrap()
}

/// A PEM public key (SubjectPublicKeyInfo) of the token's key, for `-peerkey`.
fn public_pem(param: ParamSet, le: &[u8]) -> String {
    use base64ct::Encoding;
    let vk = VerifyingKey::from_le_bytes(param, le).unwrap();
    let der = gost::spki::to_spki_der(&vk, KeyAlgorithm::gost2012_for(param));
    let b64 = base64ct::Base64::encode_string(&der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        lines.join("\n")
    )
}

/// The peer: a key made by OpenSSL on the token key's curve; its public key as `LE(x) ‖
/// LE(y)` (the end of its SubjectPublicKeyInfo's OCTET STRING).
fn openssl_peer(dir: &std::path::Path, algorithm: &str, paramset: &str, len: usize) -> Vec<u8> {
    let (ok, text) = openssl(
        dir,
        &[
            "genpkey",
            "-engine",
            "gost",
            "-algorithm",
            algorithm,
            "-pkeyopt",
            &format!("paramset:{paramset}"),
            "-out",
            "peer.pem",
        ],
    );
    assert!(ok, "{text}");
    let (ok, text) = openssl(
        dir,
        &[
            "pkey", "-engine", "gost", "-in", "peer.pem", "-pubout", "-outform", "DER", "-out",
            "peer.der",
        ],
    );
    assert!(ok, "{text}");
    let der = std::fs::read(dir.join("peer.der")).unwrap();
    der[der.len() - len..].to_vec()
}

/// OpenSSL's VKO on the peer's side: the peer's private key with the token's public key.
fn openssl_derive(dir: &std::path::Path, token_pem: &str, ukm: &[u8]) -> Vec<u8> {
    std::fs::write(dir.join("token.pem"), token_pem).unwrap();
    let (ok, text) = openssl(
        dir,
        &[
            "pkeyutl",
            "-engine",
            "gost",
            "-derive",
            "-inkey",
            "peer.pem",
            "-peerkey",
            "token.pem",
            "-pkeyopt",
            &format!("ukmhex:{}", hex::encode(ukm)),
            "-out",
            "kek.bin",
        ],
    );
    assert!(ok, "{text}");
    std::fs::read(dir.join("kek.bin")).unwrap()
}

#[test]
fn derive_returns_the_key_openssl_derives_on_the_peers_side() {
    if !gost_engine() {
        println!(
            "skipped: OpenSSL's gost engine is not installed (Debian: libengine-gost-openssl)"
        );
        return;
    }
    let profile = DeviceProfile::default();
    let token = backend::open(&TokenSource::Fixture(Fixture::Personalised), 3, &profile).unwrap();
    let slot = &token.slot;
    call(slot, "login", json!([0, "12345678"])).unwrap();
    let fixture_key = call(slot, "enumerateKeys", json!([0, ""])).unwrap()[0]
        .as_str()
        .unwrap()
        .to_owned();
    let generated = |paramset: &str, algorithm: &str, spec: &str| {
        let algorithm = rutoken_plugin_bridge::codes::constant(algorithm);
        let spec = rutoken_plugin_bridge::codes::constant(spec);
        call(
            slot,
            "generateKeyPair",
            json!([0, null, "derive", {"publicKeyAlgorithm": algorithm, "paramset": paramset, "keySpec": spec}]),
        )
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned()
    };
    let cases = [
        (
            fixture_key.clone(),
            ParamSet::Gost256B,
            "gost2012_256",
            "TCB",
            64,
        ),
        (
            generated(
                "B",
                "PUBLIC_KEY_ALGORITHM_GOST3410_2012_256",
                "KEY_SPEC_SIGN",
            ),
            ParamSet::Gost256C,
            "gost2012_256",
            "TCC",
            64,
        ),
        (
            generated(
                "A",
                "PUBLIC_KEY_ALGORITHM_GOST3410_2012_512",
                "KEY_SPEC_SIGN",
            ),
            ParamSet::Gost512A,
            "gost2012_512",
            "A",
            128,
        ),
        // The demo page's defaults: an exchange key (KEY_SPEC_SIGN_AND_EXCHANGE), set XA.
        (
            generated(
                "XA",
                "PUBLIC_KEY_ALGORITHM_GOST3410_2012_256",
                "KEY_SPEC_SIGN_AND_EXCHANGE",
            ),
            ParamSet::Gost256B,
            "gost2012_256",
            "TCB",
            64,
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (key_id, param, algorithm, paramset, len) in cases {
        let what = format!("{algorithm} paramset {paramset}");
        let token_le =
            from_colon_hex(&call(slot, "getPublicKeyValue", json!([0, key_id, {}])).unwrap());
        assert_eq!(token_le.len(), len, "{what}");
        let token_pem = public_pem(param, &token_le);
        let peer = openssl_peer(dir.path(), algorithm, paramset, len);
        // The demo page's UKM, then another.
        for ukm in [
            [1, 2, 3, 4, 5, 6, 7, 8],
            [0xA5, 0x17, 0, 0x42, 9, 0xFE, 0x80, 0x01],
        ] {
            let want = openssl_derive(dir.path(), &token_pem, &ukm);
            assert_eq!(want.len(), 32, "{what}: OpenSSL's key");
            let got = call(
                slot,
                "derive",
                json!([0, key_id, colon_hex(&peer), {"ukm": colon_hex(&ukm)}]),
            )
            .unwrap();
            assert_eq!(got, json!(colon_hex(&want)), "{what}, ukm {ukm:02x?}");
        }
    }

    // Argument errors keep their codes; a point off the curve is DATA_INVALID (27).
    let peer = openssl_peer(dir.path(), "gost2012_256", "TCB", 64);
    let ukm = json!({"ukm": "01:02:03:04:05:06:07:08"});
    let derive = |key: &str, public: &str, options: &Value| {
        call(slot, "derive", json!([0, key, public, options]))
    };
    let off_curve = "01:".repeat(63) + "01";
    assert_eq!(
        derive(&fixture_key, &off_curve, &ukm),
        Err(27),
        "off the curve"
    );
    assert_eq!(
        derive(&fixture_key, &colon_hex(&peer[..32]), &ukm),
        Err(27),
        "a short key"
    );
    assert_eq!(
        derive(&fixture_key, &colon_hex(&peer), &json!({"ukm": "01:02:03"})),
        Err(27),
        "a short UKM"
    );
    assert_eq!(
        derive(&fixture_key, &colon_hex(&peer), &json!({})),
        Err(27),
        "no UKM"
    );
    assert_eq!(derive(&fixture_key, "zz", &ukm), Err(2), "not hex");
    assert_eq!(
        derive("aa:bb", &colon_hex(&peer), &ukm),
        Err(20),
        "no such key"
    );
    call(slot, "logout", json!([0])).unwrap();
    assert_eq!(
        derive(&fixture_key, &colon_hex(&peer), &ukm),
        Err(19),
        "USER_NOT_LOGGED_IN"
    );
}

/// The key spec a page asks for is kept on the token (the PrKDF entry's `derive` usage) and
/// `getKeyInfo(KEY_INFO_SPEC)` answers it: an exchange key stays one after `setKeyLabel` (its
/// entry is written again); the fixture's key and a key made for signing answer
/// `KEY_SPEC_SIGN`.
#[test]
fn the_key_spec_is_kept_on_the_token() {
    let c = rutoken_plugin_bridge::codes::constant;
    let profile = DeviceProfile::default();
    let token = backend::open(&TokenSource::Fixture(Fixture::Personalised), 5, &profile).unwrap();
    let slot = &token.slot;
    call(slot, "login", json!([0, "12345678"])).unwrap();
    let spec_of = |key: &str| {
        call(slot, "getKeyInfo", json!([0, key, c("KEY_INFO_SPEC")]))
            .unwrap()
            .as_u64()
            .unwrap()
    };
    let fixture_key = call(slot, "enumerateKeys", json!([0, ""])).unwrap()[0]
        .as_str()
        .unwrap()
        .to_owned();
    let make = |spec: &str| {
        call(
            slot,
            "generateKeyPair",
            json!([0, null, "spec", {"keySpec": c(spec)}]),
        )
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned()
    };
    let exchange = make("KEY_SPEC_SIGN_AND_EXCHANGE");
    let signing = make("KEY_SPEC_SIGN");
    let sign = u64::from(c("KEY_SPEC_SIGN"));
    let both = u64::from(c("KEY_SPEC_SIGN_AND_EXCHANGE"));
    assert_eq!(spec_of(&fixture_key), sign);
    assert_eq!(spec_of(&signing), sign);
    assert_eq!(spec_of(&exchange), both);
    call(slot, "setKeyLabel", json!([0, exchange, "renamed"])).unwrap();
    assert_eq!(spec_of(&exchange), both, "a new label keeps the usage");
    assert_eq!(spec_of(&signing), sign);
}
