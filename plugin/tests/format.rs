//! `formatToken` on the emulated token (the bridge's real backend, the emulator in process), as
//! Aktiv's demo page calls it (`{adminPin, newUserPin, label}`): the key pairs, certificates
//! and binary files are gone, the new user PIN logs in, and the label is written to the
//! PKCS#15 TokenInfo, where `getDeviceInfo(TOKEN_INFO_LABEL)` reads it; a wrong administrator
//! PIN changes nothing.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::sync::Mutex;

use rutoken_plugin_bridge::api::{self, Connection};
use rutoken_plugin_bridge::backend::{self, TokenSource};
use rutoken_plugin_bridge::codes::constant;
use rutoken_plugin_bridge::slot::Slot;
use rutoken_sim::profile::DeviceProfile;
use rutoken_sim::token::Fixture;
use serde_json::{Value, json};

fn call(slot: &Slot, method: &str, params: Value) -> Result<Value, u32> {
    let conn = Mutex::new(Connection::default());
    let params = params.as_array().cloned().unwrap_or_default();
    api::call(slot, &conn, method, &params).map_err(|e| e.code.code())
}

#[test]
fn format_token_writes_the_label_and_empties_the_token() {
    let profile = DeviceProfile::default();
    let token = backend::open(&TokenSource::Fixture(Fixture::Personalised), 5, &profile).unwrap();
    let slot = &token.slot;
    let label = || {
        call(
            slot,
            "getDeviceInfo",
            json!([0, constant("TOKEN_INFO_LABEL")]),
        )
    };
    let before = label().unwrap();
    assert_ne!(before, json!("Рабочий токен"));

    // A wrong administrator PIN: refused (PIN_INCORRECT, 17), the label and the objects stay.
    let wrong = call(
        slot,
        "formatToken",
        json!([0, {"adminPin": "11111111", "newUserPin": "12345678", "label": "Рабочий токен"}]),
    );
    assert_eq!(wrong, Err(17));
    assert_eq!(label().unwrap(), before);
    call(slot, "login", json!([0, "12345678"])).unwrap();
    assert_ne!(
        call(slot, "enumerateKeys", json!([0, ""])).unwrap(),
        json!([])
    );
    call(slot, "createBinaryFile", json!([0, "f", "AAEC", false])).unwrap();

    call(
        slot,
        "formatToken",
        json!([0, {"adminPin": "87654321", "newUserPin": "24681357", "label": "Рабочий токен"}]),
    )
    .unwrap();
    assert_eq!(label().unwrap(), json!("Рабочий токен"));
    assert_eq!(call(slot, "login", json!([0, "12345678"])), Err(17));
    call(slot, "login", json!([0, "24681357"])).unwrap();
    assert_eq!(
        call(slot, "enumerateKeys", json!([0, ""])).unwrap(),
        json!([])
    );
    assert_eq!(
        call(
            slot,
            "enumerateCertificates",
            json!([0, constant("CERT_CATEGORY_USER")])
        )
        .unwrap(),
        json!([])
    );
    assert_eq!(
        call(slot, "enumerateBinaryFiles", json!([0])).unwrap(),
        json!([])
    );
}
