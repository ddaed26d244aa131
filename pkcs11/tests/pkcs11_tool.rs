//! OpenSC's `pkcs11-tool --module librutoken_pkcs11.so` against the emulated Rutoken through a
//! private pcscd: list slots, mechanisms and objects, generate GOST 2012 key pairs, sign with
//! on-token hashing (the SafeTouch shows the document; the control socket presses Confirm)
//! and over a host digest, store and read a certificate; OpenSSL's gost engine verifies every
//! signature. Wrong PINs, the PIN lock, SO init-PIN and SafeTouch refusals map to their CKR_.
//! Skipped (with the reason printed) when not root or when pcscd, vpcd, OpenSC or OpenSSL's
//! gost engine are missing.
#![cfg(feature = "pcsc")]
#![allow(clippy::unwrap_used, reason = "tests")]

mod support;
use support::lab;
use testkit::reissue_document as reissue;

use std::time::Duration;

use gost::{KeyAlgorithm, ParamSet, VerifyingKey};
use lab::{Lab, ListedKey, SO_PIN, USER_PIN, public_keys};

const TC26_256_A: &str = "06092a850307010201010";
const TC26_512_A: &str = "06092a850307010201020";
/// id-GostR3410-2001-CryptoPro-A-ParamSet 1.2.643.2.2.35.1, DER.
const CRYPTOPRO_A: &str = "06072a850302022301";

/// Writes the SPKI of a listed public key for OpenSSL (`pub-<label>.der`).
fn write_spki(lab: &Lab, key: &ListedKey, algorithm: KeyAlgorithm, param: ParamSet) -> String {
    let value = hex::decode(&key.value).unwrap();
    let public = VerifyingKey::from_le_bytes(param, &value).unwrap();
    let name = format!("pub-{}.der", key.label);
    lab.write(&name, &gost::spki::to_spki_der(&public, algorithm));
    name
}

/// OpenSSL verifies `sig` over the digest file; a changed digest must fail.
fn openssl_verifies(lab: &Lab, spki: &str, digest_file: &str, sig: &str) {
    let verify = format!(
        "openssl pkeyutl -engine gost -verify -pubin -keyform DER -inkey {spki} -sigfile {sig} -in"
    );
    let out = lab.ok(&format!("{verify} {digest_file}"));
    assert!(out.contains("Signature Verified Successfully"), "{out}");
    let mut other = lab.read(digest_file);
    other[0] ^= 1;
    lab.write("other.bin", &other);
    let (good, out) = lab.sh(&format!("{verify} other.bin"));
    assert!(!good && !out.contains("Verified Successfully"), "{out}");
}

fn find<'a>(keys: &'a [ListedKey], label: &str) -> &'a ListedKey {
    keys.iter()
        .find(|k| k.label == label)
        .unwrap_or_else(|| panic!("no public key {label} in {keys:?}"))
}

const P11: &str = "pkcs11-tool --module \"$MODULE\"";

