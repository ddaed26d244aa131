//! The module over its real backend (the client crate) and an emulated token in process, no
//! PC/SC (issue 23 item 2): the vendor's key attributes reach the token and come back in a
//! second module, the token's access conditions deciding as they would behind pcscd; the
//! SafeTouch's hash screen for `C_Sign` over data that is no document shows the digest signed.
#![allow(clippy::unwrap_used, reason = "tests")]

mod support;

use std::sync::{Arc, Mutex};

use cryptoki_sys::*;
use gost::DigestAlgorithm;
use rutoken_client::transport::InProcess;
use rutoken_pkcs11::module::Module;
use rutoken_pkcs11::settings::Settings;
use rutoken_pkcs11::vendor::*;
use rutoken_sim::Card;
use rutoken_sim::control::TokenSlot;
use rutoken_sim::profile::DeviceProfile;
use rutoken_sim::safetouch::{EventKind, Press, SafeTouch, SafeTouchProfile, ScriptedButtons};
use rutoken_sim::token::{Fixture, Token, TokenProfile};
use support::in_process::{RW, USER_PIN, module, template as t};

#[test]
fn vendor_attributes_are_kept_on_the_token() {
    let token = Token::in_memory(Fixture::Personalised, 7, TokenProfile::default()).unwrap();
    let slot = TokenSlot::new(token);
    let kinds = [
        CKA_VENDOR_KEY_PIN_ENTER,
        CKA_VENDOR_KEY_CONFIRM_OP,
        CKA_VENDOR_KEY_JOURNAL,
        CKA_VENDOR_CONFIRM_BY_TOUCH,
    ];
    let m = module(&slot);
    let s = m.open_session(0, RW).unwrap();
    m.login(s, CKU_USER, USER_PIN).unwrap();
    let (_, private) = m
        .generate_key_pair(
            s,
            CKM_GOSTR3410_KEY_PAIR_GEN,
            &t(&[(CKA_ID, vec![0x0A])]),
            &t(&[
                (CKA_VENDOR_KEY_CONFIRM_OP, vec![1]),
                (CKA_VENDOR_CONFIRM_BY_TOUCH, vec![1]),
            ]),
        )
        .unwrap();
    let want = vec![Ok(vec![0]), Ok(vec![1]), Ok(vec![0]), Ok(vec![1])];
    assert_eq!(m.attributes(s, private, &kinds).unwrap(), want);

    // A second module (another process, as far as the token knows) reads them from the token.
    let other = module(&slot);
    let s2 = other.open_session(0, RW).unwrap();
    other.login(s2, CKU_USER, USER_PIN).unwrap();
    other.find_init(s2, &t(&[(CKA_ID, vec![0x0A])])).unwrap();
    let found = other.find(s2, 10).unwrap();
    other.find_final(s2).unwrap();
    assert_eq!(found.len(), 2, "both halves");
    for half in found {
        assert_eq!(other.attributes(s2, half, &kinds).unwrap(), want);
    }
    other
        .find_init(s2, &t(&[(CKA_CLASS, CKO_DATA.to_ne_bytes().to_vec())]))
        .unwrap();
    assert!(other.find(s2, 10).unwrap().is_empty(), "not a data object");
    other.find_final(s2).unwrap();
}

/// Why `C_InitToken` formats as the user (`docs/pkcs11.md`): under the administrator's PIN
/// alone the token refuses to rewrite the PKCS#15 directories (the layout OpenSC writes gives
/// their UPDATE BINARY to the user), so the SO cannot delete a certificate; the format sets the
/// user PIN first and deletes under it.
#[test]
fn the_admin_pin_alone_cannot_delete_objects() {
    use rutoken_client::{Client, PinRole};
    let token = Token::in_memory(Fixture::Personalised, 7, TokenProfile::default()).unwrap();
    let settings = Settings::from_profile(&DeviceProfile::default());
    let mut client = Client::new(InProcess::new(token), settings.config.clone());
    client.attach().unwrap();
    client.verify_pin(PinRole::Admin, "87654321").unwrap();
    let before = client.objects().unwrap().certificates;
    assert_eq!(before.len(), 1);
    let refused = client.delete_certificate(&before[0].id).unwrap_err();
    assert!(refused.to_string().contains("6982"), "{refused}");
    assert_eq!(client.objects().unwrap().certificates.len(), 1, "unchanged");
}

