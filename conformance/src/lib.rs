//! The conformance runner: YAML scenarios of the reissue flow, replayed through one bank-client
//! model against the in-process emulator or any PC/SC reader.
#![forbid(unsafe_code)]
