//! `--target pcsc --reader NAME` (crate feature `pcsc`): any PC/SC reader through libpcsclite.
//! Presses, pulls, screens, fresh tokens and restarts come from the emulator's control socket
//! (`--control`), or a person does presses and pulls (`--operator`).

use std::collections::BTreeSet;
use std::ffi::CString;
use std::path::Path;
use std::time::{Duration, Instant};

use pcsc::{Context, Disposition, Protocols, ReaderState, Scope, ShareMode, State};

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

/// A card in a PC/SC reader.
pub struct PcscTarget {
    context: Context,
    reader: CString,
    card: Option<pcsc::Card>,
    operator: Option<Duration>,
    control: Option<Control>,
    /// Screens read before a reload cleared the SafeTouch's log, not yet taken.
    screens: Vec<String>,
    /// Never put a fresh token in (`run --keep-token`): the control socket's `load` would
    /// rewrite the emulator's `--image` file.
    pub keep_token: bool,
}

fn transport(e: pcsc::Error) -> TargetError {
    TargetError::Transport(format!("PC/SC: {e}"))
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
        let context = Context::establish(Scope::User).map_err(transport)?;
        let readers = context.list_readers_owned().map_err(transport)?;
        // An exact name wins over substrings (vpcd lists "Virtual PCD 00 00" and "… 00 01").
        let exact: Vec<CString> = readers
            .iter()
            .filter(|r| r.to_string_lossy() == reader)
            .cloned()
            .collect();
        let readers = if exact.is_empty() { readers } else { exact };
        let matching: Vec<CString> = readers
            .into_iter()
            .filter(|r| r.to_string_lossy().contains(reader))
            .collect();
        let reader = match matching.as_slice() {
            [one] => one.clone(),
            [] => {
                return Err(TargetError::Transport(format!(
                    "no PC/SC reader named like {reader:?}"
                )));
            }
            many => {
                return Err(TargetError::Transport(format!(
                    "{} readers match {reader:?}: {}",
                    many.len(),
                    many.iter()
                        .map(|r| r.to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        };
        Ok(PcscTarget {
            context,
            reader,
            card: None,
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
        self.card = None;
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
        let deadline = Instant::now() + READER_WAIT;
        let mut states = [ReaderState::new(self.reader.clone(), State::UNAWARE)];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.context.get_status_change(left, &mut states) {
                Ok(()) => {}
                Err(pcsc::Error::Timeout) => {
                    return Err(TargetError::Transport(format!(
                        "the reader did not report the card {} within {} s",
                        if present { "inserted" } else { "removed" },
                        READER_WAIT.as_secs()
                    )));
                }
                Err(e) => return Err(transport(e)),
            }
            let now = states[0].event_state();
            let done = if present {
                now.contains(State::PRESENT) && !now.contains(State::MUTE)
            } else {
                now.contains(State::EMPTY)
            };
            if done {
                return Ok(());
            }
            states[0].sync_current_state();
        }
    }

    fn card(&mut self) -> Result<&pcsc::Card, TargetError> {
        if self.card.is_none() {
            let card = self
                .context
                .connect(&self.reader, ShareMode::Shared, Protocols::ANY)
                .map_err(|e| {
                    if e == pcsc::Error::NoSmartcard {
                        TargetError::NoCard
                    } else {
                        transport(e)
                    }
                })?;
            self.card = Some(card);
        }
        self.card.as_ref().ok_or(TargetError::NoCard)
    }

    fn ask(&self, what: &str) -> Result<(), TargetError> {
        match self.operator {
            Some(timeout) => operator::ask(what, timeout),
            None => Err(TargetError::Unsupported("ask a person (use --operator)")),
        }
    }
}

impl Target for PcscTarget {
    fn name(&self) -> String {
        format!("pcsc:{}", self.reader.to_string_lossy())
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
        let card = self.card()?;
        let status = card.status2_owned().map_err(transport)?;
        Ok(status.atr().to_vec())
    }

    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TargetError> {
        let card = self.card()?;
        let mut buf = [0u8; pcsc::MAX_BUFFER_SIZE];
        let answer = card.transmit(command, &mut buf).map_err(|e| match e {
            pcsc::Error::RemovedCard | pcsc::Error::NoSmartcard => TargetError::NoCard,
            e => transport(e),
        })?;
        Ok(answer.to_vec())
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
        self.card()?;
        let card = self.card.as_mut().ok_or(TargetError::NoCard)?;
        card.reconnect(ShareMode::Shared, Protocols::ANY, Disposition::UnpowerCard)
            .map_err(transport)
    }

    fn pull(&mut self) -> Result<(), TargetError> {
        self.card = None;
        match &self.control {
            Some(control) => control.request(Request::Pull).map(|_| ())?,
            None => self.ask("Pull the token out of the SafeTouch.")?,
        }
        self.wait_for_card(false)
    }

    fn insert(&mut self) -> Result<(), TargetError> {
        self.card = None;
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
