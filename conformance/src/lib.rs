//! The conformance runner: YAML scenarios of the reissue flow, replayed through one bank-client
//! model against the in-process emulator or any PC/SC reader.
//!
//! - [`scenario`]: the format and its loader (serde-saphyr: file, line and column in errors);
//! - [`target`]: what the bank client talks to (APDUs plus buttons, power, pull, restart);
//! - [`session`]: the bank client of `rutoken-client` on a target, with the transcript;
//! - [`runner`]: one scenario on one target; [`suite`]: selection, parallel runs, exit codes;
//! - [`report`]: terminal, JUnit XML, JSON and per-scenario artifacts.
#![forbid(unsafe_code)]
#![deny(clippy::cast_possible_truncation)]

/// The bank client (the `rutoken-client` crate), under its old path.
pub use rutoken_client as client;

pub mod error;
#[cfg(feature = "pkcs11")]
pub mod pkcs11;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod session;
pub mod suite;
pub mod target;
pub mod transcript;

pub use error::Error;
