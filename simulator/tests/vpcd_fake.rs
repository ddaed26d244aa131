//! The vpcd client against a fake vpcd on loopback (no pcscd): framing, control codes, pull and
//! insert, reconnection, shutdown, and the delayed-ACK speed trap.

#![allow(
    clippy::cast_possible_truncation,
    reason = "test APDUs: lengths known to fit a byte, and deliberate low-byte or wrapping casts"
)]
#![allow(clippy::unwrap_used, reason = "tests")]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rutoken_sim::Card;
use rutoken_sim::profile::{CommandLatency, LatencyProfile};
use rutoken_sim::vpcd::{
    CardWorker, ECHO_ATR, EchoCard, LinkState, PCSCD_POLL, Presence, Vpcd, VpcdOptions,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// An echo card whose counters the test can read while the worker owns it.
#[derive(Clone, Default)]
struct SharedEcho(Arc<Mutex<EchoCard>>);

impl Card for SharedEcho {
    fn atr(&self) -> Vec<u8> {
        self.0.lock().unwrap().atr()
    }
    fn power_on(&mut self) {}
    fn power_off(&mut self) {
        self.0.lock().unwrap().power_off();
    }
    fn reset(&mut self) {
        self.0.lock().unwrap().reset();
    }
    fn transmit(&mut self, command: &[u8]) -> Vec<u8> {
        self.0.lock().unwrap().transmit(command)
    }
}

struct Fixture {
    listener: TcpListener,
    vpcd: Arc<Vpcd>,
    presence: Presence,
    card: SharedEcho,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<()>,
    _worker: CardWorker,
}

async fn start() -> Fixture {
    start_with(LatencyProfile::default()).await
}

async fn start_with(latency: LatencyProfile) -> Fixture {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let card = SharedEcho::default();
    let worker = CardWorker::spawn(Box::new(card.clone())).unwrap();
    let presence = Presence::default();
    let options = VpcdOptions {
        address: listener.local_addr().unwrap().to_string(),
        backoff_initial: Duration::from_millis(10),
        backoff_max: Duration::from_millis(100),
        latency,
        ..VpcdOptions::default()
    };
    let vpcd = Arc::new(Vpcd::new(options, worker.handle(), presence.clone()));
    let shutdown = CancellationToken::new();
    let task = {
        let (vpcd, shutdown) = (Arc::clone(&vpcd), shutdown.clone());
        tokio::spawn(async move { vpcd.run(shutdown).await.unwrap() })
    };
    Fixture {
        listener,
        vpcd,
        presence,
        card,
        shutdown,
        task,
        _worker: worker,
    }
}

async fn send(stream: &mut TcpStream, payload: &[u8]) {
    let mut frame = (payload.len() as u16).to_be_bytes().to_vec();
    frame.extend_from_slice(payload);
    stream.write_all(&frame).await.unwrap();
}

async fn receive(stream: &mut TcpStream) -> Vec<u8> {
    let mut len = [0u8; 2];
    stream.read_exact(&mut len).await.unwrap();
    let mut body = vec![0u8; u16::from_be_bytes(len).into()];
    stream.read_exact(&mut body).await.unwrap();
    body
}

async fn accept(listener: &TcpListener) -> TcpStream {
    tokio::time::timeout(Duration::from_secs(10), listener.accept())
        .await
        .unwrap()
        .unwrap()
        .0
}

#[tokio::test]
async fn control_codes_apdus_and_one_byte_apdus() {
    let f = start().await;
    let mut vpcd = accept(&f.listener).await;
    send(&mut vpcd, &[1]).await;
    send(&mut vpcd, &[4]).await;
    assert_eq!(receive(&mut vpcd).await, ECHO_ATR);
    send(&mut vpcd, &[0x00, 0xA4, 0x00, 0x00]).await;
    assert_eq!(receive(&mut vpcd).await, [0x90, 0x00]);
    // A 1-byte payload that is no control code of vpcd's is a client's 1-byte APDU: wrong
    // length, answered by the transport (the card never sees it), and the link stays up.
    send(&mut vpcd, &[0x80]).await;
    assert_eq!(receive(&mut vpcd).await, [0x67, 0x00]);
    send(&mut vpcd, &[3]).await;
    assert_eq!(receive(&mut vpcd).await, [0x67, 0x00]);
    send(&mut vpcd, &[0]).await;
    send(&mut vpcd, &[2]).await;
    send(&mut vpcd, &[4]).await;
    assert_eq!(receive(&mut vpcd).await, ECHO_ATR);
    let card = f.card.0.lock().unwrap().clone();
    assert_eq!((card.apdus, card.power_losses), (1, 2));
    f.shutdown.cancel();
    f.task.await.unwrap();
    assert_eq!(*f.vpcd.state().borrow(), LinkState::Stopped);
}

#[tokio::test]
async fn pull_closes_the_connection_and_insert_reconnects() {
    let f = start().await;
    let mut vpcd = accept(&f.listener).await;
    send(&mut vpcd, &[4]).await;
    assert_eq!(receive(&mut vpcd).await, ECHO_ATR);
    f.presence.pull();
    let mut byte = [0u8; 1];
    let n = tokio::time::timeout(Duration::from_secs(5), vpcd.read(&mut byte))
        .await
        .unwrap();
    assert_eq!(
        n.unwrap(),
        0,
        "the connection must close: vpcd then sees no card"
    );
    // While pulled, no new connection comes.
    assert!(
        tokio::time::timeout(Duration::from_millis(200), f.listener.accept())
            .await
            .is_err()
    );
    f.presence.insert();
    let mut vpcd = accept(&f.listener).await;
    send(&mut vpcd, &[4]).await;
    assert_eq!(receive(&mut vpcd).await, ECHO_ATR);
    assert!(
        f.card.0.lock().unwrap().power_losses >= 1,
        "pulling cuts the power"
    );
    f.shutdown.cancel();
    f.task.await.unwrap();
}

#[tokio::test]
async fn reconnects_when_vpcd_goes_away() {
    let f = start().await;
    let vpcd = accept(&f.listener).await;
    drop(vpcd);
    let mut vpcd = accept(&f.listener).await;
    send(&mut vpcd, &[0x00, 0xCA, 0x01, 0x81, 0x00]).await;
    assert_eq!(receive(&mut vpcd).await, [0x90, 0x00]);
    f.shutdown.cancel();
    f.task.await.unwrap();
}

#[tokio::test]
async fn waits_with_back_off_for_a_vpcd_that_is_not_there_yet() {
    // Reserve a port, close it, start the client, then listen: the client must find it.
    let probe = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = probe.local_addr().unwrap();
    drop(probe);
    let worker = CardWorker::spawn(Box::new(EchoCard::default())).unwrap();
    let options = VpcdOptions {
        address: address.to_string(),
        backoff_initial: Duration::from_millis(10),
        backoff_max: Duration::from_millis(50),
        ..VpcdOptions::default()
    };
    let vpcd = Arc::new(Vpcd::new(options, worker.handle(), Presence::default()));
    let shutdown = CancellationToken::new();
    let task = {
        let (vpcd, shutdown) = (Arc::clone(&vpcd), shutdown.clone());
        tokio::spawn(async move { vpcd.run(shutdown).await.unwrap() })
    };
    tokio::time::sleep(Duration::from_millis(150)).await;
    let listener = TcpListener::bind(address).await.unwrap();
    let mut stream = accept(&listener).await;
    send(&mut stream, &[4]).await;
    assert_eq!(receive(&mut stream).await, ECHO_ATR);
    shutdown.cancel();
    task.await.unwrap();
}

/// vpcd 0.8 writes the length and the body in two writes with Nagle on. Without quick ACKs each
/// round trip costs the delayed-ACK time (~40 ms on Linux); 200 round trips would take ~8 s.
#[tokio::test]
async fn two_write_frames_are_not_slowed_by_delayed_acks() {
    let f = start().await;
    let mut vpcd = accept(&f.listener).await;
    vpcd.set_nodelay(false).unwrap();
    let apdu = [0x00, 0xB0, 0x00, 0x00, 0x10];
    let started = Instant::now();
    for _ in 0..200 {
        vpcd.write_all(&(apdu.len() as u16).to_be_bytes())
            .await
            .unwrap();
        vpcd.write_all(&apdu).await.unwrap();
        assert_eq!(receive(&mut vpcd).await, [0x90, 0x00]);
    }
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(3),
        "200 round trips took {elapsed:?}"
    );
    f.shutdown.cancel();
    f.task.await.unwrap();
}

