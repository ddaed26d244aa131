//! The bridge's method layer against a software token double (the real token paths run in the
//! browser tests): argument handling, error codes, device events and pulls, and the PKCS#10
//! and CMS it assembles, checked by our PKI and by OpenSSL's gost engine.

use std::process::Command;

use std::sync::{Arc, Mutex};

use gost::KeyAlgorithm;
use rutoken_plugin_bridge::api::Connection;
use serde_json::{Value, json};

mod support;

use support::{call, gost_engine, setup};

#[test]
fn pins_errors_and_device_events_follow_the_plugin() {
    let (slot, c) = setup();
    assert_eq!(
        call(&slot, &c, "enumerateDevices", json!([])),
        Ok(json!([0]))
    );
    assert_eq!(
        call(&slot, &c, "getDeviceInfo", json!([0, 6])),
        Ok(json!(false))
    );
    assert_eq!(call(&slot, &c, "getDeviceInfo", json!([1, 6])), Err(3));
    assert_eq!(call(&slot, &c, "enumerateKeys", json!([0, ""])), Err(19));
    assert_eq!(call(&slot, &c, "login", json!([0, "1111"])), Err(17));
    assert_eq!(
        call(&slot, &c, "getDeviceInfo", json!([0, 10])),
        Ok(json!({"user": {"retriesLeft": 9, "locked": false}}))
    );
    assert_eq!(
        call(&slot, &c, "login", json!([0, "12345678"])),
        Ok(Value::Null)
    );
    assert_eq!(call(&slot, &c, "login", json!([0, "12345678"])), Err(93));
    assert_eq!(
        call(&slot, &c, "getDeviceInfo", json!([0, 6])),
        Ok(json!(true))
    );
    assert_eq!(
        call(&slot, &c, "getDeviceInfo", json!([0, 100])),
        Ok(json!("0787103443"))
    );
    assert_eq!(
        call(&slot, &c, "getDeviceInfo", json!([0, 7])),
        Ok(json!([0, 4]))
    );
    // Events: the first call reports the device, a pull reports it gone, an insert back.
    let events = json!([{"mode": 2}]);
    assert_eq!(
        call(&slot, &c, "enumerateDevices", events.clone()),
        Ok(json!({"connected": [], "disconnected": []}))
    );
    slot.pull();
    assert_eq!(
        call(&slot, &c, "enumerateDevices", json!([])),
        Ok(json!([]))
    );
    assert_eq!(call(&slot, &c, "getDeviceInfo", json!([0, 6])), Err(3));
    let other = Mutex::new(Connection::default());
    assert_eq!(
        call(&slot, &other, "enumerateDevices", events.clone()),
        Ok(json!({"connected": [], "disconnected": []}))
    );
    slot.insert();
    assert_eq!(
        call(&slot, &other, "enumerateDevices", events),
        Ok(json!({"connected": [0], "disconnected": []}))
    );
    // A re-inserted token is powered afresh.
    assert_eq!(
        call(&slot, &c, "getDeviceInfo", json!([0, 6])),
        Ok(json!(false))
    );
    assert_eq!(call(&slot, &c, "enumerateKeys", json!([0, ""])), Err(19));
    // Arguments are checked before the login is: a valid call without it is
    // USER_NOT_LOGGED_IN.
    assert_eq!(
        call(
            &slot,
            &c,
            "generateKeyPair",
            json!([0, null, "", {"publicKeyAlgorithm": 2, "paramset": "A"}])
        ),
        Err(19)
    );
    call(&slot, &c, "login", json!([0, "12345678"])).expect("login");
    assert_eq!(
        call(
            &slot,
            &c,
            "generateKeyPair",
            json!([0, null, "", {"publicKeyAlgorithm": 2, "paramset": "Q"}])
        ),
        Err(2)
    );
    assert_eq!(
        call(
            &slot,
            &c,
            "generateKeyPair",
            json!([0, null, "", {"publicKeyAlgorithm": 4}])
        ),
        Err(28)
    );
    // An unknown method is BAD_PARAMS; the token saw nothing of it.
    assert_eq!(call(&slot, &c, "noSuchMethod", json!([0])), Err(2));
}

