//! The vpcd transport through a real pcscd and real PC/SC clients (pyscard, pcsc_scan), with
//! small test cards: the card's APDUs, pull and insert, a SafeTouch, a pcscd restart.
//! Each test makes its own pcscd in a private mount namespace; skipped (with the reason printed)
//! when not root or when pcscd, vpcd, unshare or nsenter are missing.

#![allow(clippy::unwrap_used, reason = "tests")]

use std::io::Read;
use std::process::Stdio;
use std::time::Duration;

use rutoken_sim::Card;
use rutoken_sim::safetouch::{ChannelButtons, Press, SafeTouch, SafeTouchProfile, encode_tlv};
use rutoken_sim::vpcd::{ECHO_ATR, EchoCard, LinkState};
use testkit::require_pcscd;
use testkit::{Emulator, Pcscd, wait_until};

/// pyscard helpers: the first vpcd reader, `tx(hex)` returning "data sw" in hex.
const PRELUDE: &str = r#"
import sys, time
from smartcard.System import readers
from smartcard.util import toHexString, toBytes
reader = [r for r in readers() if 'Virtual PCD' in str(r)][0]
def probe():
    c = reader.createConnection(); c.connect(); return c
def connect():
    # pcscd polls the reader: a card just attached may need a moment to be seen.
    deadline = time.time() + 15
    while True:
        try:
            return probe()
        except Exception:
            if time.time() > deadline: raise
            time.sleep(0.1)
def tx(c, apdu):
    data, sw1, sw2 = c.transmit(toBytes(apdu))
    return bytes(data).hex().upper(), '%02X%02X' % (sw1, sw2)
"#;

/// Signs (64 bytes of `5A`) after PSO: HASH.
struct SigningCard;

impl Card for SigningCard {
    fn atr(&self) -> Vec<u8> {
        ECHO_ATR.to_vec()
    }
    fn power_on(&mut self) {}
    fn power_off(&mut self) {}
    fn reset(&mut self) {}
    fn transmit(&mut self, command: &[u8]) -> Vec<u8> {
        if command.get(1..3) == Some(&[0x2A, 0x9E]) {
            let mut r = vec![0x5A; 64];
            r.extend_from_slice(&[0x90, 0x00]);
            return r;
        }
        vec![0x90, 0x00]
    }
}

#[test]
fn pyscard_talks_to_the_emulator() {
    require_pcscd!();
    let pcscd = Pcscd::start();
    let emulator = Emulator::attach(Box::new(EchoCard::default()), pcscd.port);
    let out = pcscd.python(&format!(
        "{PRELUDE}
c = connect()
print(toHexString(c.getATR()).replace(' ', ''))
print(tx(c, '00A4000C023F00')[1])
"
    ));
    let hex_atr: String = ECHO_ATR.iter().map(|b| format!("{b:02X}")).collect();
    assert_eq!(out.lines().collect::<Vec<_>>(), [hex_atr.as_str(), "9000"]);
    emulator.stop();
}

