//! Before a scenario runs through a module: whether every step has a PKCS#11 expression, and
//! which mechanisms its keys need (asked of the module with `C_GetMechanismList`, never guessed
//! from its file name). A scenario that cannot run whole is skipped with the reason before it
//! changes the token.

use std::collections::BTreeMap;

use rutoken_cryptoki_gost::sys::*;

use crate::scenario::step::{Algorithm, InstallCertificate, PinOutcome, Step};
use crate::scenario::{Assertion, Capability, Scenario};

use super::rv::{self, SafeTouchWords};

/// TC26 vendor mechanisms (`VENDOR_PKCS11_RU_TEAM` 0xD4321000, TC26's PKCS#11 extensions as
/// OpenSC's pkcs11.h and this project's `pkcs11/src/vendor.rs` number them).
const RU_TEAM: CK_ULONG = 0x8000_0000 | 0x5432_1000;
/// `CKM_GOSTR3410_512_KEY_PAIR_GEN`.
pub const CKM_GOSTR3410_512_KEY_PAIR_GEN: CK_MECHANISM_TYPE = RU_TEAM | 0x005;
/// `CKM_GOSTR3410_512`.
pub const CKM_GOSTR3410_512: CK_MECHANISM_TYPE = RU_TEAM | 0x006;
/// `CKM_GOSTR3410_WITH_GOSTR3411_12_256`.
pub const CKM_GOSTR3410_WITH_GOSTR3411_12_256: CK_MECHANISM_TYPE = RU_TEAM | 0x008;
/// `CKM_GOSTR3410_WITH_GOSTR3411_12_512`.
pub const CKM_GOSTR3410_WITH_GOSTR3411_12_512: CK_MECHANISM_TYPE = RU_TEAM | 0x009;
/// `CKK_GOSTR3410_512`.
pub const CKK_GOSTR3410_512: CK_KEY_TYPE = RU_TEAM | 0x003;

/// The algorithm of the personalised fixture's key (`simulator/src/token/fixture.rs`: one
/// GOST 2012-256 key), the scenarios' `current`.
pub const CURRENT: Algorithm = Algorithm::Gost2012_256;

/// `C_GenerateKeyPair`'s mechanism for an algorithm.
pub fn keygen(alg: Algorithm) -> CK_MECHANISM_TYPE {
    match alg {
        Algorithm::Gost2012_512 => CKM_GOSTR3410_512_KEY_PAIR_GEN,
        _ => CKM_GOSTR3410_KEY_PAIR_GEN,
    }
}

/// The signature mechanism hashing on the token (the SafeTouch shows the document).
pub fn on_token(alg: Algorithm) -> CK_MECHANISM_TYPE {
    match alg {
        Algorithm::Gost2001 => CKM_GOSTR3410_WITH_GOSTR3411,
        Algorithm::Gost2012_256 => CKM_GOSTR3410_WITH_GOSTR3411_12_256,
        Algorithm::Gost2012_512 => CKM_GOSTR3410_WITH_GOSTR3411_12_512,
    }
}

/// The signature mechanism over a host digest.
pub fn host(alg: Algorithm) -> CK_MECHANISM_TYPE {
    match alg {
        Algorithm::Gost2012_512 => CKM_GOSTR3410_512,
        _ => CKM_GOSTR3410,
    }
}

/// The header name of a GOST mechanism.
pub fn mechanism_name(m: CK_MECHANISM_TYPE) -> &'static str {
    match m {
        CKM_GOSTR3410_KEY_PAIR_GEN => "CKM_GOSTR3410_KEY_PAIR_GEN",
        CKM_GOSTR3410 => "CKM_GOSTR3410",
        CKM_GOSTR3410_WITH_GOSTR3411 => "CKM_GOSTR3410_WITH_GOSTR3411",
        CKM_GOSTR3410_512_KEY_PAIR_GEN => "CKM_GOSTR3410_512_KEY_PAIR_GEN",
        CKM_GOSTR3410_512 => "CKM_GOSTR3410_512",
        CKM_GOSTR3410_WITH_GOSTR3411_12_256 => "CKM_GOSTR3410_WITH_GOSTR3411_12_256",
        CKM_GOSTR3410_WITH_GOSTR3411_12_512 => "CKM_GOSTR3410_WITH_GOSTR3411_12_512",
        _ => "a GOST mechanism",
    }
}

