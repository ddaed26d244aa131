//! OpenSC 0.23 end to end against the emulator (no SafeTouch), through a private pcscd and vpcd:
//! the command sequence of `shared/spec/rutoken-ecp-apdu.md` §6, then the same token again
//! after an emulator restart on the same image. Skipped (with the reason printed) when not root
//! or when pcscd, vpcd, OpenSC or OpenSSL's gost engine are missing.

#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::Path;

use rutoken_sim::token::{Fixture, Token, TokenProfile};
use testkit::require_pcscd;
use testkit::shell::{
    gost_engine_missing, missing_tool, ok, opensc_personalise, sh, wait_for_opensc,
};
use testkit::{Emulator, Pcscd};

const USER_PIN: &str = "12345678";
/// The SO PIN OpenSC personalises the factory token with.
const SO_PIN: &str = "87654321";
const NEW_PIN: &str = "11112222";
/// A fixed 32-byte "hash" to sign (pkcs11-tool -m GOSTR3410 takes the caller's hash).
const HASH: [u8; 32] = *b"rutoken-lab signs these 32 bytes";

fn opensc_skip_reason() -> Option<String> {
    missing_tool(
        &[
            "opensc-tool",
            "pkcs15-init",
            "pkcs15-tool",
            "pkcs11-tool",
            "openssl",
        ],
        "Debian: opensc, openssl",
    )
    .or_else(gost_engine_missing)
}

/// Signs HASH with key `id` and verifies the signature with OpenSSL's gost engine; a changed
/// hash must not verify.
fn sign_and_verify(pcscd: &Pcscd, dir: &Path, id: &str, pin: &str) {
    std::fs::write(dir.join("hash32.bin"), HASH).unwrap();
    let mut other = HASH;
    other[0] ^= 1;
    std::fs::write(dir.join("other32.bin"), other).unwrap();
    ok(
        pcscd,
        dir,
        &format!("pkcs11-tool -l -p {pin} -s -m GOSTR3410 --id {id} -i hash32.bin -o sig.bin"),
    );
    assert_eq!(std::fs::read(dir.join("sig.bin")).unwrap().len(), 64);
    ok(
        pcscd,
        dir,
        &format!("pkcs15-tool --read-public-key {id} -o pub.pem"),
    );
    let verify = "openssl pkeyutl -engine gost -verify -pubin -inkey pub.pem -sigfile sig.bin -in";
    let out = ok(pcscd, dir, &format!("{verify} hash32.bin"));
    assert!(out.contains("Signature Verified Successfully"), "{out}");
    let (good, out) = sh(pcscd, dir, &format!("{verify} other32.bin"));
    assert!(!good && !out.contains("Verified Successfully"), "{out}");
}

/// The ID of the first private key `pkcs11-tool -O` lists.
fn first_private_key_id(objects: &str) -> String {
    let start = objects
        .find("Private Key Object")
        .unwrap_or_else(|| panic!("no key in:\n{objects}"));
    let line = objects[start..]
        .lines()
        .find(|l| l.trim_start().starts_with("ID:"))
        .unwrap();
    line.trim_start()
        .trim_start_matches("ID:")
        .trim()
        .to_owned()
}

