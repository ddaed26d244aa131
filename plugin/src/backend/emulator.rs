//! The in-process emulator behind the bridge (`emulator` feature): a token from a fixture or an
//! image inside the emulated SafeTouch, whose buttons are the web panel's. Without the feature
//! the bridge reaches tokens only through PC/SC and links no emulator.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use rutoken_client::driver::{ApduDriver, PowerEvent, Reader};
use rutoken_client::{Client, ClientConfig, InProcess, Transport, TransportError};
use rutoken_device::{Card, DeviceProfile};
use rutoken_sim::safetouch::SafeTouch;
use rutoken_sim::token::Token;

use super::TokenSource;
use crate::BridgeError;
use crate::device::Device;
use crate::panel::PanelButtons;
use crate::server;
use crate::slot::Slot;

/// Opens the emulator `source` names (a fixture or an image; a reader is not an emulator).
pub(super) fn open(
    source: &TokenSource,
    seed: u64,
    profile: &DeviceProfile,
    config: ClientConfig,
) -> Result<server::Token, BridgeError> {
    let token = match source {
        TokenSource::Fixture(fixture) => Token::in_memory(*fixture, seed, profile.token.clone())
            .map_err(|e| BridgeError::Token(e.to_string()))?,
        TokenSource::Image(path) => Token::open_image(path, profile.token.clone())
            .map_err(|e| BridgeError::Token(format!("{}: {e}", path.display())))?,
        TokenSource::Reader(name) => {
            return Err(BridgeError::Token(format!(
                "the reader {name} is not an emulator"
            )));
        }
    };
    let present = Arc::new(AtomicBool::new(true));
    let (buttons, panel) = PanelButtons::new(Arc::clone(&present));
    let safetouch = SafeTouch::new(token, profile.safetouch.clone(), Box::new(buttons));
    let monitor = safetouch.monitor();
    let transport = Emulator {
        card: InProcess::new(safetouch),
        memory: profile.token.memory_bytes,
    };
    let driver = ApduDriver::new(Client::new(transport, config));
    let device = Device::new(
        Box::new(driver),
        "rutoken-lab SafeTouch (emulator)",
        true,
        profile.token.factory_user_pin_tries,
    );
    Ok(server::Token {
        slot: Slot::new(device, present, Some(panel.clone())),
        monitor: Some(monitor),
        panel: Some(panel),
    })
}

/// The emulated SafeTouch in process, as a reader: its power can be cycled, its free memory
/// counted.
struct Emulator {
    card: InProcess<SafeTouch<Token>>,
    /// The token's memory (the device profile's `token.memory_bytes`).
    memory: u32,
}

impl Transport for Emulator {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.card.transmit(command)
    }
    fn atr(&mut self) -> Result<Vec<u8>, TransportError> {
        self.card.atr()
    }
}

impl Reader for Emulator {
    /// A power cycle as a pull and an insert do it: off, then on.
    fn power(&mut self, event: PowerEvent) -> Result<(), TransportError> {
        match event {
            PowerEvent::PowerCycle => {
                self.card.card_mut().power_off();
                self.card.card_mut().power_on();
                Ok(())
            }
            other => Err(TransportError::Unsupported(other.action())),
        }
    }

    /// What the emulator's CREATE counts against its memory (EF contents, PIN and key
    /// objects); the real token's free memory has no APDU the bridge knows.
    fn free_memory(&mut self) -> Option<u32> {
        let used: u32 = self
            .card
            .card()
            .inner()
            .summary()
            .files
            .iter()
            .filter(|f| f.kind != "DF")
            .map(|f| u32::from(f.size))
            .sum();
        Some(self.memory.saturating_sub(used))
    }
}