fn algorithm_name(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::Gost2001 => "GOST R 34.10-2001",
        Algorithm::Gost2012_256 => "GOST R 34.10-2012 (256-bit)",
        Algorithm::Gost2012_512 => "GOST R 34.10-2012 (512-bit)",
    }
}

/// How the run reaches the token besides the module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mode {
    /// The emulator's control socket.
    pub control: bool,
    /// A person at the token (`--operator`).
    pub operator: bool,
    /// Scenarios that can block a PIN or delete objects may run (always with `control`).
    pub allow_destructive: bool,
}

/// What the target can do besides PKCS#11 calls: everything through the emulator's control
/// socket; presses, screen comparisons, pulls and insertions through a person.
pub fn capabilities(mode: Mode) -> Vec<Capability> {
    if mode.control {
        vec![
            Capability::Buttons,
            Capability::Screen,
            Capability::Pull,
            Capability::PowerCycle,
            Capability::Restart,
            Capability::FreshToken,
        ]
    } else if mode.operator {
        vec![Capability::Buttons, Capability::Screen, Capability::Pull]
    } else {
        Vec::new()
    }
}

/// Why the scenario cannot run through this module, if it cannot. Without `mechanisms` (before
/// the module is opened): every reason but the module's algorithms, so that a scenario with
/// a raw APDU is skipped before its start token is even looked at.
pub fn skip_reason(
    scenario: &Scenario,
    mode: Mode,
    mechanisms: Option<&[CK_MECHANISM_TYPE]>,
    words: SafeTouchWords,
) -> Option<String> {
    if !mode.allow_destructive
        && let Some(why) = crate::target::operator::destructive::reason(scenario)
    {
        return Some(format!(
            "destructive on a real token: {why}; run it with --allow-destructive"
        ));
    }
    let control = mode.control;
    let caps = capabilities(mode);
    let missing: Vec<&str> = scenario
        .needs
        .iter()
        // No mode resets the card through a module; the `reset` step's own skip below names it.
        .filter(|n| **n != Capability::Reset && !caps.contains(n))
        .map(|n| n.name())
        .collect();
    if !missing.is_empty() {
        return Some(format!(
            "needs {}: the pkcs11 target does it through the emulator's control socket (--control) or a person (--operator)",
            missing.join(", ")
        ));
    }
    if let Some(n) = scenario.token.user_pin_tries_left
        && !control
    {
        return Some(format!(
            "starts with {n} user PIN tries left: PKCS#11 cannot read a PIN counter, so only a fresh token (--control) has a known one"
        ));
    }
    for (i, step) in scenario.steps.iter().enumerate() {
        if let Some(why) = inexpressible(step, mode, words) {
            return Some(format!("step {} {}: {why}", i + 1, step.name()));
        }
    }
    if scenario
        .assertions
        .iter()
        .any(|a| matches!(a, Assertion::Atr(_)))
    {
        return Some("assert atr: a PKCS#11 module does not expose the token's ATR".to_owned());
    }
    let mechanisms = mechanisms?;
    let mut needed: Vec<(Algorithm, CK_MECHANISM_TYPE)> = Vec::new();
    let mut keys: BTreeMap<&str, Algorithm> = BTreeMap::from([("current", CURRENT)]);
    let alg_of =
        |keys: &BTreeMap<&str, Algorithm>, name: &str| keys.get(name).copied().unwrap_or(CURRENT);
    for step in &scenario.steps {
        match step {
            Step::GenerateKey(g) => {
                keys.insert(&g.name, g.algorithm);
                needed.push((g.algorithm, keygen(g.algorithm)));
                // A module that signs with none of the algorithm's mechanisms does not have it
                // (OpenSC's lists CKM_GOSTR3410_KEY_PAIR_GEN for 2001 keys only).
                needed.push((
                    g.algorithm,
                    match g.algorithm {
                        Algorithm::Gost2001 => CKM_GOSTR3410,
                        alg => on_token(alg),
                    },
                ));
            }
            Step::SignRequest(s) => {
                let alg = alg_of(&keys, &s.key);
                needed.push((alg, on_token(alg)));
            }
            Step::SignDocument(s) => {
                let alg = alg_of(&keys, &s.key);
                needed.push((alg, on_token(alg)));
            }
            Step::SignHash(s) => {
                let alg = alg_of(&keys, &s.key);
                needed.push((alg, host(alg)));
            }
            _ => {}
        }
    }
    // Counting or checking certificates involves the fixture's, a GOST 2012 certificate: a
    // module without GOST 2012 need not list it (OpenSC's does not).
    let counts_certificates = scenario.steps.iter().any(|s| {
        matches!(s, Step::ListObjects(l) if l.certificates.is_some())
            || matches!(s, Step::Submit(_))
    });
    if counts_certificates {
        needed.push((CURRENT, on_token(CURRENT)));
    }
    for a in &scenario.assertions {
        match a {
            Assertion::KeySigns(k) => {
                let alg = alg_of(&keys, &k.key);
                needed.push((alg, on_token(alg)));
            }
            Assertion::Objects(o) if o.certificates.is_some() => {
                needed.push((CURRENT, on_token(CURRENT)));
            }
            Assertion::Certificate(_) => needed.push((CURRENT, on_token(CURRENT))),
            _ => {}
        }
    }
    needed
        .into_iter()
        .find(|(_, m)| !mechanisms.contains(m))
        .map(|(alg, m)| {
            format!(
                "{} is not supported by this module: C_GetMechanismList has no {}",
                algorithm_name(alg),
                mechanism_name(m)
            )
        })
}

