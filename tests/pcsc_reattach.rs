//! The emulator killed (`kill -9`) while a PC/SC client is in the middle of a transaction, and
//! started again at once, 20 times: every time the card is back in `opensc-tool -l` within 2 s.
//! (Without the link's stale-connection rule, pcscd kept the reader empty for good: its poll
//! thread never saw the card go, while the client's failed transmit marked the reader empty.)
//! A private pcscd with a vpcd reader (the `testkit` harness); skips with a printed
//! reason when not root or pcscd, vpcd, unshare, nsenter or OpenSC are missing.
#![cfg(feature = "pcsc")]
#![allow(clippy::unwrap_used, reason = "tests")]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use testkit::process::{self, Guard};
use testkit::require_pcscd;

const BIN: &str = env!("CARGO_BIN_EXE_rutoken-lab");
const ROUNDS: usize = 20;
/// The issue's bar: visible again within 2 s of the restart.
const BACK_WITHIN: Duration = Duration::from_secs(2);

/// A pyscard client that connects, opens a transaction and transmits GET DATA (serial) in a
/// loop, printing `ready` after 50 answers; it exits when the card goes.
const CLIENT: &str = r#"
import sys, time
from smartcard.System import readers
from smartcard.scard import *
reader = [r for r in readers() if str(r) == 'Virtual PCD 00 00'][0]
c = reader.createConnection()
deadline = time.time() + 20
while True:
    try:
        c.connect(); break
    except Exception:
        if time.time() > deadline: raise
        time.sleep(0.05)
hcard = c.component.hcard
assert SCardBeginTransaction(hcard) == SCARD_S_SUCCESS
n = 0
while True:
    try:
        data, sw1, sw2 = c.transmit([0x00, 0xCA, 0x01, 0x81, 0x00])
    except Exception as e:
        print('failed after', n, flush=True)
        break
    n += 1
    if n == 50:
        print('ready', flush=True)
"#;

/// `rutoken-lab sim` without a SafeTouch, killed (`kill -9`) when dropped; not waited for.
fn start_sim(port: u16) -> Guard {
    let mut sim = process::lab_sim(BIN, port);
    sim.args(["--fixture", "personalised", "--no-safetouch"]);
    process::spawn_sim(sim)
}

/// True when `opensc-tool -l` lists the first vpcd slot with a card.
fn card_listed(pcscd: &testkit::Pcscd) -> bool {
    let out = pcscd.run("opensc-tool", &["-l"]);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .any(|l| l.ends_with("Virtual PCD 00 00") && l.split_whitespace().nth(1) == Some("Yes"))
}

#[test]
fn killed_mid_transaction_and_restarted_the_card_is_back_within_2_s() {
    require_pcscd!();
    if Command::new("opensc-tool")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: opensc-tool is not installed (Debian: opensc)");
        return;
    }
    let pcscd = testkit::Pcscd::start();
    let mut sim = start_sim(pcscd.port);
    testkit::wait_until(Duration::from_secs(20), "the card listed", || {
        card_listed(&pcscd)
    });
    let mut late = Vec::new();
    for round in 1..=ROUNDS {
        let mut client = pcscd
            .enter(testkit::PYTHON)
            .args(["-c", CLIENT])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(client.stdout.take().unwrap()).lines();
        assert_eq!(
            lines.next().unwrap().unwrap(),
            "ready",
            "round {round}: client"
        );
        // kill -9 in the middle of the client's transaction, and start again at once.
        sim.kill();
        let restarted = Instant::now();
        sim = start_sim(pcscd.port);
        let failed = lines.next().unwrap().unwrap();
        assert!(
            failed.starts_with("failed after"),
            "round {round}: {failed}"
        );
        let _ = client.wait();
        while !card_listed(&pcscd) {
            assert!(
                restarted.elapsed() < Duration::from_secs(15),
                "round {round}: the card never came back\npcscd:\n{}",
                pcscd.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let took = restarted.elapsed();
        eprintln!("round {round}: card listed again {took:?} after the restart");
        if took > BACK_WITHIN {
            late.push((round, took));
        }
    }
    assert!(
        late.is_empty(),
        "{} of {ROUNDS} rounds over {BACK_WITHIN:?}: {late:?}",
        late.len()
    );
}
