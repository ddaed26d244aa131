//! The client against the simulator's personalised token in a SafeTouch, in process: every
//! operation, its PKCS#15 bookkeeping, and the typed errors.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

use std::sync::{Arc, Mutex};

use rutoken_apdu::StatusWord;
use rutoken_client::transport::InProcess;
use rutoken_client::{
    Client, ClientConfig, ClientError, Installed, Missing, PinRole, PinStatus, Transport,
    TransportError,
};
use rutoken_pki::ext::RequestedExtensions;
use rutoken_pki::name::{Attribute, NameBuilder};
use rutoken_sim::profile::DeviceProfile;
use rutoken_sim::safetouch::{Press, SafeTouch, ScriptedButtons};
use rutoken_sim::token::{Fixture, Token};
use sha1::{Digest, Sha1};

const USER_PIN: &str = "12345678";
const ADMIN_PIN: &str = "87654321";

type TestClient = Client<InProcess<SafeTouch<Token>>>;

fn client_with(profile: &DeviceProfile) -> (TestClient, ScriptedButtons) {
    let token = Token::in_memory(Fixture::Personalised, 3, profile.token.clone()).unwrap();
    let buttons = ScriptedButtons::new();
    let safetouch = SafeTouch::new(token, profile.safetouch.clone(), Box::new(buttons.clone()));
    let client = Client::new(
        InProcess::new(safetouch),
        ClientConfig::from_profile(profile),
    );
    (client, buttons)
}

fn client() -> (TestClient, ScriptedButtons) {
    client_with(&DeviceProfile::default())
}

fn param_256a() -> gost::ParamSet {
    gost::ParamSet::from_name("256-A").unwrap()
}

/// OpenSC's ID, computed here from its definition: SHA-1 over `04 40 ‖ key`.
fn expected_id(public_key: &[u8]) -> Vec<u8> {
    let mut octet_string = vec![0x04, u8::try_from(public_key.len()).unwrap()];
    octet_string.extend_from_slice(public_key);
    Sha1::digest(&octet_string).to_vec()
}

#[test]
fn attach_lists_the_fixture_pair_under_one_id() {
    let (mut client, _) = client();
    assert!(!client.attach().unwrap().is_empty());
    assert_eq!(client.serial().unwrap().len(), 8);
    let objects = client.objects().unwrap();
    assert_eq!(objects.keys.len(), 1);
    assert_eq!(objects.certificates.len(), 1);
    let key = &objects.keys[0];
    let cert = &objects.certificates[0];
    let info = rutoken_client::certificate::parse(&cert.der).unwrap();
    assert_eq!(key.reference, 1);
    assert_eq!(key.label.as_deref(), Some("Owner key"));
    assert_eq!(key.public_key.as_deref(), Some(info.public_key.as_slice()));
    assert_eq!(
        key.id.as_deref(),
        Some(expected_id(&info.public_key).as_slice())
    );
    assert_eq!(Some(cert.id.as_slice()), key.id.as_deref());
    assert!(key.param_set.is_some());
}

#[test]
fn pin_answers_are_typed() {
    let (mut client, _) = client();
    client.attach().unwrap();
    let Ok(PinStatus::TriesLeft(start)) = client.pin_status(PinRole::User) else {
        panic!("a fresh token has tries left");
    };
    assert_eq!(
        client.verify_pin(PinRole::User, "00000000"),
        Err(ClientError::PinIncorrect {
            tries_left: start - 1
        })
    );
    client.verify_pin(PinRole::User, USER_PIN).unwrap();
    assert_eq!(client.pin_status(PinRole::User), Ok(PinStatus::Verified));
    client.logout().unwrap();
    assert_eq!(
        client.pin_status(PinRole::User),
        Ok(PinStatus::TriesLeft(start))
    );
    for _ in 0..start {
        let _ = client.verify_pin(PinRole::User, "00000000");
    }
    assert_eq!(client.pin_status(PinRole::User), Ok(PinStatus::Blocked));
    assert_eq!(
        client.verify_pin(PinRole::User, USER_PIN),
        Err(ClientError::PinBlocked)
    );
    client.unblock_user_pin(ADMIN_PIN).unwrap();
    client.logout().unwrap();
    client.verify_pin(PinRole::User, USER_PIN).unwrap();
    client
        .change_pin(PinRole::User, USER_PIN, "11112222")
        .unwrap();
    client.logout().unwrap();
    assert!(matches!(
        client.verify_pin(PinRole::User, USER_PIN),
        Err(ClientError::PinIncorrect { .. })
    ));
    client.verify_pin(PinRole::User, "11112222").unwrap();
}

