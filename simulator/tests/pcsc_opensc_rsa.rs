//! RSA end to end with OpenSC 0.23 through a private pcscd and vpcd: `pkcs15-init
//! --generate-key rsa/2048` (on-token generation), `pkcs11-tool` signing with RSA-PKCS and
//! SHA256-RSA-PKCS and deciphering RSA-PKCS, a key imported with `pkcs15-init
//! --store-private-key` (CHANGE REFERENCE DATA P2=00, chained); OpenSSL verifies every signature
//! and encrypts what the token deciphers. Skipped (with the reason printed) when not root or when
//! pcscd, vpcd, OpenSC or OpenSSL are missing.

#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::Path;

use rutoken_sim::token::{Fixture, Token, TokenProfile};
use testkit::require_pcscd;
use testkit::shell::{missing_tool, ok, opensc_personalise, sh, wait_for_opensc};
use testkit::{Emulator, Pcscd};

const USER_PIN: &str = "12345678";
/// The SO PIN OpenSC personalises the factory token with.
const SO_PIN: &str = "87654321";

fn opensc_skip_reason() -> Option<String> {
    missing_tool(
        &["pkcs15-init", "pkcs15-tool", "pkcs11-tool", "openssl"],
        "Debian: opensc, openssl",
    )
}

/// Signs with key `id` through pkcs11-tool (RSA-PKCS over 32 raw bytes, SHA256-RSA-PKCS over a
/// message) and verifies with OpenSSL against `public` (PEM); a changed message must fail.
fn sign_both_ways(pcscd: &Pcscd, dir: &Path, id: &str, public: &str, modulus_bytes: usize) {
    let login = format!("pkcs11-tool -l -p {USER_PIN} --id {id}");
    ok(
        pcscd,
        dir,
        &format!("{login} -s -m RSA-PKCS -i raw32.bin -o sig-raw-{id}.bin"),
    );
    assert_eq!(
        std::fs::read(dir.join(format!("sig-raw-{id}.bin")))
            .unwrap()
            .len(),
        modulus_bytes
    );
    ok(
        pcscd,
        dir,
        &format!(
            "openssl pkeyutl -verifyrecover -pubin -inkey {public} -in sig-raw-{id}.bin \
             -out recovered-{id}.bin && cmp recovered-{id}.bin raw32.bin"
        ),
    );
    ok(
        pcscd,
        dir,
        &format!("{login} -s -m SHA256-RSA-PKCS -i message.txt -o sig-sha256-{id}.bin"),
    );
    let verify = format!("openssl dgst -sha256 -verify {public} -signature sig-sha256-{id}.bin");
    let out = ok(pcscd, dir, &format!("{verify} message.txt"));
    assert!(out.contains("Verified OK"), "{out}");
    let (good, out) = sh(pcscd, dir, &format!("{verify} other.txt"));
    assert!(!good && !out.contains("Verified OK"), "{out}");
}

/// OpenSSL encrypts (PKCS#1 v1.5) to `public`; the token deciphers it through pkcs11-tool.
fn decipher(pcscd: &Pcscd, dir: &Path, id: &str, public: &str) {
    ok(
        pcscd,
        dir,
        &format!("openssl pkeyutl -encrypt -pubin -inkey {public} -in secret.txt -out ct-{id}.bin"),
    );
    ok(
        pcscd,
        dir,
        &format!(
            "pkcs11-tool -l -p {USER_PIN} --id {id} --decrypt -m RSA-PKCS -i ct-{id}.bin \
             -o plain-{id}.txt && cmp plain-{id}.txt secret.txt"
        ),
    );
}

#[test]
fn opensc_generates_imports_signs_and_deciphers_rsa() {
    require_pcscd!();
    if let Some(reason) = opensc_skip_reason() {
        eprintln!("skipped: {reason}");
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    std::fs::write(dir.join("raw32.bin"), b"rutoken-lab RSA signs 32 bytes!!").unwrap();
    std::fs::write(dir.join("message.txt"), "a TLS client's handshake, say\n").unwrap();
    std::fs::write(dir.join("other.txt"), "a TLS client's handshake, sax\n").unwrap();
    std::fs::write(dir.join("secret.txt"), "a session key for the token\n").unwrap();
    let pcscd = Pcscd::start();
    let token = Token::in_memory(Fixture::Factory, 0, TokenProfile::default()).unwrap();
    let emulator = Emulator::attach(Box::new(token), pcscd.port);
    wait_for_opensc(&pcscd, dir);
    opensc_personalise(&pcscd, dir, USER_PIN, SO_PIN);

    // On-token generation, 2048 bits.
    ok(
        &pcscd,
        dir,
        &format!(
            "pkcs15-init --generate-key rsa/2048 --key-usage sign,decrypt --auth-id 02 --pin {USER_PIN} --id 11"
        ),
    );
    ok(
        &pcscd,
        dir,
        "pkcs15-tool --read-public-key 11 -o gen.pub.pem",
    );
    let text = ok(
        &pcscd,
        dir,
        "openssl pkey -pubin -in gen.pub.pem -noout -text",
    );
    assert!(
        text.contains("2048 bit") && text.contains("65537"),
        "{text}"
    );
    let objects = ok(&pcscd, dir, &format!("pkcs11-tool -l -p {USER_PIN} -O"));
    assert!(objects.contains("RSA 2048 bits"), "{objects}");
    sign_both_ways(&pcscd, dir, "11", "gen.pub.pem", 256);
    decipher(&pcscd, dir, "11", "gen.pub.pem");

    // Import: OpenSSL makes the key, OpenSC writes p, q, iqmp, dmp1, dmq1 into the token.
    ok(
        &pcscd,
        dir,
        "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out imported.pem 2>/dev/null \
         && openssl pkey -in imported.pem -pubout -out imported.pub.pem",
    );
    ok(
        &pcscd,
        dir,
        &format!(
            "pkcs15-init --store-private-key imported.pem --key-usage sign,decrypt --auth-id 02 --pin {USER_PIN} --id 22"
        ),
    );
    sign_both_ways(&pcscd, dir, "22", "imported.pub.pem", 128);
    decipher(&pcscd, dir, "22", "imported.pub.pem");
    // The private key objects cannot be read: READ BINARY on each selected RSF is refused.
    for kk in ["01", "02"] {
        let out = ok(
            &pcscd,
            dir,
            &format!(
                "opensc-tool -s '00 A4 08 00 08 10 00 10 00 60 02 00 {kk} 00' -s '00 B0 00 00 00'"
            ),
        );
        let words: Vec<&str> = out.lines().filter(|l| l.contains("SW1=")).collect();
        assert_eq!(words.len(), 2, "{out}");
        assert!(
            words[0].contains("SW1=0x90, SW2=0x00"),
            "no key {kk}: {out}"
        );
        assert!(!words[1].contains("SW1=0x90"), "key {kk} was read: {out}");
    }
    emulator.stop();
}
