//! The `Driver` seam's promises to an implementation that has only the required calls (the
//! conformance crate's PKCS#11 driver is one): every optional operation answers
//! `CannotExpress` naming what it cannot do, which a runner reports as a skip and never as a
//! pass; the optional questions answer "unknown" (`None`) rather than a made-up value. Also
//! `PinCounter`'s two readings, which the runners compare with a scenario's expected counter.
#![allow(clippy::unwrap_used, reason = "tests")]

use gost::gost28147::KeyWrap;
use gost::{CipherParams, KeyAlgorithm, ParamSet, Signature, Vko};
use rutoken_client::driver::{
    Format, KeySpec, PairLabels, PinCounter, PowerEvent, PressPlan, Serial, TokenCertificate,
    TokenKey, TokenObjects,
};
use rutoken_client::{CipherMode, DataObject, Driver, DriverError, PinRole, PinStatus, SecretKey};

/// A driver with the required calls only; none of them is reached by these tests, so each
/// answers an error that no default answers (`Removed`).
struct RequiredOnly;

impl Driver for RequiredOnly {
    fn atr(&mut self) -> Result<Vec<u8>, DriverError> {
        Err(DriverError::Removed)
    }
    fn attach(&mut self) -> Result<(), DriverError> {
        Err(DriverError::Removed)
    }
    fn has_application(&mut self) -> Result<bool, DriverError> {
        Err(DriverError::Removed)
    }
    fn serial(&mut self) -> Result<Serial, DriverError> {
        Err(DriverError::Removed)
    }
    fn objects(&mut self) -> Result<TokenObjects, DriverError> {
        Err(DriverError::Removed)
    }
    fn verify_pin(&mut self, _: PinRole, _: &str) -> Result<(), DriverError> {
        Err(DriverError::Removed)
    }
    fn pin_counter(&mut self, _: PinRole) -> Result<PinCounter, DriverError> {
        Err(DriverError::Removed)
    }
    fn logged_in(&mut self, _: PinRole) -> Result<bool, DriverError> {
        Err(DriverError::Removed)
    }
    fn change_pin(&mut self, _: PinRole, _: &str, _: &str) -> Result<(), DriverError> {
        Err(DriverError::Removed)
    }
    fn logout(&mut self) -> Result<(), DriverError> {
        Err(DriverError::Removed)
    }
    fn generate_key(&mut self, _: KeySpec<'_>) -> Result<TokenKey, DriverError> {
        Err(DriverError::Removed)
    }
    fn key_present(&mut self, _: &TokenKey) -> Result<bool, DriverError> {
        Err(DriverError::Removed)
    }
    fn delete_key(&mut self, _: &TokenKey) -> Result<(), DriverError> {
        Err(DriverError::Removed)
    }
    fn sign_document(
        &mut self,
        _: &TokenKey,
        _: &[u8],
        _: Option<&PressPlan>,
    ) -> Result<Signature, DriverError> {
        Err(DriverError::Removed)
    }
    fn sign_digest(
        &mut self,
        _: &TokenKey,
        _: &[u8],
        _: Option<&PressPlan>,
    ) -> Result<Signature, DriverError> {
        Err(DriverError::Removed)
    }
    fn delete_certificate(&mut self, _: &[u8]) -> Result<(), DriverError> {
        Err(DriverError::Removed)
    }
}

/// The answer a default gives: `CannotExpress` with the operation in its words.
fn cannot<T: std::fmt::Debug>(result: Result<T, DriverError>, what: &str) {
    match result {
        Err(DriverError::CannotExpress { what: said }) => {
            assert_eq!(said, format!("this token cannot {what}"));
        }
        other => panic!("expected CannotExpress for {what:?}, got {other:?}"),
    }
}

fn key() -> TokenKey {
    TokenKey {
        reference: Some(1),
        id: Some(vec![0x42]),
        ..TokenKey::default()
    }
}

fn secret() -> SecretKey {
    SecretKey {
        reference: 1,
        params: CipherParams::CryptoProA,
    }
}

#[test]
fn pin_and_token_administration_cannot_be_expressed() {
    let mut d = RequiredOnly;
    cannot(
        d.unblock_user_pin("87654321", Some("12345678")),
        "unblock the user PIN in one call",
    );
    cannot(
        d.reset_retry_counter(PinRole::User),
        "reset a PIN's retry counter",
    );
    cannot(d.set_pin(PinRole::User, "12345678"), "set a PIN");
    cannot(d.set_token_label("bank"), "write the token's label");
    cannot(
        d.format(&Format {
            admin: "87654321",
            new_admin: None,
            user: "12345678",
            label: None,
        }),
        "format the token",
    );
    cannot(d.free_memory(), "tell the free memory");
    for event in [
        PowerEvent::PowerCycle,
        PowerEvent::Reset,
        PowerEvent::Pull,
        PowerEvent::Insert,
        PowerEvent::Restart,
    ] {
        cannot(d.power(event), event.action());
    }
    cannot(
        d.transmit(&[0x00, 0xA4, 0x00, 0x00], false, None),
        "send a raw APDU",
    );
}

#[test]
fn unknown_answers_are_none_not_made_up() {
    let mut d = RequiredOnly;
    assert_eq!(d.take_screens(), None);
    assert_eq!(d.max_tries(PinRole::User).unwrap(), None);
    assert_eq!(d.min_pin_len(PinRole::Admin).unwrap(), None);
    assert_eq!(d.token_label().unwrap(), None);
    assert!(!d.has_symmetric());
}

