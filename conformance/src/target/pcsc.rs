//! `--target pcsc --reader NAME` (crate feature `pcsc`): any PC/SC reader through libpcsclite.
//! Presses, pulls and screens come from the emulator's control socket (`--control`), or a
//! person does them (`--operator`).

use std::collections::BTreeSet;
use std::ffi::CString;
use std::path::Path;
use std::time::Duration;

use pcsc::{Context, Disposition, Protocols, Scope, ShareMode};

use rutoken_sim::control::Request;

use super::control::Control;
use super::{Target, TargetError, operator};

/// How long a press waits for the SafeTouch screen to appear.
const PRESS_WAIT: Duration = Duration::from_secs(30);
use crate::scenario::Capability;
use crate::scenario::step::PressAction;

/// A card in a PC/SC reader.
pub struct PcscTarget {
    context: Context,
    reader: CString,
    card: Option<pcsc::Card>,
    operator: Option<Duration>,
    control: Option<Control>,
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
        })
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
            caps.extend([Capability::Buttons, Capability::Screen, Capability::Pull]);
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
            // presses once it does. A time-out is no press at all.
            let request = match press {
                PressAction::Confirm => Request::Confirm,
                PressAction::Reject => Request::Reject,
                PressAction::Timeout => return Ok(()),
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
        self.control.as_mut().and_then(Control::take_screens)
    }

    fn power_cycle(&mut self) -> Result<(), TargetError> {
        self.card()?;
        let card = self.card.as_mut().ok_or(TargetError::NoCard)?;
        card.reconnect(ShareMode::Shared, Protocols::ANY, Disposition::UnpowerCard)
            .map_err(transport)
    }

    fn pull(&mut self) -> Result<(), TargetError> {
        match &self.control {
            Some(control) => control.request(Request::Pull).map(|_| ())?,
            None => self.ask("Pull the token out of the SafeTouch.")?,
        }
        self.card = None;
        Ok(())
    }

    fn insert(&mut self) -> Result<(), TargetError> {
        match &self.control {
            Some(control) => control.request(Request::Insert).map(|_| ())?,
            None => self.ask("Insert the token into the SafeTouch again.")?,
        }
        self.card = None;
        Ok(())
    }

    fn restart(&mut self) -> Result<(), TargetError> {
        Err(TargetError::Unsupported("restart a real token"))
    }
}
