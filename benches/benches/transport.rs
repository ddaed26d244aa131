//! Criterion benches `transport/…`: the emulator's vpcd client against an in-process fake vpcd
//! on loopback. `vpcd_roundtrip` sends each command in one write; `vpcd_roundtrip_two_writes`
//! imitates Debian's vpcd 0.8 (length and body in two writes, Nagle on), where the client's
//! `TCP_QUICKACK` handling decides between ~10 µs and ~40 ms per APDU.
#![allow(missing_docs)]
#![allow(clippy::unwrap_used, reason = "bench set-up")]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use rutoken_sim::Card;
use rutoken_sim::token::{Fixture, Token, TokenProfile};
use rutoken_sim::vpcd::{CardWorker, EchoCard, Presence, Vpcd, VpcdOptions};
use tokio_util::sync::CancellationToken;

/// SELECT MF (`rutoken-ecp-apdu.md`): a typical short command.
const SELECT_MF: [u8; 7] = [0x00, 0xA4, 0x00, 0x00, 0x02, 0x3F, 0x00];
/// GET DATA serial (`rutoken-ecp-apdu.md`), the command of `vpcd-throughput.sh`.
const GET_SERIAL: [u8; 5] = [0x00, 0xCA, 0x01, 0x81, 0x00];

struct Link {
    stream: TcpStream,
    shutdown: CancellationToken,
    thread: Option<std::thread::JoinHandle<()>>,
    worker: Option<CardWorker>,
}

impl Link {
    fn start(nodelay: bool, card: Box<dyn Card>) -> Link {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let worker = CardWorker::spawn(card).unwrap();
        let options = VpcdOptions {
            address: listener.local_addr().unwrap().to_string(),
            ..VpcdOptions::default()
        };
        let vpcd = Arc::new(Vpcd::new(options, worker.handle(), Presence::default()));
        let shutdown = CancellationToken::new();
        let token = shutdown.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(vpcd.run(token)).unwrap();
        });
        let (stream, _) = listener.accept().unwrap();
        stream.set_nodelay(nodelay).unwrap();
        Link {
            stream,
            shutdown,
            thread: Some(thread),
            worker: Some(worker),
        }
    }

    fn roundtrip(&mut self, apdu: &[u8], two_writes: bool) -> Vec<u8> {
        let len = u16::try_from(apdu.len())
            .expect("a vpcd frame")
            .to_be_bytes();
        if two_writes {
            self.stream.write_all(&len).unwrap();
            self.stream.write_all(apdu).unwrap();
        } else {
            let mut frame = len.to_vec();
            frame.extend_from_slice(apdu);
            self.stream.write_all(&frame).unwrap();
        }
        let mut len = [0u8; 2];
        self.stream.read_exact(&mut len).unwrap();
        let mut answer = vec![0u8; usize::from(u16::from_be_bytes(len))];
        self.stream.read_exact(&mut answer).unwrap();
        answer
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        self.shutdown.cancel();
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        if let Some(worker) = self.worker.take() {
            worker.stop();
        }
    }
}

fn echo() -> Box<dyn Card> {
    Box::new(EchoCard::default())
}

fn transport(c: &mut Criterion) {
    let mut link = Link::start(true, echo());
    c.bench_function("transport/vpcd_roundtrip", |b| {
        b.iter(|| link.roundtrip(std::hint::black_box(&SELECT_MF), false))
    });
    drop(link);
    let mut token = Token::in_memory(Fixture::Personalised, 0, TokenProfile::default()).unwrap();
    c.bench_function("transport/card_only_token_get_serial", |b| {
        b.iter(|| token.transmit(std::hint::black_box(&GET_SERIAL)))
    });
    let token = Token::in_memory(Fixture::Personalised, 0, TokenProfile::default()).unwrap();
    let mut link = Link::start(true, Box::new(token));
    c.bench_function("transport/vpcd_roundtrip_token_get_serial", |b| {
        b.iter(|| link.roundtrip(std::hint::black_box(&GET_SERIAL), false))
    });
    drop(link);
    let mut link = Link::start(true, echo());
    c.bench_function("transport/vpcd_roundtrip_echo_get_serial", |b| {
        b.iter(|| link.roundtrip(std::hint::black_box(&GET_SERIAL), false))
    });
    drop(link);
    let mut link = Link::start(false, echo());
    c.bench_function("transport/vpcd_roundtrip_two_writes", |b| {
        b.iter(|| link.roundtrip(std::hint::black_box(&SELECT_MF), true))
    });
}

criterion_group!(benches, transport);
criterion_main!(benches);
