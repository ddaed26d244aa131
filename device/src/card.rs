//! The one interface between a smart card and whatever carries its APDUs.

/// A smart card as a reader sees it: an ATR, power, and APDUs in and out.
///
/// The token implements it; the SafeTouch implements it by wrapping another `Card`; the vpcd
/// transport and the in-process conformance target drive it. The trait shape follows vsmartcard's
/// virtual-card protocol (`vpcd.c`: power off, power on, reset, get ATR, APDU).
pub trait Card: Send {
    /// The answer to reset, e.g. `3B 8B 01 52 75 74 6F 6B 65 6E 20 45 43 50 A0`.
    fn atr(&self) -> Vec<u8>;
    /// Contacts powered. A real card starts with no security state; the cards here drop it at
    /// `power_off` (and `reset`), so by default powering on has nothing left to do. A reader
    /// never sends APDUs between the two, so where the state goes is not observable — one place
    /// for it keeps the two from drifting apart.
    fn power_on(&mut self) {}
    /// Contacts unpowered: the security state (logins, selected files, pending hashes) is lost.
    fn power_off(&mut self);
    /// Warm reset: as `power_off` then `power_on`.
    fn reset(&mut self);
    /// Processes one command APDU; returns the response APDU, data then SW1 SW2 (never empty).
    fn transmit(&mut self, command: &[u8]) -> Vec<u8>;
}

/// A boxed card is a card: the emulator's `sim` command chooses the card at run time (the
/// token or the echo card) and then wraps it in a SafeTouch.
impl Card for Box<dyn Card> {
    fn atr(&self) -> Vec<u8> {
        self.as_ref().atr()
    }
    fn power_on(&mut self) {
        self.as_mut().power_on();
    }
    fn power_off(&mut self) {
        self.as_mut().power_off();
    }
    fn reset(&mut self) {
        self.as_mut().reset();
    }
    fn transmit(&mut self, command: &[u8]) -> Vec<u8> {
        self.as_mut().transmit(command)
    }
}
