//! `C_SetAttributeValue` of `CKA_ID` (and `CKA_LABEL`) on token keys and certificates (issue 23
//! item 2): OpenSC's `pkcs11-tool --set-id` renames the fixture's certificate and key pair; the
//! module lists them under the new ID, signs with the key found by it, and OpenSC's own
//! `pkcs15-tool` reads the new ID from the rewritten PrKDF, PuKDF and CDF. A token data object's
//! new `CKA_LABEL` (set through `cryptoki` by this binary run again inside pcscd's namespace,
//! an ignored test) is what `pkcs15-tool` lists. Skipped (with the reason printed) when not root
//! or when pcscd, vpcd, OpenSC or OpenSSL's gost engine are missing.
#![cfg(feature = "pcsc")]
#![allow(clippy::unwrap_used, reason = "tests")]

mod support;
use support::lab;
use support::lab::MODULE_ENV;

use std::time::Duration;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::object::{Attribute, ObjectClass};
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;

use lab::{Lab, USER_PIN, public_keys};

const P11: &str = "pkcs11-tool --module \"$MODULE\"";

/// Whether `pkcs15-tool` output lists an object with ID `id`.
fn lists_id(opensc: &str, id: &str) -> bool {
    opensc.lines().any(|l| {
        let l = l.trim();
        l.starts_with("ID") && l.ends_with(&format!(": {id}"))
    })
}

#[test]
fn set_id_renames_keys_and_certificates_for_opensc_too() {
    require_lab!();
    let lab = Lab::start(Duration::from_secs(30));
    let keys = public_keys(&lab.ok(&format!("{P11} -O")));
    assert_eq!(keys.len(), 1, "{keys:?}");
    let old = keys[0].id.clone();
    let label = keys[0].label.clone();
    assert!(lists_id(&lab.ok("pkcs15-tool --list-certificates"), &old));

    lab.ok(&format!(
        "{P11} -l -p {USER_PIN} --set-id 0b --id {old} --type cert"
    ));
    lab.ok(&format!(
        "{P11} -l -p {USER_PIN} --set-id 0b --id {old} --type privkey"
    ));
    // The module lists both halves and the certificate under the new ID, labels kept.
    let listed = lab.ok(&format!("{P11} -l -p {USER_PIN} -O"));
    let keys = public_keys(&listed);
    assert_eq!(keys.len(), 1, "{listed}");
    assert_eq!(
        (keys[0].id.as_str(), keys[0].label.as_str()),
        ("0b", label.as_str())
    );
    assert!(
        !listed.contains(&old),
        "the old ID is still listed:\n{listed}"
    );
    // OpenSC reads the rewritten entries.
    let certificates = lab.ok("pkcs15-tool --list-certificates");
    assert!(lists_id(&certificates, "0b"), "{certificates}");
    let private = lab.ok(&format!("pkcs15-tool --list-keys --pin {USER_PIN}"));
    assert!(lists_id(&private, "0b"), "{private}");
    assert!(!lists_id(&private, &old), "{private}");
    // And the key signs when found by its new ID.
    lab.write("hash32.bin", &[0x3C; 32]);
    let (_, ok, out) = lab.sh_pressing(
        &format!("{P11} -l -p {USER_PIN} -s -m GOSTR3410 --id 0b -i hash32.bin -o sig.bin"),
        "confirm",
    );
    assert!(ok, "{out}");
    assert_eq!(lab.read("sig.bin").len(), 64);
}

#[test]
fn a_data_objects_new_label_is_what_opensc_lists() {
    require_lab!();
    let lab = Lab::start(Duration::from_secs(30));
    lab.write("value.bin", b"bank settings");
    lab.ok(&format!(
        "{P11} -l -p {USER_PIN} --write-object value.bin --type data --label old-label --application-label bank"
    ));
    lab.run_inside("relabel_inside_the_namespace", 60);
    let opensc = lab.ok(&format!("pkcs15-tool --list-data-objects --pin {USER_PIN}"));
    assert!(opensc.contains("new-label"), "{opensc}");
    assert!(!opensc.contains("old-label"), "{opensc}");
    let listed = lab.ok(&format!("{P11} -l -p {USER_PIN} -O"));
    assert!(listed.contains("new-label"), "{listed}");
}

/// Run by the outer test inside pcscd's namespace: `C_SetAttributeValue(CKA_LABEL)`.
#[test]
#[ignore = "run by a_data_objects_new_label_is_what_opensc_lists inside pcscd's namespace"]
fn relabel_inside_the_namespace() {
    let module = std::env::var_os(MODULE_ENV).expect("run by the outer test");
    let pkcs11 = Pkcs11::new(module).unwrap();
    pkcs11
        .initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .unwrap();
    let slot = pkcs11.get_slots_with_token().unwrap()[0];
    let session = pkcs11.open_rw_session(slot).unwrap();
    session
        .login(UserType::User, Some(&AuthPin::new(USER_PIN.into())))
        .unwrap();
    let found = session
        .find_objects(&[
            Attribute::Class(ObjectClass::DATA),
            Attribute::Label(b"old-label".to_vec()),
        ])
        .unwrap();
    assert_eq!(found.len(), 1);
    session
        .update_attributes(found[0], &[Attribute::Label(b"new-label".to_vec())])
        .unwrap();
    let again = session
        .find_objects(&[Attribute::Label(b"new-label".to_vec())])
        .unwrap();
    assert_eq!(again, found, "the same handle under the new label");
}
