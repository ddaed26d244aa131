//! The option walk (#27): every option of every method `methods::SPECS` documents is either
//! honoured (the call with it succeeds, and a value of the wrong type is BAD_PARAMS: read, not
//! dropped) or refused with the code the table gives. A method or option without a case here
//! fails the test. Also: every method answers wrong argument counts and types with a code and
//! leaves the token as it was.

mod support;

use rutoken_plugin_bridge::methods::{SPECS, Treatment};
use serde_json::{Value, json};
use support::{call, setup};

const OWNER_KEY: &str = "45:45:45:45:45:45:45:45:45:45:45:45:45:45:45:45:45:45:45:45";
const HASH32: &str = "01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef";
/// ContentInfo { id-envelopedData, [0] SEQUENCE {} }: parses as enveloped data.
const ENVELOPED: &str = "MA8GCSqGSIb3DQEHA6ACMAA=";
/// TimeStampResp { status: rejection }.
const REJECTED_TS: &str = "MAUwAwIBAg==";

struct Ctx {
    handle: String,
    second: String,
    pem: String,
    ca: String,
    signed_by_second: String,
}

fn ctx() -> Ctx {
    let (slot, c) = setup();
    call(&slot, &c, "login", json!([0, "12345678"])).expect("login");
    let handles = call(&slot, &c, "enumerateCertificates", json!([0, 1])).expect("certs");
    let handle = handles[0].as_str().expect("h").to_owned();
    let second = handles[1].as_str().expect("h").to_owned();
    let pem = call(&slot, &c, "getCertificate", json!([0, handle]))
        .expect("pem")
        .as_str()
        .expect("pem")
        .to_owned();
    let signed_by_second = call(
        &slot,
        &c,
        "sign",
        json!([0, second, "data", 0, {"addUserCertificate": true}]),
    )
    .expect("sign")
    .as_str()
    .expect("b64")
    .to_owned();
    let ca = String::from_utf8(
        rutoken_pki::fixtures::file("ca.crt.pem")
            .expect("ca")
            .to_vec(),
    )
    .expect("utf8");
    Ctx {
        handle,
        second,
        pem,
        ca,
        signed_by_second,
    }
}

/// The call for one option: the method's arguments with `options` in place.
fn base(x: &Ctx, method: &str, options: Value) -> Value {
    match method {
        "enumerateDevices" => json!([options]),
        "changePin" => {
            let old = if options.get("useAdminPin") == Some(&json!(true)) {
                "87654321"
            } else {
                "12345678"
            };
            json!([0, old, "12345678", options])
        }
        "formatToken" => json!([0, options]),
        "generateKeyPair" => json!([0, null, "m", options]),
        "createPkcs10" => json!([0, OWNER_KEY, [{"rdn": "commonName", "value": "X"}], {}, options]),
        "sign" => {
            let data = if options.get("CMS").is_some() {
                "data"
            } else {
                "text"
            };
            json!([0, x.handle, data, 0, options])
        }
        "rawSign" => json!([0, OWNER_KEY, HASH32, options]),
        "verify" => {
            if options.get("data").is_some() {
                json!([0, x.detached(), options])
            } else {
                json!([0, x.signed_by_second, options])
            }
        }
        "digest" => {
            let data = if options.get("base64") == Some(&json!(true)) {
                "dGV4dA=="
            } else {
                "text"
            };
            json!([0, 2, data, options])
        }
        "cmsEncrypt" => {
            let data = if options.get("base64") == Some(&json!(true)) {
                "dGV4dA=="
            } else {
                "text"
            };
            json!([0, "", [x.pem], data, options])
        }
        "cmsDecrypt" => json!([0, OWNER_KEY, ENVELOPED, options]),
        "derive" => json!([0, OWNER_KEY, "01:".repeat(63) + "01", options]),
        "createTsRequest" => json!(["dGV4dA==", 1, 2, options]),
        "verifyTsResponse" => json!([0, REJECTED_TS, "MAA=", 1, options]),
        other => panic!("no base call for {other}: add one"),
    }
}

impl Ctx {
    fn detached(&self) -> String {
        let (slot, c) = setup();
        call(&slot, &c, "login", json!([0, "12345678"])).expect("login");
        call(
            &slot,
            &c,
            "sign",
            json!([0, self.second, "text", 0, {"detached": true, "addUserCertificate": true}]),
        )
        .expect("sign")
        .as_str()
        .expect("b64")
        .to_owned()
    }
}

