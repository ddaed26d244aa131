//! Relay and replay end to end (issue #14): the emulator (`rutoken-lab sim`) on vpcd's first
//! slot of a private pcscd, `rutoken-lab relay` of that reader on the second slot, and clients
//! nobody here wrote (pyscard, OpenSC's pkcs15-tool) talking to the relayed reader. The
//! transcript must hold every exchange with PINs masked; `replay` against a fresh emulator with
//! the same profile shows no difference, and with a changed profile (the other role may log in) shows
//! exactly the refused administrator VERIFY as one. Skips with a printed reason when not root or pcscd,
//! vpcd, unshare, nsenter or pkcs15-tool are missing.
#![cfg(feature = "pcsc")]
#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::Path;
use std::process::Command;

use testkit::process::{self, Guard};
use testkit::{require_pcscd, require_tools};

const BIN: &str = env!("CARGO_BIN_EXE_rutoken-lab");
/// vpcd's two slots: the port in `reader.conf`, and port + 1.
const EMULATOR_READER: &str = "Virtual PCD 00 00";
const RELAY_READER: &str = "Virtual PCD 00 01";
const USER_PIN: &str = "12345678";
const ADMIN_PIN: &str = "87654321";

/// pyscard on the relayed reader: the PIN-status query, SELECT MF, GET DATA (serial), VERIFY
/// with the user PIN, the status again, then VERIFY of the administrator PIN while the user is
/// logged in (refused with the profile's `other_role_logged_in_sw`).
const PYSCARD: &str = r#"
import sys
from smartcard.System import readers
r = [x for x in readers() if str(x) == sys.argv[1]][0]
c = r.createConnection(); c.connect()
pin = list(sys.argv[2].encode())
admin = list(sys.argv[3].encode())
for apdu in ([0x00,0x20,0x00,0x02], [0x00,0xA4,0x00,0x00,0x02,0x3F,0x00],
             [0x00,0xCA,0x01,0x81,0x00], [0x00,0x20,0x00,0x02,len(pin)] + pin,
             [0x00,0x20,0x00,0x02], [0x00,0x20,0x00,0x01,len(admin)] + admin):
    data, sw1, sw2 = c.transmit(apdu)
    print('%02X%02X %d' % (sw1, sw2, len(data)))
"#;

fn replay(transcript: &Path, profile: Option<&Path>) -> (Option<i32>, String) {
    let mut cmd = Command::new(BIN);
    cmd.arg("replay")
        .arg(transcript)
        .args(["--user-pin", USER_PIN, "--admin-pin", ADMIN_PIN]);
    if let Some(profile) = profile {
        cmd.arg("--profile").arg(profile);
    }
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

#[test]
fn relayed_emulator_replays_without_difference_and_a_changed_profile_shows_one() {
    require_pcscd!();
    require_tools!(["pkcs15-tool"], "Debian: opensc");
    let pcscd = testkit::Pcscd::start();
    let dir = tempfile::tempdir().unwrap();
    let sim_log = dir.path().join("sim.log");
    let confirming = ["--fixture", "personalised", "--safetouch-policy", "confirm"];
    let _sim = process::start_lab_sim(BIN, pcscd.port, &confirming, &sim_log);

    let transcript = dir.path().join("relay.jsonl");
    let relay_log = dir.path().join("relay.log");
    let mut relay = pcscd.enter(BIN);
    relay
        .args(["relay", "--reader", EMULATOR_READER])
        .args(["--vpcd", &format!("127.0.0.1:{}", pcscd.port + 1)])
        .arg("--record")
        .arg(&transcript);
    // SIGTERM at the end: the relay flushes its transcript.
    let mut relay = Guard::terminate_on_drop(process::spawn_logged(relay, &relay_log));
    testkit::wait_for_line(&relay_log, process::ATTACHED);

    let dump = pcscd.run("pkcs15-tool", &["--reader", RELAY_READER, "--list-keys"]);
    assert!(
        dump.status.success(),
        "pkcs15-tool --list-keys:\n{}{}",
        String::from_utf8_lossy(&dump.stdout),
        String::from_utf8_lossy(&dump.stderr)
    );
    let py = pcscd.python(&format!(
        "import sys; sys.argv = ['x', '{RELAY_READER}', '{USER_PIN}', '{ADMIN_PIN}']\n{PYSCARD}"
    ));
    let lines: Vec<&str> = py.lines().collect();
    // The emulator's own answers through the relay: 5 tries (the personalised fixture), verified,
    // and the administrator refused while the user is logged in.
    assert_eq!(
        lines,
        ["63C5 0", "9000 31", "9000 8", "9000 0", "9000 0", "6F86 0"],
        "pyscard:\n{py}"
    );
    relay.stop();

    let text = std::fs::read_to_string(&transcript).unwrap();
    let apdus = text.lines().filter(|l| l.contains("\"apdu\"")).count();
    assert!(apdus > 10, "only {apdus} exchanges recorded:\n{text}");
    assert!(text.contains("\"took_ms\""), "{text}");
    // The PIN never reaches the transcript, in any spelling; its VERIFY is there, masked.
    for pin in [USER_PIN, ADMIN_PIN] {
        assert!(
            !text.contains(&spaced_hex(pin.as_bytes())),
            "a PIN in hex:\n{text}"
        );
        assert!(!text.contains(pin), "a PIN:\n{text}");
    }
    assert!(text.contains("\"00 20 00 02 08 **\""), "{text}");
    assert!(text.contains("\"00 20 00 01 08 **\""), "{text}");

    let (code, out) = replay(&transcript, None);
    eprintln!("{out}");
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains(", 0 differ, 0 not replayed"), "{out}");
    for pin in [USER_PIN, ADMIN_PIN] {
        assert!(
            !out.contains(&spaced_hex(pin.as_bytes())) && !out.contains(pin),
            "{out}"
        );
    }

    // The same transcript against a profile where the token lets the other role log in.
    let profile =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles/rutoken-ecp2-safetouch.yaml");
    let yaml = std::fs::read_to_string(profile).unwrap();
    let line = "other_role_logged_in_sw: 0x6F86";
    assert!(yaml.contains(line), "the profile changed: update this test");
    let changed = dir.path().join("changed.yaml");
    std::fs::write(
        &changed,
        yaml.replace(line, "other_role_logged_in_sw: null"),
    )
    .unwrap();
    let (code, out) = replay(&transcript, Some(&changed));
    eprintln!("{out}");
    assert_eq!(code, Some(1), "{out}");
    let differing: Vec<&str> = out.lines().filter(|l| l.ends_with("DIFFERS")).collect();
    assert!(!differing.is_empty(), "{out}");
    for row in &differing {
        assert!(
            row.contains("00 20 00 01 08 **") && row.contains("6F86") && row.contains("9000"),
            "a difference other than the administrator's VERIFY: {row}\n{out}"
        );
    }
}

fn spaced_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}
