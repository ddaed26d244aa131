//! The control socket's `load`, `restart` and `summary`: a fresh token in the reader, an emulator
//! restart from the image file or a snapshot, the token as `token show` prints it; refusals
//! change nothing.

#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rutoken_sim::control::{
    ControlServer, ControlTarget, Request, SafeTouchControl, TokenControl, TokenSlot, request,
};
use rutoken_sim::safetouch::{ChannelButtons, SafeTouch, SafeTouchProfile};
use rutoken_sim::token::{Fixture, Token, TokenProfile};
use rutoken_sim::vpcd::{CardHandle, CardWorker, Presence};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio_util::sync::CancellationToken;

/// VERIFY with the factory user PIN `12345678`, ref 02 (fixture.rs).
const VERIFY_USER: [u8; 13] = [
    0x00, 0x20, 0x00, 0x02, 0x08, b'1', b'2', b'3', b'4', b'5', b'6', b'7', b'8',
];
/// VERIFY with a wrong user PIN.
const VERIFY_WRONG: [u8; 13] = [
    0x00, 0x20, 0x00, 0x02, 0x08, b'0', b'0', b'0', b'0', b'0', b'0', b'0', b'0',
];
/// VERIFY with no data: 9000 when logged in, otherwise 63Cx.
const PIN_STATE: [u8; 4] = [0x00, 0x20, 0x00, 0x02];
/// GET DATA serial (`CA 01 81`).
const GET_SERIAL: [u8; 5] = [0x00, 0xCA, 0x01, 0x81, 0x00];

struct Running {
    path: PathBuf,
    _dir: tempfile::TempDir,
    _worker: CardWorker,
    card: CardHandle,
    presence: Presence,
    monitor: rutoken_sim::safetouch::SafeTouchMonitor,
    shutdown: CancellationToken,
}

/// A factory token (seed 0) in a slot behind a SafeTouch; with `image`, backed by that file.
async fn start(image: Option<&Path>, with_token_control: bool) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("control.sock");
    let profile = TokenProfile::default();
    let token = match image {
        Some(file) => Token::create_image(file, Fixture::Factory, 0, profile.clone()).unwrap(),
        None => Token::in_memory(Fixture::Factory, 0, profile.clone()).unwrap(),
    };
    let slot = TokenSlot::new(token);
    let (buttons, presses) = ChannelButtons::new();
    let st = SafeTouch::new(slot.clone(), SafeTouchProfile::default(), Box::new(buttons));
    let monitor = st.monitor();
    let worker = CardWorker::spawn(Box::new(st)).unwrap();
    let presence = Presence::default();
    let target = Arc::new(ControlTarget {
        safetouch: Some(SafeTouchControl {
            monitor: monitor.clone(),
            presses: Some(presses),
        }),
        presence: presence.clone(),
        card: worker.handle(),
        token: with_token_control.then(|| TokenControl {
            slot,
            profile,
            image: image.map(Path::to_owned),
        }),
        link: None,
    });
    let server = ControlServer::bind(&path).unwrap();
    let shutdown = CancellationToken::new();
    let token = shutdown.clone();
    tokio::spawn(async move { server.run(target, token).await });
    Running {
        path,
        _dir: dir,
        card: worker.handle(),
        _worker: worker,
        presence,
        monitor,
        shutdown,
    }
}

async fn apdu(card: &CardHandle, command: &'static [u8]) -> Vec<u8> {
    card.call(move |c| c.transmit(command)).await.unwrap()
}

fn sw(answer: &[u8]) -> [u8; 2] {
    [answer[answer.len() - 2], answer[answer.len() - 1]]
}

async fn serial(card: &CardHandle) -> String {
    let answer = apdu(card, &GET_SERIAL).await;
    assert_eq!(sw(&answer), [0x90, 0x00]);
    hex::encode_upper(&answer[..answer.len() - 2])
}

#[tokio::test]
async fn load_puts_a_fresh_token_in_the_reader() {
    let r = start(None, true).await;
    let first = serial(&r.card).await;
    assert_eq!(sw(&apdu(&r.card, &VERIFY_WRONG).await), [0x63, 0xC9]);
    let reply = request(
        &r.path,
        Request::Load {
            fixture: Fixture::Factory,
            seed: 7,
        },
    )
    .await
    .unwrap();
    assert!(reply.ok, "{reply:?}");
    assert_eq!(reply.inserted, Some(true));
    assert!(r.presence.is_inserted());
    let second = serial(&r.card).await;
    assert_ne!(first, second);
    assert_eq!(reply.serial.as_deref(), Some(second.as_str()));
    // The new token's counter is full again.
    assert_eq!(sw(&apdu(&r.card, &PIN_STATE).await), [0x63, 0xCA]);
    // Loaded while pulled: it ends inserted, and the same seed gives the same token.
    assert!(request(&r.path, Request::Pull).await.unwrap().ok);
    let again = Request::Load {
        fixture: Fixture::Factory,
        seed: 7,
    };
    let reply = request(&r.path, again).await.unwrap();
    assert!(reply.ok && r.presence.is_inserted());
    assert_eq!(serial(&r.card).await, second);
    r.shutdown.cancel();
}

