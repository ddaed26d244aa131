//! The `Reader` seam: a bare transport (a card in process) is a reader that can do none of a
//! reader's actions and says so, and a reader reached through `&mut` (how the APDU driver's
//! front-ends lend theirs) does exactly what the reader itself does.
#![allow(clippy::unwrap_used, reason = "tests")]

use rutoken_client::TransportError;
use rutoken_client::driver::{PowerEvent, Press, Reader};
use rutoken_client::transport::InProcess;
use rutoken_sim::profile::DeviceProfile;
use rutoken_sim::token::{Fixture, Token};

#[test]
fn a_bare_transport_can_do_no_reader_action() {
    let token = Token::in_memory(Fixture::Factory, 1, DeviceProfile::default().token).unwrap();
    let mut bare = InProcess::new(token);
    assert!(matches!(
        bare.arrange_press(Press::Confirm, &[]),
        Err(TransportError::Unsupported("press a SafeTouch button"))
    ));
    assert_eq!(bare.take_screens(), None);
    assert!(matches!(
        bare.power(PowerEvent::Pull),
        Err(TransportError::Unsupported("pull the token"))
    ));
    assert_eq!(bare.free_memory(), None);
}

/// A reader that records what it is asked and answers with what it holds.
#[derive(Default)]
struct Recording {
    presses: Vec<Press>,
    events: Vec<PowerEvent>,
}

impl Reader for Recording {
    fn arrange_press(&mut self, press: Press, _: &[String]) -> Result<(), TransportError> {
        self.presses.push(press);
        Ok(())
    }
    fn take_screens(&mut self) -> Option<Vec<String>> {
        Some(vec![format!("{} presses", self.presses.len())])
    }
    fn power(&mut self, event: PowerEvent) -> Result<(), TransportError> {
        if event == PowerEvent::Restart {
            return Err(TransportError::Unsupported("restart"));
        }
        self.events.push(event);
        Ok(())
    }
    fn free_memory(&mut self) -> Option<u32> {
        Some(4096)
    }
}

/// Every action through a reader of type `R` (here `&mut Recording`).
fn drive<R: Reader>(mut reader: R) -> (Option<Vec<String>>, bool, Option<u32>) {
    reader.arrange_press(Press::Reject, &[]).unwrap();
    reader.power(PowerEvent::Pull).unwrap();
    let refused = reader.power(PowerEvent::Restart).is_err();
    (reader.take_screens(), refused, reader.free_memory())
}

#[test]
fn a_borrowed_reader_is_the_reader() {
    let mut recording = Recording::default();
    let (screens, refused, free) = drive(&mut recording);
    assert_eq!(screens, Some(vec!["1 presses".to_owned()]));
    assert!(refused);
    assert_eq!(free, Some(4096));
    assert_eq!(recording.presses, [Press::Reject]);
    assert_eq!(recording.events, [PowerEvent::Pull]);
}
