//! Bank code written against Aktiv's `librtpkcs11ecp.so` runs unchanged against the module
//! (issue 23 item 4). `vendor_c/reissue.c`, a C program in the style of Aktiv's SDK samples
//! (dlopen by the vendor's file name, `C_GetFunctionList`, `C_EX_GetFunctionListExtended`, only
//! the vendor's API; our own declarations in `vendor_c/rtpkcs11.h`), is compiled with `cc` and
//! run step by step against the emulated Rutoken behind a private pcscd, the module reached
//! through a `librtpkcs11ecp.so` symlink: a key pair under its own `CKA_ID`, a signature with
//! on-token hashing confirmed and rejected on the SafeTouch, `C_EX_CreateCSR` (verified by
//! OpenSSL, issued by the test CA), the certificate imported under that ID, `C_EX_PKCS7Sign`
//! with `USE_HARDWARE_HASH` attached and detached (verified by OpenSSL's `cms`) and rejected,
//! GOST 28147-89 round trips, `C_WaitForSlotEvent` on a pull and an insert, `C_EX_InitToken`
//! last. `vendor_py/extended.py` calls the extended functions through ctypes.
//!
//! Skipped (with the reason printed) when not root, when pcscd, vpcd, OpenSC, OpenSSL's gost
//! engine, `cc` or p11-kit's `pkcs11.h` (Debian: libp11-kit-dev) are missing.
#![cfg(feature = "pcsc")]
#![allow(clippy::unwrap_used, reason = "tests")]

mod support;
use support::lab;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use gost::{KeyAlgorithm, ParamSet, VerifyingKey};
use lab::{Lab, SO_PIN, USER_PIN};

/// The C sources, compiled into the lab's scratch directory.
const SOURCE: &str = include_str!("vendor_c/reissue.c");
const HEADER: &str = include_str!("vendor_c/rtpkcs11.h");
const PYTHON: &str = include_str!("vendor_py/extended.py");
/// p11-kit's OASIS `pkcs11.h` (Debian: libp11-kit-dev).
const P11KIT_INCLUDE: &str = "/usr/include/p11-kit-1";
/// The key pair's `CKA_ID`, chosen by the "bank" (not the SHA-1 the module would file it under).
const KEY_ID: &str = "b4a1c0de01";
/// The user PIN `C_EX_InitToken` sets (the fixture's policy: 4 characters at least).
const NEW_USER_PIN: &str = "11223344";
/// `CKR_FUNCTION_REJECTED` (PKCS#11 v2.40 §5.1): the owner said no on the device.
const CKR_FUNCTION_REJECTED: &str = "0x200";
/// `CKO_PUBLIC_KEY`, `CKO_PRIVATE_KEY`, `CKO_CERTIFICATE` (PKCS#11 v2.40 §4.1), as the program
/// prints them in its "found" lines.
const CKO_CERTIFICATE: u32 = 1;
const CKO_PUBLIC_KEY: u32 = 2;
const CKO_PRIVATE_KEY: u32 = 3;

/// Why the C program cannot be built here, if it cannot.
fn compiler_missing() -> Option<String> {
    if let Some(r) = testkit::shell::missing_tool(&["cc"], "Debian: gcc") {
        return Some(r);
    }
    let header = Path::new(P11KIT_INCLUDE).join("p11-kit/pkcs11.h");
    (!header.exists()).then(|| format!("{} is missing (Debian: libp11-kit-dev)", header.display()))
}

/// Compiles the program into `dir` and makes `dir/lib/librtpkcs11ecp.so` point at this build's
/// module; returns the program's path.
fn build(dir: &Path) -> PathBuf {
    std::fs::write(dir.join("reissue.c"), SOURCE).unwrap();
    std::fs::write(dir.join("rtpkcs11.h"), HEADER).unwrap();
    let program = dir.join("reissue");
    let out = Command::new("cc")
        .args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-I"])
        .arg(P11KIT_INCLUDE)
        .arg("-o")
        .arg(&program)
        .arg(dir.join("reissue.c"))
        .arg("-ldl")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cc failed:\n{}",
        testkit::shell::text(&out)
    );
    std::fs::create_dir_all(dir.join("lib")).unwrap();
    std::os::unix::fs::symlink(lab::module_path(), dir.join("lib/librtpkcs11ecp.so")).unwrap();
    program
}