#[test]
fn a_key_pair_its_request_and_its_certificate_share_one_id() {
    let (mut client, buttons) = client();
    client.attach().unwrap();
    // Without the user PIN the token refuses to create keys.
    assert!(matches!(
        client.generate_key_pair(param_256a(), "new"),
        Err(ClientError::NotLoggedIn { .. })
    ));
    client.verify_pin(PinRole::User, USER_PIN).unwrap();
    let pair = client.generate_key_pair(param_256a(), "new").unwrap();
    assert_eq!(pair.reference, 2);
    assert_eq!(pair.id, expected_id(&pair.public_key));

    let objects = client.objects().unwrap();
    assert_eq!(objects.keys.len(), 2);
    let listed = objects.keys.iter().find(|k| k.reference == 2).unwrap();
    assert_eq!(listed.id.as_deref(), Some(pair.id.as_slice()));
    assert_eq!(listed.label.as_deref(), Some("new"));
    assert_eq!(
        listed.public_key.as_deref(),
        Some(pair.public_key.as_slice())
    );

    // A document hashed on the token, confirmed on the SafeTouch, verifies under the key.
    let document = "Платёжное поручение № 1".as_bytes();
    buttons.push(Press::Confirm);
    let signature = client.sign_document(2, document).unwrap();
    let digest = gost::DigestAlgorithm::Streebog256.digest(document);
    pair.verifying_key()
        .unwrap()
        .verify_digest(
            &digest,
            &gost::Signature::from_token_bytes(&signature).unwrap(),
        )
        .unwrap();

    // The PKCS#10, signed on the token, verifies and carries the key.
    let subject = NameBuilder::new()
        .with(Attribute::CommonName, "Иванов Иван Иванович")
        .build()
        .unwrap();
    let mut pressed = 0;
    let der = client
        .create_pkcs10(
            &pair,
            subject,
            &RequestedExtensions::bank_default(),
            &mut |_| {
                pressed += 1;
                buttons.push(Press::Confirm);
                Ok(())
            },
        )
        .unwrap();
    assert_eq!(pressed, 1);
    let request = rutoken_pki::Request::parse(&der).unwrap();
    request.verify().unwrap();
    assert_eq!(
        request.public_key().unwrap().1,
        pair.verifying_key().unwrap()
    );

    // The CA's certificate goes in under the pair's ID.
    let mut ca = rutoken_pki::ca::TestCa::fixture(3).unwrap();
    let cert = ca
        .issue(&request, time::macros::datetime!(2020-02-04 12:00 UTC))
        .unwrap();
    let cert = cert.to_der().to_vec();
    let installed = client
        .install_certificate(&cert, "Иванов Иван Иванович", None, &mut |_, _| Ok(true))
        .unwrap();
    assert_eq!(
        installed,
        Installed::Listed {
            id: pair.id.clone()
        }
    );
    let objects = client.objects().unwrap();
    assert_eq!(objects.certificates.len(), 2);
    assert_eq!(client.read_certificate(&pair.id).unwrap(), cert);

    // Deleting removes the files and the entries.
    client.delete_certificate(&pair.id).unwrap();
    assert!(matches!(
        client.read_certificate(&pair.id),
        Err(ClientError::NotFound { .. })
    ));
    client.delete_key_pair(2).unwrap();
    let objects = client.objects().unwrap();
    assert_eq!(objects.keys.len(), 1);
    assert_eq!(objects.certificates.len(), 1);
    assert!(!client.key_present(2).unwrap());
    // The slot and the public key file are free again: the next pair reuses them.
    let again = client.generate_key_pair(param_256a(), "again").unwrap();
    assert_eq!(again.reference, 2);
    assert_eq!(client.objects().unwrap().keys.len(), 2);
}