#[test]
fn pkcs10_and_cms_verify_with_our_pki_and_openssl() {
    let (slot, c) = setup();
    call(&slot, &c, "login", json!([0, "12345678"])).expect("login");
    let certs = call(&slot, &c, "enumerateCertificates", json!([0, 1])).expect("certs");
    let handle = certs[0].as_str().expect("handle").to_owned();
    let info = call(&slot, &c, "parseCertificate", json!([0, handle])).expect("parse");
    assert_eq!(info["serialNumber"], "01:01:01:d1:01:02:01:b6");
    assert!(
        info["subject"]
            .as_array()
            .expect("rdns")
            .contains(&json!({"rdn": "commonName", "value": "Иванов Иван Иванович"}))
    );
    let key = call(
        &slot,
        &c,
        "generateKeyPair",
        json!([0, null, "new", {"publicKeyAlgorithm": 3, "paramset": "B"}]),
    )
    .expect("key");
    let subject = json!([{"rdn": "commonName", "value": "Иванов Иван Иванович"}, {"rdn": "INN", "value": "386700000000"}]);
    let exts = json!({"keyUsage": ["digitalSignature", "nonRepudiation"], "extKeyUsage": ["clientAuth", "1.2.643.2.2.34.6"], "certificatePolicies": ["1.2.643.100.113.1"]});
    let pem = call(
        &slot,
        &c,
        "createPkcs10",
        json!([0, key, subject, exts, {"subjectSignTool": "СКЗИ \"РУТОКЕН ЭЦП\""}]),
    )
    .expect("pkcs10");
    let pem = pem.as_str().expect("pem");
    let request = rutoken_pki::request::Request::parse(pem.as_bytes()).expect("parses");
    request.verify().expect("verifies with its own key");
    assert_eq!(
        request.public_key().expect("key").0,
        KeyAlgorithm::Gost2012_512
    );

    let data = "Документ для подписи";
    let cms = call(&slot, &c, "sign", json!([0, handle, data, 0, {"useHardwareHash": true, "detached": false, "addUserCertificate": true}])).expect("sign");
    let cms = <base64ct::Base64 as base64ct::Encoding>::decode_vec(cms.as_str().expect("b64"))
        .expect("base64");
    let signature =
        rutoken_plugin_bridge::bank::cms_signature(&cms).expect("a signature in the CMS");
    let owner = rutoken_pki::fixtures::owner_current().expect("owner");
    let (alg, vk) = owner.cert.public_key().expect("key");
    let digest = alg.digest().digest(data.as_bytes());
    let sig = gost::Signature::from_x509_bytes(&signature).expect("signature");
    vk.verify_digest(&digest, &sig)
        .expect("the CMS signature verifies under the certificate");
    assert_eq!(
        call(&slot, &c, "sign", json!([0, handle, "!!", 1, {}])),
        Err(32)
    );
    // Over a hash the page computed: a detached CMS whose signature is over that digest.
    let hash = hex::encode(&digest);
    let over_hash = call(&slot, &c, "sign", json!([0, handle, hash, 2, {}])).expect("sign a hash");
    let over_hash =
        <base64ct::Base64 as base64ct::Encoding>::decode_vec(over_hash.as_str().expect("b64"))
            .expect("base64");
    let sig = rutoken_plugin_bridge::bank::cms_signature(&over_hash).expect("signature");
    vk.verify_digest(
        &digest,
        &gost::Signature::from_x509_bytes(&sig).expect("sig"),
    )
    .expect("the signature over the page's hash verifies");
    assert_eq!(
        call(&slot, &c, "sign", json!([0, handle, "abcd", 2, {}])),
        Err(27)
    );
    assert_eq!(
        call(
            &slot,
            &c,
            "sign",
            json!([0, handle, hash, 2, {"useHardwareHash": true}])
        ),
        Err(2)
    );

    if !gost_engine() {
        println!("skipped: OpenSSL's gost engine is missing (libengine-gost-openssl)");
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    std::fs::write(d.join("req.pem"), pem).expect("write");
    std::fs::write(d.join("sig.der"), &cms).expect("write");
    std::fs::write(d.join("hash.der"), &over_hash).expect("write");
    std::fs::write(d.join("data.txt"), data).expect("write");
    std::fs::write(
        d.join("ca.pem"),
        rutoken_pki::fixtures::file("ca.crt.pem").expect("ca"),
    )
    .expect("write");
    let out = Command::new("openssl")
        .args([
            "req", "-engine", "gost", "-in", "req.pem", "-verify", "-noout",
        ])
        .current_dir(d)
        .output()
        .expect("openssl");
    let text =
        String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && text.contains("verify OK"), "{text}");
    let out = Command::new("openssl")
        .args([
            "cms",
            "-verify",
            "-engine",
            "gost",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "sig.der",
            "-CAfile",
            "ca.pem",
            "-attime",
            "1580817600",
            "-out",
            "content.bin",
        ])
        .current_dir(d)
        .output()
        .expect("openssl");
    let text = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        out.status.success() && text.contains("Verification successful"),
        "{text}"
    );
    assert_eq!(
        std::fs::read(d.join("content.bin")).expect("content"),
        data.as_bytes()
    );
}

