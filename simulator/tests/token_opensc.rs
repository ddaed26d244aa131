//! The real OpenSC 0.23 tools against the virtual token through pcscd + vpcd: the personalised
//! fixture is listed by `pkcs15-tool -D` and `pkcs11-tool -O` (keys; OpenSC 0.23 drops GOST-2012
//! certificates from PKCS#11), its serial by `opensc-tool`; the
//! factory fixture is "token not recognized". Each test runs its own pcscd in a private mount
//! namespace (the `testkit` harness); skipped with the reason printed when not root or
//! when pcscd, vpcd or the OpenSC tools are missing.

#![allow(clippy::unwrap_used, reason = "tests")]

use rutoken_sim::token::{Fixture, Token, TokenProfile};
use testkit::require_pcscd;
use testkit::shell::{missing_tool, text};
use testkit::{Emulator, Pcscd};

fn opensc_missing() -> Option<String> {
    missing_tool(
        &["pkcs11-tool", "pkcs15-tool", "opensc-tool"],
        "Debian: opensc",
    )
}

/// pcscd polls its readers: wait until the card is seen.
fn wait_for_card(pcscd: &Pcscd) {
    testkit::wait_until(
        std::time::Duration::from_secs(20),
        "the card in pcscd",
        || pcscd.run("opensc-tool", &["-a", "-n"]).status.success(),
    );
}

#[test]
fn opensc_lists_the_personalised_token() {
    require_pcscd!();
    if let Some(reason) = opensc_missing() {
        eprintln!("skipped: {reason}");
        return;
    }
    let pcscd = Pcscd::start();
    let token = Token::in_memory(Fixture::Personalised, 0, TokenProfile::default()).unwrap();
    let emulator = Emulator::attach(Box::new(token), pcscd.port);
    wait_for_card(&pcscd);

    let atr = text(&pcscd.run("opensc-tool", &["-a", "-n"]));
    assert!(
        atr.contains("3b:8b:01:52:75:74:6f:6b:65:6e:20:45:43:50:a0") && atr.contains("Rutoken ECP"),
        "{atr}"
    );
    let serial = text(&pcscd.run("opensc-tool", &["--serial"]));
    assert!(serial.contains("00 00 00 00 2E EA 3E D3"), "{serial}");

    let dump = pcscd.run("pkcs15-tool", &["-D"]);
    let dump_text = text(&dump);
    assert!(dump.status.success(), "{dump_text}");
    for wanted in [
        "User PIN",
        "Security Officer PIN",
        "Owner key",
        "Owner certificate",
        "3f0010001000600200",
        "3f0050000300",
    ] {
        assert!(
            dump_text.to_lowercase().contains(&wanted.to_lowercase()),
            "pkcs15-tool -D lacks {wanted:?}:\n{dump_text}"
        );
    }

    let objects = pcscd.run("pkcs11-tool", &["-O", "-l", "-p", "12345678"]);
    let objects_text = text(&objects);
    assert!(objects.status.success(), "{objects_text}");
    for wanted in ["Private Key Object", "Public Key Object", "Owner key"] {
        assert!(
            objects_text.contains(wanted),
            "pkcs11-tool -O lacks {wanted:?}:\n{objects_text}"
        );
    }
    // The certificate is listed from the CDF. OpenSC 0.23 cannot decode a GOST R 34.10-2012
    // SubjectPublicKeyInfo (`rutoken-ecp-apdu.md` §0), so `--read-certificate` and the PKCS#11
    // certificate object fail on its side; `token_crypto` checks the bytes the token returns.
    let certs = text(&pcscd.run("pkcs15-tool", &["--list-certificates"]));
    assert!(
        certs.contains("Owner certificate") && certs.contains("3f0050000300"),
        "{certs}"
    );
    let slots = text(&pcscd.run("pkcs11-tool", &["-L"]));
    assert!(
        slots.contains("000000002eea3ed3") && slots.contains("Rutoken ECP"),
        "{slots}"
    );
    emulator.stop();
}

#[test]
fn opensc_does_not_recognize_the_factory_token() {
    require_pcscd!();
    if let Some(reason) = opensc_missing() {
        eprintln!("skipped: {reason}");
        return;
    }
    let pcscd = Pcscd::start();
    let token = Token::in_memory(Fixture::Factory, 0, TokenProfile::default()).unwrap();
    let emulator = Emulator::attach(Box::new(token), pcscd.port);
    wait_for_card(&pcscd);
    let slots = text(&pcscd.run("pkcs11-tool", &["-L"]));
    assert!(slots.contains("token not recognized"), "{slots}");
    emulator.stop();
}
