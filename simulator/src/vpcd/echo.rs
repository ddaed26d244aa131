//! A card that answers every APDU with `90 00`: a stand-in card for transport tests, and our own
//! transport's floor in `benches/scripts/vpcd-throughput.sh` (shown beside the independent
//! reference card there, never as the reference: it shares what it would measure).

use crate::card::Card;

/// Answers `90 00` to everything; counts what it saw.
#[derive(Debug, Clone, Default)]
pub struct EchoCard {
    /// Command APDUs received.
    pub apdus: u64,
    /// Power-offs and resets received.
    pub power_losses: u64,
}

/// The ATR the echo card answers: vsmartcard's default virtual-card ATR (vpicc `DEFAULT_ATR`).
pub const ECHO_ATR: [u8; 11] = [
    0x3B, 0x95, 0x13, 0x81, 0x01, 0x80, 0x73, 0xFF, 0x01, 0x00, 0x0B,
];

impl Card for EchoCard {
    fn atr(&self) -> Vec<u8> {
        ECHO_ATR.to_vec()
    }
    fn power_on(&mut self) {}
    fn power_off(&mut self) {
        self.power_losses += 1;
    }
    fn reset(&mut self) {
        self.power_losses += 1;
    }
    fn transmit(&mut self, _command: &[u8]) -> Vec<u8> {
        self.apdus += 1;
        vec![0x90, 0x00]
    }
}
