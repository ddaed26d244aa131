//! Co-signing (#27): `sign` with `options.CMS` adds a signer and keeps every earlier signer,
//! the certificates and the content, attached and detached. OpenSSL's gost engine verifies
//! every signer of the result (`openssl cms -verify`) and lists them (`-signer`: the count);
//! the bridge's own `verify` agrees, and says false for altered content.

mod support;

use serde_json::json;
use support::{b64, call, gost_engine, openssl, setup};

fn count_signers(dir: &std::path::Path, cms: &str, detached: bool) -> (bool, String, usize) {
    let mut args = vec![
        "cms",
        "-verify",
        "-engine",
        "gost",
        "-binary",
        "-inform",
        "DER",
        "-in",
        cms,
        "-CAfile",
        "ca.pem",
        "-attime",
        "1580817600",
        "-signer",
        "signers.pem",
        "-out",
        "content.bin",
    ];
    if detached {
        args.extend(["-content", "data.txt"]);
    }
    let (ok, text) = openssl(dir, &args);
    let signers = std::fs::read_to_string(dir.join("signers.pem"))
        .unwrap_or_default()
        .matches("BEGIN CERTIFICATE")
        .count();
    (ok, text, signers)
}

#[test]
fn co_signing_keeps_every_signer_and_openssl_verifies_each() {
    let (slot, c) = setup();
    call(&slot, &c, "login", json!([0, "12345678"])).expect("login");
    let handles = call(&slot, &c, "enumerateCertificates", json!([0, 1])).expect("certs");
    let (first, second) = (handles[0].clone(), handles[1].clone());
    let data = "Платёжное поручение № 17";
    let opts = json!({"addUserCertificate": true});

    // Attached: the second signer passes no data; the content comes from the CMS.
    let one = call(&slot, &c, "sign", json!([0, first, data, 0, opts])).expect("sign");
    let two = call(
        &slot,
        &c,
        "sign",
        json!([0, second, "", 0, {"addUserCertificate": true, "CMS": one, "addSignTime": true}]),
    )
    .expect("co-sign");
    // The same signer again is the plugin's CMS_CERTIFICATE_ALREADY_PRESENT.
    assert_eq!(
        call(&slot, &c, "sign", json!([0, first, "", 0, {"CMS": two}])),
        Err(91)
    );
    // Data that is not the CMS's content is refused, not signed.
    assert_eq!(
        call(
            &slot,
            &c,
            "sign",
            json!([0, second, "другое", 0, {"CMS": one}])
        ),
        Err(27)
    );
    assert_eq!(
        call(&slot, &c, "verify", json!([0, two, {}])),
        Ok(json!(true))
    );
    // Hashing on the token checks one signer only: the plugin's CANT_HARDWARE_VERIFY_CMS.
    assert_eq!(
        call(
            &slot,
            &c,
            "verify",
            json!([0, two, {"useHardwareHash": true}])
        ),
        Err(166)
    );

    // Detached: the page passes the data again with the CMS.
    let d1 = call(
        &slot,
        &c,
        "sign",
        json!([0, first, data, 0, {"detached": true, "addUserCertificate": true}]),
    )
    .expect("sign");
    let d2 = call(
        &slot,
        &c,
        "sign",
        json!([0, second, data, 0, {"detached": true, "addUserCertificate": true, "CMS": d1}]),
    )
    .expect("co-sign");
    assert_eq!(
        call(&slot, &c, "sign", json!([0, second, "", 0, {"CMS": d1}])),
        Err(27),
        "a detached CMS needs its data"
    );
    assert_eq!(
        call(&slot, &c, "verify", json!([0, d2, {"data": data}])),
        Ok(json!(true))
    );
    assert_eq!(
        call(&slot, &c, "verify", json!([0, d2, {"data": "изменено"}])),
        Ok(json!(false))
    );
    let ca = String::from_utf8(
        rutoken_pki::fixtures::file("ca.crt.pem")
            .expect("ca")
            .to_vec(),
    )
    .expect("utf8");
    assert_eq!(
        call(
            &slot,
            &c,
            "verify",
            json!([0, d2, {"data": data, "verifyCertificate": true, "CA": [ca]}])
        ),
        Ok(json!(true))
    );

    if !gost_engine() {
        println!("skipped: OpenSSL's gost engine is missing (libengine-gost-openssl)");
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    std::fs::write(d.join("attached.der"), b64(&two)).expect("write");
    std::fs::write(d.join("detached.der"), b64(&d2)).expect("write");
    std::fs::write(d.join("data.txt"), data).expect("write");
    std::fs::write(
        d.join("ca.pem"),
        rutoken_pki::fixtures::file("ca.crt.pem").expect("ca"),
    )
    .expect("write");
    for (file, detached) in [("attached.der", false), ("detached.der", true)] {
        let (ok, text, signers) = count_signers(d, file, detached);
        assert!(
            ok && text.contains("Verification successful"),
            "{file}: {text}"
        );
        assert_eq!(signers, 2, "{file}: both signers");
        assert_eq!(
            std::fs::read(d.join("content.bin")).expect("content"),
            data.as_bytes(),
            "{file}: the content"
        );
    }
}
