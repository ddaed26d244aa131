//! Time stamps with a TSA nobody here wrote: the bridge's `createTsRequest` makes the request,
//! OpenSSL (`openssl ts -reply`, gost engine) answers it as a GOST R 34.10-2012 TSA certified by
//! its own CA, and `verifyTsResponse` checks the answer: the imprint, the nonce, the TSA's
//! signature and, with `CA`, who issued the TSA's certificate.

#![allow(clippy::unwrap_used, reason = "tests")]

mod support;

use std::path::Path;
use std::process::Command;

use serde_json::json;
use support::{b64, call, gost_engine, setup};

/// `DATA_FORMAT_PLAIN`, `DATA_FORMAT_BASE64`, `HASH_TYPE_GOST3411_12_256` (the plugin's values,
/// `plugin/src/codes.rs`).
const PLAIN: u32 = 0;
const BASE64: u32 = 1;
const GOST_256: u32 = 2;
/// The plugin's X509_UNABLE_TO_GET_ISSUER_CERT_LOCALLY.
const NO_ISSUER: u32 = 54;

/// OpenSSL with the gost engine loaded from a config (the `ts` command takes no `-engine` for
/// its digests) and the TSA section `ts -reply` reads.
fn openssl(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .env("OPENSSL_CONF", dir.join("openssl.cnf"))
        .output()
        .expect("openssl");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "openssl {args:?}:\n{text}");
    text
}

fn engines_dir() -> String {
    let out = Command::new("openssl")
        .args(["version", "-e"])
        .output()
        .expect("openssl");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.split('"').nth(1).expect("ENGINESDIR").to_owned()
}

/// A GOST CA (`name`.key/.pem) and, under `ca`, a TSA certificate (critical timeStamping).
fn make_tsa(dir: &Path) {
    let cnf = format!(
        "openssl_conf = openssl_def\n[openssl_def]\nengines = engine_section\n\
         [engine_section]\ngost = gost_section\n[gost_section]\nengine_id = gost\n\
         dynamic_path = {}/gost.so\ndefault_algorithms = ALL\n\
         [tsa]\ndefault_tsa = tsa_config1\n[tsa_config1]\nserial = ./serial\n\
         signer_digest = md_gost12_256\ndefault_policy = 1.2.3.4.1\n\
         digests = md_gost12_256\ness_cert_id_alg = sha256\n",
        engines_dir()
    );
    std::fs::write(dir.join("openssl.cnf"), cnf).unwrap();
    std::fs::write(dir.join("serial"), "01\n").unwrap();
    std::fs::write(
        dir.join("ext.cnf"),
        "extendedKeyUsage=critical,timeStamping\n",
    )
    .unwrap();
    for key in ["ca", "other", "tsa"] {
        openssl(
            dir,
            &[
                "genpkey",
                "-algorithm",
                "gost2012_256",
                "-pkeyopt",
                "paramset:A",
                "-out",
                &format!("{key}.key"),
            ],
        );
    }
    for ca in ["ca", "other"] {
        openssl(
            dir,
            &[
                "req",
                "-x509",
                "-new",
                "-key",
                &format!("{ca}.key"),
                "-subj",
                &format!("/CN=Test TSA CA {ca}"),
                "-days",
                "30",
                "-md_gost12_256",
                "-out",
                &format!("{ca}.pem"),
            ],
        );
    }
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-key",
            "tsa.key",
            "-subj",
            "/CN=Test TSA",
            "-md_gost12_256",
            "-out",
            "tsa.csr",
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "tsa.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-set_serial",
            "7",
            "-days",
            "30",
            "-extfile",
            "ext.cnf",
            "-md_gost12_256",
            "-out",
            "tsa.pem",
        ],
    );
}

#[test]
fn an_openssl_tsa_answer_verifies_and_a_stranger_ca_or_other_data_does_not() {
    assert!(
        gost_engine(),
        "OpenSSL's gost engine is not installed (Debian: libengine-gost-openssl)"
    );
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    make_tsa(dir);
    let (slot, c) = setup();
    let data = "Платёжное поручение № 17";
    let request = call(
        &slot,
        &c,
        "createTsRequest",
        json!([data, PLAIN, GOST_256, {"nonce": true, "cert": true}]),
    )
    .expect("createTsRequest");
    std::fs::write(dir.join("req.tsq"), b64(&request)).unwrap();
    openssl(
        dir,
        &[
            "ts",
            "-reply",
            "-queryfile",
            "req.tsq",
            "-signer",
            "tsa.pem",
            "-inkey",
            "tsa.key",
            "-out",
            "resp.tsr",
        ],
    );
    // OpenSSL agrees the answer is for this request.
    let verified = openssl(
        dir,
        &[
            "ts",
            "-verify",
            "-queryfile",
            "req.tsq",
            "-in",
            "resp.tsr",
            "-CAfile",
            "ca.pem",
            "-untrusted",
            "tsa.pem",
        ],
    );
    assert!(verified.contains("Verification: OK"), "{verified}");
    let response = <base64ct::Base64 as base64ct::Encoding>::encode_string(
        &std::fs::read(dir.join("resp.tsr")).unwrap(),
    );
    let pem = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();

    // The TSA's certificate travels in the answer (`cert` asked for it); CA: its issuer.
    let verify = |req: &serde_json::Value, options: serde_json::Value| {
        call(
            &slot,
            &c,
            "verifyTsResponse",
            json!([0, response, req, BASE64, options]),
        )
    };
    assert_eq!(verify(&request, json!({})), Ok(json!(true)));
    assert_eq!(
        verify(&request, json!({"CA": [pem("ca.pem")]})),
        Ok(json!(true))
    );
    // A CA that did not issue the TSA's certificate.
    assert_eq!(
        verify(&request, json!({"CA": [pem("other.pem")]})),
        Err(NO_ISSUER)
    );
    // The same answer for another document's request: the imprint differs.
    let other = call(
        &slot,
        &c,
        "createTsRequest",
        json!(["другой документ", PLAIN, GOST_256, {"cert": true}]),
    )
    .expect("createTsRequest");
    assert_eq!(verify(&other, json!({})), Ok(json!(false)));
    // A changed byte in the signed TSTInfo breaks the TSA's signature.
    let mut tampered = std::fs::read(dir.join("resp.tsr")).unwrap();
    let serial_at = find_serial(&tampered);
    tampered[serial_at] ^= 0x01;
    let tampered = <base64ct::Base64 as base64ct::Encoding>::encode_string(&tampered);
    assert_eq!(
        call(
            &slot,
            &c,
            "verifyTsResponse",
            json!([0, tampered, request, BASE64, {}]),
        ),
        Ok(json!(false))
    );
}

/// Where the TSTInfo's one-byte serial number (`02 01 xx`, from the `serial` file) sits: right after the
/// policy OID 1.2.3.4.1 (`06 04 2A 03 04 01`) and the message imprint (a short-form SEQUENCE).
fn find_serial(der: &[u8]) -> usize {
    let policy = [0x06, 0x04, 0x2A, 0x03, 0x04, 0x01];
    let start = der
        .windows(policy.len())
        .position(|w| w == policy)
        .expect("the policy in the TSTInfo");
    let imprint = start + policy.len();
    assert_eq!(der[imprint], 0x30, "the message imprint");
    let serial = imprint + 2 + usize::from(der[imprint + 1]);
    assert_eq!(der[serial..serial + 2], [0x02, 0x01], "a one-byte serial");
    serial + 2
}
