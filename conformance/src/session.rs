//! The bank client of one scenario: `rutoken-client`'s [`Client`] on the scenario's target,
//! with the transcript (every exchange, PINs masked by `rutoken_apdu::mask`) and the SafeTouch
//! screens the target showed.

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, PoisonError};

use rutoken_apdu::Response;
use rutoken_client::{Client, ClientConfig, ClientError};

use crate::report::{PressRecord, ShownScreen};
use crate::scenario::step::PressAction;
use crate::target::Target;
use crate::transcript::Transcript;

/// The client of one scenario.
pub struct Session<'t> {
    client: Client<&'t mut dyn Target>,
    transcript: Arc<Mutex<Transcript>>,
    /// Every SafeTouch screen read so far.
    pub screens: Vec<String>,
    /// The same screens for the reports, each at the exchange that showed it.
    pub shown: Vec<ShownScreen>,
    /// The presses arranged, each at the exchange (the signing command) it answers.
    presses: Arc<Mutex<Vec<PressRecord>>>,
}

impl<'t> Session<'t> {
    /// A client on a target, recording every exchange.
    pub fn new(target: &'t mut dyn Target, config: &ClientConfig) -> Self {
        let transcript = Arc::new(Mutex::new(Transcript::default()));
        let recorder = Arc::clone(&transcript);
        let client = Client::new(target, config.clone()).with_observer(Box::new(move |e| {
            recorder
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .observe(e);
        }));
        Session {
            client,
            transcript,
            screens: Vec::new(),
            shown: Vec::new(),
            presses: Arc::default(),
        }
    }

    /// The client's `before_signing` hook: arranges `press` on the target and notes it at the
    /// exchange that comes next — the signing command it answers.
    pub fn arranger(
        &self,
        press: PressAction,
        expected_screen: &[String],
    ) -> impl FnMut(&mut &'t mut dyn Target) -> Result<(), ClientError> + use<'t> {
        let transcript = Arc::clone(&self.transcript);
        let presses = Arc::clone(&self.presses);
        let expected: Vec<String> = expected_screen.to_vec();
        move |target| {
            target.arrange_press(press, &expected)?;
            let t = transcript.lock().unwrap_or_else(PoisonError::into_inner);
            presses
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(PressRecord {
                    press,
                    exchange: Some(t.exchanges.len()),
                    step: t.step.clone(),
                });
            Ok(())
        }
    }

    /// The presses arranged so far (taken).
    pub fn take_presses(&mut self) -> Vec<PressRecord> {
        std::mem::take(&mut *self.presses.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// How many exchanges the transcript holds.
    pub fn exchanges(&self) -> usize {
        self.transcript_mut().exchanges.len()
    }

    fn transcript_mut(&self) -> std::sync::MutexGuard<'_, Transcript> {
        self.transcript
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The step the next exchanges belong to (transcript headings).
    pub fn set_step(&mut self, step: impl Into<String>) {
        self.transcript_mut().step = step.into();
    }

    /// The target, for presses, power and pulls.
    pub fn target(&mut self) -> &mut dyn Target {
        &mut **self.client.transport()
    }

    /// Sends raw bytes (a scenario's raw APDU step); `secret` masks the data in the transcript.
    pub fn send_raw(&mut self, bytes: &[u8], secret: bool) -> Result<Response, ClientError> {
        self.transcript_mut().secret_next = secret;
        let r = self.client.transmit_raw(bytes);
        self.transcript_mut().secret_next = false;
        r
    }

    /// Collects the screens the target showed since the last call; `None`: it cannot read them.
    pub fn collect_screens(&mut self) -> Option<Vec<String>> {
        let shown = self.target().take_screens()?;
        let (exchange, step) = {
            let t = self.transcript_mut();
            (t.exchanges.len().checked_sub(1), t.step.clone())
        };
        self.shown.extend(shown.iter().map(|text| ShownScreen {
            text: text.clone(),
            exchange,
            step: step.clone(),
        }));
        self.screens.extend(shown.iter().cloned());
        Some(shown)
    }

    /// The transcript so far (taken: the session keeps recording into an empty one).
    pub fn take_transcript(&mut self) -> Transcript {
        let mut t = self.transcript_mut();
        let step = t.step.clone();
        let mut taken = std::mem::take(&mut *t);
        t.step = step;
        taken.step.clear();
        taken
    }
}

impl<'t> Deref for Session<'t> {
    type Target = Client<&'t mut dyn Target>;
    fn deref(&self) -> &Self::Target {
        &self.client
    }
}

impl DerefMut for Session<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.client
    }
}
