//! A PC/SC reader through libpcsclite (the `pcsc` crate): the token in a real reader, or the
//! emulator behind pcscd + vpcd.

use std::ffi::{CStr, CString};
use std::time::{Duration, Instant};

use pcsc::{Context, Disposition, Protocols, ReaderState, Scope, ShareMode, State};

use super::Transport;
use crate::error::TransportError;

fn failed(call: &'static str) -> impl Fn(pcsc::Error) -> TransportError {
    move |e| match e {
        pcsc::Error::RemovedCard | pcsc::Error::NoSmartcard => TransportError::CardRemoved,
        e => TransportError::Pcsc {
            call,
            message: e.to_string(),
        },
    }
}

/// A card in a PC/SC reader, connected (shared) on first use and again after a removal.
pub struct PcscTransport {
    context: Context,
    reader: CString,
    card: Option<pcsc::Card>,
    /// The answer buffer, sized for extended-length answers (65 536 data bytes + SW): a short
    /// `MAX_BUFFER_SIZE` (264) made every answer longer than 262 bytes fail in SCardTransmit.
    answer: Vec<u8>,
}

impl PcscTransport {
    /// Finds the reader whose name is `reader`, or the one reader whose name contains it
    /// (vpcd lists "Virtual PCD 00 00" and "… 00 01": an exact name wins).
    pub fn open(reader: &str) -> Result<Self, TransportError> {
        let context = Context::establish(Scope::User).map_err(failed("SCardEstablishContext"))?;
        let readers = context
            .list_readers_owned()
            .map_err(failed("SCardListReaders"))?;
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
        let chosen = match matching.as_slice() {
            [one] => one.clone(),
            [] => {
                return Err(TransportError::NoReader {
                    name: reader.to_owned(),
                });
            }
            many => {
                return Err(TransportError::AmbiguousReader {
                    name: reader.to_owned(),
                    count: many.len(),
                    readers: many
                        .iter()
                        .map(|r| r.to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        };
        Ok(PcscTransport {
            context,
            reader: chosen,
            card: None,
            answer: vec![0; pcsc::MAX_BUFFER_SIZE_EXTENDED],
        })
    }

    /// The reader's name.
    pub fn reader(&self) -> &CStr {
        &self.reader
    }

    /// The PC/SC context (for status waits of the caller's own).
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// Forgets the connection (the card was pulled or replaced); the next command reconnects.
    pub fn disconnect(&mut self) {
        self.card = None;
    }

    fn card(&mut self) -> Result<&pcsc::Card, TransportError> {
        if self.card.is_none() {
            let card = self
                .context
                .connect(&self.reader, ShareMode::Shared, Protocols::ANY)
                .map_err(failed("SCardConnect"))?;
            self.card = Some(card);
        }
        self.card.as_ref().ok_or(TransportError::CardRemoved)
    }

    /// Cuts and restores the card's power (`SCardReconnect` with `SCARD_UNPOWER_CARD`).
    pub fn power_cycle(&mut self) -> Result<(), TransportError> {
        self.reconnect(Disposition::UnpowerCard)
    }

    /// A warm reset of the card (`SCardReconnect` with `SCARD_RESET_CARD`: ISO/IEC 7816-3 §6.2.3,
    /// the card starts over without losing power).
    pub fn reset(&mut self) -> Result<(), TransportError> {
        self.reconnect(Disposition::ResetCard)
    }

    /// `SCardReconnect` of the connected card with `disposition`.
    fn reconnect(&mut self, disposition: Disposition) -> Result<(), TransportError> {
        self.card()?;
        let card = self.card.as_mut().ok_or(TransportError::CardRemoved)?;
        card.reconnect(ShareMode::Shared, Protocols::ANY, disposition)
            .map_err(failed("SCardReconnect"))
    }

    /// Waits until pcscd reports the reader with a card (`present`) or empty, at most
    /// `timeout`.
    pub fn wait_for_card(&self, present: bool, timeout: Duration) -> Result<(), TransportError> {
        let deadline = Instant::now() + timeout;
        let mut states = [ReaderState::new(self.reader.clone(), State::UNAWARE)];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.context.get_status_change(left, &mut states) {
                Ok(()) => {}
                Err(pcsc::Error::Timeout) => {
                    return Err(TransportError::Other(format!(
                        "the reader did not report the card {} within {} s",
                        if present { "inserted" } else { "removed" },
                        timeout.as_secs()
                    )));
                }
                Err(e) => return Err(failed("SCardGetStatusChange")(e)),
            }
            let [state] = &mut states;
            let now = state.event_state();
            let done = if present {
                now.contains(State::PRESENT) && !now.contains(State::MUTE)
            } else {
                now.contains(State::EMPTY)
            };
            if done {
                return Ok(());
            }
            state.sync_current_state();
        }
    }
}

impl Transport for PcscTransport {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.card()?;
        // Borrowed field by field: the card and the answer buffer at once.
        let card = self.card.as_ref().ok_or(TransportError::CardRemoved)?;
        let answer = card
            .transmit(command, &mut self.answer)
            .map_err(failed("SCardTransmit"))?;
        Ok(answer.to_vec())
    }

    fn atr(&mut self) -> Result<Vec<u8>, TransportError> {
        let card = self.card()?;
        let status = card.status2_owned().map_err(failed("SCardStatus"))?;
        Ok(status.atr().to_vec())
    }
}