/// Why one step has no PKCS#11 expression here, if it has none.
fn inexpressible(step: &Step, mode: Mode, words: SafeTouchWords) -> Option<String> {
    match step {
        Step::Apdu(_) => return Some("a raw APDU has no PKCS#11 expression".to_owned()),
        Step::InstallCertificate(InstallCertificate {
            interrupt: Some(i), ..
        }) => {
            return Some(format!(
                "interrupted after {} pieces: a module writes a certificate in one C_CreateObject, there are no pieces to interrupt between",
                i.after_pieces
            ));
        }
        Step::Pull | Step::Insert if !mode.control && !mode.operator => {
            return Some(
                "presence needs the emulator's control socket (--control) or a person (--operator)"
                    .to_owned(),
            );
        }
        Step::Reset => {
            return Some(
                "a warm reset has no PKCS#11 expression (C_Finalize and a new C_Initialize do not reset the card)"
                    .to_owned(),
            );
        }
        Step::PowerCycle | Step::Restart if !mode.control => {
            return Some(
                "cutting the power under a loaded module needs the emulator's control socket (--control)"
                    .to_owned(),
            );
        }
        Step::VerifyPin(v) => {
            if let PinOutcome::Sw(p) = &v.expect {
                return unmapped(p, true, words);
            }
        }
        _ => {}
    }
    let pin = matches!(step, Step::UnblockPin(_));
    step.expected_sw().and_then(|p| unmapped(p, pin, words))
}

