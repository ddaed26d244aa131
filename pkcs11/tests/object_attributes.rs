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
use rutoken_pkcs11::object::Missing;
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

/// The handle of the one object of `class`.
fn one(m: &Module, s: CK_SESSION_HANDLE, class: CK_OBJECT_CLASS) -> CK_OBJECT_HANDLE {
    let found = find(m, s, &t(&[(CKA_CLASS, ulong(class))]));
    assert_eq!(found.len(), 1, "one object of class {class:#x}");
    found[0]
}

/// Asserts each `(attribute, value)` of `object`.
fn assert_attributes(
    m: &Module,
    s: CK_SESSION_HANDLE,
    object: CK_OBJECT_HANDLE,
    want: &[(CK_ATTRIBUTE_TYPE, Vec<u8>)],
) {
    for (kind, value) in want {
        assert_eq!(
            m.attributes(s, object, &[*kind]).unwrap()[0],
            Ok(value.clone()),
            "attribute {kind:#x}"
        );
    }
}

/// The fixture owner's key pair as PKCS#11 v2.40 §4.8-§4.9 and the TC26 GOST attributes
/// (§2.57.4) describe it: a 2012-256 key on its certificate's curve with Streebog-256, its
/// `CKA_ID` OpenSC's (SHA-1 of the public key as a DER OCTET STRING), the private half
/// sensitive and never extractable, for signing and VKO (no decryption, unwrapping or
/// recovery), the public half for verifying only, its value `LE(x) ‖ LE(y)`; both on the token,
/// renameable (modifiable), destroyable, not copyable.
#[test]
fn the_fixture_key_pair_carries_its_pkcs11_attributes() {
    use sha1::Digest;
    let (m, s) = lab();
    let owner = rutoken_pki::fixtures::owner_current().unwrap();
    let public_le = owner.key.key.verifying_key().to_le_bytes();
    let id = sha1::Sha1::digest([&[0x04, 0x40][..], &public_le].concat()).to_vec();
    // The certificate names the curve tc26 256-B (1.2.643.7.1.2.1.1.2, RFC 9215 §4: the SPKI's
    // publicKeyParamSet); the key names the same curve by its CryptoPro OID, CryptoPro-A
    // (1.2.643.2.2.35.1, RFC 4357 §10.5; tc26 256-B is that curve, R 1323565.1.024), as
    // OpenSC's pkcs11-tool sends and expects it for a 256-bit key.
    let spki_params = owner.cert.spki().algorithm.parameters.as_ref().unwrap();
    let tc26_b = [
        0x06, 0x09, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x01, 0x02,
    ];
    assert_eq!(&spki_params.value()[..tc26_b.len()], tc26_b);
    let params = vec![0x06, 0x07, 0x2A, 0x85, 0x03, 0x02, 0x02, 0x23, 0x01];
    let streebog256 = vec![0x06, 0x08, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x02];
    let common = [
        (CKA_TOKEN, bool(true)),
        (CKA_MODIFIABLE, bool(true)),
        (CKA_DESTROYABLE, bool(true)),
        (CKA_COPYABLE, bool(false)),
        (CKA_ID, id),
        (CKA_KEY_TYPE, ulong(CKK_GOSTR3410)),
        (CKA_KEY_GEN_MECHANISM, ulong(CKM_GOSTR3410_KEY_PAIR_GEN)),
        (CKA_GOSTR3410_PARAMS, params),
        (CKA_GOSTR3411_PARAMS, streebog256),
        (CKA_START_DATE, Vec::new()),
        (CKA_END_DATE, Vec::new()),
        (CKA_SUBJECT, Vec::new()),
    ];
    let private = one(&m, s, CKO_PRIVATE_KEY);
    assert_attributes(&m, s, private, &common);
    assert_attributes(
        &m,
        s,
        private,
        &[
            (CKA_CLASS, ulong(CKO_PRIVATE_KEY)),
            (CKA_PRIVATE, bool(true)),
            (CKA_SENSITIVE, bool(true)),
            (CKA_ALWAYS_SENSITIVE, bool(true)),
            (CKA_NEVER_EXTRACTABLE, bool(true)),
            (CKA_EXTRACTABLE, bool(false)),
            (CKA_SIGN, bool(true)),
            (CKA_DERIVE, bool(true)),
            (CKA_DECRYPT, bool(false)),
            (CKA_UNWRAP, bool(false)),
            (CKA_SIGN_RECOVER, bool(false)),
            (CKA_WRAP_WITH_TRUSTED, bool(false)),
            (CKA_ALWAYS_AUTHENTICATE, bool(false)),
        ],
    );
    assert_eq!(
        m.attributes(s, private, &[CKA_VALUE, CKA_MODULUS]).unwrap(),
        vec![Err(Missing::Sensitive), Err(Missing::Invalid)]
    );
    let public = one(&m, s, CKO_PUBLIC_KEY);
    assert_attributes(&m, s, public, &common);
    assert_attributes(
        &m,
        s,
        public,
        &[
            (CKA_CLASS, ulong(CKO_PUBLIC_KEY)),
            (CKA_PRIVATE, bool(false)),
            (CKA_VERIFY, bool(true)),
            (CKA_ENCRYPT, bool(false)),
            (CKA_WRAP, bool(false)),
            (CKA_VERIFY_RECOVER, bool(false)),
            (CKA_DERIVE, bool(false)),
            (CKA_TRUSTED, bool(false)),
            (CKA_VALUE, public_le),
        ],
    );
    assert_eq!(
        m.attributes(s, public, &[CKA_MODULUS]).unwrap(),
        vec![Err(Missing::Invalid)]
    );
}