#[test]
fn pkcs11_tool_generates_signs_and_stores_with_gost_2012() {
    require_lab!();
    let lab = Lab::start(Duration::from_secs(30));

    // -L: the reader is a slot with the token, its label the device number (the fixture's
    // TokenInfo bears only the model's name, as OpenSC wrote it).
    let slots = lab.ok(&format!("{P11} -L"));
    assert!(slots.contains("Virtual PCD"), "{slots}");
    assert!(slots.contains("Rutoken ECP 0787103443"), "{slots}");
    // A fresh counter (the fixture's user PIN has 5 tries of 5) is not "low".
    assert!(!slots.contains("count low"), "{slots}");

    // -M: the TC26 mechanisms by OpenSC's names.
    let mechanisms = lab.ok(&format!("{P11} -M"));
    for name in [
        "GOSTR3410-KEY-PAIR-GEN",
        "GOSTR3410-512-KEY-PAIR-GEN",
        "GOSTR3410,",
        "GOSTR3410_512",
        "GOSTR3410-WITH-GOSTR3411,",
        "GOSTR3410-WITH-GOSTR3411-12-256",
        "GOSTR3410-WITH-GOSTR3411-12-512",
        "GOSTR3411-12-256",
        "GOSTR3411-12-512",
    ] {
        assert!(mechanisms.contains(name), "{name} missing:\n{mechanisms}");
    }

    // -O: the fixture's key pair and certificate (written the OpenSC way).
    let objects = lab.ok(&format!("{P11} -l -p {USER_PIN} -O"));
    assert!(objects.contains("Private Key Object"), "{objects}");
    assert!(objects.contains("Certificate Object"), "{objects}");
    // Without a login the private key is hidden.
    let public_only = lab.ok(&format!("{P11} -O"));
    assert!(!public_only.contains("Private Key Object"), "{public_only}");

    // Key generation, both sizes, parameter set A.
    let gen256 = lab.ok(&format!(
        "{P11} -l -p {USER_PIN} --keypairgen --key-type GOSTR3410-2012-256:A --label k256"
    ));
    assert!(gen256.contains("GOSTR3410-2012-256"), "{gen256}");
    let gen512 = lab.ok(&format!(
        "{P11} -l -p {USER_PIN} --keypairgen --key-type GOSTR3410-2012-512:A --label k512"
    ));
    assert!(gen512.contains("GOSTR3410-2012-512"), "{gen512}");
    let keys = public_keys(&lab.ok(&format!("{P11} -O")));
    let k256 = find(&keys, "k256");
    let k512 = find(&keys, "k512");
    assert!(k256.params.starts_with(TC26_256_A), "{k256:?}");
    assert!(k512.params.starts_with(TC26_512_A), "{k512:?}");
    assert_eq!(k256.value.len(), 128);
    assert_eq!(k512.value.len(), 256);
    let spki256 = write_spki(&lab, k256, KeyAlgorithm::Gost2012_256, ParamSet::Gost256A);
    let spki512 = write_spki(&lab, k512, KeyAlgorithm::Gost2012_512, ParamSet::Gost512A);

    // Signing with on-token hashing: the SafeTouch shows the document, Confirm releases the
    // signature; OpenSSL hashes the same document and verifies.
    let document = "Платёжное поручение № 42: 1000 руб.";
    lab.write("doc.txt", document.as_bytes());
    for (key, mech, md, spki) in [
        (
            k256,
            "GOSTR3410-WITH-GOSTR3411-12-256",
            "md_gost12_256",
            &spki256,
        ),
        (
            k512,
            "GOSTR3410-WITH-GOSTR3411-12-512",
            "md_gost12_512",
            &spki512,
        ),
    ] {
        let (screen, ok, out) = lab.sh_pressing(
            &format!(
                "{P11} -l -p {USER_PIN} -s -m {mech} --id {} -i doc.txt -o sig-{}.bin",
                key.id, key.label
            ),
            "confirm",
        );
        assert!(ok, "{mech}: {out}");
        assert!(!screen.is_empty(), "the SafeTouch showed nothing");
        lab.ok(&format!(
            "openssl dgst -engine gost -{md} -binary doc.txt > digest-{}.bin",
            key.label
        ));
        openssl_verifies(
            &lab,
            spki,
            &format!("digest-{}.bin", key.label),
            &format!("sig-{}.bin", key.label),
        );
    }

    // The bank's reissue request (SafeTouch TLV): the screen shows its title and fields.
    lab.write("reissue.tlv", &reissue::reissue_document());
    let (screen, ok, out) = lab.sh_pressing(
        &format!(
            "{P11} -l -p {USER_PIN} -s -m GOSTR3410-WITH-GOSTR3411-12-256 --id {} -i reissue.tlv -o sig-reissue.bin",
            k256.id
        ),
        "confirm",
    );
    assert!(ok, "{out}");
    let shown = screen.join("\n");
    assert!(shown.contains("Запрос на перевыпуск"), "{shown}");
    lab.ok("openssl dgst -engine gost -md_gost12_256 -binary reissue.tlv > digest-reissue.bin");
    openssl_verifies(&lab, &spki256, "digest-reissue.bin", "sig-reissue.bin");

    // Signing a host digest (CKM_GOSTR3410): the SafeTouch asks about the hash.
    lab.ok("openssl dgst -engine gost -md_gost12_256 -binary doc.txt > hash32.bin");
    let (_, ok, out) = lab.sh_pressing(
        &format!(
            "{P11} -l -p {USER_PIN} -s -m GOSTR3410 --id {} -i hash32.bin -o sig-host.bin",
            k256.id
        ),
        "confirm",
    );
    assert!(ok, "{out}");
    openssl_verifies(&lab, &spki256, "hash32.bin", "sig-host.bin");

    // The certificate: read it, delete it, write it back, read it again.
    let listing = lab.ok(&format!("{P11} -O"));
    let cert_id = listing
        .split("Certificate Object")
        .nth(1)
        .and_then(|b| b.lines().find(|l| l.trim_start().starts_with("ID:")))
        .map(|l| l.trim_start().trim_start_matches("ID:").trim().to_owned())
        .unwrap_or_else(|| panic!("no certificate in:\n{listing}"));
    lab.ok(&format!(
        "{P11} --read-object --type cert --id {cert_id} -o cert.der"
    ));
    let subject = lab.ok("openssl x509 -engine gost -inform DER -in cert.der -noout -subject");
    assert!(subject.contains("subject"), "{subject}");
    lab.ok(&format!(
        "{P11} -l -p {USER_PIN} --delete-object --type cert --id {cert_id}"
    ));
    assert!(!lab.ok(&format!("{P11} -O")).contains("Certificate Object"));
    lab.ok(&format!(
        "{P11} -l -p {USER_PIN} --write-object cert.der --type cert --id {cert_id} --label owner"
    ));
    lab.ok(&format!(
        "{P11} --read-object --type cert --id {cert_id} -o back.der"
    ));
    assert_eq!(lab.read("cert.der"), lab.read("back.der"));

    // OpenSC's own PKCS#15 driver lists the keys this module generated.
    let opensc = lab.ok("pkcs15-tool --list-public-keys");
    assert!(
        opensc.contains("k256") && opensc.contains("k512"),
        "{opensc}"
    );
}