/// A step of the program as a shell command of the lab (in its scratch directory): the library
/// found by its file name through `LD_LIBRARY_PATH`, the test's user PIN in `USER_PIN`.
fn step(args: &str) -> String {
    format!("LD_LIBRARY_PATH=\"$PWD/lib\" USER_PIN={USER_PIN} ./reissue {args}")
}

/// The value after `name ` on the program's output.
fn value<'a>(output: &'a str, name: &str) -> &'a str {
    output
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no {name} in:\n{output}"))
        .trim()
}

fn assert_rv(output: &str, call: &str, rv: &str) {
    assert!(
        output.lines().any(|l| l == format!("rv {call} {rv}")),
        "{call} did not return {rv}:\n{output}"
    );
}

fn assert_found(output: &str, class: u32, count: u32) {
    assert!(
        output
            .lines()
            .any(|l| l == format!("found {class} {count}")),
        "not {count} object(s) of class {class} under the ID:\n{output}"
    );
}

#[test]
fn a_vendor_style_c_program_runs_the_reissue() {
    require_lab!();
    if let Some(reason) = compiler_missing() {
        eprintln!("skipped: {reason}");
        return;
    }
    let lab = Lab::start(Duration::from_secs(30));
    build(lab.dir.path());
    let document = "Заявление на перевыпуск сертификата ключа проверки электронной подписи\n";
    lab.write("doc.txt", document.as_bytes());

    let probe = lab.ok(&step("probe"));
    // The program, like Aktiv's samples, needs the extended list at start-up.
    assert_eq!(
        value(&probe, "extended"),
        "yes",
        "no C_EX_GetFunctionListExtended:\n{probe}"
    );
    assert_eq!(
        value(&probe, "gost28147"),
        "yes",
        "no CKM_GOST28147_KEY_GEN:\n{probe}"
    );

    // A key pair under the bank's own ID, found again by that ID.
    let (screens, ok, out) = lab.sh_confirming(&step(&format!("keygen {KEY_ID}")));
    assert!(ok, "{out}");
    assert!(screens.is_empty(), "key generation asked: {screens:?}");
    assert_found(&out, CKO_PRIVATE_KEY, 1);
    assert_found(&out, CKO_PUBLIC_KEY, 1);
    // Each half keeps its own label, as the vendor's samples set them.
    assert_eq!(value(&out, "label-public"), "Bank key Public Key", "{out}");
    assert_eq!(
        value(&out, "label-private"),
        "Bank key Private Key",
        "{out}"
    );
    let public = VerifyingKey::from_le_bytes(
        ParamSet::Gost256B,
        &hex::decode(value(&out, "public")).unwrap(),
    )
    .unwrap();
    lab.write(
        "pub.der",
        &gost::spki::to_spki_der(&public, KeyAlgorithm::Gost2012_256),
    );

    // C_Sign with the token's Streebog: confirmed, the signature verifies (OpenSSL); rejected,
    // CKR_FUNCTION_REJECTED.
    let sign = step(&format!("sign {KEY_ID} doc.txt"));
    let (screen, ok, out) = lab.sh_pressing(&sign, "confirm");
    assert!(ok, "{out}");
    assert_rv(&out, "C_Sign", "0x0");
    eprintln!("C_Sign screen: {screen:?}");
    lab.write("sig.bin", &hex::decode(value(&out, "signature")).unwrap());
    lab.ok("openssl dgst -engine gost -md_gost12_256 -binary doc.txt > digest.bin");
    let verified = lab.ok(
        "openssl pkeyutl -engine gost -verify -pubin -keyform DER -inkey pub.der \
         -sigfile sig.bin -in digest.bin",
    );
    assert!(
        verified.contains("Signature Verified Successfully"),
        "{verified}"
    );
    let (_, ok, out) = lab.sh_pressing(&sign, "reject");
    assert!(ok, "{out}");
    assert_rv(&out, "C_Sign", CKR_FUNCTION_REJECTED);

    extended_reissue(&lab);

    // GOST 28147-89 on the token: a session key, ECB and CFB round trips, a MAC.
    let out = lab.ok(&step("gost28147"));
    assert_rv(&out, "C_GenerateKey", "0x0");
    assert_rv(&out, "C_Verify(MAC)", "0x0");
    // CKR_SIGNATURE_INVALID: the MAC of altered data does not verify.
    assert_rv(&out, "C_Verify(MAC, altered)", "0xc0");
    assert_eq!(value(&out, "ecb").len(), 64, "{out}");
    assert_eq!(value(&out, "cfb").len(), 58, "{out}");
    assert_eq!(value(&out, "mac").len(), 8, "{out}");
    eprintln!(
        "GOST 28147-89: ecb {} cfb {} mac {}",
        value(&out, "ecb"),
        value(&out, "cfb"),
        value(&out, "mac")
    );

    slot_events(&lab);

    // Last: the format erases the token.
    let (screens, ok, out) = lab.sh_confirming(&step(&format!(
        "inittoken {SO_PIN} {NEW_USER_PIN} 'Bank token'"
    )));
    assert!(ok, "{out}");
    eprintln!("C_EX_InitToken screens: {screens:?}");
    assert_rv(&out, "C_EX_InitToken", "0x0");
    // The name the format wrote, as C_EX_GetTokenName reads it and as C_GetTokenInfo's label
    // (blank-padded to 32 bytes) shows it.
    assert_eq!(value(&out, "token-name"), "Bank token", "{out}");
    assert_eq!(value(&out, "label"), "Bank token", "{out}");
    for class in [CKO_PRIVATE_KEY, CKO_PUBLIC_KEY, CKO_CERTIFICATE] {
        assert!(
            out.lines().any(|l| l == format!("after-format {class} 0")),
            "objects of class {class} survived the format:\n{out}"
        );
    }
}

