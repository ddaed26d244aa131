//! A transport lent as `&mut T` or boxed as `Box<dyn Transport>` (how front-ends hold theirs)
//! carries the same commands and the same ATR as the transport itself.
#![allow(clippy::unwrap_used, reason = "tests")]

use rutoken_client::transport::InProcess;
use rutoken_client::{Client, ClientConfig, Transport};
use rutoken_device::card::Card;
use rutoken_sim::profile::DeviceProfile;
use rutoken_sim::token::{Fixture, Token};

fn token() -> Token {
    Token::in_memory(Fixture::Personalised, 3, DeviceProfile::default().token).unwrap()
}

/// The ATR and the serial (GET DATA) through a client over `transport`.
fn atr_and_serial<T: Transport>(transport: T) -> (Vec<u8>, Vec<u8>) {
    let mut client = Client::new(transport, ClientConfig::default());
    (client.attach().unwrap(), client.serial().unwrap())
}

#[test]
fn borrowed_and_boxed_transports_are_the_transport() {
    let direct = atr_and_serial(InProcess::new(token()));
    assert_eq!(direct.0, token().atr());
    assert_eq!(direct.1.len(), 8, "a Rutoken serial is 8 bytes");

    let mut lent = InProcess::new(token());
    assert_eq!(atr_and_serial(&mut lent), direct);

    let boxed: Box<dyn Transport> = Box::new(InProcess::new(token()));
    assert_eq!(atr_and_serial(boxed), direct);
}
