//! `--target pcsc --reader NAME` (crate feature `pcsc`): any PC/SC reader through libpcsclite.
//! Presses, pulls, screens, fresh tokens and restarts come from the emulator's control socket
//! (`--control`), or a person does presses and pulls (`--operator`).

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use rutoken_client::transport::pcsc::PcscTransport;
use rutoken_client::{Transport, TransportError};
use rutoken_sim::control::Request;
use rutoken_sim::safetouch::{SafeTouchProfile, Screen};
use rutoken_sim::token::Fixture;

use super::control::Control;
use super::operator::guard::PinGuard;
use super::operator::shown::HashWatch;
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
    /// `--allow-destructive` (always true with a control socket: the emulator's token).
    allow_destructive: bool,
    /// The operator's answer to the screen question of the press under way.
    observation: Option<std::thread::JoinHandle<Result<String, TargetError>>>,
    control: Option<Control>,
    /// Screens read before a reload cleared the SafeTouch's log, not yet taken.
    screens: Vec<String>,
    /// Never put a fresh token in (`run --keep-token`): the control socket's `load` would
    /// rewrite the emulator's `--image` file.
    pub keep_token: bool,
    /// A real token without `--allow-destructive`: the first PIN refused stops the run.
    guard: Option<PinGuard>,
    /// The operator's view of the SafeTouch: the data hashed, laid out as the device will.
    watch: HashWatch,
    /// The SafeTouch's profile (`--profile`): its screen size, titles and policies.
    safetouch: SafeTouchProfile,
    /// The press the scenario arranged for the next signature, and whether it checks the
    /// screen (then the operator is asked whether the device shows the drawn one).
    pending: Option<(PressAction, bool)>,
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
            allow_destructive: true,
            observation: None,
            control,
            screens: Vec::new(),
            keep_token: false,
            guard: None,
            watch: HashWatch::default(),
            safetouch: SafeTouchProfile::default(),
            pending: None,
        })
    }

    /// Watches every VERIFY: the first PIN the token refuses stops the run (a real token without
    /// `--allow-destructive`).
    pub fn guard(&mut self, guard: PinGuard) {
        self.guard = Some(guard);
    }

    /// The SafeTouch profile the operator's screens are laid out by.
    pub fn safetouch(&mut self, profile: SafeTouchProfile) {
        self.safetouch = profile;
    }

    /// The profile's key codes (`token.gost_key_codes`, in `config`): which digest the token
    /// hashes with for the key selected, so a hash screen shows the digest the device will.
    pub fn key_codes(&mut self, config: rutoken_client::ClientConfig) {
        self.watch = HashWatch::new(config);
    }

    /// A person at a real token (no control socket).
    fn person(&self) -> Option<Duration> {
        self.operator.filter(|_| self.control.is_none())
    }

    /// Before the signature the SafeTouch holds: the screen it will show, every page, drawn by
    /// the emulator's renderer; the instruction; and, when the scenario checks the screen, the
    /// question whether the device shows the same (answered on a thread while the command
    /// waits in SCardTransmit for the press; joined in `take_screens`).
    fn show(&mut self, screen: &Screen, timeout: Duration) {
        let pending = self.pending.take();
        let instruction = match pending {
            Some((press, _)) => operator::press_instruction(press, &[]),
            None => "The scenario arranged no press for this signature: press Reject («Отказать»)."
                .to_owned(),
        };
        eprintln!(
            "\n>>> The SafeTouch will show:\n{}",
            operator::screen::draw_screen(screen)
        );
        if !matches!(pending, Some((_, true))) {
            eprintln!(">>> {instruction}");
            return;
        }
        eprintln!("    Does it show the same? [y/n] (every page)");
        let screen = screen.clone();
        self.observation = Some(std::thread::spawn(move || {
            let same = operator::stdin::yes_no(timeout)?;
            eprintln!(">>> {instruction}");
            Ok(operator::screen::observed(&screen, same))
        }));
    }

    /// Gates scenarios that can block a PIN or delete objects (a real token: no control socket).
    pub fn allow_destructive(&mut self, allow: bool) {
        self.allow_destructive = allow || self.control.is_some();
    }

    /// Puts a fresh token from `fixture` and `seed` in the reader through the control socket
    /// (the scenario's start token: the same as the emulator target's for the same seed). The
    /// emulator swaps it in place; this target then lets its handle go with
    /// `SCARD_RESET_CARD`, so pcscd and every other handle see a reset, not a removal: no
    /// presence polls to wait for.
    pub fn load(&mut self, fixture: FixtureName, seed: u64) -> Result<(), TargetError> {
        let fixture = match fixture {
            FixtureName::Factory => Fixture::Factory,
            FixtureName::Personalised => Fixture::Personalised,
        };
        let Some(control) = self.control.as_mut() else {
            return Err(TargetError::Unsupported(
                "put a fresh token in (needs the emulator's --control)",
            ));
        };
        control.request(Request::Load { fixture, seed })?;
        // The SafeTouch's log starts afresh with the new token; the scenario starts here, and
        // earlier screens belong to earlier scenarios.
        control.forget_events();
        self.screens.clear();
        // The old handle goes with `SCARD_RESET_CARD` (the pcsc crate's disconnect); the next
        // command connects afresh. A token that was pulled is back in: wait until pcscd has it
        // (at once otherwise).
        self.transport.disconnect();
        self.wait_for_card(true)
    }

    /// `restart` through the control socket: the card is pulled first and pcscd seen to lose it,
    /// then restarted, then seen back.
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
        if let Some(why) = self.guard.as_ref().and_then(PinGuard::stopped) {
            return Err(TransportError::Other(format!("not sent: {why}")));
        }
        if let Some(timeout) = self.person()
            && let Some(shown) = self.watch.before(command, &self.safetouch)
        {
            match shown {
                Some(screen) => self.show(&screen, timeout),
                // The device passes or refuses a bare hash without a screen: no press to ask.
                None => self.pending = None,
            }
        }
        let response = self.transport.transmit(command)?;
        self.watch.after(&response);
        if let Some(guard) = &self.guard {
            guard.observe(command, &response);
        }
        Ok(response)
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
        let mut caps = BTreeSet::from([Capability::PowerCycle, Capability::Reset]);
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
            // The operator compares the device's screen with the expected one (y/n).
            caps.insert(Capability::Screen);
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
            let request: fn(u64) -> Request = match press {
                PressAction::Confirm => |id| Request::Confirm { id },
                PressAction::Reject => |id| Request::Reject { id },
                PressAction::Timeout => |id| Request::TimeOut { id },
            };
            control.press_when_waiting(request, PRESS_WAIT);
            return Ok(());
        }
        // The screen is drawn when the signing command goes out (`transmit`): from the data the
        // token hashed, as the device lays it out. A scenario that expects a screen has the
        // operator compare it.
        if self.operator.is_none() {
            return Err(TargetError::Unsupported(
                "press the SafeTouch's buttons (use --operator)",
            ));
        }
        self.pending = Some((press, !expected_screen.is_empty()));
        Ok(())
    }

    fn take_screens(&mut self) -> Option<Vec<String>> {
        if self.control.is_none() && self.operator.is_some() {
            // The operator's observations stand for the screens (and go into the report).
            let observed = match self.observation.take().map(std::thread::JoinHandle::join) {
                Some(Ok(Ok(text))) => vec![text],
                Some(Ok(Err(e))) => vec![format!("operator observation: none ({e})")],
                Some(Err(_)) => vec!["operator observation: none (the question failed)".to_owned()],
                None => Vec::new(),
            };
            return Some(observed);
        }
        let mut screens = std::mem::take(&mut self.screens);
        screens.extend(self.control.as_mut().and_then(Control::take_screens)?);
        Some(screens)
    }

    fn power_cycle(&mut self) -> Result<(), TargetError> {
        Ok(self.transport.power_cycle()?)
    }

    fn reset(&mut self) -> Result<(), TargetError> {
        Ok(self.transport.reset()?)
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

    fn destructive_allowed(&self) -> bool {
        self.allow_destructive
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