#[tokio::test]
async fn restart_keeps_the_counter_and_loses_the_login() {
    let r = start(None, true).await;
    assert_eq!(sw(&apdu(&r.card, &VERIFY_WRONG).await), [0x63, 0xC9]);
    assert_eq!(sw(&apdu(&r.card, &VERIFY_USER).await), [0x90, 0x00]);
    assert_eq!(sw(&apdu(&r.card, &PIN_STATE).await), [0x90, 0x00]);
    let before = serial(&r.card).await;
    let reply = request(&r.path, Request::Restart).await.unwrap();
    assert!(reply.ok, "{reply:?}");
    assert_eq!(serial(&r.card).await, before);
    // Logged out; the wrong PIN was reset by the right one, so 10 tries again.
    assert_eq!(sw(&apdu(&r.card, &PIN_STATE).await), [0x63, 0xCA]);
    assert_eq!(sw(&apdu(&r.card, &VERIFY_WRONG).await), [0x63, 0xC9]);
    assert!(request(&r.path, Request::Restart).await.unwrap().ok);
    assert_eq!(sw(&apdu(&r.card, &PIN_STATE).await), [0x63, 0xC9]);
    r.shutdown.cancel();
}

#[tokio::test]
async fn restart_reads_the_image_file_and_load_rewrites_it() {
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("token.img");
    let r = start(Some(&image), true).await;
    assert_eq!(sw(&apdu(&r.card, &VERIFY_WRONG).await), [0x63, 0xC9]);
    assert!(request(&r.path, Request::Restart).await.unwrap().ok);
    assert_eq!(sw(&apdu(&r.card, &PIN_STATE).await), [0x63, 0xC9]);
    let load = Request::Load {
        fixture: Fixture::Factory,
        seed: 3,
    };
    let serial_now = request(&r.path, load).await.unwrap().serial.unwrap();
    let on_disk = Token::open_image(&image, TokenProfile::default()).unwrap();
    assert_eq!(hex::encode_upper(on_disk.serial()), serial_now);
    // A broken image: restart refuses, and the token in the reader is the one before.
    std::fs::write(&image, b"garbage").unwrap();
    let reply = request(&r.path, Request::Restart).await.unwrap();
    assert!(!reply.ok, "{reply:?}");
    assert!(r.presence.is_inserted());
    assert_eq!(serial(&r.card).await, serial_now);
    assert_eq!(sw(&apdu(&r.card, &PIN_STATE).await), [0x63, 0xCA]);
    r.shutdown.cancel();
}

#[tokio::test]
async fn malformed_loads_change_nothing() {
    let r = start(None, true).await;
    let first = serial(&r.card).await;
    assert_eq!(sw(&apdu(&r.card, &VERIFY_USER).await), [0x90, 0x00]);
    let stream = tokio::net::UnixStream::connect(&r.path).await.unwrap();
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    for bad in [
        r#"{"cmd":"load"}"#,
        r#"{"cmd":"load","fixture":"blank","seed":1}"#,
        r#"{"cmd":"load","fixture":"factory","seed":-1}"#,
        r#"{"cmd":"load","fixture":"factory","seed":1,"pin":"12345678"}"#,
        r#"{"cmd":"restart","seed":1}"#,
    ] {
        write
            .write_all(format!("{bad}\n").as_bytes())
            .await
            .unwrap();
        let reply = lines.next_line().await.unwrap().unwrap();
        assert!(
            reply.starts_with(r#"{"ok":false,"error":"#),
            "{bad}: {reply}"
        );
    }
    assert!(r.presence.is_inserted());
    assert_eq!(serial(&r.card).await, first);
    // Still logged in: nothing was reloaded.
    assert_eq!(sw(&apdu(&r.card, &PIN_STATE).await), [0x90, 0x00]);
    r.shutdown.cancel();
}

#[tokio::test]
async fn without_a_token_slot_load_and_restart_are_refused() {
    let r = start(None, false).await;
    let first = serial(&r.card).await;
    for req in [
        Request::Restart,
        Request::Load {
            fixture: Fixture::Factory,
            seed: 1,
        },
    ] {
        let reply = request(&r.path, req).await.unwrap();
        assert!(!reply.ok && reply.error.unwrap().contains("no token"));
    }
    assert!(r.presence.is_inserted());
    assert_eq!(serial(&r.card).await, first);
    assert!(r.monitor.events().is_empty());
    r.shutdown.cancel();
}

/// `summary` shows the token in the reader as it is now (a try spent a moment ago shows), names
/// its serial, and never a PIN; a sim without a token slot refuses it.
#[tokio::test]
async fn summary_shows_the_token_as_it_is_now() {
    let r = start(None, true).await;
    let serial = serial(&r.card).await;
    assert_eq!(sw(&apdu(&r.card, &VERIFY_WRONG).await), [0x63, 0xC9]);
    let reply = request(&r.path, Request::Summary).await.unwrap();
    assert!(reply.ok, "{reply:?}");
    let summary = reply.summary.unwrap();
    assert!(summary.contains(&serial), "{summary}");
    assert!(summary.contains("tries 9/10"), "{summary}");
    assert!(!summary.contains("12345678"), "{summary}");
    r.shutdown.cancel();

    let r = start(None, false).await;
    let reply = request(&r.path, Request::Summary).await.unwrap();
    assert!(!reply.ok && reply.summary.is_none(), "{reply:?}");
    r.shutdown.cancel();
}