#[test]
fn key_spec_is_what_the_listing_told() {
    let mut d = RequiredOnly;
    let set = ParamSet::from_name("256-A").unwrap();
    let told = TokenKey {
        algorithm: Some(KeyAlgorithm::Gost2012_256),
        param_set: Some(set),
        ..key()
    };
    assert_eq!(
        d.key_spec(&told).unwrap(),
        Some((KeyAlgorithm::Gost2012_256, set))
    );
    // Half known is unknown.
    let half = TokenKey {
        algorithm: Some(KeyAlgorithm::Gost2012_256),
        ..key()
    };
    assert_eq!(d.key_spec(&half).unwrap(), None);
}

#[test]
fn objects_cannot_be_renamed_written_or_listed() {
    let mut d = RequiredOnly;
    cannot(
        d.install_certificate(&key(), &[0x30, 0x00], "cert", None),
        "write a certificate for a key",
    );
    cannot(d.read_certificate(&[0x42]), "read a certificate by its ID");
    cannot(d.rename_key(&key(), "new", &[0x43]), "rename a key pair");
    cannot(d.key_exchange(&key()), "tell a key's usage");
    // The same label for both halves is a plain rename; different ones a call of its own.
    cannot(
        d.rename_key_halves(
            &key(),
            PairLabels {
                private: "same",
                public: "same",
            },
            &[0x43],
        ),
        "rename a key pair",
    );
    cannot(
        d.rename_key_halves(
            &key(),
            PairLabels {
                private: "private",
                public: "public",
            },
            &[0x43],
        ),
        "label the halves of a key pair apart",
    );
    let certificate = TokenCertificate {
        id: vec![0x42],
        label: "cert".to_owned(),
        der: vec![0x30, 0x00],
    };
    cannot(
        d.rename_certificate(&certificate, "new", &[0x43]),
        "rename a certificate",
    );
    cannot(
        d.install_certificate_as(&[0x30, 0x00], "cert", Some(&[0x43])),
        "write a certificate under a chosen ID",
    );
    let object = DataObject {
        label: "data".to_owned(),
        application: "bank".to_owned(),
        oid: None,
        private: false,
        path: vec![0x3F, 0x00],
        value: Some(vec![1, 2, 3]),
    };
    cannot(d.data_objects(), "list data objects");
    cannot(d.create_data_object(&object), "store a data object");
    cannot(d.rename_data_object(&object, "new"), "rename a data object");
    cannot(d.delete_data_object(&[0x3F, 0x00]), "delete a data object");
}

#[test]
fn gost28147_cannot_be_expressed() {
    let mut d = RequiredOnly;
    cannot(
        d.generate_secret_key(CipherParams::CryptoProA),
        "generate a GOST 28147-89 key",
    );
    cannot(
        d.import_secret_key(CipherParams::CryptoProA, &[7; 32]),
        "import a GOST 28147-89 key",
    );
    cannot(d.delete_secret_key(secret()), "delete a GOST 28147-89 key");
    cannot(
        d.cipher(secret(), CipherMode::Ecb, false, &[0; 8]),
        "encipher with GOST 28147-89",
    );
    cannot(
        d.mac(secret(), None, &[0; 8]),
        "compute a GOST 28147-89 MAC",
    );
    cannot(
        d.wrap_secret_key(secret(), KeyWrap::CryptoPro, Some([1; 8]), secret()),
        "wrap a key",
    );
    cannot(
        d.unwrap_secret_key(
            secret(),
            KeyWrap::Gost28147,
            &[0; 44],
            CipherParams::CryptoProA,
        ),
        "unwrap a key",
    );
    cannot(
        d.derive_vko(
            1,
            Vko::Gost2012_256,
            &[0; 64],
            &[1; 8],
            CipherParams::CryptoProA,
        ),
        "derive a key by VKO",
    );
    cannot(
        d.derive_vko_value(&key(), Vko::Gost2012_256, &[0; 64], &[1; 8]),
        "derive a key by VKO for the host",
    );
}

#[test]
fn pin_counter_readings() {
    let exact = |status: PinStatus| PinCounter::Exact(status);
    assert_eq!(exact(PinStatus::TriesLeft(3)).tries_left(), Some(3));
    assert!(!exact(PinStatus::TriesLeft(3)).blocked());
    assert_eq!(exact(PinStatus::TriesLeft(1)).tries_left(), Some(1));
    assert_eq!(exact(PinStatus::TriesLeft(0)).tries_left(), Some(0));
    assert!(exact(PinStatus::TriesLeft(0)).blocked());
    assert_eq!(exact(PinStatus::Blocked).tries_left(), Some(0));
    assert!(exact(PinStatus::Blocked).blocked());
    // Verified: the token answers 9000 and tells no count.
    assert_eq!(exact(PinStatus::Verified).tries_left(), None);
    assert!(!exact(PinStatus::Verified).blocked());
    // PKCS#11's flags tell whether it is locked, never how many tries are left.
    let flags = |locked: bool| PinCounter::Flags {
        count_low: true,
        final_try: !locked,
        locked,
    };
    assert_eq!(flags(true).tries_left(), None);
    assert!(flags(true).blocked());
    assert_eq!(flags(false).tries_left(), None);
    assert!(!flags(false).blocked());
}

#[test]
fn a_key_transport_needs_gost28147_on_the_token() {
    let mut d = RequiredOnly;
    let transport = gost::key_transport::KeyTransport {
        encrypted_key: [0; 32],
        mac: [0; gost::gost28147::MAC_LEN],
        params: CipherParams::CryptoProA,
        ephemeral: None,
        ukm: [1; gost::gost28147::UKM_LEN],
    };
    let content = gost::key_transport::ContentParams {
        iv: [0; 8],
        params: CipherParams::CryptoProA,
    };
    // Refused before anything is asked of the token: no VKO, no unwrap.
    cannot(
        d.open_key_transport(&key(), &transport, &content, &[0; 16]),
        "open a key transport: GOST 28147-89 is not on it",
    );
}
