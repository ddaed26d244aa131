//! The control socket: permissions, malformed requests, presses, pull/insert, power cycles.

#![allow(
    clippy::cast_possible_truncation,
    reason = "test APDUs: lengths known to fit a byte, and deliberate low-byte or wrapping casts"
)]
#![allow(clippy::unwrap_used, reason = "tests")]

use std::os::unix::fs::PermissionsExt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rutoken_sim::Card;
use rutoken_sim::control::{ControlServer, ControlTarget, Request, SafeTouchControl, request};
use rutoken_sim::safetouch::{ChannelButtons, SafeTouch, SafeTouchProfile, encode_tlv};
use rutoken_sim::vpcd::{CardWorker, Presence};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio_util::sync::CancellationToken;

/// Signs after PSO: HASH; counts power-offs.
#[derive(Clone, Default)]
struct SigningCard {
    power_offs: Arc<Mutex<u32>>,
}

impl Card for SigningCard {
    fn atr(&self) -> Vec<u8> {
        vec![0x3B, 0x00]
    }
    fn power_on(&mut self) {}
    fn power_off(&mut self) {
        *self.power_offs.lock().unwrap() += 1;
    }
    fn reset(&mut self) {}
    fn transmit(&mut self, command: &[u8]) -> Vec<u8> {
        if command[1] == 0x2A && command[2] == 0x9E {
            let mut r = vec![0x11; 64];
            r.extend_from_slice(&[0x90, 0x00]);
            return r;
        }
        vec![0x90, 0x00]
    }
}

struct Running {
    path: std::path::PathBuf,
    _dir: tempfile::TempDir,
    worker: CardWorker,
    presence: Presence,
    card: SigningCard,
    shutdown: CancellationToken,
}

async fn start(safetouch: bool) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("control.sock");
    let card = SigningCard::default();
    let presence = Presence::default();
    let (worker, st) = if safetouch {
        let (buttons, presses) = ChannelButtons::new();
        let profile = SafeTouchProfile {
            timeout_ms: 10_000,
            ..SafeTouchProfile::default()
        };
        let st = SafeTouch::new(card.clone(), profile, Box::new(buttons));
        let monitor = st.monitor();
        let worker = CardWorker::spawn(Box::new(st)).unwrap();
        (
            worker,
            Some(SafeTouchControl {
                monitor,
                presses: Some(presses),
            }),
        )
    } else {
        (CardWorker::spawn(Box::new(card.clone())).unwrap(), None)
    };
    let target = Arc::new(ControlTarget {
        safetouch: st,
        presence: presence.clone(),
        card: worker.handle(),
        token: None,
        link: None,
    });
    let server = ControlServer::bind(&path).unwrap();
    let shutdown = CancellationToken::new();
    let token = shutdown.clone();
    tokio::spawn(async move { server.run(target, token).await });
    Running {
        path,
        _dir: dir,
        worker,
        presence,
        card,
        shutdown,
    }
}

#[tokio::test]
async fn the_socket_is_owner_only() {
    let r = start(false).await;
    let mode = std::fs::metadata(&r.path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    // The socket was bound in a private staging directory and moved into place; none is left.
    let parent = r.path.parent().unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(parent)
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .filter(|name| name.to_string_lossy().starts_with(".rtl-"))
        .collect();
    assert!(leftovers.is_empty(), "staging left behind: {leftovers:?}");
    r.shutdown.cancel();
}

#[tokio::test]
async fn malformed_requests_get_an_error_and_change_nothing() {
    let r = start(false).await;
    let stream = tokio::net::UnixStream::connect(&r.path).await.unwrap();
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    for bad in [
        "not json",
        r#"{"cmd":"pull","force":true}"#,
        r#"{"cmd":"unplug"}"#,
        "{}",
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
    // The same connection still serves good requests.
    write.write_all(b"{\"cmd\":\"status\"}\n").await.unwrap();
    let reply = lines.next_line().await.unwrap().unwrap();
    assert_eq!(reply, r#"{"ok":true,"inserted":true,"safetouch":false}"#);
    r.shutdown.cancel();
}

#[tokio::test]
async fn pull_insert_and_power_cycle() {
    let r = start(false).await;
    assert!(request(&r.path, Request::Pull).await.unwrap().ok);
    assert!(!r.presence.is_inserted());
    assert!(request(&r.path, Request::Insert).await.unwrap().ok);
    assert!(r.presence.is_inserted());
    assert!(request(&r.path, Request::PowerCycle).await.unwrap().ok);
    assert_eq!(*r.card.power_offs.lock().unwrap(), 1);
    let reply = request(&r.path, Request::Confirm { id: 1 }).await.unwrap();
    assert!(!reply.ok && reply.error.unwrap().contains("no SafeTouch"));
    r.shutdown.cancel();
}

#[tokio::test]
async fn confirm_through_the_socket_releases_the_signature() {
    let r = start(true).await;
    // Nothing waits yet: a press is refused.
    let reply = request(&r.path, Request::Confirm { id: 1 }).await.unwrap();
    assert_eq!(
        reply.error.as_deref(),
        Some("screen 1 is no longer shown (no screen waits now); read the screen again")
    );
    let document = encode_tlv(&[(0x01, b"CR"), (0x90, b"04.02.2020"), (0xFF, b"")]);
    let mut hash = vec![0x00, 0x2A, 0x90, 0x80, document.len() as u8];
    hash.extend_from_slice(&document);
    let host = r.worker.handle();
    let signing = tokio::spawn(async move {
        host.call(move |card| {
            card.transmit(&hash);
            card.transmit(&[0x00, 0x2A, 0x9E, 0x9A, 0x00])
        })
        .await
        .unwrap()
    });
    let screen = loop {
        let screen = request(&r.path, Request::Screen)
            .await
            .unwrap()
            .screen
            .unwrap();
        if screen.waiting {
            break screen;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert!(
        screen.text().contains("Дата: 04.02.2020"),
        "{}",
        screen.text()
    );
    // A press for another screen than the one waiting is refused and changes nothing.
    let stale = request(&r.path, Request::Reject { id: screen.id + 1 })
        .await
        .unwrap();
    let error = stale.error.unwrap_or_default();
    assert!(
        !stale.ok && error.contains(&format!("screen {} is no longer shown", screen.id + 1)),
        "{error}"
    );
    assert!(
        error.contains(&format!("screen {} waits now", screen.id)),
        "{error}"
    );
    assert!(
        request(&r.path, Request::Confirm { id: screen.id })
            .await
            .unwrap()
            .ok
    );
    let answer = tokio::time::timeout(Duration::from_secs(5), signing)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(answer.len(), 66, "signed after Confirm, not rejected");
    // The screen it answered is gone: pressing it again is refused.
    let late = request(&r.path, Request::Confirm { id: screen.id })
        .await
        .unwrap();
    assert!(
        !late.ok
            && late
                .error
                .unwrap_or_default()
                .contains(&format!("screen {} is no longer shown", screen.id))
    );
    let events = request(&r.path, Request::Events)
        .await
        .unwrap()
        .events
        .unwrap();
    assert_eq!(events.len(), 2);
    r.shutdown.cancel();
}

#[tokio::test]
async fn a_live_socket_is_not_taken_over() {
    let r = start(false).await;
    let err = ControlServer::bind(&r.path).unwrap_err();
    assert!(err.to_string().contains("in use"), "{err}");
    r.shutdown.cancel();
}
