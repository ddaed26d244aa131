//! The virtual Rutoken ECP 2.0: file system, PINs, GOST keys, the APDU engine and the image file.
//!
//! The reference is `shared/spec/rutoken-ecp-apdu.md` (OpenSC 0.23's view of the card); every
//! choice the reference leaves open is a field of [`TokenProfile`] and a row of
//! `docs/assumptions.md`. Commands are parsed into a [`command::Request`] (a
//! [`command::Command`], whose row in `command.rs` holds everything the engine knows about it),
//! their fields decoded into a typed [`command::Op`] (`operand.rs`), then executed; status words
//! are the error type at the card boundary.

pub mod access;
pub mod command;
mod commands;
mod durable;
mod engine;
pub mod error;
pub mod fcp;
pub mod fixture;
pub mod fs;
pub mod image;
pub mod key;
pub mod operand;
pub mod pin;
pub mod rsa;
pub mod secret;
pub mod shell;
pub mod state;
pub mod status;
pub mod storage;
pub mod summary;
pub mod symmetric;

use std::path::Path;
use std::sync::Arc;

pub use error::TokenError;
pub use fixture::Fixture;
pub use rutoken_device::profile::TokenProfile;
pub use rutoken_device::profile::token as profile;

pub use summary::Summary;

use rutoken_apdu::StatusWord;

use self::durable::Durable;
use self::state::Session;
use self::storage::{FileStorage, ImageStorage};
use crate::card::Card;

/// The random source: seeded (reproducible in-memory runs) or the OS. Built on first use.
enum RngSource {
    Seeded(u64),
    Os,
}

/// A virtual Rutoken ECP 2.0.
pub struct Token {
    profile: TokenProfile,
    /// Handlers change it through `state.make_mut()`, which tells the engine to write the
    /// image.
    state: Durable,
    session: Session,
    storage: Option<Box<dyn ImageStorage>>,
    rng_source: RngSource,
    rng: Option<gost::Rng>,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("serial", &hex::encode(self.state.serial))
            .field("finalised", &self.state.finalised)
            .field(
                "image",
                &self.storage.as_ref().map(|s| s.path().to_path_buf()),
            )
            .finish_non_exhaustive()
    }
}

impl Token {
    fn new(
        state: Durable,
        profile: TokenProfile,
        storage: Option<Box<dyn ImageStorage>>,
        rng: RngSource,
    ) -> Token {
        Token {
            profile,
            state,
            session: Session::default(),
            storage,
            rng_source: rng,
            rng: None,
        }
    }

    /// A token that lives only in memory (no disk), built from a fixture. Its random numbers are
    /// seeded from `seed` too, so a run is reproducible.
    pub fn in_memory(
        fixture: Fixture,
        seed: u64,
        profile: TokenProfile,
    ) -> Result<Token, TokenError> {
        let state = fixture::build(fixture, seed, &profile)?;
        Ok(Token::new(
            Durable::new(state),
            profile,
            None,
            RngSource::Seeded(seed),
        ))
    }

    /// Creates the image file at `path` from a fixture (refusing an existing file) and returns
    /// the token backed by it.
    pub fn create_image(
        path: &Path,
        fixture: Fixture,
        seed: u64,
        profile: TokenProfile,
    ) -> Result<Token, TokenError> {
        Token::create_image_with(path, fixture, seed, profile, false)
    }

    /// As [`Token::create_image`]; with `overwrite`, an existing file is replaced atomically.
    pub fn create_image_with(
        path: &Path,
        fixture: Fixture,
        seed: u64,
        profile: TokenProfile,
        overwrite: bool,
    ) -> Result<Token, TokenError> {
        if !overwrite && path.exists() {
            return Err(TokenError::Exists(path.to_path_buf()));
        }
        Token::create_in(Box::new(FileStorage::new(path)), fixture, seed, profile)
    }