#[test]
fn an_interrupted_install_leaves_the_listing_alone() {
    let (mut client, _) = client();
    client.attach().unwrap();
    client.verify_pin(PinRole::User, USER_PIN).unwrap();
    let owner = client.objects().unwrap().certificates[0].der.clone();
    let result = client
        .install_certificate(&owner, "copy", None, &mut |_, n| Ok(n < 1))
        .unwrap();
    assert_eq!(result, Installed::Interrupted);
    assert_eq!(client.objects().unwrap().certificates.len(), 1);
}

#[test]
fn safetouch_refusals_are_typed() {
    // The default profile answers 6FB1 to both: which one happened is unknown.
    let (mut client, buttons) = client();
    client.attach().unwrap();
    client.verify_pin(PinRole::User, USER_PIN).unwrap();
    buttons.push(Press::Reject);
    assert_eq!(
        client.sign_document(1, b"x"),
        Err(ClientError::RefusedOnDevice {
            sw: StatusWord(0x6FB1)
        })
    );
    // A profile with two words tells them apart.
    let mut profile = DeviceProfile::default();
    profile.safetouch.timeout_sw = 0x6FB2;
    let (mut client, buttons) = client_with(&profile);
    client.attach().unwrap();
    client.verify_pin(PinRole::User, USER_PIN).unwrap();
    buttons.push(Press::Reject);
    assert_eq!(
        client.sign_document(1, b"x"),
        Err(ClientError::RejectedOnDevice {
            sw: StatusWord(0x6FB1)
        })
    );
    buttons.push(Press::Timeout);
    assert_eq!(
        client.sign_document(1, b"x"),
        Err(ClientError::TimedOutOnDevice {
            sw: StatusWord(0x6FB2)
        })
    );
    assert_eq!(
        client.sign_document(7, b"x"),
        Err(ClientError::NotFound {
            what: Missing::PrivateKey
        })
    );
    // The kind is typed; the message reads as it did when it was text.
    assert_eq!(
        ClientError::NotFound {
            what: Missing::PrivateKey
        }
        .to_string(),
        "the private key not found on the token"
    );
}

#[test]
fn the_observer_sees_every_exchange_and_masking_hides_the_pin() {
    let (client, _) = client();
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = Arc::clone(&seen);
    let mut client = client.with_observer(Box::new(move |e| {
        log.lock()
            .unwrap()
            .push(rutoken_apdu::mask::masked(e.command));
    }));
    client.attach().unwrap();
    client.verify_pin(PinRole::User, USER_PIN).unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1], "00 20 00 02 08 **");
}

/// A reader whose token was pulled.
struct Pulled;

impl Transport for Pulled {
    fn transmit(&mut self, _: &[u8]) -> Result<Vec<u8>, TransportError> {
        Err(TransportError::CardRemoved)
    }
    fn atr(&mut self) -> Result<Vec<u8>, TransportError> {
        Err(TransportError::CardRemoved)
    }
}

#[test]
fn a_pulled_token_is_card_removed() {
    let mut client = Client::new(Pulled, ClientConfig::default());
    assert_eq!(client.attach(), Err(ClientError::CardRemoved));
    assert_eq!(client.serial(), Err(ClientError::CardRemoved));
}

