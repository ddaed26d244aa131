//! What carries APDUs to the token: the [`Transport`] trait and its in-process implementation
//! over the simulator's [`Card`] (a `Token`, or a `SafeTouch<Token>`); [`pcsc`] behind the
//! `pcsc` feature.

#[cfg(feature = "pcsc")]
pub mod pcsc;

use rutoken_device::card::Card;

use crate::error::TransportError;

/// A card behind a reader: one command APDU in, one response APDU (data then SW1 SW2) out.
pub trait Transport: Send {
    /// Sends one command APDU and returns the response.
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError>;
    /// Powers the card if needed and returns its ATR.
    fn atr(&mut self) -> Result<Vec<u8>, TransportError>;
}

impl<T: Transport + ?Sized> Transport for &mut T {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(command)
    }
    fn atr(&mut self) -> Result<Vec<u8>, TransportError> {
        (**self).atr()
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        (**self).transmit(command)
    }
    fn atr(&mut self) -> Result<Vec<u8>, TransportError> {
        (**self).atr()
    }
}

/// A simulated card in process (no pcscd): the client calls the card directly.
pub struct InProcess<C: Card> {
    card: C,
    powered: bool,
}

impl<C: Card> InProcess<C> {
    /// Wraps a card; it is powered on the first [`Transport::atr`] or command.
    pub fn new(card: C) -> Self {
        InProcess {
            card,
            powered: false,
        }
    }

    /// The card.
    pub fn card(&self) -> &C {
        &self.card
    }

    /// The card, mutably (for a test's power cycles).
    pub fn card_mut(&mut self) -> &mut C {
        &mut self.card
    }

    /// The card back.
    pub fn into_inner(self) -> C {
        self.card
    }

    fn power(&mut self) {
        if !self.powered {
            self.card.power_on();
            self.powered = true;
        }
    }
}

impl<C: Card + Send> Transport for InProcess<C> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.power();
        Ok(self.card.transmit(command))
    }

    fn atr(&mut self) -> Result<Vec<u8>, TransportError> {
        self.power();
        Ok(self.card.atr())
    }
}
