//! A 1 MiB document signed with on-token hashing through the whole stack (issue 23 item 5):
//! the vendor-style C program of `pkcs11/tests/vendor_c/` (librtpkcs11ecp.so → this build's
//! module) → pcscd → vpcd → the emulated Rutoken in its SafeTouch, every screen confirmed
//! through the control socket. Two calls, each timed inside the program around the call alone:
//! `C_Sign` with `CKM_GOSTR3410_WITH_GOSTR3411_12_256`, and `C_EX_PKCS7Sign` with
//! `USE_HARDWARE_HASH` (detached), whose certificate the test CA issues from `C_EX_CreateCSR`.
//! The module chains the document to the token: 4113 `PSO: HASH` pieces of at most 255 bytes
//! (`rutoken_client::sign::HASH_PIECE`).
//!
//! Not criterion: each sample is a process and a SafeTouch press; REPS (default 5) samples,
//! median, min and max printed. Needs root, pcscd, vsmartcard-vpcd, OpenSC's pkcs11-tool, cc and
//! p11-kit's pkcs11.h; says why and exits 0 without them. The figures include the automated
//! press (the control socket is polled every 20 ms).
//!   cargo bench -p rutoken-benches --bench pkcs11_sign
//!   REPS=10 cargo bench -p rutoken-benches --bench pkcs11_sign
#![allow(missing_docs)]
#![allow(clippy::unwrap_used, reason = "a bench: a failed set-up step stops it")]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use testkit::lab::{Lab, USER_PIN};

const SOURCE: &str = include_str!("../../pkcs11/tests/vendor_c/reissue.c");
const HEADER: &str = include_str!("../../pkcs11/tests/vendor_c/rtpkcs11.h");
/// p11-kit's OASIS `pkcs11.h` (Debian: libp11-kit-dev).
const P11KIT_INCLUDE: &str = "/usr/include/p11-kit-1";
const KEY_ID: &str = "be7c400001";
/// 1 MiB.
const DOCUMENT_LEN: usize = 1 << 20;

/// `librutoken_pkcs11.so` of this build, beside the bench binary in `target/<profile>/deps/`
/// (the package depends on rutoken-pkcs11, so cargo builds its cdylib there).
fn module_path() -> PathBuf {
    std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .join("librutoken_pkcs11.so")
}

fn skip_reason() -> Option<String> {
    if let Some(r) = testkit::skip_reason() {
        return Some(r);
    }
    if let Some(r) =
        testkit::shell::missing_tool(&["cc", "pkcs11-tool", "openssl"], "Debian: gcc, opensc")
    {
        return Some(r);
    }
    if !Path::new(P11KIT_INCLUDE).join("p11-kit/pkcs11.h").exists() {
        return Some("p11-kit's pkcs11.h is missing (Debian: libp11-kit-dev)".into());
    }
    if !module_path().exists() {
        return Some(format!("{} was not built", module_path().display()));
    }
    None
}

fn build(dir: &Path) {
    std::fs::write(dir.join("reissue.c"), SOURCE).unwrap();
    std::fs::write(dir.join("rtpkcs11.h"), HEADER).unwrap();
    let out = Command::new("cc")
        .args(["-std=c99", "-O2", "-I", P11KIT_INCLUDE, "-o"])
        .arg(dir.join("reissue"))
        .arg(dir.join("reissue.c"))
        .arg("-ldl")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", testkit::shell::text(&out));
    std::fs::create_dir_all(dir.join("lib")).unwrap();
    std::os::unix::fs::symlink(module_path(), dir.join("lib/librtpkcs11ecp.so")).unwrap();
}

fn step(args: &str) -> String {
    format!("LD_LIBRARY_PATH=\"$PWD/lib\" USER_PIN={USER_PIN} ./reissue {args}")
}

fn value<'a>(output: &'a str, name: &str) -> &'a str {
    output
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no {name} in:\n{output}"))
        .trim()
}