    /// Writes a fixture's image through any [`ImageStorage`] (replacing what it holds) and
    /// returns the token backed by it.
    pub fn create_in(
        mut storage: Box<dyn ImageStorage>,
        fixture: Fixture,
        seed: u64,
        profile: TokenProfile,
    ) -> Result<Token, TokenError> {
        let state = Arc::new(fixture::build(fixture, seed, &profile)?);
        // Through `store`, as every later change: a storage in memory keeps the state and
        // encodes it when read (the fixture's image was 4 % of an in-process flow).
        storage.store(&state).map_err(|source| TokenError::Io {
            path: storage.path().to_path_buf(),
            source,
        })?;
        Ok(Token::new(
            Durable::shared(state),
            profile,
            Some(storage),
            RngSource::Os,
        ))
    }

    /// Opens an existing image. A corrupt, truncated or newer image is an error naming the file
    /// and the file is not touched.
    pub fn open_image(path: &Path, profile: TokenProfile) -> Result<Token, TokenError> {
        Token::open_storage(Box::new(FileStorage::new(path)), profile)
    }

    /// Opens an image through any [`ImageStorage`] (tests inject crashes this way).
    pub fn open_storage(
        mut storage: Box<dyn ImageStorage>,
        profile: TokenProfile,
    ) -> Result<Token, TokenError> {
        let path = storage.path().to_path_buf();
        let bytes = storage.read().map_err(|source| TokenError::Io {
            path: path.clone(),
            source,
        })?;
        let state = image::decode(&bytes, &path)?;
        Ok(Token::new(
            Durable::new(state),
            profile,
            Some(storage),
            RngSource::Os,
        ))
    }

    /// The image bytes of the current state (what the image file would hold).
    pub fn snapshot(&self) -> Result<Vec<u8>, TokenError> {
        image::encode(&self.state)
    }

    /// An in-memory token from image bytes: an in-process "restart the emulator".
    pub fn from_snapshot(bytes: &[u8], profile: TokenProfile) -> Result<Token, TokenError> {
        let state = image::decode(bytes, Path::new("<snapshot>"))?;
        Ok(Token::new(
            Durable::new(state),
            profile,
            None,
            RngSource::Os,
        ))
    }

    /// The same token with its random numbers drawn from `seed` (a reproducible run over an
    /// image file; `open_image` draws from the OS).
    pub fn seeded(mut self, seed: u64) -> Token {
        self.rng_source = RngSource::Seeded(seed);
        self.rng = None;
        self
    }

    /// What `token show` prints: files, PIN counters, keys, certificates; never a secret.
    pub fn summary(&self) -> Summary {
        summary::summarise(&self.state, &self.profile)
    }

    /// The 8-byte serial (GET DATA `01 81`).
    pub fn serial(&self) -> [u8; 8] {
        self.state.serial
    }

    fn rng(&mut self) -> &mut gost::Rng {
        let source = &self.rng_source;
        self.rng.get_or_insert_with(|| match source {
            RngSource::Seeded(seed) => gost::Rng::from_seed(*seed),
            RngSource::Os => gost::Rng::from_os(),
        })
    }

    /// Writes the image now (no-op without storage) and clears the write-aside mark. On
    /// failure the old image is in place and the caller restores the state.
    fn persist(&mut self) -> Result<(), StatusWord> {
        self.state.take_dirty();
        let Some(storage) = self.storage.as_mut() else {
            return Ok(());
        };
        storage
            .store(&self.state.share())
            .map_err(|_| StatusWord::MEMORY_FAILURE)
    }
}

impl Card for Token {
    fn atr(&self) -> Vec<u8> {
        self.profile.effective_atr().to_vec()
    }
    fn power_off(&mut self) {
        self.session = Session::default();
    }
    fn reset(&mut self) {
        self.session = Session::default();
    }
    fn transmit(&mut self, command: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(40);
        let sw = self.process(command, &mut out);
        out.extend_from_slice(&sw.to_bytes());
        out
    }
}