#[test]
fn opensc_personalises_signs_and_survives_a_restart() {
    require_pcscd!();
    if let Some(reason) = opensc_skip_reason() {
        eprintln!("skipped: {reason}");
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let image = dir.join("token.img");
    let pcscd = Pcscd::start();
    let token = Token::create_image(&image, Fixture::Factory, 0, TokenProfile::default()).unwrap();
    let serial = token.summary().serial.to_uppercase();
    let emulator = Emulator::attach(Box::new(token), pcscd.port);
    // pcscd polls the reader: wait until OpenSC sees the card.
    wait_for_opensc(&pcscd, dir);

    let out = ok(&pcscd, dir, "opensc-tool -a -n");
    assert!(out.contains("Rutoken ECP"), "{out}");
    assert!(
        out.contains("3b:8b:01:52:75:74:6f:6b:65:6e:20:45:43:50:a0"),
        "{out}"
    );
    let out = ok(&pcscd, dir, "opensc-tool --serial");
    let spaced: Vec<String> = serial
        .as_bytes()
        .chunks(2)
        .map(|c| String::from_utf8_lossy(c).into())
        .collect();
    assert!(
        out.contains(&spaced.join(" ")),
        "serial {serial} not in:\n{out}"
    );

    opensc_personalise(&pcscd, dir, USER_PIN, SO_PIN);
    ok(
        &pcscd,
        dir,
        &format!("pkcs15-init --generate-key gost2001 --auth-id 02 --pin {USER_PIN}"),
    );
    let out = ok(&pcscd, dir, "pkcs11-tool -L");
    assert!(
        out.contains("Rutoken ECP (User PIN)") && out.contains("token initialized"),
        "{out}"
    );
    let out = ok(
        &pcscd,
        dir,
        &format!("pkcs11-tool -l -p {USER_PIN} -k --key-type GOSTR3410:A --id 03"),
    );
    assert!(out.contains("Key pair generated"), "{out}");
    sign_and_verify(&pcscd, dir, "03", USER_PIN);

    // Wrong PIN, change PIN, block and unblock with the SO PIN.
    let (good, out) = sh(&pcscd, dir, "pkcs11-tool -l -p 00000000 -O");
    assert!(!good && out.contains("CKR_PIN_INCORRECT"), "{out}");
    ok(
        &pcscd,
        dir,
        &format!("pkcs15-tool --change-pin --auth-id 02 --pin {USER_PIN} --new-pin {NEW_PIN}"),
    );
    let (good, _) = sh(&pcscd, dir, &format!("pkcs11-tool -l -p {USER_PIN} -O"));
    assert!(!good, "the old PIN still works");
    ok(&pcscd, dir, &format!("pkcs11-tool -l -p {NEW_PIN} -O"));
    let mut locked = false;
    for _ in 0..12 {
        let (_, out) = sh(&pcscd, dir, "pkcs11-tool -l -p 00000000 -O");
        if out.contains("CKR_PIN_LOCKED") {
            locked = true;
            break;
        }
        assert!(out.contains("CKR_PIN_INCORRECT"), "{out}");
    }
    assert!(locked, "the PIN never blocked");
    let (good, out) = sh(&pcscd, dir, &format!("pkcs11-tool -l -p {NEW_PIN} -O"));
    assert!(!good && out.contains("CKR_PIN_LOCKED"), "{out}");
    // OpenSC 0.23's --unblock-pin never logs the SO in (rutoken-ecp-apdu.md §6.11), so the SO
    // PIN and RESET RETRY COUNTER go as raw APDUs in one opensc-tool session.
    let out = ok(
        &pcscd,
        dir,
        "opensc-tool -s '00 20 00 01 08 38 37 36 35 34 33 32 31' -s '00 2C 03 02'",
    );
    assert_eq!(out.matches("SW1=0x90, SW2=0x00").count(), 2, "{out}");
    ok(&pcscd, dir, &format!("pkcs11-tool -l -p {NEW_PIN} -O"));

    // A certificate: stored, read back byte for byte.
    ok(
        &pcscd,
        dir,
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=rutoken-lab \
         -days 2 -keyout cert.key -out cert.pem 2>/dev/null",
    );
    ok(
        &pcscd,
        dir,
        &format!("pkcs15-init --store-certificate cert.pem --id 05 --auth-id 02 --pin {NEW_PIN}"),
    );
    let same = "pkcs15-tool --read-certificate 05 -o back.pem && \
                openssl x509 -in cert.pem -outform DER > a.der && \
                openssl x509 -in back.pem -outform DER > b.der && cmp a.der b.der";
    ok(&pcscd, dir, same);

    // Deleting the key pair 03.
    let out = ok(
        &pcscd,
        dir,
        &format!(
            "pkcs15-init --delete-objects privkey,pubkey --id 03 --auth-id 02 --pin {NEW_PIN}"
        ),
    );
    assert!(out.contains("Deleted 2 objects"), "{out}");
    let objects = ok(&pcscd, dir, "pkcs11-tool -O");
    assert!(!objects.contains("ID:         03\n"), "{objects}");

    // Restart the emulator on the same image: everything is still there.
    emulator.stop();
    let token = Token::open_image(&image, TokenProfile::default()).unwrap();
    let emulator = Emulator::attach(Box::new(token), pcscd.port);
    // The emulator counts as attached once vpcd has dropped the old connection and talks to the
    // new one, so pcscd has seen the card go and come: the first client must bind it.
    let out = ok(&pcscd, dir, "pkcs11-tool -L");
    assert!(out.contains("Rutoken ECP (User PIN)"), "{out}");
    assert!(out.contains(&serial.to_lowercase()), "{out}");
    let (good, out) = sh(&pcscd, dir, &format!("pkcs11-tool -l -p {USER_PIN} -O"));
    assert!(
        !good && out.contains("CKR_PIN_INCORRECT"),
        "the changed PIN was lost: {out}"
    );
    let objects = ok(&pcscd, dir, &format!("pkcs11-tool -l -p {NEW_PIN} -O"));
    sign_and_verify(&pcscd, dir, &first_private_key_id(&objects), NEW_PIN);
    ok(&pcscd, dir, same);
    ok(
        &pcscd,
        dir,
        &format!("pkcs15-tool --change-pin --auth-id 02 --pin {NEW_PIN} --new-pin {USER_PIN}"),
    );
    ok(&pcscd, dir, &format!("pkcs11-tool -l -p {USER_PIN} -O"));
    emulator.stop();
}
