//! The bank client of one scenario: a [`Driver`] (over APDUs: `rutoken-client`'s
//! [`ApduDriver`] on the scenario's target), with the transcript (every exchange, PINs masked
//! by `rutoken_apdu::mask`), the presses arranged and the SafeTouch screens shown.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};

use rutoken_client::driver::{ApduDriver, Driver, PowerEvent, Press, Reader};
use rutoken_client::{Client, ClientConfig, Transport, TransportError};

use crate::report::{PressRecord, ShownScreen, StepKind};
use crate::scenario::step::PressAction;
use crate::target::Target;
use crate::transcript::Transcript;

/// What a session records besides the driver's answers: the transcript and the presses,
/// shared with the driver's reader (a press is noted at the exchange it answers).
#[derive(Clone, Default)]
pub struct Journal {
    transcript: Arc<Mutex<Transcript>>,
    presses: Arc<Mutex<Vec<PressRecord>>>,
}

impl Journal {
    /// The transcript, locked.
    pub fn transcript(&self) -> std::sync::MutexGuard<'_, Transcript> {
        self.transcript
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Notes a press at the exchange that comes next (the signing command it answers).
    pub fn note_press(&self, press: PressAction) {
        let t = self.transcript();
        self.presses
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(PressRecord {
                press,
                exchange: Some(t.exchanges.len()),
                step: t.step.clone(),
            });
    }
}

/// The client of one scenario.
pub struct Session<'t> {
    driver: Box<dyn Driver + 't>,
    journal: Journal,
    /// Every SafeTouch screen read so far.
    pub screens: Vec<String>,
    /// The same screens for the reports, each at the exchange that showed it.
    pub shown: Vec<ShownScreen>,
    /// The kind of part the transcript's current heading is (`None`: before the first).
    part: Option<StepKind>,
}

impl<'t> Session<'t> {
    /// A session over any driver that records into `journal`.
    pub fn new(driver: Box<dyn Driver + 't>, journal: Journal) -> Self {
        Session {
            driver,
            journal,
            screens: Vec::new(),
            shown: Vec::new(),
            part: None,
        }
    }

    /// The APDU driver on a target, recording every exchange.
    pub fn over_target(target: &'t mut dyn Target, config: &ClientConfig) -> Self {
        let journal = Journal::default();
        let reader = TargetReader {
            target,
            journal: journal.clone(),
        };
        let mut driver = ApduDriver::new(Client::new(reader, config.clone()));
        let secret = driver.secret_marker();
        let recorder = journal.clone();
        driver.client().set_observer(Some(Box::new(move |e| {
            let mut t = recorder.transcript();
            if secret.load(Ordering::SeqCst) {
                t.secret_next = true;
            }
            t.observe(e);
        })));
        Session::new(Box::new(driver), journal)
    }

    /// The driver.
    pub fn driver(&mut self) -> &mut dyn Driver {
        &mut *self.driver
    }

    /// The presses arranged so far (taken).
    pub fn take_presses(&mut self) -> Vec<PressRecord> {
        std::mem::take(
            &mut *self
                .journal
                .presses
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }

    /// How many exchanges the transcript holds.
    pub fn exchanges(&self) -> usize {
        self.journal.transcript().exchanges.len()
    }

    /// The step the next exchanges belong to (transcript headings), and its kind.
    pub fn set_step(&mut self, part: StepKind, step: impl Into<String>) {
        self.part = Some(part);
        self.journal.transcript().step = step.into();
    }

    /// Collects the screens the target showed since the last call; `None`: it cannot read them.
    pub fn collect_screens(&mut self) -> Option<Vec<String>> {
        let shown = self.driver.take_screens()?;
        let (exchange, step) = {
            let t = self.journal.transcript();
            (t.exchanges.len().checked_sub(1), t.step.clone())
        };
        self.shown.extend(shown.iter().map(|text| ShownScreen {
            text: text.clone(),
            exchange,
            step: step.clone(),
            part: self.part,
        }));
        self.screens.extend(shown.iter().cloned());
        Some(shown)
    }

    /// The transcript so far (taken: the session keeps recording into an empty one).
    pub fn take_transcript(&mut self) -> Transcript {
        let mut t = self.journal.transcript();
        let step = t.step.clone();
        let mut taken = std::mem::take(&mut *t);
        t.step = step;
        taken.step.clear();
        taken
    }
}

/// A target as the APDU driver's reader: its presses (noted in the journal), screens and
/// power events.
struct TargetReader<'t> {
    target: &'t mut dyn Target,
    journal: Journal,
}

impl Transport for TargetReader<'_> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.target.transmit(command)
    }
    fn atr(&mut self) -> Result<Vec<u8>, TransportError> {
        self.target.atr()
    }
}

impl Reader for TargetReader<'_> {
    fn arrange_press(
        &mut self,
        press: Press,
        expected_screen: &[String],
    ) -> Result<(), TransportError> {
        let action = press_action(press);
        self.target.arrange_press(action, expected_screen)?;
        self.journal.note_press(action);
        Ok(())
    }
    fn take_screens(&mut self) -> Option<Vec<String>> {
        self.target.take_screens()
    }
    fn power(&mut self, event: PowerEvent) -> Result<(), TransportError> {
        Ok(match event {
            PowerEvent::PowerCycle => self.target.power_cycle(),
            PowerEvent::Reset => self.target.reset(),
            PowerEvent::Pull => self.target.pull(),
            PowerEvent::Insert => self.target.insert(),
            PowerEvent::Restart => self.target.restart(),
        }?)
    }
}

/// The scenario's press as the driver's.
pub fn press(action: PressAction) -> Press {
    match action {
        PressAction::Confirm => Press::Confirm,
        PressAction::Reject => Press::Reject,
        PressAction::Timeout => Press::Timeout,
    }
}

/// The driver's press as the scenario's.
pub fn press_action(press: Press) -> PressAction {
    match press {
        Press::Confirm => PressAction::Confirm,
        Press::Reject => PressAction::Reject,
        Press::Timeout => PressAction::Timeout,
    }
}
