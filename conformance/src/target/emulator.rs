//! `--target emulator`: a fresh in-memory token per scenario inside a SafeTouch with scripted
//! buttons, in process (no pcscd).

use std::collections::BTreeSet;
use std::path::Path;

use super::{Target, TargetError};
use crate::scenario::step::PressAction;
use crate::scenario::{Capability, FixtureName};

/// What the run says while `rutoken_sim::token::Token` has not landed on `main`.
pub const NOT_MERGED: &str =
    "the emulator target needs rutoken_sim::token::Token and rutoken_sim::safetouch, which are not merged yet";

/// The in-process token and SafeTouch.
pub struct EmulatorTarget {
    _private: (),
}

impl EmulatorTarget {
    /// A fresh token from `fixture`, seeded, with the device profile at `profile` (default
    /// profile if `None`).
    pub fn open(fixture: FixtureName, seed: u64, profile: Option<&Path>) -> Result<Self, TargetError> {
        let _ = (fixture, seed, profile);
        Err(TargetError::Transport(NOT_MERGED.to_owned()))
    }
}

impl Target for EmulatorTarget {
    fn name(&self) -> String {
        "emulator".to_owned()
    }
    fn capabilities(&self) -> BTreeSet<Capability> {
        BTreeSet::new()
    }
    fn connect(&mut self) -> Result<Vec<u8>, TargetError> {
        Err(TargetError::Transport(NOT_MERGED.to_owned()))
    }
    fn transmit(&mut self, _command: &[u8]) -> Result<Vec<u8>, TargetError> {
        Err(TargetError::Transport(NOT_MERGED.to_owned()))
    }
    fn arrange_press(&mut self, _press: PressAction, _screen: &[String]) -> Result<(), TargetError> {
        Err(TargetError::Transport(NOT_MERGED.to_owned()))
    }
    fn take_screens(&mut self) -> Option<Vec<String>> {
        None
    }
    fn power_cycle(&mut self) -> Result<(), TargetError> {
        Err(TargetError::Transport(NOT_MERGED.to_owned()))
    }
    fn pull(&mut self) -> Result<(), TargetError> {
        Err(TargetError::Transport(NOT_MERGED.to_owned()))
    }
    fn insert(&mut self) -> Result<(), TargetError> {
        Err(TargetError::Transport(NOT_MERGED.to_owned()))
    }
    fn restart(&mut self) -> Result<(), TargetError> {
        Err(TargetError::Transport(NOT_MERGED.to_owned()))
    }
}
