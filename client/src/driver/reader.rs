//! What a reader does besides carrying APDUs: the SafeTouch's buttons and screen, the token's
//! power and presence. A PC/SC reader with a person, or the emulator with its control socket,
//! implements it; a bare transport answers `Unsupported` for each.

use crate::error::TransportError;

/// A SafeTouch button (or nobody pressing in time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Press {
    /// The OK button.
    Confirm,
    /// The cancel button.
    Reject,
    /// No press: the device's time-out.
    Timeout,
}

/// A power or presence event of the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PowerEvent {
    /// Power cut and restored.
    PowerCycle,
    /// A warm reset, power kept.
    Reset,
    /// The token pulled out.
    Pull,
    /// The token inserted again and powered.
    Insert,
    /// The emulator restarted from its image.
    Restart,
}

impl PowerEvent {
    /// What the event does, in words (for "cannot" messages).
    pub fn action(self) -> &'static str {
        match self {
            PowerEvent::PowerCycle => "cycle the power",
            PowerEvent::Reset => "reset the card",
            PowerEvent::Pull => "pull the token",
            PowerEvent::Insert => "insert the token",
            PowerEvent::Restart => "restart the emulator",
        }
    }
}

/// The reader's actions besides APDUs. Every method has a default that answers
/// [`TransportError::Unsupported`] (or no screens), so a bare transport is a reader that can do
/// none of them.
pub trait Reader {
    /// Arranges `press` for the next signing command; `expected_screen` is what the caller
    /// expects it to show.
    fn arrange_press(
        &mut self,
        press: Press,
        expected_screen: &[String],
    ) -> Result<(), TransportError> {
        let _ = (press, expected_screen);
        Err(TransportError::Unsupported("press a SafeTouch button"))
    }
    /// The screens shown since the last call (`None`: this reader cannot read its screen).
    fn take_screens(&mut self) -> Option<Vec<String>> {
        None
    }
    /// A power or presence event.
    fn power(&mut self, event: PowerEvent) -> Result<(), TransportError> {
        Err(TransportError::Unsupported(event.action()))
    }
    /// Bytes left for files on the token, when the reader can tell (an emulator counts its
    /// files; a real token has no APDU for it that the client knows).
    fn free_memory(&mut self) -> Option<u32> {
        None
    }
}

impl<R: Reader + ?Sized> Reader for &mut R {
    fn arrange_press(
        &mut self,
        press: Press,
        expected_screen: &[String],
    ) -> Result<(), TransportError> {
        (**self).arrange_press(press, expected_screen)
    }
    fn take_screens(&mut self) -> Option<Vec<String>> {
        (**self).take_screens()
    }
    fn power(&mut self, event: PowerEvent) -> Result<(), TransportError> {
        (**self).power(event)
    }
    fn free_memory(&mut self) -> Option<u32> {
        (**self).free_memory()
    }
}

/// A card in process has no buttons, screen or power switch of its own to drive.
impl<C: rutoken_device::card::Card> Reader for crate::transport::InProcess<C> {}

/// A PC/SC reader has no buttons or screen to drive (a person at the token has); it can cycle
/// the card's power (an unpowering reconnect).
#[cfg(feature = "pcsc")]
impl Reader for crate::transport::pcsc::PcscTransport {
    fn power(&mut self, event: PowerEvent) -> Result<(), TransportError> {
        match event {
            PowerEvent::PowerCycle => self.power_cycle(),
            other => Err(TransportError::Unsupported(other.action())),
        }
    }
}