/// A value that asks for the option, and one of the wrong type.
fn values(x: &Ctx, method: &str, option: &str) -> (Value, Value) {
    match (method, option) {
        ("enumerateDevices", "mode") => (json!(1), json!("x")),
        ("formatToken", "adminPin") => (json!("87654321"), json!(5)),
        ("formatToken", "newUserPin") => (json!("11112222"), json!(5)),
        ("formatToken", "label") => (json!("bank"), json!(5)),
        ("generateKeyPair", "publicKeyAlgorithm") => (json!(3), json!("x")),
        ("generateKeyPair", "paramset") => (json!("XB"), json!(5)),
        ("generateKeyPair", "signatureSize") => (json!(512), json!("x")),
        ("generateKeyPair", "id") => (json!("aa:bb:cc:dd"), json!(5)),
        ("generateKeyPair", "keySpec") => (json!(1), json!("x")),
        ("generateKeyPair", "keyType") => (json!(0), json!("x")),
        ("generateKeyPair", "privateKeyUsagePeriod") => (json!({}), json!(5)),
        ("createPkcs10", "subjectSignTool") => (json!("СКЗИ"), json!(5)),
        ("createPkcs10", "hashAlgorithm") => (json!(2), json!("x")),
        ("createPkcs10", "customExtensions") => (
            json!([{"oid": "1.2.3.4", "value": "BQA=", "criticality": false}]),
            json!(5),
        ),
        ("sign", "CMS") => (json!(x.signed_by_second), json!(5)),
        ("sign", "eContentType") => (json!("1.2.840.113549.1.7.1"), json!(5)),
        ("sign", "rsaHashAlgorithm") => (json!(6), json!("x")),
        ("sign", "tspOptions") => (json!({"url": "http://127.0.0.1:1/tsa"}), json!(5)),
        ("rawSign", "hashAlgorithm") => (json!(2), json!("x")),
        ("verify", "data") => (json!("text"), json!(5)),
        ("verify", "certificates") | ("verify", "CA") => (json!([x.ca.clone()]), json!(5)),
        ("verifyTsResponse", "certificates") | ("verifyTsResponse", "CA") => {
            (json!([x.pem.clone()]), json!(5))
        }
        ("cmsEncrypt", "cipherAlgorithm") => (json!(1), json!("x")),
        ("derive", "ukm") => (json!("01:02:03:04:05:06:07:08"), json!(5)),
        ("createTsRequest", "policy") => (json!("1.2.3.4"), json!(5)),
        ("createTsRequest", "extensions") => (
            json!([{"oid": "1.2.3.4", "value": "BQA=", "criticality": true}]),
            json!(5),
        ),
        // Everything else is a boolean flag.
        _ => (json!(true), json!("x")),
    }
}

/// What the call without the option gives: `ENVELOPED` is an empty EnvelopedData (ASN1_ERROR,
/// 33, once its options are read); `derive`'s public key `01…01` is no point of the curve
/// (DATA_INVALID, 27).
fn base_outcome(method: &str) -> Result<(), u32> {
    match method {
        "cmsDecrypt" => Err(33),
        "derive" => Err(27),
        _ => Ok(()),
    }
}

#[test]
fn every_documented_option_is_honoured_or_refused_with_its_code() {
    let x = ctx();
    let mut walked = 0;
    for spec in SPECS.iter().filter(|s| !s.options.is_empty()) {
        for (option, treatment) in spec.options {
            let (asking, wrong) = values(&x, spec.name, option);
            let run = |value: &Value| {
                let (slot, c) = setup();
                call(&slot, &c, "login", json!([0, "12345678"])).expect("login");
                let mut opts = serde_json::Map::new();
                opts.insert((*option).to_owned(), value.clone());
                if spec.name == "verify" && *option == "verifyCertificate" {
                    opts.insert("CA".into(), json!([x.ca.clone()]));
                }
                call(
                    &slot,
                    &c,
                    spec.name,
                    base(&x, spec.name, Value::Object(opts)),
                )
            };
            let got = run(&asking).map(|_| ());
            let expected = match treatment {
                Treatment::Honoured => base_outcome(spec.name),
                Treatment::Refused(code) => Err(code.code()),
            };
            assert_eq!(got, expected, "{}.{option} = {asking}", spec.name);
            assert_eq!(
                run(&wrong).map(|_| ()),
                Err(2),
                "{}.{option} of the wrong type is read, not dropped",
                spec.name
            );
            walked += 1;
        }
    }
    let documented: usize = SPECS.iter().map(|s| s.options.len()).sum();
    assert_eq!(walked, documented);
    assert!(walked >= 45, "{walked} options walked");
}