#[test]
fn pkcs11_tool_generates_and_signs_with_gost_2001() {
    require_lab!();
    let lab = Lab::start(Duration::from_secs(30));
    // pkcs11-tool 0.23 spells the 2001 key types `GOSTR3410:A|B|C` (CryptoPro A/B/C with the
    // GOST R 34.11-94 CryptoPro hash parameters).
    let generated = lab.ok(&format!(
        "{P11} -l -p {USER_PIN} --keypairgen --key-type GOSTR3410:A --label k2001"
    ));
    assert!(generated.contains("Key pair generated"), "{generated}");
    let keys = public_keys(&lab.ok(&format!("{P11} -O")));
    let k2001 = find(&keys, "k2001");
    assert!(k2001.params.starts_with(CRYPTOPRO_A), "{k2001:?}");
    assert_eq!(k2001.value.len(), 128, "a 64-byte public key: {k2001:?}");
    let spki = write_spki(&lab, k2001, KeyAlgorithm::Gost2001, ParamSet::Gost256B);

    // CKM_GOSTR3410 over a GOST R 34.11-94 digest OpenSSL computes; OpenSSL verifies.
    lab.write("doc.txt", "Платёжное поручение № 2001".as_bytes());
    lab.ok("openssl dgst -engine gost -md_gost94 -binary doc.txt > hash94.bin");
    let (_, ok, out) = lab.sh_pressing(
        &format!(
            "{P11} -l -p {USER_PIN} -s -m GOSTR3410 --id {} -i hash94.bin -o sig2001.bin",
            k2001.id
        ),
        "confirm",
    );
    assert!(ok, "{out}");
    openssl_verifies(&lab, &spki, "hash94.bin", "sig2001.bin");

    // CKM_GOSTR3410_WITH_GOSTR3411: the token hashes with GOST R 34.11-94 (CryptoPro) behind
    // the SafeTouch; OpenSSL hashes the same document and verifies.
    let (screen, ok, out) = lab.sh_pressing(
        &format!(
            "{P11} -l -p {USER_PIN} -s -m GOSTR3410-WITH-GOSTR3411 --id {} -i doc.txt -o sig2001doc.bin",
            k2001.id
        ),
        "confirm",
    );
    assert!(ok, "{out}");
    assert!(!screen.is_empty(), "the SafeTouch showed nothing");
    openssl_verifies(&lab, &spki, "hash94.bin", "sig2001doc.bin");

    // OpenSC's own driver sees the key as a GOST R 34.10-2001 key of the same ID.
    let opensc = lab.ok("pkcs15-tool --list-public-keys");
    let block = opensc
        .split("Public GOSTR3410 Key")
        .find(|b| b.contains("k2001"))
        .unwrap_or_else(|| panic!("OpenSC does not list k2001:\n{opensc}"));
    assert!(block.contains(&k2001.id), "{block}");
}

