//! The in-process emulator behind the bridge (`emulator` feature): a token from a fixture or an
//! image inside the emulated SafeTouch, whose buttons are the web panel's. Without the feature
//! the bridge reaches tokens only through PC/SC and links no emulator.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use rutoken_client::{Client, ClientConfig, InProcess};
use rutoken_device::{Card, DeviceProfile};
use rutoken_sim::safetouch::SafeTouch;
use rutoken_sim::token::Token;

use super::{ClientDevice, TokenSource};
use crate::BridgeError;
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
    let memory = profile.token.memory_bytes;
    let device = ClientDevice {
        client: Client::new(InProcess::new(safetouch), config),
        reader: "rutoken-lab SafeTouch (emulator)".to_owned(),
        safetouch: true,
        max_tries: profile.token.factory_user_pin_tries,
        power_cycle: Box::new(|t: &mut InProcess<SafeTouch<Token>>| {
            t.card_mut().power_off();
            t.card_mut().power_on();
        }),
        // What the emulator's CREATE counts against its memory (EF contents, PIN and key
        // objects); the real token's free memory has no APDU the bridge knows.
        free_memory: Box::new(move |t: &mut InProcess<SafeTouch<Token>>| {
            let used: u32 = t
                .card()
                .inner()
                .summary()
                .files
                .iter()
                .filter(|f| f.kind != "DF")
                .map(|f| u32::from(f.size))
                .sum();
            Some(memory.saturating_sub(used))
        }),
    };
    Ok(server::Token {
        slot: Slot::new(Box::new(device), present, Some(panel.clone())),
        monitor: Some(monitor),
        panel: Some(panel),
    })
}