/// The fixture's certificate as PKCS#11 v2.40 §4.6 describes an X.509 certificate object:
/// public, not trusted, category unspecified, under its key's `CKA_ID`, its issuer the test CA
/// and its serial 010101D1010201B6 (`fixtures/README.md`) as DER, the optional texts empty.
#[test]
fn the_fixture_certificate_carries_its_pkcs11_attributes() {
    let (m, s) = lab();
    let owner = rutoken_pki::fixtures::owner_current().unwrap();
    let ca = rutoken_pki::fixtures::ca().unwrap();
    let cert = one(&m, s, CKO_CERTIFICATE);
    let key = one(&m, s, CKO_PRIVATE_KEY);
    let id = attribute(&m, s, key, CKA_ID);
    assert_attributes(
        &m,
        s,
        cert,
        &[
            (CKA_CLASS, ulong(CKO_CERTIFICATE)),
            (CKA_TOKEN, bool(true)),
            (CKA_MODIFIABLE, bool(true)),
            (CKA_DESTROYABLE, bool(true)),
            (CKA_PRIVATE, bool(false)),
            (CKA_COPYABLE, bool(false)),
            (CKA_TRUSTED, bool(false)),
            (CKA_ID, id),
            (CKA_CERTIFICATE_TYPE, ulong(CKC_X_509)),
            (
                CKA_CERTIFICATE_CATEGORY,
                ulong(CK_CERTIFICATE_CATEGORY_UNSPECIFIED),
            ),
            (CKA_VALUE, owner.cert.to_der().to_vec()),
            (CKA_ISSUER, ca.cert.subject().to_der().unwrap()),
            (
                CKA_SERIAL_NUMBER,
                vec![0x02, 0x08, 0x01, 0x01, 0x01, 0xD1, 0x01, 0x02, 0x01, 0xB6],
            ),
            (CKA_START_DATE, Vec::new()),
            (CKA_END_DATE, Vec::new()),
            (CKA_URL, Vec::new()),
            (CKA_HASH_OF_SUBJECT_PUBLIC_KEY, Vec::new()),
            (CKA_HASH_OF_ISSUER_PUBLIC_KEY, Vec::new()),
            (
                CKA_JAVA_MIDP_SECURITY_DOMAIN,
                ulong(CK_SECURITY_DOMAIN_UNSPECIFIED),
            ),
        ],
    );
    assert_eq!(
        m.attributes(s, cert, &[CKA_SIGN]).unwrap(),
        vec![Err(Missing::Invalid)]
    );
}