/// Token information, CSR, certificate, CMS (C and Python): the extended calls of the reissue.
fn extended_reissue(lab: &Lab) {
    // C_EX_GetTokenInfoExtended: a Rutoken ECP.
    let out = lab.ok(&step("tokeninfo"));
    assert_eq!(value(&out, "type"), "1", "TOKEN_TYPE_RUTOKEN_ECP:\n{out}");
    assert_eq!(value(&out, "class"), "1", "TOKEN_CLASS_ECP:\n{out}");

    // C_EX_CreateCSR: the SafeTouch asks, OpenSSL verifies the request's signature.
    let (screens, ok, out) = lab.sh_confirming(&step(&format!("csr {KEY_ID} csr.der")));
    assert!(ok, "{out}");
    assert_rv(&out, "C_EX_CreateCSR", "0x0");
    assert_rv(&out, "C_EX_FreeBuffer", "0x0");
    // The SafeTouch asks for the request's signature (issue 23 item 1).
    assert_eq!(screens.len(), 1, "C_EX_CreateCSR screens: {screens:?}");
    eprintln!("C_EX_CreateCSR screen: {screens:?}");
    let verified = lab.ok("openssl req -engine gost -inform DER -in csr.der -verify -noout");
    assert!(verified.contains("verify OK"), "{verified}");
    let subject = lab.ok("openssl req -inform DER -in csr.der -noout -subject -nameopt utf8");
    assert!(subject.contains("Иванов Иван Иванович"), "{subject}");

    // The test CA issues the certificate; the program imports it under the key's ID.
    let request = rutoken_pki::Request::parse(&lab.read("csr.der")).unwrap();
    let mut ca = rutoken_pki::ca::TestCa::fixture(23).unwrap();
    let cert = ca.issue(&request, time::OffsetDateTime::now_utc()).unwrap();
    lab.write("cert.der", cert.to_der());
    lab.write("ca.pem", ca.certificate().to_pem().unwrap().as_bytes());
    let out = lab.ok(&step(&format!("import {KEY_ID} cert.der")));
    assert_rv(&out, "C_CreateObject", "0x0");
    assert_found(&out, CKO_CERTIFICATE, 1);

    cms_signatures(lab);

    // The same calls from Python's ctypes.
    lab.write("extended.py", PYTHON.as_bytes());
    let (_, ok, out) = lab.sh_confirming(&format!(
        "LD_LIBRARY_PATH=\"$PWD/lib\" USER_PIN={USER_PIN} python3 extended.py {KEY_ID} doc.txt"
    ));
    assert!(ok, "{out}");
    assert!(out.contains("done"), "{out}");
    for call in [
        "C_EX_GetTokenInfoExtended",
        "C_EX_CreateCSR",
        "C_EX_PKCS7Sign",
    ] {
        assert_rv(&out, call, "0x0");
    }
    let verified = lab.ok("openssl req -engine gost -inform DER -in py-csr.der -verify -noout");
    assert!(verified.contains("verify OK"), "{verified}");
    let verified = lab.ok(
        "openssl cms -verify -engine gost -binary -inform DER -in py-cms.der -CAfile ca.pem \
         -out py-content.txt",
    );
    assert!(verified.contains("Verification successful"), "{verified}");
    assert_eq!(lab.read("py-content.txt"), lab.read("doc.txt"));
}

