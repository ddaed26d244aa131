//! PKCS#10 requests, the test CA «УЦ НотариПро (ТЕСТ)» and certificates for GOST keys.
//!
//! Everything is built with RustCrypto's `x509-cert` / `der` / `spki` types (no hand-written
//! DER); GOST keys, digests and signatures come from the `gost` crate.
#![forbid(unsafe_code)]

pub mod ca;
pub mod cert;
pub mod encoding;
pub mod error;
pub mod ext;
pub mod fixtures;
pub mod key;
pub mod name;
pub mod reissue;
pub mod request;
pub mod verify;

pub use cert::Cert;
pub use error::{Error, Result};
pub use key::PrivateKey;
pub use request::{Request, RequestInfo, VerifiedRequest};
pub use x509_cert;
