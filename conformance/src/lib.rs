//! The conformance runner: YAML scenarios of the reissue flow, replayed through one bank-client
//! model against the in-process emulator or any PC/SC reader.
//!
//! - [`scenario`]: the format and its loader (serde-saphyr: file, line and column in errors);
//! - [`target`]: what the bank client talks to (APDUs plus buttons, power, pull, restart);
//! - [`client`]: the bank client, one implementation of the flow over APDUs for every target;
//! - [`runner`]: one scenario on one target; [`suite`]: selection, parallel runs, exit codes;
//! - [`report`]: terminal, JUnit XML, JSON and per-scenario artifacts.
#![forbid(unsafe_code)]

pub mod apdu;
pub mod client;
pub mod error;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod suite;
pub mod target;
pub mod tlv;
pub mod transcript;

pub use error::Error;
