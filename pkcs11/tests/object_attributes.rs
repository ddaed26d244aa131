//! Attributes the module answers for the emulator's personalised token in process (no PC/SC):
//! a public key verifies, a certificate's `CKA_SUBJECT` is its subject's DER, a token data
//! object cannot be copied, a private session object is hidden after logout, and
//! `CKU_CONTEXT_SPECIFIC` re-authenticates only a logged-in user (PKCS#11 v2.40 §4.4-§4.8,
//! §5.5 `C_Login`).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

use cryptoki_sys::*;
use der::{Decode, Encode};
use rutoken_client::transport::InProcess;
use rutoken_pkcs11::attribute::{Attribute, Template, bool, ulong};
use rutoken_pkcs11::device::Device;
use rutoken_pkcs11::error::Error;
use rutoken_pkcs11::module::Module;
use rutoken_pkcs11::settings::Settings;
use rutoken_pkcs11::slot::{ReaderState, Readers};
use rutoken_sim::Card;
use rutoken_sim::control::TokenSlot;
use rutoken_sim::profile::DeviceProfile;
use rutoken_sim::token::{Fixture, Token, TokenProfile};

/// The factory user PIN the personalised fixture keeps (`docs/assumptions.md`,
/// `token.factory_user_pin`).
const USER_PIN: &[u8] = b"12345678";
const RW: CK_FLAGS = CKF_SERIAL_SESSION | CKF_RW_SESSION;

/// One reader holding the token; every connection is a new client over it.
struct OneToken {
    slot: TokenSlot,
    settings: Settings,
}

impl Readers for OneToken {
    fn readers(&self) -> Result<Vec<ReaderState>, Error> {
        Ok(vec![ReaderState {
            name: "in-process".to_owned(),
            atr: Some(self.slot.atr()),
        }])
    }
    fn open(&self, _reader: &str) -> Result<Device, Error> {
        Device::attach(
            InProcess::new(self.slot.clone()),
            self.settings.config.clone(),
            self.settings.words,
        )
    }
}

fn lab() -> (Module, CK_SESSION_HANDLE) {
    let token = Token::in_memory(Fixture::Personalised, 7, TokenProfile::default()).unwrap();
    let slot = TokenSlot::new(token);
    let m = Module::new(Box::new(OneToken {
        slot,
        settings: Settings::from_profile(&DeviceProfile::default()),
    }));
    let s = m.open_session(0, RW).unwrap();
    m.login(s, CKU_USER, USER_PIN).unwrap();
    (m, s)
}

fn t(attrs: &[(CK_ATTRIBUTE_TYPE, Vec<u8>)]) -> Template {
    Template(
        attrs
            .iter()
            .map(|(k, v)| Attribute {
                kind: *k,
                value: v.clone(),
            })
            .collect(),
    )
}

fn find(m: &Module, s: CK_SESSION_HANDLE, template: &Template) -> Vec<CK_OBJECT_HANDLE> {
    m.find_init(s, template).unwrap();
    let found = m.find(s, 100).unwrap();
    m.find_final(s).unwrap();
    found
}

fn attribute(m: &Module, s: CK_SESSION_HANDLE, o: CK_OBJECT_HANDLE, kind: CK_ULONG) -> Vec<u8> {
    m.attributes(s, o, &[kind]).unwrap().remove(0).unwrap()
}

#[test]
fn a_public_key_verifies_and_a_certificate_names_its_subject() {
    let (m, s) = lab();
    let public = find(&m, s, &t(&[(CKA_CLASS, ulong(CKO_PUBLIC_KEY))]));
    assert_eq!(public.len(), 1);
    assert_eq!(attribute(&m, s, public[0], CKA_VERIFY), bool(true));

    let certificate = find(&m, s, &t(&[(CKA_CLASS, ulong(CKO_CERTIFICATE))]));
    assert_eq!(certificate.len(), 1);
    let der = attribute(&m, s, certificate[0], CKA_VALUE);
    let subject = x509_cert::Certificate::from_der(&der)
        .unwrap()
        .tbs_certificate()
        .subject()
        .to_der()
        .unwrap();
    assert_eq!(attribute(&m, s, certificate[0], CKA_SUBJECT), subject);
}

#[test]
fn a_token_data_object_is_not_copyable() {
    let (m, s) = lab();
    let object = m
        .create_object(
            s,
            &t(&[
                (CKA_CLASS, ulong(CKO_DATA)),
                (CKA_TOKEN, bool(true)),
                (CKA_LABEL, b"settings".to_vec()),
                (CKA_APPLICATION, b"bank".to_vec()),
                (CKA_VALUE, b"limit=100".to_vec()),
            ]),
        )
        .unwrap();
    assert_eq!(attribute(&m, s, object, CKA_COPYABLE), bool(false));
    assert_eq!(attribute(&m, s, object, CKA_VALUE), b"limit=100");
}

#[test]
fn a_private_session_object_is_hidden_after_logout() {
    let (m, s) = lab();
    let data = |private: bool| {
        t(&[
            (CKA_CLASS, ulong(CKO_DATA)),
            (CKA_TOKEN, bool(false)),
            (CKA_PRIVATE, bool(private)),
            (
                CKA_LABEL,
                if private {
                    b"private".to_vec()
                } else {
                    b"public".to_vec()
                },
            ),
            (CKA_VALUE, b"x".to_vec()),
        ])
    };
    let private = m.create_object(s, &data(true)).unwrap();
    let public = m.create_object(s, &data(false)).unwrap();
    let session_data = t(&[(CKA_CLASS, ulong(CKO_DATA)), (CKA_TOKEN, bool(false))]);
    let mut seen = find(&m, s, &session_data);
    seen.sort_unstable();
    let mut both = vec![private, public];
    both.sort_unstable();
    assert_eq!(seen, both);
    m.logout(s).unwrap();
    assert_eq!(find(&m, s, &session_data), vec![public]);
}

#[test]
fn context_specific_login_needs_the_user_logged_in() {
    let (m, s) = lab();
    m.login(s, CKU_CONTEXT_SPECIFIC, USER_PIN).unwrap();
    m.logout(s).unwrap();
    assert_eq!(
        m.login(s, CKU_CONTEXT_SPECIFIC, USER_PIN).unwrap_err().rv(),
        CKR_USER_NOT_LOGGED_IN
    );
}
