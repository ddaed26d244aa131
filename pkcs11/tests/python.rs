//! python-pkcs11 (PyPI, in the venv `scripts/test.sh` makes) against the module: key
//! generation with Aktiv-style templates, signatures with on-token hashing and over a host
//! digest (every SafeTouch screen confirmed through the control socket), C_Verify, Streebog
//! digests, random, session data objects, sensitive attributes, a wrong PIN, and a token
//! pulled out of the reader while a session is open. OpenSSL's gost engine checks the digests
//! and the signatures. Skipped (with the reason printed) when not root, when pcscd, vpcd,
//! OpenSC or OpenSSL's gost engine are missing, or without the venv.
#![cfg(feature = "pcsc")]
#![allow(clippy::unwrap_used, reason = "tests")]

mod support;
use support::lab;

use std::time::{Duration, Instant};

use gost::{KeyAlgorithm, ParamSet, VerifyingKey};
use lab::{Lab, USER_PIN};

/// The venv's python with python-pkcs11, or why there is none.
fn python() -> Result<String, String> {
    let python = lab::venv().join("bin/python");
    let ok = std::process::Command::new(&python)
        .args(["-c", "import pkcs11"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        Ok(python.display().to_string())
    } else {
        Err(format!(
            "python-pkcs11 is not installed in {} (scripts/test.sh makes that venv)",
            lab::venv().display()
        ))
    }
}

fn value<'a>(output: &'a str, name: &str) -> &'a str {
    output
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no {name} in:\n{output}"))
        .trim()
}

#[test]
fn python_pkcs11_generates_signs_digests_and_keeps_objects() {
    require_lab!();
    let python = match python() {
        Ok(p) => p,
        Err(reason) => {
            eprintln!("skipped: {reason}");
            return;
        }
    };
    let lab = Lab::start(Duration::from_secs(30));
    let document = "Заявление на перевыпуск сертификата".repeat(20);
    lab.write("doc.txt", document.as_bytes());
    lab.write(
        "test.py",
        include_bytes!("data/python_pkcs11.py").as_slice(),
    );
    let (screens, ok, out) =
        lab.sh_confirming(&format!("{python} test.py \"$MODULE\" {USER_PIN} doc.txt"));
    assert!(ok, "{out}");
    assert!(out.contains("done"), "{out}");
    assert!(out.contains("wrong-pin PinIncorrect"), "{out}");
    assert!(out.contains("private-value AttributeSensitive"), "{out}");
    // One screen per signature: the document, then the hash.
    assert_eq!(screens.len(), 2, "{screens:?}");

    // The module's Streebog matches OpenSSL's.
    for (name, md) in [
        ("streebog256", "md_gost12_256"),
        ("streebog512", "md_gost12_512"),
    ] {
        let openssl = lab.ok(&format!("openssl dgst -engine gost -{md} -r doc.txt"));
        let expected = openssl.split_whitespace().next().unwrap_or_default();
        // `openssl dgst` prints the engine's banner first on some builds.
        let expected = openssl
            .lines()
            .find(|l| l.ends_with("doc.txt"))
            .and_then(|l| l.split_whitespace().next())
            .unwrap_or(expected);
        assert_eq!(value(&out, name), expected, "{name}");
    }

    // OpenSSL verifies both signatures with the key's public value.
    let public = VerifyingKey::from_le_bytes(
        ParamSet::Gost256B,
        &hex::decode(value(&out, "public")).unwrap(),
    )
    .unwrap();
    lab.write(
        "pub.der",
        &gost::spki::to_spki_der(&public, KeyAlgorithm::Gost2012_256),
    );
    lab.ok("openssl dgst -engine gost -md_gost12_256 -binary doc.txt > digest.bin");
    for name in ["signature", "digest-signature"] {
        lab.write("sig.bin", &hex::decode(value(&out, name)).unwrap());
        let verified = lab.ok(
            "openssl pkeyutl -engine gost -verify -pubin -keyform DER -inkey pub.der \
             -sigfile sig.bin -in digest.bin",
        );
        assert!(
            verified.contains("Signature Verified Successfully"),
            "{name}: {verified}"
        );
    }
}

/// Holds a logged-in session, then (after the test pulls the token) signs: the token is gone.
const PULL_SCRIPT: &str = r#"
import os, sys, time
import pkcs11
from pkcs11 import Attribute, ObjectClass
from pkcs11 import exceptions as e
lib = pkcs11.lib(sys.argv[1])
def wait(name):
    while not os.path.exists(name):
        time.sleep(0.02)
token = lib.get_token()
session = token.open(user_pin=sys.argv[2])
key = next(session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY}))
open("ready", "w").close()
wait("pulled")
try:
    key.sign(bytes(32), mechanism=pkcs11.Mechanism.GOSTR3410)
    raise AssertionError("signed with the token pulled")
except (e.DeviceRemoved, e.TokenNotPresent) as x:
    print("pulled", type(x).__name__)
try:
    session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY}).__next__()
    raise AssertionError("the session outlived the token")
except (e.SessionHandleInvalid, e.DeviceRemoved, e.TokenNotPresent, e.SessionClosed) as x:
    print("old-session", type(x).__name__)
print("slots-while-out", len(lib.get_slots(token_present=True)))
open("insert", "w").close()
wait("inserted")
token = lib.get_token()
with token.open(user_pin=sys.argv[2]) as session:
    key = next(session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY}))
    print("signature-after", len(key.sign(bytes(32), mechanism=pkcs11.Mechanism.GOSTR3410)))
"#;

#[test]
fn a_pulled_token_is_device_removed_and_comes_back() {
    require_lab!();
    let python = match python() {
        Ok(p) => p,
        Err(reason) => {
            eprintln!("skipped: {reason}");
            return;
        }
    };
    let lab = Lab::start(Duration::from_secs(30));
    lab.write("pull.py", PULL_SCRIPT.as_bytes());
    let mut child = lab
        .shell(&format!("{python} pull.py \"$MODULE\" {USER_PIN}"))
        .spawn()
        .unwrap();
    let exists = |name: &str| lab.dir.path().join(name).exists();
    let deadline = Instant::now() + Duration::from_secs(90);
    let (mut pulled, mut inserted) = (false, false);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the script hangs");
        if exists("ready") && !pulled {
            lab.control(r#"{"cmd":"pull"}"#);
            // pcsc-lite polls a vpcd reader every 400 ms.
            std::thread::sleep(Duration::from_millis(1200));
            lab.write("pulled", b"");
            pulled = true;
        }
        if exists("insert") && !inserted {
            lab.control(r#"{"cmd":"insert"}"#);
            std::thread::sleep(Duration::from_millis(1500));
            lab.write("inserted", b"");
            inserted = true;
        }
        if lab.waiting_screen().is_some() {
            lab.press("confirm");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("pulled DeviceRemoved") || text.contains("pulled TokenNotPresent"),
        "{text}"
    );
    assert!(text.contains("old-session"), "{text}");
    assert!(text.contains("slots-while-out 0"), "{text}");
    assert!(text.contains("signature-after 64"), "{text}");
}