/// `C_EX_PKCS7Sign` with the token's hash: attached and detached (each verified by OpenSSL),
/// and rejected on the SafeTouch.
fn cms_signatures(lab: &Lab) {
    // C_EX_PKCS7Sign with the token's hash: attached and detached, each verified by OpenSSL.
    for (args, verify) in [
        (
            format!("pkcs7 {KEY_ID} doc.txt attached.der"),
            "openssl cms -verify -engine gost -binary -inform DER -in attached.der \
             -CAfile ca.pem -out content.txt",
        ),
        (
            format!("pkcs7 {KEY_ID} doc.txt detached.der detached"),
            "openssl cms -verify -engine gost -binary -inform DER -in detached.der \
             -CAfile ca.pem -content doc.txt -out /dev/null",
        ),
    ] {
        let (screens, ok, out) = lab.sh_confirming(&step(&args));
        assert!(ok, "{out}");
        assert_rv(&out, "C_EX_PKCS7Sign", "0x0");
        assert_eq!(screens.len(), 1, "one screen, the document's: {screens:?}");
        eprintln!("C_EX_PKCS7Sign screen: {screens:?}");
        let verified = lab.ok(verify);
        assert!(verified.contains("Verification successful"), "{verified}");
    }
    assert_eq!(lab.read("content.txt"), lab.read("doc.txt"));
    let (_, ok, out) = lab.sh_pressing(
        &step(&format!("pkcs7 {KEY_ID} doc.txt rejected.der")),
        "reject",
    );
    assert!(ok, "{out}");
    assert_rv(&out, "C_EX_PKCS7Sign", CKR_FUNCTION_REJECTED);
}

/// `C_WaitForSlotEvent` in the program: it waits, the test pulls the token through the
/// emulator's control socket, then inserts it.
fn slot_events(lab: &Lab) {
    let mut child = lab.shell(&step("events")).spawn().unwrap();
    let exists = |name: &str| lab.dir.path().join(name).exists();
    let deadline = Instant::now() + Duration::from_secs(60);
    let (mut pulled, mut inserted) = (false, false);
    while child.try_wait().unwrap().is_none() {
        assert!(
            Instant::now() < deadline,
            "the program hangs in C_WaitForSlotEvent"
        );
        if exists("events.ready") && !pulled {
            lab.control(r#"{"cmd":"pull"}"#);
            pulled = true;
        }
        if exists("events.pulled") && !inserted {
            lab.control(r#"{"cmd":"insert"}"#);
            inserted = true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let text = testkit::shell::text(&out);
    assert!(out.status.success(), "{text}");
    assert_rv(&text, "C_WaitForSlotEvent(CKF_DONT_BLOCK)", "0x8");
    assert_eq!(value(&text, "pulled present"), "0", "{text}");
    assert_eq!(value(&text, "inserted present"), "1", "{text}");
    // The next steps need the token back in pcscd's view.
    lab.wait_for_output("pkcs11-tool --module \"$MODULE\" -L", "token label");
}
