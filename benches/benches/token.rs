//! Criterion benches of the virtual token, in process (SELECT MF also prints its thread CPU time
//! per APDU over 5 million runs; goal at least 20 million a second, issue 25; 7 Dec 2026 on this
//! 2-core machine under load: 44.0 / 41.0 / 41.0 ns, 24.4 million a second; criterion medians of
//! 3 interleaved rounds 155 / 151 / 133 ns before issue 25's changes, 49 / 48 / 72 ns after):
//! `token/apdu/select_mf`, `token/apdu/verify_pin`, `token/sign/256`, `token/sign/512`
//! (in-memory tokens) and `token/image/update_binary_durable` (an image on a temp file: every
//! UPDATE BINARY is written aside, fsynced, renamed and the directory fsynced).
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rutoken_sim::Card;
use rutoken_sim::token::{Fixture, Token, TokenProfile};

fn apdu(text: &str) -> Vec<u8> {
    hex::decode(text.split_whitespace().collect::<String>()).unwrap_or_default()
}

fn ok(token: &mut Token, text: &str) {
    let answer = token.transmit(&apdu(text));
    assert_eq!(answer[answer.len() - 2..], [0x90, 0x00], "{text}");
}

const VERIFY_USER: &str = "00 20 00 02 08 3132333435363738";

/// A factory token with a generated key of the given attribute-85 code at reference 1, the MSE
/// set for signing.
fn signing_token(code: u8) -> Token {
    let mut t = Token::in_memory(Fixture::Factory, 7, TokenProfile::default())
        .unwrap_or_else(|e| panic!("{e}"));
    ok(&mut t, VERIFY_USER);
    let (private_size, public_size) = if code & 0x0F == 2 {
        ("0040", "0080")
    } else {
        ("0020", "0040")
    };
    ok(
        &mut t,
        &format!(
            "00 E0 00 00 27 6F25 8002 {private_size} 8202 1000 8302 0001 8506 03{code:02X}00AA0000 860F 460002020000000200000000000000"
        ),
    );
    ok(
        &mut t,
        &format!(
            "00 E0 00 00 27 6F25 8002 {public_size} 8202 1000 8302 0001 8506 13{code:02X}00AA0000 860F 460002000000000200000000000000"
        ),
    );
    ok(&mut t, "00 46 80 01 00");
    ok(&mut t, "00 22 41 B6 03 840101");
    t
}

fn apdu_benches(c: &mut Criterion) {
    let mut token = Token::in_memory(Fixture::Factory, 0, TokenProfile::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let select_mf = apdu("00 A4 00 00 02 3F00 00");
    c.bench_function("token/apdu/select_mf", |b| {
        b.iter(|| black_box(token.transmit(black_box(&select_mf))))
    });
    const RUNS: u32 = 5_000_000;
    match rutoken_benches::cpu_time_per_run(RUNS, || {
        black_box(token.transmit(black_box(&select_mf)));
    }) {
        Ok(each) => eprintln!(
            "token/apdu/select_mf: {:.1} ns CPU time each ({:.1} million per CPU second, {RUNS} runs)",
            each.as_secs_f64() * 1e9,
            1e-6 / each.as_secs_f64().max(f64::MIN_POSITIVE)
        ),
        Err(why) => eprintln!("token/apdu/select_mf: CPU time skipped: {why}"),
    }
    let verify = apdu(VERIFY_USER);
    c.bench_function("token/apdu/verify_pin", |b| {
        b.iter(|| black_box(token.transmit(black_box(&verify))))
    });
}

fn sign_benches(c: &mut Criterion) {
    for (id, code, len) in [
        ("token/sign/256", 0x11u8, 32usize),
        ("token/sign/512", 0x12, 64),
    ] {
        let mut token = signing_token(code);
        let mut command = vec![
            0x00,
            0x2A,
            0x9E,
            0x9A,
            u8::try_from(len).expect("a short Lc"),
        ];
        command.extend(std::iter::repeat_n(0x5A, len));
        command.push(0x00);
        c.bench_function(id, |b| {
            b.iter(|| black_box(token.transmit(black_box(&command))))
        });
    }
}

fn image_benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("bench.img");
    let mut token = Token::create_image(&path, Fixture::Factory, 0, TokenProfile::default())
        .unwrap_or_else(|e| panic!("{e}"));
    ok(&mut token, VERIFY_USER);
    ok(&mut token, "00 A4 00 00 02 3F00 00");
    ok(
        &mut token,
        "00 E0 00 00 1F 6F1D 8002 0100 8202 0100 8302 0101 860F 430000000000000100000000000000",
    );
    let update = apdu(&format!("00 D6 00 00 80 {}", "A5".repeat(128)));
    c.bench_function("token/image/update_binary_durable", |b| {
        b.iter(|| black_box(token.transmit(black_box(&update))))
    });
}

criterion_group!(benches, apdu_benches, sign_benches, image_benches);
criterion_main!(benches);