#[test]
fn honoured_options_change_the_result() {
    let x = ctx();
    let (slot, c) = setup();
    call(&slot, &c, "login", json!([0, "12345678"])).expect("login");
    let id = call(
        &slot,
        &c,
        "generateKeyPair",
        json!([0, null, "bank", {"id": "AA:BB:CC:DD"}]),
    )
    .expect("key");
    assert_eq!(id, json!("aa:bb:cc:dd"));
    assert_eq!(
        call(&slot, &c, "getKeyLabel", json!([0, "aa:bb:cc:dd"])),
        Ok(json!("bank"))
    );
    assert_eq!(
        call(
            &slot,
            &c,
            "generateKeyPair",
            json!([0, null, "bank", {"id": "AA:BB:CC:DD"}])
        ),
        Err(21),
        "KEY_ID_NOT_UNIQUE"
    );
    let attached =
        support::b64(&call(&slot, &c, "sign", json!([0, x.handle, "text", 0, {}])).expect("sign"));
    let detached = support::b64(
        &call(
            &slot,
            &c,
            "sign",
            json!([0, x.handle, "text", 0, {"detached": true}]),
        )
        .expect("sign"),
    );
    assert!(
        attached.len() > detached.len() + 3,
        "the content is left out"
    );
    let with_cert = support::b64(
        &call(
            &slot,
            &c,
            "sign",
            json!([0, x.handle, "text", 0, {"addUserCertificate": true}]),
        )
        .expect("sign"),
    );
    assert!(
        with_cert.len() > attached.len() + 300,
        "the certificate is in"
    );
    assert_eq!(
        call(
            &slot,
            &c,
            "digest",
            json!([0, 2, "dGV4dA==", {"base64": true}])
        ),
        call(&slot, &c, "digest", json!([0, 2, "text", {}]))
    );
    let a = call(
        &slot,
        &c,
        "createTsRequest",
        json!(["dGV4dA==", 1, 2, {"nonce": true}]),
    )
    .expect("tsq");
    let b = call(&slot, &c, "createTsRequest", json!(["dGV4dA==", 1, 2, {}])).expect("tsq");
    assert_ne!(a, b, "a nonce is in the request");
}

#[test]
fn every_method_answers_bad_input_with_a_code_and_leaves_the_token_alone() {
    let (slot, c) = setup();
    call(&slot, &c, "login", json!([0, "12345678"])).expect("login");
    let before = (
        call(&slot, &c, "enumerateKeys", json!([0, ""])).expect("keys"),
        call(&slot, &c, "enumerateCertificates", json!([0, 1])).expect("certs"),
        call(&slot, &c, "enumerateBinaryFiles", json!([0])).expect("files"),
    );
    for spec in SPECS {
        let too_many = json!([0, 1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(
            call(&slot, &c, spec.name, too_many),
            Err(2),
            "{} with 9 arguments",
            spec.name
        );
        for wrong in [
            json!([{}]),
            json!(["x", [], {}]),
            json!([0, {}, [], "x", 5]),
            json!([null, null]),
        ] {
            let got = call(&slot, &c, spec.name, wrong.clone());
            if let Ok(v) = &got {
                // Only the methods that take no device argument and may list nothing answer.
                assert!(
                    ["enumerateDevices", "enumerateStoreCertificates"].contains(&spec.name),
                    "{} {wrong} answered {v}",
                    spec.name
                );
            }
        }
    }
    assert_eq!(call(&slot, &c, "noSuchMethod", json!([])), Err(2));
    assert_eq!(call(&slot, &c, "", json!([])), Err(2));
    let after = (
        call(&slot, &c, "enumerateKeys", json!([0, ""])).expect("keys"),
        call(&slot, &c, "enumerateCertificates", json!([0, 1])).expect("certs"),
        call(&slot, &c, "enumerateBinaryFiles", json!([0])).expect("files"),
    );
    assert_eq!(before, after, "bad input changed the token");
}