#[test]
fn token_data_objects_are_pkcs15_data_objects_opensc_reads() {
    require_lab!();
    let lab = Lab::start(Duration::from_secs(30));
    let value = "Реквизиты: БИК 044525225, счёт 40702810";
    lab.write("note.txt", value.as_bytes());
    lab.write("secret.txt", b"private note");
    lab.ok(&format!(
        "{P11} -l -p {USER_PIN} --write-object note.txt --type data --label note --application-label bank --application-id 1.2.643.100.1"
    ));
    lab.ok(&format!(
        "{P11} -l -p {USER_PIN} --write-object secret.txt --type data --label secret --private"
    ));
    // The module lists both after a login, only the public one without.
    let listed = lab.ok(&format!("{P11} -l -p {USER_PIN} -O --type data"));
    assert!(
        listed.contains("note") && listed.contains("secret"),
        "{listed}"
    );
    let public = lab.ok(&format!("{P11} -O --type data"));
    assert!(
        public.contains("note") && !public.contains("secret"),
        "{public}"
    );
    // C_GetAttributeValue(CKA_VALUE) gives the bytes back.
    lab.ok(&format!(
        "{P11} --read-object --type data --label note -o note.back"
    ));
    assert_eq!(lab.read("note.back"), value.as_bytes());
    lab.ok(&format!(
        "{P11} -l -p {USER_PIN} --read-object --type data --label secret -o secret.back"
    ));
    assert_eq!(lab.read("secret.back"), b"private note");

    // OpenSC's PKCS#15 layer reads the same DODF entries and EFs.
    let opensc = lab.ok("pkcs15-tool --list-data-objects");
    assert!(opensc.contains("bank"), "{opensc}");
    assert!(opensc.contains("1.2.643.100.1"), "{opensc}");
    assert!(opensc.contains("secret"), "{opensc}");
    let dumped = lab.ok("pkcs15-tool --read-data-object note -o note.opensc");
    assert_eq!(lab.read("note.opensc"), value.as_bytes(), "{dumped}");

    // C_DestroyObject removes the DODF entry: neither lists it any more.
    lab.ok(&format!(
        "{P11} -l -p {USER_PIN} --delete-object --type data --label note"
    ));
    let after = lab.ok(&format!("{P11} -l -p {USER_PIN} -O --type data"));
    assert!(
        !after.contains("note") && after.contains("secret"),
        "{after}"
    );
    let opensc = lab.ok("pkcs15-tool --list-data-objects");
    assert!(!opensc.contains("bank"), "{opensc}");
}

