//! `cmsEncrypt` / `cmsDecrypt` both ways with OpenSSL's gost engine:
//! - what `cmsEncrypt` makes to a certificate whose key OpenSSL has (made by `openssl req
//!   -newkey gost2012_256|gost2012_512|gost2001`, the 2001 one given as one-line PEM as the demo
//!   page gives its recipient) opens with `openssl cms -decrypt`;
//! - what `openssl cms -encrypt -gost89` makes to the emulated token's certificate opens with
//!   `cmsDecrypt`, the VKO, unwrap and decryption done by the token (the bridge's real backend,
//!   the emulator in process); so does `cmsEncrypt`'s own output; another recipient's
//!   EnvelopedData does not.
//!
//! Prints `skipped: …` without OpenSSL's gost engine.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

mod support;

use std::sync::Mutex;

use rutoken_plugin_bridge::api::{self, Connection};
use rutoken_plugin_bridge::backend::{self, TokenSource};
use rutoken_plugin_bridge::slot::Slot;
use rutoken_sim::profile::DeviceProfile;
use rutoken_sim::token::Fixture;
use serde_json::{Value, json};
use support::{b64, gost_engine, openssl};

fn call(slot: &Slot, method: &str, params: Value) -> Result<Value, u32> {
    let conn = Mutex::new(Connection::default());
    let params = params.as_array().cloned().unwrap_or_default();
    api::call(slot, &conn, method, &params).map_err(|e| e.code.code())
}

/// A key and self-signed certificate made by OpenSSL in `dir` (`k.pem`, `c.pem`).
fn openssl_recipient(dir: &std::path::Path, algorithm: &str, paramset: &str) -> String {
    let (ok, text) = openssl(
        dir,
        &[
            "req",
            "-x509",
            "-engine",
            "gost",
            "-newkey",
            algorithm,
            "-pkeyopt",
            &format!("paramset:{paramset}"),
            "-nodes",
            "-keyout",
            "k.pem",
            "-out",
            "c.pem",
            "-subj",
            "/CN=rutoken-lab cmsEncrypt recipient",
            "-days",
            "1",
        ],
    );
    assert!(ok, "{text}");
    std::fs::read_to_string(dir.join("c.pem")).unwrap()
}

/// `pem` with its base64 on one line (no 64-column wrap), as pages paste certificates.
fn one_line(pem: &str) -> String {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    format!("-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n")
}

#[test]
fn cms_encrypt_opens_with_openssl() {
    if !gost_engine() {
        println!(
            "skipped: OpenSSL's gost engine is not installed (Debian: libengine-gost-openssl)"
        );
        return;
    }
    let (slot, c) = support::setup();
    let dir = tempfile::tempdir().unwrap();
    let data = "Платёжное поручение № 17 — конфиденциально".repeat(40);
    for (algorithm, paramset) in [
        ("gost2012_256", "A"),
        ("gost2012_512", "A"),
        ("gost2012_256", "B"),
        // GOST R 34.10-2001 (VKO 2001), as the demo page's default recipient (a CryptoPro
        // 2001 certificate) is; OpenSSL makes the key this test needs to open it.
        ("gost2001", "A"),
    ] {
        let cert = openssl_recipient(dir.path(), algorithm, paramset);
        // The demo page's PEM has its base64 on one line; OpenSSL's PEM reader takes that.
        let cert = if algorithm == "gost2001" {
            one_line(&cert)
        } else {
            cert
        };
        let enveloped =
            support::call(&slot, &c, "cmsEncrypt", json!([0, "", [cert], data, {}])).unwrap();
        std::fs::write(dir.path().join("e.der"), b64(&enveloped)).unwrap();
        let (ok, text) = openssl(
            dir.path(),
            &[
                "cms",
                "-decrypt",
                "-engine",
                "gost",
                "-binary",
                "-inform",
                "DER",
                "-in",
                "e.der",
                "-inkey",
                "k.pem",
                "-recip",
                "c.pem",
                "-out",
                "plain.txt",
            ],
        );
        assert!(ok, "{algorithm} {paramset}: {text}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("plain.txt")).unwrap(),
            data,
            "{algorithm} {paramset}"
        );
    }
    // Base64 data in, two recipients out: each opens its copy.
    let first = openssl_recipient(dir.path(), "gost2012_256", "A");
    std::fs::rename(dir.path().join("k.pem"), dir.path().join("k1.pem")).unwrap();
    std::fs::rename(dir.path().join("c.pem"), dir.path().join("c1.pem")).unwrap();
    let second = openssl_recipient(dir.path(), "gost2012_512", "B");
    let enveloped = support::call(
        &slot,
        &c,
        "cmsEncrypt",
        json!([0, "", [first, second], "AAECAwQF", {"base64": true}]),
    )
    .unwrap();
    std::fs::write(dir.path().join("e2.der"), b64(&enveloped)).unwrap();
    for (k, cert) in [("k1.pem", "c1.pem"), ("k.pem", "c.pem")] {
        let (ok, text) = openssl(
            dir.path(),
            &[
                "cms", "-decrypt", "-engine", "gost", "-binary", "-inform", "DER", "-in", "e2.der",
                "-inkey", k, "-recip", cert, "-out", "p.bin",
            ],
        );
        assert!(ok, "{cert}: {text}");
        assert_eq!(
            std::fs::read(dir.path().join("p.bin")).unwrap(),
            [0, 1, 2, 3, 4, 5]
        );
    }
}

