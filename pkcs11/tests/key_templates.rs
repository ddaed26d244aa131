//! A key-generation template's `CKA_ID` and `CKA_LABEL` are kept (issue 23 item 2): bank code
//! generates a key under its own ID, then finds it by that ID to sign. OpenSC's `pkcs11-tool`
//! against the emulated Rutoken through a private pcscd; OpenSC's own `pkcs15-tool` must list
//! the key under that ID too (the PrKDF/PuKDF entries carry it). Skipped (with the reason
//! printed) when not root or when pcscd, vpcd, OpenSC or OpenSSL's gost engine are missing.
#![cfg(feature = "pcsc")]
#![allow(clippy::unwrap_used, reason = "tests")]

mod support;
use support::lab;

use std::time::Duration;

use lab::{Lab, USER_PIN, public_keys};

const P11: &str = "pkcs11-tool --module \"$MODULE\"";

#[test]
fn a_generated_key_keeps_the_templates_id_and_label() {
    require_lab!();
    let lab = Lab::start(Duration::from_secs(30));
    lab.ok(&format!(
        "{P11} -l -p {USER_PIN} -k --key-type GOSTR3410-2012-256:A --id 0a --label bank-key"
    ));
    // Listed with its ID and label, both halves.
    let listed = lab.ok(&format!("{P11} -l -p {USER_PIN} -O"));
    let keys = public_keys(&listed);
    let key = keys.iter().find(|k| k.label == "bank-key").unwrap();
    assert_eq!(key.id, "0a", "{listed}");
    let private = listed
        .split("Private Key Object")
        .skip(1)
        .find(|b| b.contains("bank-key"))
        .unwrap_or_else(|| panic!("no private key bank-key:\n{listed}"));
    assert!(
        private.lines().any(|l| l.trim() == "ID:         0a"),
        "{private}"
    );
    // `-s --id 0a` finds the private key and signs (a host digest: the SafeTouch asks).
    lab.write("hash32.bin", &[0x5A; 32]);
    let (_, ok, out) = lab.sh_pressing(
        &format!("{P11} -l -p {USER_PIN} -s -m GOSTR3410 --id 0a -i hash32.bin -o sig.bin"),
        "confirm",
    );
    assert!(ok, "{out}");
    assert_eq!(lab.read("sig.bin").len(), 64);
    // OpenSC reads the same PKCS#15 entries.
    let opensc = lab.ok("pkcs15-tool --list-keys");
    assert!(opensc.contains("bank-key"), "{opensc}");
    let id_line = opensc
        .lines()
        .find(|l| l.trim_start().starts_with("ID"))
        .unwrap_or_default()
        .to_owned();
    assert!(
        opensc.lines().any(|l| {
            let l = l.trim();
            l.starts_with("ID") && l.ends_with(": 0a")
        }),
        "no key with ID 0a ({id_line}):\n{opensc}"
    );
    // Without an ID the key is filed under the SHA-1 of its public key (20 bytes).
    lab.ok(&format!(
        "{P11} -l -p {USER_PIN} -k --key-type GOSTR3410-2012-256:A --label no-id"
    ));
    let keys = public_keys(&lab.ok(&format!("{P11} -O")));
    let no_id = keys.iter().find(|k| k.label == "no-id").unwrap();
    assert_eq!(no_id.id.len(), 40, "{no_id:?}");
}