/// A token data object's attributes (PKCS#11 v2.40 §4.5) as created: class, token, private as
/// asked, renameable and destroyable, not copyable, label, application, OID and value; no
/// `CKA_ID` (`CKR_ATTRIBUTE_TYPE_INVALID` for that one attribute).
#[test]
fn a_token_data_object_carries_its_pkcs11_attributes() {
    let (m, s) = lab();
    let oid = vec![0x06, 0x05, 0x2A, 0x85, 0x03, 0x64, 0x01];
    let object = m
        .create_object(
            s,
            &t(&[
                (CKA_CLASS, ulong(CKO_DATA)),
                (CKA_TOKEN, bool(true)),
                (CKA_PRIVATE, bool(true)),
                (CKA_LABEL, b"limits".to_vec()),
                (CKA_APPLICATION, b"bank".to_vec()),
                (CKA_OBJECT_ID, oid.clone()),
                (CKA_VALUE, b"limit=100".to_vec()),
            ]),
        )
        .unwrap();
    assert_attributes(
        &m,
        s,
        object,
        &[
            (CKA_CLASS, ulong(CKO_DATA)),
            (CKA_TOKEN, bool(true)),
            (CKA_PRIVATE, bool(true)),
            (CKA_MODIFIABLE, bool(true)),
            (CKA_DESTROYABLE, bool(true)),
            (CKA_COPYABLE, bool(false)),
            (CKA_LABEL, b"limits".to_vec()),
            (CKA_APPLICATION, b"bank".to_vec()),
            (CKA_OBJECT_ID, oid),
            (CKA_VALUE, b"limit=100".to_vec()),
        ],
    );
    assert_eq!(
        m.attributes(s, object, &[CKA_ID]).unwrap(),
        vec![Err(Missing::Invalid)]
    );
    // Private: gone from sight after the logout, a public one is not.
    let public = m
        .create_object(
            s,
            &t(&[
                (CKA_CLASS, ulong(CKO_DATA)),
                (CKA_TOKEN, bool(true)),
                (CKA_PRIVATE, bool(false)),
            ]),
        )
        .unwrap();
    m.logout(s).unwrap();
    assert_eq!(
        m.attributes(s, object, &[CKA_CLASS]).unwrap_err().rv(),
        CKR_OBJECT_HANDLE_INVALID
    );
    assert_eq!(attribute(&m, s, public, CKA_PRIVATE), bool(false));
}

/// What `C_SetAttributeValue` and `C_DestroyObject` do to the fixture's certificate and key
/// reaches the token: a second module over the same token (another application) reads the
/// certificate's new label and ID, and after both are destroyed finds neither.
#[test]
fn a_certificate_s_new_names_and_deletions_reach_the_token() {
    let (m, slot, s) = personalised();
    let cert = one(&m, s, CKO_CERTIFICATE);
    let names = t(&[(CKA_LABEL, b"renamed".to_vec()), (CKA_ID, vec![0x5A, 0x5B])]);
    m.set_attributes(s, cert, &names).unwrap();
    let other = support::in_process::module(&slot);
    let s2 = other.open_session(0, CKF_SERIAL_SESSION).unwrap();
    let seen = one(&other, s2, CKO_CERTIFICATE);
    assert_eq!(
        other.attributes(s2, seen, &[CKA_LABEL, CKA_ID]).unwrap(),
        vec![Ok(b"renamed".to_vec()), Ok(vec![0x5A, 0x5B])]
    );
    other.close_session(s2).unwrap();

    let key = one(&m, s, CKO_PRIVATE_KEY);
    m.destroy_object(s, cert).unwrap();
    m.destroy_object(s, key).unwrap();
    let third = support::in_process::module(&slot);
    let s3 = third.open_session(0, CKF_SERIAL_SESSION).unwrap();
    third.login(s3, CKU_USER, USER_PIN).unwrap();
    for class in [CKO_CERTIFICATE, CKO_PRIVATE_KEY] {
        assert!(
            find(&third, s3, &t(&[(CKA_CLASS, ulong(class))])).is_empty(),
            "{class:#x}"
        );
    }
}