/// A SafeTouch shared by every connection.
#[derive(Clone)]
struct SharedSafeTouch(Arc<Mutex<SafeTouch<Token>>>);

impl Card for SharedSafeTouch {
    fn atr(&self) -> Vec<u8> {
        self.0.lock().unwrap().atr()
    }
    fn power_on(&mut self) {
        self.0.lock().unwrap().power_on();
    }
    fn power_off(&mut self) {
        self.0.lock().unwrap().power_off();
    }
    fn reset(&mut self) {
        self.0.lock().unwrap().reset();
    }
    fn transmit(&mut self, command: &[u8]) -> Vec<u8> {
        self.0.lock().unwrap().transmit(command)
    }
}

/// `C_Sign` with on-token hashing over data that is no reissue document (issue 23 item 2):
/// the SafeTouch asks «Подписать хэш?» with the Streebog-256 digest of the data, the one the
/// signature verifies against, never the data itself.
#[test]
fn the_hash_screen_of_c_sign_shows_the_digest_signed() {
    let token = Token::in_memory(Fixture::Personalised, 7, TokenProfile::default()).unwrap();
    let script = ScriptedButtons::new();
    let safetouch = SafeTouch::new(token, SafeTouchProfile::default(), Box::new(script.clone()));
    let monitor = safetouch.monitor();
    let card = SharedSafeTouch(Arc::new(Mutex::new(safetouch)));
    let m = module(&card);
    let s = m.open_session(0, RW).unwrap();
    m.login(s, CKU_USER, USER_PIN).unwrap();
    m.find_init(
        s,
        &t(&[(CKA_CLASS, CKO_PRIVATE_KEY.to_ne_bytes().to_vec())]),
    )
    .unwrap();
    let key = m.find(s, 1).unwrap()[0];
    m.find_final(s).unwrap();
    let data = b"payment order 42, not a reissue document".repeat(10);
    script.push(Press::Confirm);
    m.sign_init(s, CKM_GOSTR3410_WITH_GOSTR3411_12_256, &[], key)
        .unwrap();
    let signature = m.sign(s, Some(&data)).unwrap();
    assert_eq!(signature.len(), 64);
    let digest = DigestAlgorithm::Streebog256.digest(&data);
    let groups: Vec<String> = digest.chunks(2).map(hex::encode_upper).collect();
    let shown: Vec<String> = monitor
        .events()
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::Shown { text } => Some(text),
            _ => None,
        })
        .collect();
    assert_eq!(shown.len(), 1, "{shown:?}");
    let lines: Vec<&str> = shown[0].lines().collect();
    assert_eq!(lines[0], "Подписать хэш?");
    assert_eq!(lines[1..].join(" "), groups.join(" "));
    // The signature (PKCS#11's s ‖ r) is over the Streebog-256 digest of the data.
    let public = public_of(&m, s);
    m.verify_init(s, CKM_GOSTR3410_WITH_GOSTR3411_12_256, &[], public)
        .unwrap();
    m.verify(s, Some(&data), &signature).unwrap();
}

/// The handle of the token's only public key.
fn public_of(m: &Module, s: CK_SESSION_HANDLE) -> CK_OBJECT_HANDLE {
    m.find_init(s, &t(&[(CKA_CLASS, CKO_PUBLIC_KEY.to_ne_bytes().to_vec())]))
        .unwrap();
    let key = m.find(s, 1).unwrap()[0];
    m.find_final(s).unwrap();
    key
}