#[test]
fn safetouch_refusals_and_pin_errors_map_to_their_ckr() {
    require_lab!();
    let lab = Lab::start(Duration::from_secs(30));
    lab.write("doc.txt", b"a document");
    let objects = lab.ok(&format!("{P11} -O"));
    let id = public_keys(&objects)
        .first()
        .map(|k| k.id.clone())
        .unwrap_or_else(|| panic!("no key:\n{objects}"));
    let sign = format!(
        "{P11} -l -p {USER_PIN} -s -m GOSTR3410-WITH-GOSTR3411-12-256 --id {id} -i doc.txt -o sig.bin"
    );
    // Reject and time-out: CKR_FUNCTION_REJECTED, no signature.
    for button in ["reject", "time_out"] {
        let _ = std::fs::remove_file(lab.dir.path().join("sig.bin"));
        // pkcs11-tool tries C_Sign, then again multi-part: two screens, both refused.
        let (screens, ok, out) = lab.sh_pressing_every(&sign, button);
        assert_eq!(screens.len(), 2, "{button}: {screens:?}");
        assert!(!ok, "{button}: {out}");
        // OpenSC 0.23 has no name for CKR_FUNCTION_REJECTED (0x200, PKCS#11 v2.40).
        assert!(out.contains("(0x200)"), "{button}: {out}");
        let sig = std::fs::read(lab.dir.path().join("sig.bin")).unwrap_or_default();
        assert!(sig.is_empty(), "{button}: a signature was written");
    }
    let events = lab.events().to_string();
    assert!(events.contains(r#""press":"reject""#), "{events}");
    // Wrong PIN: CKR_PIN_INCORRECT until the counter runs out, then CKR_PIN_LOCKED.
    let mut locked = false;
    for _ in 0..12 {
        let (ok, out) = lab.sh(&format!("{P11} -l -p 00000000 -O"));
        assert!(!ok, "{out}");
        if out.contains("CKR_PIN_LOCKED") {
            locked = true;
            break;
        }
        assert!(out.contains("CKR_PIN_INCORRECT"), "{out}");
    }
    assert!(locked, "the user PIN never locked");
    let (_, out) = lab.sh(&format!("{P11} -l -p {USER_PIN} -O"));
    assert!(out.contains("CKR_PIN_LOCKED"), "{out}");
    // The SO unblocks it with C_InitPIN.
    lab.ok(&format!(
        "{P11} --login --login-type so --so-pin {SO_PIN} --init-pin --new-pin {USER_PIN}"
    ));
    let objects = lab.ok(&format!("{P11} -l -p {USER_PIN} -O"));
    assert!(objects.contains("Private Key Object"), "{objects}");
    // C_SetPIN, then the old PIN is wrong and the new one works.
    lab.ok(&format!(
        "{P11} -l -p {USER_PIN} --change-pin --new-pin 11223344"
    ));
    let (_, out) = lab.sh(&format!("{P11} -l -p {USER_PIN} -O"));
    assert!(out.contains("CKR_PIN_INCORRECT"), "{out}");
    lab.ok(&format!("{P11} -l -p 11223344 -O"));
}

/// `pkcs11-tool --init-token` (C_InitToken): every object gone, the label given, the user PIN
/// back to the factory's (a changed one no longer opens the token); a wrong SO PIN changes
/// nothing.
#[test]
fn init_token_formats_with_the_so_pin_and_the_factory_user_pin() {
    require_lab!();
    let lab = Lab::start(Duration::from_secs(30));
    lab.write("note.txt", b"kept until the format");
    lab.ok(&format!(
        "{P11} -l -p {USER_PIN} --write-object note.txt --type data --label note"
    ));
    lab.ok(&format!(
        "{P11} --change-pin --pin {USER_PIN} --new-pin 11112222"
    ));
    // A wrong SO PIN: refused, the token as it was.
    let (ok, out) = lab.sh(&format!(
        "{P11} --init-token --so-pin 00000000 --label wrong"
    ));
    assert!(!ok && out.contains("CKR_PIN_INCORRECT"), "{out}");
    let before = lab.ok(&format!("{P11} -l -p 11112222 -O"));
    assert!(before.contains("note"), "{before}");

    lab.ok(&format!(
        "{P11} --init-token --so-pin {SO_PIN} --label 'Bank token'"
    ));
    let slots = lab.ok(&format!("{P11} -L"));
    assert!(slots.contains("token label        : Bank token"), "{slots}");
    let (ok, out) = lab.sh(&format!("{P11} -l -p 11112222 -O"));
    assert!(!ok && out.contains("CKR_PIN_INCORRECT"), "{out}");
    let after = lab.ok(&format!("{P11} -l -p 12345678 -O"));
    assert!(
        !after.contains("note") && !after.contains("Private Key Object"),
        "objects survived the format:\n{after}"
    );
}
