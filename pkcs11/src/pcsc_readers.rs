//! PC/SC readers as the module's slots (the `pcsc` crate over libpcsclite).

use std::ffi::CString;
use std::time::Duration;

use crate::device::{Device, DeviceError};
use crate::settings::Settings;
use crate::slot::{ReaderState, Readers};

/// The readers pcscd knows.
pub struct PcscReaders {
    context: Option<pcsc::Context>,
    settings: Settings,
}

impl PcscReaders {
    /// Connects to pcscd lazily (a module loaded without pcscd running still initialises).
    pub fn new(settings: Settings) -> Self {
        PcscReaders {
            context: None,
            settings,
        }
    }

    fn context(&mut self) -> Result<&pcsc::Context, DeviceError> {
        if self.context.as_ref().is_none_or(|c| c.is_valid().is_err()) {
            let c = pcsc::Context::establish(pcsc::Scope::User)
                .map_err(|e| DeviceError::Failed(format!("PC/SC: {e}")))?;
            self.context = Some(c);
        }
        self.context
            .as_ref()
            .ok_or_else(|| DeviceError::Failed("PC/SC: no context".into()))
    }
}

impl Readers for PcscReaders {
    fn readers(&mut self) -> Result<Vec<ReaderState>, DeviceError> {
        let context = self.context()?;
        let names: Vec<CString> = match context.list_readers_owned() {
            Ok(n) => n,
            Err(pcsc::Error::NoReadersAvailable) => return Ok(Vec::new()),
            Err(e) => return Err(DeviceError::Failed(format!("PC/SC: {e}"))),
        };
        let mut states: Vec<pcsc::ReaderState> = names
            .iter()
            .map(|n| pcsc::ReaderState::new(n.clone(), pcsc::State::UNAWARE))
            .collect();
        context
            .get_status_change(Duration::ZERO, &mut states)
            .map_err(|e| DeviceError::Failed(format!("PC/SC: {e}")))?;
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

    fn open(&mut self, reader: &str) -> Result<Box<dyn Device>, DeviceError> {
        crate::backend::open_pcsc(reader, &self.settings)
    }

    fn is_rutoken(&self, atr: &[u8]) -> bool {
        self.settings.is_rutoken(atr)
    }
}
