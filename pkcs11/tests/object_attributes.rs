//! Attributes the module answers for the emulator's personalised token in process (no PC/SC):
//! a public key verifies, a certificate's `CKA_SUBJECT` is its subject's DER, a token data
//! object cannot be copied, a private session object is hidden after logout, and
//! `CKU_CONTEXT_SPECIFIC` re-authenticates only a logged-in user (PKCS#11 v2.40 §4.4-§4.8,
//! §5.5 `C_Login`).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

mod support;

use cryptoki_sys::*;
use der::{Decode, Encode};
use rutoken_pkcs11::attribute::{Template, bool, ulong};
use rutoken_pkcs11::module::Module;
use support::in_process::{USER_PIN, personalised, template as t};

fn lab() -> (Module, CK_SESSION_HANDLE) {
    let (m, _slot, s) = personalised();
    (m, s)
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