#[test]
fn pcsc_scan_sees_the_card_go_and_come() {
    require_pcscd!();
    let pcscd = Pcscd::start();
    let emulator = Emulator::attach(Box::new(EchoCard::default()), pcscd.port);
    let mut scan = pcscd
        .enter("stdbuf")
        .args(["-oL", "pcsc_scan", "-n", "-t", "8"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    emulator.presence.pull();
    emulator.wait_for(LinkState::Pulled);
    std::thread::sleep(Duration::from_millis(1500));
    emulator.presence.insert();
    emulator.wait_for(LinkState::Connected);
    let mut out = String::new();
    scan.stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let _ = scan.wait();
    let removed = out
        .find("Card removed")
        .unwrap_or_else(|| panic!("no removal in:\n{out}"));
    let inserted = out
        .rfind("Card inserted")
        .unwrap_or_else(|| panic!("no insertion:\n{out}"));
    assert!(removed < inserted, "{out}");
    emulator.stop();
}

#[test]
fn a_pulled_token_cannot_be_connected_and_comes_back_on_insert() {
    require_pcscd!();
    let pcscd = Pcscd::start();
    let emulator = Emulator::attach(Box::new(EchoCard::default()), pcscd.port);
    let probe = format!(
        "{PRELUDE}
try:
    probe(); print('present')
except Exception as e:
    print('absent', type(e).__name__)
"
    );
    pcscd.python(&format!("{PRELUDE}\nconnect()"));
    assert_eq!(pcscd.python(&probe).trim(), "present");
    emulator.presence.pull();
    wait_until(Duration::from_secs(10), "the reader to see no card", || {
        pcscd.python(&probe).starts_with("absent")
    });
    emulator.presence.insert();
    wait_until(
        Duration::from_secs(10),
        "the reader to see the card",
        || pcscd.python(&probe).trim() == "present",
    );
    emulator.stop();
}

#[test]
fn the_emulator_reattaches_when_pcscd_restarts() {
    require_pcscd!();
    let mut pcscd = Pcscd::start();
    let emulator = Emulator::attach(Box::new(EchoCard::default()), pcscd.port);
    pcscd.stop_daemon();
    emulator.wait_for(LinkState::Connecting);
    pcscd.start_daemon();
    emulator.wait_for(LinkState::Connected);
    let out = pcscd.python(&format!("{PRELUDE}\nprint(tx(connect(), '00CA018100')[1])"));
    assert_eq!(out.trim(), "9000");
    emulator.stop();
}

#[test]
fn safetouch_gates_signatures_through_pcscd() {
    require_pcscd!();
    let pcscd = Pcscd::start();
    let (buttons, presses) = ChannelButtons::new();
    let profile = SafeTouchProfile {
        timeout_ms: 3000,
        ..SafeTouchProfile::default()
    };
    let safetouch = SafeTouch::new(SigningCard, profile, Box::new(buttons));
    let monitor = safetouch.monitor();
    let emulator = Emulator::attach(Box::new(safetouch), pcscd.port);
    let document = encode_tlv(&[
        (0x01, b"CR"),
        (0x02, &[1]),
        (0x90, "04.02.2020".as_bytes()),
        (0x91, "Иванов Иван Иванович".as_bytes()),
        (0x92, "3867XXXXXXXXXX".as_bytes()),
        (0xFF, &[]),
    ]);
    let hash_apdu = format!(
        "002A9080{:02X}{}",
        document.len(),
        hex::encode_upper(&document)
    );
    let script = format!(
        "{PRELUDE}
c = connect()
for press in range(3):
    assert tx(c, '{hash_apdu}')[1] == '9000'
    data, sw = tx(c, '002A9E9A00')
    print(len(data) // 2, sw)
    sys.stdout.flush()
"
    );
    let mut client = pcscd
        .enter(testkit::PYTHON)
        .args(["-c", &script])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut last_screen = 0;
    for press in [Press::Reject, Press::Confirm] {
        wait_until(Duration::from_secs(20), "a new screen", || {
            let screen = monitor.screen();
            screen.waiting && screen.id > last_screen
        });
        let screen = monitor.screen();
        last_screen = screen.id;
        let text = screen.text().replace('\n', " ");
        assert!(
            text.contains("Дата: 04.02.2020") && text.contains("Иванов Иван"),
            "{text}"
        );
        presses.press(&screen, press).unwrap();
    }
    // The third screen is left to time out.
    let mut out = String::new();
    client
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert!(client.wait().unwrap().success());
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        ["0 6FB1", "64 9000", "0 6FB1"]
    );
    let presses: Vec<_> = monitor
        .events()
        .into_iter()
        .filter_map(|e| match e.kind {
            rutoken_sim::safetouch::EventKind::Pressed { press } => Some(press),
            _ => None,
        })
        .collect();
    assert_eq!(presses, [Press::Reject, Press::Confirm, Press::Timeout]);
    emulator.stop();
}

/// A PC/SC client's 1-byte command reaches vpcd as a 1-byte message like vpcd's control codes;
/// the emulator answers it `67 00` (wrong length) instead of leaving the client, and every
/// later one, hanging. pyscard, through pcscd.
#[test]
fn a_one_byte_apdu_is_answered_6700_and_the_next_client_is_served() {
    require_pcscd!();
    let pcscd = Pcscd::start();
    let emulator = Emulator::attach(Box::new(EchoCard::default()), pcscd.port);
    let first = pcscd.python(&format!(
        "{PRELUDE}
c = connect()
print(tx(c, '80')[1])
print(tx(c, '00A4000C023F00')[1])
"
    ));
    assert_eq!(first.lines().collect::<Vec<_>>(), ["6700", "9000"]);
    let next = pcscd.python(&format!(
        "{PRELUDE}
c = connect()
print(tx(c, '00CA018100')[1])
"
    ));
    assert_eq!(next.trim(), "9000", "the next client is served");
    emulator.stop();
}