#[tokio::test]
async fn a_bad_address_is_an_error() {
    let worker = CardWorker::spawn(Box::new(EchoCard::default())).unwrap();
    let options = VpcdOptions {
        address: "no port here".into(),
        ..VpcdOptions::default()
    };
    let vpcd = Vpcd::new(options, worker.handle(), Presence::default());
    let err = vpcd.run(CancellationToken::new()).await.unwrap_err();
    assert!(err.to_string().contains("no port here"));
}

#[tokio::test]
async fn profile_latencies_delay_the_matching_commands_only() {
    let latency = LatencyProfile {
        default_ms: 0,
        commands: vec![CommandLatency {
            ins: 0x46,
            p1: None,
            ms: 150,
        }],
    };
    let f = start_with(latency).await;
    let mut vpcd = accept(&f.listener).await;
    let started = Instant::now();
    send(&mut vpcd, &[0x00, 0x46, 0x80, 0x01, 0x00]).await;
    assert_eq!(receive(&mut vpcd).await, [0x90, 0x00]);
    assert!(started.elapsed() >= Duration::from_millis(150));
    let started = Instant::now();
    send(&mut vpcd, &[0x00, 0xCA, 0x01, 0x81, 0x00]).await;
    assert_eq!(receive(&mut vpcd).await, [0x90, 0x00]);
    assert!(started.elapsed() < Duration::from_millis(150));
    f.shutdown.cancel();
    f.task.await.unwrap();
}