/// Runs a signing step `reps` times, confirming its screen; the call's times in ms.
fn sample(lab: &Lab, args: &str, call: &str, reps: usize) -> Vec<f64> {
    (0..reps)
        .map(|_| {
            let (_, ok, out) = lab.sh_confirming(&step(args));
            assert!(ok, "{out}");
            assert!(out.contains(&format!("rv {call} 0x0")), "{out}");
            value(&out, "elapsed-us").parse::<f64>().unwrap() / 1000.0
        })
        .collect()
}

fn report(name: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    println!(
        "{name}: median {:.0} ms (min {:.0}, max {:.0}, n={})",
        ms[ms.len() / 2],
        ms[0],
        ms[ms.len() - 1],
        ms.len()
    );
}

fn main() {
    // `cargo bench` passes `--bench`; a `cargo test` run of all targets passes nothing that
    // asks for it: only time when asked.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    if let Some(reason) = skip_reason() {
        println!("skipped: {reason}");
        return;
    }
    let reps: usize = std::env::var("REPS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let lab = Lab::start(Duration::from_secs(30), &[("MODULE", module_path().into())]);
    lab.wait_for_output("pkcs11-tool --module \"$MODULE\" -L", "token label");
    build(lab.dir.path());
    let document: Vec<u8> = (0..=250u8).cycle().take(DOCUMENT_LEN).collect();
    lab.write("doc.bin", &document);
    let probe = lab.ok(&step("probe"));
    lab.ok(&step(&format!("keygen {KEY_ID}")));

    report(
        "pkcs11/C_Sign/streebog256-on-token/1MiB",
        sample(&lab, &format!("sign {KEY_ID} doc.bin"), "C_Sign", reps),
    );

    if value(&probe, "extended") != "yes" {
        println!(
            "skipped: pkcs11/C_EX_PKCS7Sign/1MiB: the module exports no \
             C_EX_GetFunctionListExtended yet (issue 23 item 1)"
        );
        return;
    }
    let (_, ok, out) = lab.sh_confirming(&step(&format!("csr {KEY_ID} csr.der")));
    // CKR_FUNCTION_NOT_SUPPORTED (PKCS#11 v2.40 §5.1): the member exists, its body not yet.
    if out.contains("rv C_EX_CreateCSR 0x54") {
        println!(
            "skipped: pkcs11/C_EX_PKCS7Sign/1MiB: C_EX_CreateCSR answers \
             CKR_FUNCTION_NOT_SUPPORTED (issue 23 item 1), so no certificate to sign with"
        );
        return;
    }
    assert!(ok, "{out}");
    let request = rutoken_pki::Request::parse(&lab.read("csr.der")).unwrap();
    let mut ca = rutoken_pki::ca::TestCa::fixture(5).unwrap();
    let cert = ca.issue(&request, time::OffsetDateTime::now_utc()).unwrap();
    lab.write("cert.der", cert.to_der());
    lab.write("ca.pem", ca.certificate().to_pem().unwrap().as_bytes());
    lab.ok(&step(&format!("import {KEY_ID} cert.der")));
    let (_, _, out) = lab.sh_confirming(&step(&format!("pkcs7 {KEY_ID} doc.bin cms.der detached")));
    if out.contains("rv C_EX_PKCS7Sign 0x54") {
        println!(
            "skipped: pkcs11/C_EX_PKCS7Sign/1MiB: C_EX_PKCS7Sign answers \
             CKR_FUNCTION_NOT_SUPPORTED (issue 23 item 1)"
        );
        return;
    }
    report(
        "pkcs11/C_EX_PKCS7Sign/hardware-hash/detached/1MiB",
        sample(
            &lab,
            &format!("pkcs7 {KEY_ID} doc.bin cms.der detached"),
            "C_EX_PKCS7Sign",
            reps,
        ),
    );
    // The last signature is a real one.
    let verified = lab.ok(
        "openssl cms -verify -engine gost -binary -inform DER -in cms.der -CAfile ca.pem \
         -content doc.bin -out /dev/null",
    );
    assert!(verified.contains("Verification successful"), "{verified}");
}
