//! What the bridge keeps on the token, as OpenSC reads it (#28): `generateKeyPair`'s `id` and
//! marker, `setCertLabel`'s label and a binary file are written through the bridge into a token
//! image; the image is then attached to a private pcscd's vpcd and `pkcs15-tool -D` (a client
//! nobody here wrote) must list the key pair under that ID and label, the certificate under its
//! new label and the file as a data object. Skips with a printed reason when not root or
//! pcscd, vpcd or OpenSC are missing.

#![allow(clippy::unwrap_used, reason = "tests")]

use std::sync::Mutex;

use rutoken_plugin_bridge::api::{self, Connection};
use rutoken_plugin_bridge::backend::{self, TokenSource};
use rutoken_sim::profile::DeviceProfile;
use rutoken_sim::token::{Fixture, Token};
use serde_json::{Value, json};

const READER: &str = "Virtual PCD 00 00";

fn call(slot: &rutoken_plugin_bridge::slot::Slot, method: &str, params: Value) -> Value {
    let conn = Mutex::new(Connection::default());
    let params = params.as_array().cloned().unwrap_or_default();
    api::call(slot, &conn, method, &params).unwrap_or_else(|e| panic!("{method}: {e}"))
}

#[test]
fn opensc_lists_the_key_id_labels_and_files_the_bridge_wrote() {
    if let Some(why) = testkit::skip_reason() {
        println!("skipped: {why}");
        return;
    }
    if !testkit::shell::has_tool("pkcs15-tool") {
        println!("skipped: pkcs15-tool is not installed (Debian: opensc)");
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let image = dir.path().join("token.img");
    let profile = DeviceProfile::default();
    drop(
        Token::create_image(&image, Fixture::Personalised, 0, profile.token.clone())
            .expect("image"),
    );
    {
        let token =
            backend::open(&TokenSource::Image(image.clone()), 0, &profile).expect("the image");
        let slot = &token.slot;
        call(slot, "login", json!([0, "12345678"]));
        let key = call(
            slot,
            "generateKeyPair",
            json!([0, null, "bank-2026", {"publicKeyAlgorithm": 2, "paramset": "A", "id": "0b:a4:20:26"}]),
        );
        assert_eq!(key, json!("0b:a4:20:26"));
        let certs = call(slot, "enumerateCertificates", json!([0, 1]));
        call(slot, "setCertLabel", json!([0, certs[0], "Основной"]));
        call(
            slot,
            "createBinaryFile",
            json!([0, "payments.txt", "0J/Qu9Cw0YLRkdC2", false]),
        );
        assert_eq!(
            call(slot, "readBinaryFile", json!([0, "payments.txt"])),
            json!("0J/Qu9Cw0YLRkdC2")
        );
    }
    let pcscd = testkit::Pcscd::start();
    let token = Token::open_image(&image, profile.token.clone()).expect("reopen");
    let _emulator = testkit::Emulator::attach(Box::new(token), pcscd.port);
    let dump = pcscd.run("pkcs15-tool", &["--reader", READER, "-D"]);
    let text = String::from_utf8_lossy(&dump.stdout).into_owned();
    assert!(
        dump.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    println!("pkcs15-tool -D:\n{text}");
    let block = |heading: &str| -> String {
        text.split("\n\n")
            .find(|b| b.contains(heading))
            .unwrap_or_else(|| panic!("no {heading} in\n{text}"))
            .to_owned()
    };
    for kind in ["Private", "Public"] {
        let key = text
            .split("\n\n")
            .find(|b| b.trim_start().starts_with(kind) && b.contains("[bank-2026]"))
            .unwrap_or_else(|| panic!("no {kind} key [bank-2026] in\n{text}"));
        assert!(key.contains("0ba42026"), "{kind} key ID:\n{key}");
    }
    assert!(block("[Основной]").contains("X.509 Certificate"), "{text}");
    let data = block("payments.txt");
    assert!(data.contains("Rutoken Plugin binary file"), "{data}");
}
