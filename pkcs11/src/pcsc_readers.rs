//! PC/SC readers as the module's slots (the `pcsc` crate over libpcsclite).

use std::ffi::CString;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use crate::device::Device;
use crate::error::Error;
use crate::settings::Settings;
use crate::slot::{ReaderState, Readers};

/// The readers pcscd knows.
pub struct PcscReaders {
    /// Held only for a status query (no timeout): never across a token's I/O.
    context: Mutex<Option<pcsc::Context>>,
    settings: Settings,
}

impl PcscReaders {
    /// Connects to pcscd lazily (a module loaded without pcscd running still initialises).
    pub fn new(settings: Settings) -> Self {
        PcscReaders {
            context: Mutex::new(None),
            settings,
        }
    }
}

/// A valid context in `slot`, established again when pcscd restarted.
fn context(slot: &mut Option<pcsc::Context>) -> Result<&pcsc::Context, Error> {
    if slot.as_ref().is_none_or(|c| c.is_valid().is_err()) {
        let c = pcsc::Context::establish(pcsc::Scope::User)
            .map_err(|e| pcsc_failed(format!("PC/SC: {e}")))?;
        *slot = Some(c);
    }
    slot.as_ref()
        .ok_or_else(|| pcsc_failed("PC/SC: no context".into()))
}

impl Readers for PcscReaders {
    fn readers(&self) -> Result<Vec<ReaderState>, Error> {
        let mut slot = self.context.lock().unwrap_or_else(PoisonError::into_inner);
        let context = context(&mut slot)?;
        let names: Vec<CString> = match context.list_readers_owned() {
            Ok(n) => n,
            Err(pcsc::Error::NoReadersAvailable) => return Ok(Vec::new()),
            Err(e) => return Err(pcsc_failed(format!("PC/SC: {e}"))),
        };
        let mut states: Vec<pcsc::ReaderState> = names
            .iter()
            .map(|n| pcsc::ReaderState::new(n.clone(), pcsc::State::UNAWARE))
            .collect();
        context
            .get_status_change(Duration::ZERO, &mut states)
            .map_err(|e| pcsc_failed(format!("PC/SC: {e}")))?;
        Ok(states
            .iter()
            .map(|s| {
                let present = s.event_state().contains(pcsc::State::PRESENT)
                    && !s.event_state().contains(pcsc::State::MUTE);
                ReaderState {
                    name: s.name().to_string_lossy().into_owned(),
                    atr: present.then(|| s.atr().to_vec()),
                }
            })
            .collect())
    }

    /// `SCardGetStatusChange` on a context of its own (the shared one stays free for
    /// `readers`): the current states first, then a wait for any change, pcscd's new-reader
    /// notification included.
    fn wait(&self, timeout: Duration) -> Result<(), Error> {
        let failed = |e: pcsc::Error| pcsc_failed(format!("PC/SC: {e}"));
        let context = pcsc::Context::establish(pcsc::Scope::User).map_err(failed)?;
        let mut names: Vec<CString> = match context.list_readers_owned() {
            Ok(n) => n,
            Err(pcsc::Error::NoReadersAvailable) => Vec::new(),
            Err(e) => return Err(failed(e)),
        };
        names.push(pcsc::PNP_NOTIFICATION().to_owned());
        let mut states: Vec<pcsc::ReaderState> = names
            .into_iter()
            .map(|n| pcsc::ReaderState::new(n, pcsc::State::UNAWARE))
            .collect();
        context
            .get_status_change(Duration::ZERO, &mut states)
            .map_err(failed)?;
        for s in &mut states {
            s.sync_current_state();
        }
        match context.get_status_change(timeout, &mut states) {
            Ok(()) | Err(pcsc::Error::Timeout) => Ok(()),
            Err(e) => Err(failed(e)),
        }
    }

    fn open(&self, reader: &str) -> Result<Device, Error> {
        crate::backend::open_pcsc(reader, &self.settings)
    }

    fn is_rutoken(&self, atr: &[u8]) -> bool {
        self.settings.is_rutoken(atr)
    }
}

/// A PC/SC failure as the driver seam's transport error.
fn pcsc_failed(reason: String) -> Error {
    Error::Device(rutoken_client::DriverError::Transport { reason })
}