#[test]
fn a_gost_2001_pair_takes_its_profile_code_and_hashes_with_gost_94() {
    let (mut client, buttons) = client();
    client.attach().unwrap();
    client.verify_pin(PinRole::User, USER_PIN).unwrap();
    let curve = gost::ParamSet::from_name("cryptopro-a").unwrap();
    let pair = client
        .generate_key_pair_of(gost::KeyAlgorithm::Gost2001, curve, "k2001")
        .unwrap();
    assert_eq!(pair.public_key.len(), 64);
    assert_eq!(pair.id, expected_id(&pair.public_key));
    // The RSF carries the profile's gost2001-A code (OpenSC's 0x20), not 256-B's.
    let fcp = client
        .select_path(&rutoken_client::layout::private_key_path(pair.reference))
        .unwrap()
        .unwrap();
    let profile = DeviceProfile::default();
    assert_eq!(
        fcp.proprietary.get(1).copied(),
        profile.token.gost_key_codes.get("gost2001-A").copied()
    );
    // The token hashes a document with GOST R 34.11-94 for it; the signature verifies over
    // the host's 34.11-94 digest and not over Streebog's.
    let document = "Платёжное поручение № 2001".as_bytes();
    buttons.push(Press::Confirm);
    let signature = client.sign_document(pair.reference, document).unwrap();
    let signature = gost::Signature::from_token_bytes(&signature).unwrap();
    let key = pair.verifying_key().unwrap();
    let gost94 = gost::DigestAlgorithm::Gost94CryptoPro.digest(document);
    key.verify_digest(&gost94, &signature).unwrap();
    let streebog = gost::DigestAlgorithm::Streebog256.digest(document);
    assert!(key.verify_digest(&streebog, &signature).is_err());
    // No 2001 key on a curve CryptoPro does not name.
    assert!(matches!(
        client.generate_key_pair_of(gost::KeyAlgorithm::Gost2001, param_256a(), "x"),
        Err(ClientError::NoKeyCode { .. })
    ));
}

#[test]
fn data_objects_are_dodf_entries_with_their_own_files() {
    let (mut client, _) = client();
    client.attach().unwrap();
    assert!(client.data_objects().unwrap().is_empty());
    // The DODF is written by the user.
    assert!(matches!(
        client.create_data_object("note", "bank", None, b"public value", false),
        Err(ClientError::NotLoggedIn { .. })
    ));
    client.verify_pin(PinRole::User, USER_PIN).unwrap();
    let oid = [0x06, 0x05, 0x2A, 0x85, 0x03, 0x64, 0x01];
    let public = client
        .create_data_object("note", "bank", Some(&oid), b"public value", false)
        .unwrap();
    let private = client
        .create_data_object("secret", "", None, b"private value", true)
        .unwrap();
    assert_eq!(public.path, vec![0x3F, 0x00, 0x50, 0x00, 0x04, 0x00]);
    assert_eq!(private.path, vec![0x3F, 0x00, 0x50, 0x00, 0x05, 0x00]);
    assert!(matches!(
        client.create_data_object("bad", "", Some(&[0x04, 0x01, 0x00]), b"x", false),
        Err(ClientError::NotAnOid)
    ));
    let listed = client.data_objects().unwrap();
    assert_eq!(listed, vec![public.clone(), private.clone()]);
    // Without the login the private value cannot be read; the public one can.
    client.logout().unwrap();
    let listed = client.data_objects().unwrap();
    assert_eq!(listed[0].value.as_deref(), Some(&b"public value"[..]));
    assert_eq!(listed[0].oid.as_deref(), Some(&oid[..]));
    assert!(listed[1].private && listed[1].value.is_none());
    client.verify_pin(PinRole::User, USER_PIN).unwrap();
    client.delete_data_object(&public.path).unwrap();
    assert_eq!(client.data_objects().unwrap(), vec![private.clone()]);
    assert!(
        client
            .select_path(&rutoken_client::layout::path_from_bytes(&public.path))
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        client.delete_data_object(&public.path),
        Err(ClientError::NotFound { .. })
    ));
}
