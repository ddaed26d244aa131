//! The committed test PKI in `fixtures/`, embedded with `include_bytes!` so binaries work from any
//! directory, and its byte-for-byte regeneration from a seed.
//!
//! Every key here is a **test key**, public in the repository: never use it for anything real.

mod generate;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use time::OffsetDateTime;
use time::macros::datetime;

pub use self::generate::{generate, owner_subject, second_owner_subject};
use crate::cert::Cert;
use crate::key::PrivateKey;
use crate::{Error, Result};

/// The seed the committed fixtures were generated with.
pub const DEFAULT_SEED: u64 = 20_200_204;

/// Serial of the owner's current certificate (the seed's «Идентификатор заменяемого сертификата»).
pub const OWNER_CURRENT_SERIAL: &str = "010101D1010201B6";

/// "Today" in the reissue scenarios: the instruction's request date 04.02.2020, at the time its
/// «Данные запроса» line shows (2020-02-04T06:51:00Z).
pub const REISSUE_DATE: OffsetDateTime = datetime!(2020-02-04 06:51:00 UTC);

/// A key and its certificate.
#[derive(Clone, Debug)]
pub struct Fixture {
    /// The private key (a test key).
    pub key: PrivateKey,
    /// The certificate.
    pub cert: Cert,
}

/// One committed file.
#[derive(Clone, Copy, Debug)]
pub struct FixtureFile {
    /// File name inside `fixtures/`.
    pub name: &'static str,
    /// The committed bytes.
    pub contents: &'static [u8],
}

macro_rules! fixture_file {
    ($name:literal) => {
        FixtureFile {
            name: $name,
            contents: include_bytes!(concat!("../../fixtures/", $name)),
        }
    };
}

/// Every generated file, in generation order.
pub const FILES: [FixtureFile; 12] = [
    fixture_file!("ca.crt.pem"),
    fixture_file!("ca.key.pem"),
    fixture_file!("owner-current.crt.pem"),
    fixture_file!("owner-current.key.pem"),
    fixture_file!("owner-expired.crt.pem"),
    fixture_file!("owner-expired.key.pem"),
    fixture_file!("foreign-ca.crt.pem"),
    fixture_file!("foreign-ca.key.pem"),
    fixture_file!("owner-foreign.crt.pem"),
    fixture_file!("owner-foreign.key.pem"),
    fixture_file!("second-owner.crt.pem"),
    fixture_file!("second-owner.key.pem"),
];

/// The committed bytes of `name`.
pub fn file(name: &str) -> Option<&'static [u8]> {
    FILES.iter().find(|f| f.name == name).map(|f| f.contents)
}

/// The fixture `stem`, parsed and checked once per process (`slot` keeps it): the test CA was
/// parsed from its PEM files, its key's Q = d·P computed and checked against the certificate
/// for every flow, 3 % of an in-process reissue flow (issue 25, `perf`, 7 Dec 2026). The keys
/// are the repository's public test keys. A failure is not kept: the next call tries again and
/// says why.
fn cached(stem: &str, slot: &'static OnceLock<Fixture>) -> Result<Fixture> {
    if let Some(fixture) = slot.get() {
        return Ok(fixture.clone());
    }
    let fixture = load(stem)?;
    Ok(slot.get_or_init(|| fixture).clone())
}

fn load(stem: &str) -> Result<Fixture> {
    let missing = || Error::Pem {
        expected: "CERTIFICATE",
        reason: format!("no fixture {stem}"),
    };
    let cert = Cert::parse(file(&format!("{stem}.crt.pem")).ok_or_else(missing)?)?;
    let key = PrivateKey::parse(file(&format!("{stem}.key.pem")).ok_or_else(missing)?)?;
    let (_, public) = cert.public_key()?;
    if public != key.key.verifying_key() {
        return Err(Error::KeyCertificateMismatch);
    }
    Ok(Fixture { key, cert })
}

/// The test CA «УЦ НотариПро (ТЕСТ)» (GOST 2012-256, paramset 256-B), self-signed.
pub fn ca() -> Result<Fixture> {
    static LOADED: OnceLock<Fixture> = OnceLock::new();
    cached("ca", &LOADED)
}

/// Иванов Иван Иванович's current certificate, serial `010101D1010201B6`, issued by the test
/// CA, valid on 2020-02-04; key GOST 2012-256 paramset 256-B (CryptoPro-A).
pub fn owner_current() -> Result<Fixture> {
    static LOADED: OnceLock<Fixture> = OnceLock::new();
    cached("owner-current", &LOADED)
}

/// The same owner's certificate that expired on 2019-12-01 (the expired-certificate path).
pub fn owner_expired() -> Result<Fixture> {
    static LOADED: OnceLock<Fixture> = OnceLock::new();
    cached("owner-expired", &LOADED)
}

/// Another test CA, «Чужой УЦ (ТЕСТ)».
pub fn foreign_ca() -> Result<Fixture> {
    static LOADED: OnceLock<Fixture> = OnceLock::new();
    cached("foreign-ca", &LOADED)
}

/// The same owner's certificate issued by the foreign CA (valid on 2020-02-04).
pub fn owner_foreign() -> Result<Fixture> {
    static LOADED: OnceLock<Fixture> = OnceLock::new();
    cached("owner-foreign", &LOADED)
}

/// A second owner, Петров Пётр Петрович, issued by the test CA (for subject mismatches).
pub fn second_owner() -> Result<Fixture> {
    static LOADED: OnceLock<Fixture> = OnceLock::new();
    cached("second-owner", &LOADED)
}

/// Writes every fixture generated from `seed` into `dir`; returns the paths written.
pub fn regenerate(dir: &Path, seed: u64) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut written = Vec::new();
    for (name, bytes) in generate(seed)? {
        let path = dir.join(name);
        std::fs::write(&path, &*bytes).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}

/// Compares the files in `dir` with what `seed` generates; returns the names that differ or are
/// missing (empty: all match).
pub fn check(dir: &Path, seed: u64) -> Result<Vec<String>> {
    let mut differ = Vec::new();
    for (name, bytes) in generate(seed)? {
        let path = dir.join(name);
        match std::fs::read(&path) {
            Ok(on_disk) if on_disk == *bytes => {}
            Ok(_) => differ.push(name.to_owned()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => differ.push(name.to_owned()),
            Err(source) => return Err(Error::Io { path, source }),
        }
    }
    Ok(differ)
}