fn unmapped(pattern: &str, pin: bool, words: SafeTouchWords) -> Option<String> {
    match rv::for_sw(pattern, pin, words) {
        Ok(codes) if codes.is_empty() => Some(format!(
            "expects the token's status word {pattern}, which no CKR_ code stands for"
        )),
        Ok(_) => None,
        Err(e) => Some(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load;

    const WORDS: SafeTouchWords = SafeTouchWords {
        reject: 0x6FB1,
        timeout: 0x6FB2,
    };
    const CONTROL: Mode = Mode {
        control: true,
        operator: false,
        allow_destructive: true,
    };
    const REAL: Mode = Mode {
        control: false,
        operator: false,
        allow_destructive: false,
    };

    /// What OpenSC's module lists for a Rutoken ECP (GOST 2001 only).
    const OPENSC: &[CK_MECHANISM_TYPE] = &[
        CKM_GOSTR3410_KEY_PAIR_GEN,
        CKM_GOSTR3410,
        CKM_GOSTR3410_WITH_GOSTR3411,
    ];
    const ALL: &[CK_MECHANISM_TYPE] = &[
        CKM_GOSTR3410_KEY_PAIR_GEN,
        CKM_GOSTR3410,
        CKM_GOSTR3410_WITH_GOSTR3411,
        CKM_GOSTR3410_512_KEY_PAIR_GEN,
        CKM_GOSTR3410_512,
        CKM_GOSTR3410_WITH_GOSTR3411_12_256,
        CKM_GOSTR3410_WITH_GOSTR3411_12_512,
    ];

    fn scenario(steps: &str) -> Scenario {
        let text = format!(
            "name: t\nneeds: [buttons]\ntoken: {{fixture: personalised, date: 2020-02-04}}\nvars: {{user_pin: \"12345678\"}}\nsteps:\n{steps}"
        );
        load::parse(std::path::Path::new("t.yaml"), &text).unwrap()
    }

    #[test]
    fn the_mechanism_list_decides_the_algorithms() {
        let g2001 = scenario(
            "  - verify_pin: {pin: \"${user_pin}\"}\n  - generate_key: {name: k, algorithm: gost2001}\n  - sign_hash: {key: k, text: x}\n",
        );
        assert_eq!(skip_reason(&g2001, CONTROL, Some(OPENSC), WORDS), None);
        // The fixture's certificate is a GOST 2012 one.
        let listing = scenario("  - attach\n  - list_objects: {keys: 1, certificates: 1}\n");
        assert!(skip_reason(&listing, CONTROL, Some(OPENSC), WORDS).is_some());
        assert_eq!(skip_reason(&listing, CONTROL, Some(ALL), WORDS), None);
        let g2012 = scenario(
            "  - verify_pin: {pin: \"${user_pin}\"}\n  - generate_key: {name: k, algorithm: gost2012-512, param_set: B}\n",
        );
        let why = skip_reason(&g2012, CONTROL, Some(OPENSC), WORDS).unwrap();
        assert_eq!(
            why,
            "GOST R 34.10-2012 (512-bit) is not supported by this module: C_GetMechanismList has no CKM_GOSTR3410_512_KEY_PAIR_GEN"
        );
        assert_eq!(skip_reason(&g2012, CONTROL, Some(ALL), WORDS), None);
    }

    #[test]
    fn steps_without_a_pkcs11_expression_are_named() {
        let raw = scenario("  - attach\n  - apdu: {command: \"00 A4 00 00\"}\n");
        assert_eq!(
            skip_reason(&raw, CONTROL, Some(ALL), WORDS).unwrap(),
            "step 2 apdu: a raw APDU has no PKCS#11 expression"
        );
        let power = scenario("  - attach\n  - power_cycle\n");
        assert!(
            skip_reason(&power, CONTROL, Some(ALL), WORDS).is_none(),
            "the control socket cuts the power"
        );
        // Without a control socket the SafeTouch's buttons are missing first; with a person
        // they are there, the power cut is not.
        let why = skip_reason(&power, REAL, Some(ALL), WORDS).unwrap();
        assert!(why.starts_with("needs buttons"), "{why}");
        let person = Mode {
            operator: true,
            ..REAL
        };
        let why = skip_reason(&power, person, Some(ALL), WORDS).unwrap();
        assert!(
            why.starts_with("step 2 power_cycle: cutting the power"),
            "{why}"
        );
        // A wrong PIN on a real token only with --allow-destructive.
        let wrong = scenario("  - verify_pin: {pin: \"0000\", expect: wrong}\n");
        let why = skip_reason(&wrong, person, Some(ALL), WORDS).unwrap();
        assert!(why.starts_with("destructive on a real token"), "{why}");
        let allowed = Mode {
            allow_destructive: true,
            ..person
        };
        assert_eq!(skip_reason(&wrong, allowed, Some(ALL), WORDS), None);
        let odd = scenario("  - generate_key: {name: k, expect: {sw: \"6A86\"}}\n");
        assert_eq!(
            skip_reason(&odd, CONTROL, Some(ALL), WORDS).unwrap(),
            "step 1 generate_key: expects the token's status word 6A86, which no CKR_ code stands for"
        );
    }
}
