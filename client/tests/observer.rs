//! The client's exchange observer (a front-end's APDU transcript): it sees every command and
//! answer, `set_observer` replaces it, and `set_observer(None)` stops the transcript.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::sync::{Arc, Mutex};

use rutoken_client::transport::InProcess;
use rutoken_client::{Client, ClientConfig, Exchange, Observer};
use rutoken_sim::profile::DeviceProfile;
use rutoken_sim::token::{Fixture, Token};

/// An observer that files each command's INS byte under `tag`.
fn recorder(log: &Arc<Mutex<Vec<(&'static str, u8)>>>, tag: &'static str) -> Observer {
    let log = Arc::clone(log);
    Box::new(move |exchange: &Exchange<'_>| {
        log.lock().unwrap().push((tag, exchange.command[1]));
    })
}

#[test]
fn set_observer_replaces_and_removes_the_transcript() {
    let profile = DeviceProfile::default();
    let token = Token::in_memory(Fixture::Personalised, 3, profile.token.clone()).unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut client = Client::new(InProcess::new(token), ClientConfig::from_profile(&profile))
        .with_observer(recorder(&log, "first"));

    client.serial().unwrap();
    client.set_observer(Some(recorder(&log, "second")));
    client.serial().unwrap();
    client.set_observer(None);
    client.serial().unwrap();

    // GET DATA is INS CA (`rutoken-ecp-apdu.md` §4): one exchange each while observed.
    assert_eq!(
        *log.lock().unwrap(),
        vec![("first", 0xCA), ("second", 0xCA)]
    );
}
