//! `--target pcsc --reader NAME` (crate feature `pcsc`): any PC/SC reader through libpcsclite.
//! Presses, pulls, screens, fresh tokens and restarts come from the emulator's control socket
//! (`--control`), or a person does presses and pulls (`--operator`).

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use rutoken_client::transport::pcsc::PcscTransport;
use rutoken_client::{Transport, TransportError};
use rutoken_sim::control::Request;
use rutoken_sim::token::Fixture;

use super::control::Control;
use super::{Target, TargetError, operator};
use crate::scenario::step::PressAction;
use crate::scenario::{Capability, FixtureName};

/// How long a press waits for the SafeTouch screen to appear.
const PRESS_WAIT: Duration = Duration::from_secs(30);
/// How long pcscd may take to see a card leave or arrive (it polls a vpcd reader every
/// 400 ms, pcsc-lite `PCSCLITE_STATUS_POLL_RATE`; vpcd reconnects with back-off). Ours.
const READER_WAIT: Duration = Duration::from_secs(10);

/// A card in a PC/SC reader: the client's [`PcscTransport`] plus the control socket or a
/// person.
pub struct PcscTarget {
    transport: PcscTransport,
    operator: Option<Duration>,
    control: Option<Control>,
    /// Screens read before a reload cleared the SafeTouch's log, not yet taken.
    screens: Vec<String>,
    /// Never put a fresh token in (`run --keep-token`): the control socket's `load` would
    /// rewrite the emulator's `--image` file.
    pub keep_token: bool,
}

impl PcscTarget {
    /// Finds the reader whose name contains `reader`.
    pub fn open(
        reader: &str,
        control: Option<&Path>,
        operator: bool,
        timeout: Duration,
    ) -> Result<Self, TargetError> {
        let control = control.map(Control::open).transpose()?;
        let transport = PcscTransport::open(reader)?;
        Ok(PcscTarget {
            transport,
            operator: operator.then_some(timeout),
            control,
            screens: Vec::new(),
            keep_token: false,
        })
    }

    /// Puts a fresh token from `fixture` and `seed` in the reader through the control socket
    /// (the scenario's start token: the same as the emulator target's for the same seed).
    pub fn load(&mut self, fixture: FixtureName, seed: u64) -> Result<(), TargetError> {
        let fixture = match fixture {
            FixtureName::Factory => Fixture::Factory,
            FixtureName::Personalised => Fixture::Personalised,
        };
        self.reload(Request::Load { fixture, seed })?;
        // The scenario starts here: earlier screens belong to earlier scenarios.
        self.screens.clear();
        Ok(())
    }

    /// `load` or `restart` through the control socket: the card is pulled first and pcscd
    /// seen to lose it (so `sim` need not hold it out), then replaced, then seen back.
    fn reload(&mut self, request: Request) -> Result<(), TargetError> {
        let Some(control) = self.control.as_mut() else {
            return Err(TargetError::Unsupported(
                "put a fresh token in (needs the emulator's --control)",
            ));
        };
        self.screens
            .extend(control.take_screens().unwrap_or_default());
        self.transport.disconnect();
        control.request(Request::Pull)?;
        self.wait_for_card(false)?;
        let control = self.control.as_mut().ok_or(TargetError::NoCard)?;
        control.request(request)?;
        // The SafeTouch's log starts afresh with the new token.
        control.forget_events();
        self.wait_for_card(true)
    }

    /// Waits until pcscd reports the reader with a card (`present`) or empty.
    fn wait_for_card(&self, present: bool) -> Result<(), TargetError> {
        Ok(self.transport.wait_for_card(present, READER_WAIT)?)
    }

    fn ask(&self, what: &str) -> Result<(), TargetError> {
        match self.operator {
            Some(timeout) => operator::ask(what, timeout),
            None => Err(TargetError::Unsupported("ask a person (use --operator)")),
        }
    }
}

impl Transport for PcscTarget {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.transport.transmit(command)
    }

    fn atr(&mut self) -> Result<Vec<u8>, TransportError> {
        self.transport.atr()
    }
}

impl Target for PcscTarget {
    fn name(&self) -> String {
        format!("pcsc:{}", self.transport.reader().to_string_lossy())
    }

    fn capabilities(&self) -> BTreeSet<Capability> {
        let mut caps = BTreeSet::from([Capability::PowerCycle]);
        if self.control.is_some() {
            caps.extend([
                Capability::Buttons,
                Capability::Screen,
                Capability::Pull,
                Capability::Restart,
            ]);
            if !self.keep_token {
                caps.insert(Capability::FreshToken);
            }
        }
        if self.operator.is_some() {
            caps.insert(Capability::Buttons);
            caps.insert(Capability::Pull);
        }
        caps
    }

    fn connect(&mut self) -> Result<Vec<u8>, TargetError> {
        Ok(self.transport.atr()?)
    }

    fn arrange_press(
        &mut self,
        press: PressAction,
        expected_screen: &[String],
    ) -> Result<(), TargetError> {
        if let Some(control) = &self.control {
            // The signing command blocks in SCardTransmit while the screen waits; a thread
            // presses once it does. The emulator's time-out is simulated, not waited for.
            let request = match press {
                PressAction::Confirm => Request::Confirm,
                PressAction::Reject => Request::Reject,
                PressAction::Timeout => Request::TimeOut,
            };
            control.press_when_waiting(request, PRESS_WAIT);
            return Ok(());
        }
        // The signing command blocks in SCardTransmit while the person reads and presses, so
        // the instruction comes first and needs no confirmation.
        if self.operator.is_none() {
            return Err(TargetError::Unsupported(
                "press the SafeTouch's buttons (use --operator)",
            ));
        }
        eprintln!(
            "\n>>> {}",
            operator::press_instruction(press, expected_screen)
        );
        Ok(())
    }

    fn take_screens(&mut self) -> Option<Vec<String>> {
        let mut screens = std::mem::take(&mut self.screens);
        screens.extend(self.control.as_mut().and_then(Control::take_screens)?);
        Some(screens)
    }

    fn power_cycle(&mut self) -> Result<(), TargetError> {
        Ok(self.transport.power_cycle()?)
    }

    fn pull(&mut self) -> Result<(), TargetError> {
        self.transport.disconnect();
        match &self.control {
            Some(control) => control.request(Request::Pull).map(|_| ())?,
            None => self.ask("Pull the token out of the SafeTouch.")?,
        }
        self.wait_for_card(false)
    }

    fn insert(&mut self) -> Result<(), TargetError> {
        self.transport.disconnect();
        match &self.control {
            Some(control) => control.request(Request::Insert).map(|_| ())?,
            None => self.ask("Insert the token into the SafeTouch again.")?,
        }
        self.wait_for_card(true)
    }

    fn restart(&mut self) -> Result<(), TargetError> {
        if self.control.is_none() {
            return Err(TargetError::Unsupported(
                "restart a real token (needs the emulator's --control)",
            ));
        }
        self.reload(Request::Restart)
    }
}