/// Sends a WebSocket upgrade with `origin`; the status line.
fn upgrade(addr: std::net::SocketAddr, path: &str, origin: Option<&str>) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .expect("timeout");
    let origin = origin
        .map(|o| format!("Origin: {o}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n{origin}\r\n"
    )
    .expect("write");
    let mut buf = [0u8; 256];
    let n = s.read(&mut buf).expect("read");
    String::from_utf8_lossy(&buf[..n])
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn the_websocket_answers_allowed_origins_only_and_binds_loopback_only() {
    use rutoken_plugin_bridge::server::{Bridge, Config, Token};
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (slot, _) = setup();
    let refused = runtime.block_on(Bridge::bind(
        Config {
            addr: "0.0.0.0:0".parse().expect("addr"),
            allowed_origins: vec![],
            demo: None,
            rutoken_js: None,
        },
        Token {
            slot: Arc::clone(&slot),
            monitor: None,
            panel: None,
        },
    ));
    assert!(refused.is_err_and(|e| e.to_string().contains("loopback")));
    let bridge = runtime
        .block_on(Bridge::bind(
            Config {
                addr: "127.0.0.1:0".parse().expect("addr"),
                allowed_origins: vec!["https://bank.example".into()],
                demo: None,
                rutoken_js: None,
            },
            Token {
                slot,
                monitor: None,
                panel: None,
            },
        ))
        .expect("bind");
    let addr = bridge.local_addr().expect("addr");
    runtime.spawn(bridge.serve());
    let own = format!("http://127.0.0.1:{}", addr.port());
    assert!(upgrade(addr, "/ws", Some(&own)).contains(" 101 "));
    assert!(upgrade(addr, "/ws", Some("https://bank.example")).contains(" 101 "));
    assert!(upgrade(addr, "/ws", Some("https://evil.example")).contains(" 403 "));
    assert!(upgrade(addr, "/ws", Some("https://bank.example.evil.example")).contains(" 403 "));
    assert!(upgrade(addr, "/ws", None).contains(" 403 "));
}

#[test]
fn every_info_type_answers_in_the_real_shape_and_the_pin_cache_survives_a_pull() {
    let (slot, c) = setup();
    let constants = rutoken_plugin_bridge::codes::CONSTANTS;
    for (name, value) in constants
        .iter()
        .filter(|(n, _)| n.starts_with("TOKEN_INFO_"))
    {
        let got = call(&slot, &c, "getDeviceInfo", json!([0, value]));
        assert!(got.is_ok(), "{name}: {got:?}");
    }
    let c_of = rutoken_plugin_bridge::codes::constant;
    let features = call(
        &slot,
        &c,
        "getDeviceInfo",
        json!([0, c_of("TOKEN_INFO_FEATURES")]),
    )
    .expect("features");
    assert_eq!(features["interfaces"], json!([c_of("INTERFACE_TYPE_USB")]));
    assert_eq!(features["bio"], json!(c_of("BIO_TYPE_NOT_SUPPORTED")));
    assert!(features["smType"].is_number());
    let mechanisms = call(
        &slot,
        &c,
        "getDeviceInfo",
        json!([0, c_of("TOKEN_INFO_SUPPORTED_MECHANISMS")]),
    )
    .expect("mechanisms");
    // The demo page names keyExchange's entries by the EXCHANGE_VKO constants.
    assert_eq!(
        mechanisms["keyExchange"]["hardware"],
        json!([c_of("PUBLIC_KEY_ALGORITHM_EXCHANGE_VKO_GOST3410_2012_256")])
    );
    for kind in ["hash", "sign", "cipher", "keyExchange"] {
        for side in ["hardware", "software"] {
            assert!(mechanisms[kind][side].is_array(), "{kind}.{side}");
        }
    }
    assert!(
        mechanisms["sign"]["hardware"]
            .as_array()
            .expect("sign")
            .contains(&json!(c_of("PUBLIC_KEY_ALGORITHM_GOST3410_2012_256")))
    );
    // While logged in the counter is the maximum (a successful VERIFY reset it).
    call(&slot, &c, "login", json!([0, "12345678"])).expect("login");
    let pins = call(
        &slot,
        &c,
        "getDeviceInfo",
        json!([0, c_of("TOKEN_INFO_PINS_INFO")]),
    );
    assert_eq!(
        pins,
        Ok(json!({"user": {"retriesLeft": 10, "locked": false}}))
    );
    // The older boolean data format of `sign` is the number.
    let handles = call(&slot, &c, "enumerateCertificates", json!([0, 1])).expect("certs");
    let as_number = call(&slot, &c, "sign", json!([0, handles[0], "dGV4dA==", 1, {}]));
    let as_bool = call(
        &slot,
        &c,
        "sign",
        json!([0, handles[0], "dGV4dA==", true, {}]),
    );
    assert!(as_number.is_ok());
    assert_eq!(as_number, as_bool, "isBase64 true is DATA_FORMAT_BASE64");
    // The PIN cache: saved, it logs in again after the token is pulled and inserted.
    let cached = json!([0, c_of("TOKEN_INFO_IS_PIN_CACHED")]);
    assert_eq!(
        call(&slot, &c, "getDeviceInfo", cached.clone()),
        Ok(json!(false))
    );
    call(&slot, &c, "savePin", json!([0])).expect("savePin");
    assert_eq!(
        call(&slot, &c, "getDeviceInfo", cached.clone()),
        Ok(json!(true))
    );
    slot.pull();
    slot.insert();
    assert_eq!(
        call(&slot, &c, "getDeviceInfo", json!([0, 6])),
        Ok(json!(true))
    );
    call(&slot, &c, "removePin", json!([0])).expect("removePin");
    assert_eq!(call(&slot, &c, "getDeviceInfo", cached), Ok(json!(false)));
    assert_eq!(
        call(&slot, &c, "getDeviceInfo", json!([0, 6])),
        Ok(json!(false))
    );
    assert_eq!(call(&slot, &c, "enumerateKeys", json!([0, ""])), Err(19));
    assert_eq!(call(&slot, &c, "savePin", json!([0])), Err(90));
}

#[test]
fn time_stamp_requests_read_back_with_openssl_ts() {
    let (slot, c) = setup();
    let req = call(
        &slot,
        &c,
        "createTsRequest",
        json!(["dGV4dA==", 1, 2, {"cert": true, "nonce": true, "policy": "1.2.643.100.113.1"}]),
    )
    .expect("request");
    if !gost_engine() {
        println!("skipped: OpenSSL's gost engine is missing (libengine-gost-openssl)");
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("r.tsq"), support::b64(&req)).expect("write");
    let (ok, text) = support::openssl(
        dir.path(),
        &["ts", "-engine", "gost", "-query", "-in", "r.tsq", "-text"],
    );
    assert!(ok, "{text}");
    println!("{text}");
    let digest = hex::encode(gost::DigestAlgorithm::Streebog256.digest(b"text"));
    let dumped: String = text
        .lines()
        .skip_while(|l| !l.contains("Message data:"))
        .skip(1)
        .take(2)
        .filter_map(|l| l.split_once(" - "))
        .map(|(_, rest)| {
            rest.split("   ")
                .next()
                .unwrap_or_default()
                .replace(['-', ' '], "")
        })
        .collect();
    assert_eq!(dumped.to_lowercase(), digest, "{text}");
    assert!(text.contains("Certificate required: yes"), "{text}");
    assert!(!text.contains("Nonce: unspecified"), "{text}");
    assert!(!text.contains("Policy OID: unspecified"), "{text}");
}
