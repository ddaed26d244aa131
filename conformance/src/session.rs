//! The bank client of one scenario: `rutoken-client`'s [`Client`] on the scenario's target,
//! with the transcript (every exchange, PINs masked by `rutoken_apdu::mask`) and the SafeTouch
//! screens the target showed.

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, PoisonError};

use rutoken_apdu::Response;
use rutoken_client::{Client, ClientConfig, ClientError};

use crate::target::Target;
use crate::transcript::Transcript;

/// The client of one scenario.
pub struct Session<'t> {
    client: Client<&'t mut dyn Target>,
    transcript: Arc<Mutex<Transcript>>,
    /// Every SafeTouch screen read so far.
    pub screens: Vec<String>,
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
        }
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