/// A pcscd that missed a removal probes the new connection with get-ATR and never powers it up:
/// the client drops it within `CONFIRM_WAIT`, stays away `STALE_AWAY` after the last probe (long
/// enough for a poll to find no card), comes back, and stays once it is powered up.
#[tokio::test]
async fn a_connection_probed_but_never_powered_is_dropped_and_made_again() {
    use rutoken_sim::vpcd::{CONFIRM_WAIT, STALE_AWAY};
    let f = start().await;
    let mut vpcd = accept(&f.listener).await;
    send(&mut vpcd, &[4]).await;
    assert_eq!(receive(&mut vpcd).await, ECHO_ATR);
    let probed = Instant::now();
    let mut byte = [0u8; 1];
    let n = tokio::time::timeout(Duration::from_secs(5), vpcd.read(&mut byte))
        .await
        .unwrap();
    assert_eq!(n.unwrap(), 0, "a stale connection is closed");
    let closed = probed.elapsed();
    assert!(
        closed >= CONFIRM_WAIT - Duration::from_millis(20) && closed < PCSCD_POLL,
        "closed {closed:?} after the probe: before pcscd's next poll"
    );
    assert_ne!(*f.vpcd.state().borrow(), LinkState::Connected);
    let mut vpcd = accept(&f.listener).await;
    let back = probed.elapsed();
    assert!(
        back >= PCSCD_POLL && back >= STALE_AWAY - Duration::from_millis(20),
        "back {back:?} after the probe: a poll must have found no card"
    );
    // This time pcscd powers the card up right after the probe: the link stays.
    send(&mut vpcd, &[4]).await;
    assert_eq!(receive(&mut vpcd).await, ECHO_ATR);
    send(&mut vpcd, &[1]).await;
    tokio::time::sleep(CONFIRM_WAIT * 2).await;
    send(&mut vpcd, &[0x00, 0xCA, 0x01, 0x81, 0x00]).await;
    assert_eq!(receive(&mut vpcd).await, [0x90, 0x00]);
    assert_eq!(*f.vpcd.state().borrow(), LinkState::Connected);
    f.shutdown.cancel();
    f.task.await.unwrap();
}
