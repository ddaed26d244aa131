//! What the bank client talks to: a card behind a reader (a [`Transport`] of the
//! `rutoken-client` crate), plus what a person (or a control channel) can do to it: presses,
//! power, pulls, restarts. Every target gets exactly the same APDUs from the client, so
//! transcripts of the emulator and of a real token can be diffed.

pub mod control;
pub mod emulator;
pub mod operator;
#[cfg(feature = "pcsc")]
pub mod pcsc;

use std::collections::BTreeSet;

use rutoken_client::{Transport, TransportError};

use crate::scenario::Capability;
use crate::scenario::step::PressAction;

/// Why a target operation failed (not a wrong answer from the card: a transport failure).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// The token is not in the reader (pulled).
    #[error("no card in the reader")]
    NoCard,
    /// The target cannot do this (a scenario should have declared it in `needs`).
    #[error("the target cannot {0}")]
    Unsupported(&'static str),
    /// The transport failed (PC/SC error, control socket closed, emulator missing).
    #[error("{0}")]
    Transport(String),
    /// A person did not act in time.
    #[error("the operator did not answer within {0} s")]
    OperatorTimeout(u64),
    /// The emulator's control socket failed (presses, power, fresh tokens through pcscd).
    #[error(transparent)]
    Control(#[from] ControlError),
    /// The operator's terminal cannot be read as the runner needs.
    #[error(transparent)]
    OperatorInput(#[from] OperatorInput),
}

/// What went wrong with the emulator's control socket ([`control::Control`]). The texts inside
/// are the system's, serde's or the emulator's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ControlError {
    /// Connecting, writing or reading failed.
    #[error("control socket {path}: {reason}")]
    Io {
        /// The socket's path.
        path: String,
        /// The system error.
        reason: String,
    },
    /// The request did not encode (a bug of the runner).
    #[error("cannot encode a control request: {0}")]
    Encode(String),
    /// The reply is not the protocol's JSON.
    #[error("control socket reply \"{reply}\": {reason}")]
    Reply {
        /// The line that came.
        reply: String,
        /// Why it does not parse.
        reason: String,
    },
    /// The emulator answered `ok: false`.
    #[error("control socket refused {request}: {reason}")]
    Refused {
        /// The request sent (JSON; presses, power and fixtures, never PINs).
        request: String,
        /// The emulator's reason.
        reason: String,
    },
}

/// What is wrong with the operator's terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OperatorInput {
    /// `stty -echo` failed: a PIN typed would be shown.
    #[error(
        "cannot turn the terminal's echo off to ask for a PIN (stty failed); give it with \
         --user-pin / --admin-pin"
    )]
    EchoStaysOn,
    /// The thread reading stdin panicked.
    #[error("the operator's input broke")]
    Broken,
    /// stdin reached its end.
    #[error("the operator's input (stdin) is closed")]
    Closed,
}

impl From<TransportError> for TargetError {
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::CardRemoved => TargetError::NoCard,
            TransportError::Unsupported(what) => TargetError::Unsupported(what),
            e => TargetError::Transport(e.to_string()),
        }
    }
}

impl From<TargetError> for TransportError {
    fn from(e: TargetError) -> Self {
        match e {
            TargetError::NoCard => TransportError::CardRemoved,
            TargetError::Unsupported(what) => TransportError::Unsupported(what),
            e => TransportError::Other(e.to_string()),
        }
    }
}

impl From<TargetError> for rutoken_client::ClientError {
    fn from(e: TargetError) -> Self {
        TransportError::from(e).into()
    }
}

/// A card in a reader, as the bank client sees it: APDUs through [`Transport`], and the
/// reader's other actions here.
pub trait Target: Transport {
    /// A short name for reports (`emulator`, `pcsc:<reader>`).
    fn name(&self) -> String;
    /// What besides APDUs this target can do.
    fn capabilities(&self) -> BTreeSet<Capability>;
    /// Powers the card (if needed) and returns its ATR.
    fn connect(&mut self) -> Result<Vec<u8>, TargetError>;
    /// Arranges the SafeTouch press for the next signing command. `expected_screen` is what
    /// the scenario expects it to show (an operator is told; the emulator ignores it).
    fn arrange_press(
        &mut self,
        press: PressAction,
        expected_screen: &[String],
    ) -> Result<(), TargetError>;
    /// The screens shown since the last call, rendered text (`None`: the target cannot read its
    /// screen).
    fn take_screens(&mut self) -> Option<Vec<String>>;
    /// Cut and restore the power.
    fn power_cycle(&mut self) -> Result<(), TargetError>;
    /// A warm reset: the card starts over with its power kept.
    fn reset(&mut self) -> Result<(), TargetError>;
    /// Pull the token out.
    fn pull(&mut self) -> Result<(), TargetError>;
    /// Insert the token again (and power it).
    fn insert(&mut self) -> Result<(), TargetError>;
    /// Restart the emulator from its image.
    fn restart(&mut self) -> Result<(), TargetError>;
    /// Whether scenarios that can block a PIN or delete objects may run (`false`: a real token
    /// without `--allow-destructive`).
    fn destructive_allowed(&self) -> bool {
        true
    }
}
