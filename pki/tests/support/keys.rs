//! Helpers shared by the integration tests.
#![allow(
    dead_code,
    clippy::unwrap_used,
    reason = "test helpers; each test crate uses a subset"
)]

use gost::{KeyAlgorithm, ParamSet, Rng, SigningKey};
use rutoken_pki::ext::RequestedExtensions;
use rutoken_pki::name::{Attribute, NameBuilder};
use rutoken_pki::{Request, RequestInfo};
use x509_cert::name::Name;

/// A software key on `param`.
pub fn key(param: ParamSet, seed: u64) -> (KeyAlgorithm, SigningKey) {
    let mut rng = Rng::from_seed(seed);
    (
        KeyAlgorithm::gost2012_for(param),
        SigningKey::generate(param, &mut rng).unwrap(),
    )
}

/// A Cyrillic subject.
pub fn subject() -> Name {
    NameBuilder::new()
        .with(Attribute::Country, "RU")
        .with(Attribute::Locality, "Тюмень")
        .with(Attribute::Organization, "3867XXXXXXXXXX")
        .with(Attribute::Title, "Директор")
        .with(Attribute::CommonName, "Иванов Иван Иванович")
        .with(Attribute::Surname, "Иванов")
        .with(Attribute::GivenName, "Иван Иванович")
        .with(Attribute::Inn, "386700000001")
        .with(Attribute::Snils, "12345678901")
        .build()
        .unwrap()
}

/// A signed request for a new key.
pub fn request(param: ParamSet, seed: u64, subject: Name) -> (SigningKey, Request) {
    let (algorithm, key) = key(param, seed);
    let info = RequestInfo::new(
        subject,
        &key.verifying_key(),
        algorithm,
        &RequestedExtensions::bank_default(),
    )
    .unwrap();
    let request = info
        .sign_with_key(&key, &mut Rng::from_seed(seed + 1))
        .unwrap();
    (key, request)
}
