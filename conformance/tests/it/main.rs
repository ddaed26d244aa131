//! Integration tests of the conformance runner: the suite's exit codes and reports against a
//! stand-in card, the scenario files and their schema, and every scenario on the emulator.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failed setup should stop the test"
)]

mod emulator;
mod fake_card;
mod html;
mod reports;
mod scenarios;
mod secret_commands;
mod start_state;
mod support;