#[test]
fn openssl_cms_encrypt_opens_on_the_emulated_token() {
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
    let keys = call(slot, "enumerateKeys", json!([0, ""])).unwrap();
    let key_id = keys[0].as_str().unwrap().to_owned();
    let handles = call(slot, "enumerateCertificates", json!([0, 1])).unwrap();
    let pem = call(slot, "getCertificate", json!([0, handles[0]])).unwrap();
    let pem = pem.as_str().unwrap().to_owned();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("token.pem"), &pem).unwrap();
    let data = "Выписка по счёту 40702810… за декабрь".repeat(30);
    std::fs::write(dir.path().join("data.txt"), &data).unwrap();
    let (ok, text) = openssl(
        dir.path(),
        &[
            "cms",
            "-encrypt",
            "-engine",
            "gost",
            "-gost89",
            "-binary",
            "-outform",
            "DER",
            "-in",
            "data.txt",
            "-out",
            "e.der",
            "token.pem",
        ],
    );
    assert!(ok, "{text}");
    let enveloped = {
        use base64ct::Encoding;
        base64ct::Base64::encode_string(&std::fs::read(dir.path().join("e.der")).unwrap())
    };
    let opened = call(slot, "cmsDecrypt", json!([0, key_id, enveloped, {}])).unwrap();
    assert_eq!(
        opened,
        json!(data),
        "OpenSSL's EnvelopedData opened on the token"
    );
    let opened = call(
        slot,
        "cmsDecrypt",
        json!([0, key_id, enveloped, {"base64": true}]),
    )
    .unwrap();
    assert_eq!(b64(&opened), data.as_bytes());

    // cmsEncrypt's own output to the token's certificate opens on the token too.
    let ours = call(slot, "cmsEncrypt", json!([0, "", [pem], "привет", {}])).unwrap();
    assert_eq!(
        call(slot, "cmsDecrypt", json!([0, key_id, ours, {}])).unwrap(),
        json!("привет")
    );

    // An EnvelopedData to someone else's certificate does not open (and leaves no key behind:
    // the next one still opens).
    let other = openssl_recipient(dir.path(), "gost2012_256", "A");
    let theirs = call(slot, "cmsEncrypt", json!([0, "", [other], "x", {}])).unwrap();
    assert!(call(slot, "cmsDecrypt", json!([0, key_id, theirs, {}])).is_err());
    assert_eq!(
        call(slot, "cmsDecrypt", json!([0, key_id, enveloped, {}])).unwrap(),
        json!(data)
    );
    // Without the login the token refuses.
    call(slot, "logout", json!([0])).unwrap();
    assert_eq!(
        call(slot, "cmsDecrypt", json!([0, key_id, enveloped, {}])),
        Err(19),
        "USER_NOT_LOGGED_IN"
    );
}
