//! Which scenarios can do lasting harm to a real token: block a PIN (wrong PINs, spending tries
//! to a start state, unblocking), delete objects, or send raw APDUs the runner cannot vet. On a
//! token in a lab they run only with `--allow-destructive`.

use crate::scenario::Scenario;
use crate::scenario::step::{PinOutcome, Step};

/// Why the scenario can harm a real token, if it can.
pub fn reason(scenario: &Scenario) -> Option<String> {
    if let Some(tries) = scenario.token.user_pin_tries_left {
        return Some(format!(
            "spends wrong user PINs down to {tries} tries left (can block the PIN)"
        ));
    }
    for step in &scenario.steps {
        let why = match step {
            Step::VerifyPin(v) if v.expect != PinOutcome::Ok => {
                "presents a wrong PIN (can block it)"
            }
            Step::UnblockPin(_) => {
                "unblocks the user PIN with the administrator PIN (a wrong one blocks it)"
            }
            Step::DeleteKey(_) => "deletes a key pair",
            Step::Apdu(raw) => match harmful_raw(&raw.command) {
                Some(name) => return Some(format!("sends a raw {name} the runner cannot vet")),
                None => continue,
            },
            _ => continue,
        };
        return Some(why.to_owned());
    }
    None
}

/// Raw commands that can spend PIN tries or create, change and delete files (ISO 7816-4 §11):
/// VERIFY with data, CHANGE REFERENCE DATA, RESET RETRY COUNTER, CREATE FILE (an object a raw
/// scenario makes stays on the token: no step of it is known to delete it), GENERATE (key
/// material written into an object), DELETE FILE, ERASE/UPDATE/WRITE BINARY; the instruction's
/// name when `command` is one (or is not hex: then it cannot be vetted).
fn harmful_raw(command: &str) -> Option<&'static str> {
    let Some(bytes) = rutoken_apdu::hex::parse(command) else {
        return Some("command");
    };
    let &[cla, ins, p1, p2] = bytes.first_chunk::<4>()?;
    let harmful = match ins {
        // Header + Lc + data; `00 20 00 02` alone asks for the tries left.
        0x20 => bytes.len() > 5,
        0x24 | 0x2C | 0xE0 | 0x46 | 0xE4 | 0x0E | 0xD6 | 0xD0 => true,
        _ => false,
    };
    harmful.then(|| rutoken_apdu::names::instruction_name(cla, ins, p1, p2))
}

/// What the scenario leaves changed on the token (for the preflight), in a few words.
pub fn changes(scenario: &Scenario) -> Vec<&'static str> {
    let mut out = Vec::new();
    for step in &scenario.steps {
        let what = match step {
            Step::GenerateKey(_) => "generates a key pair",
            Step::InstallCertificate(_) => "installs a certificate",
            Step::DeleteKey(_) => "deletes a key pair",
            Step::VerifyPin(v) if v.expect != PinOutcome::Ok => "spends user PIN tries",
            Step::UnblockPin(_) => "resets the user PIN's tries",
            Step::Apdu(raw) if harmful_raw(&raw.command).is_some() => "sends raw APDUs that write",
            _ => continue,
        };
        if !out.contains(&what) {
            out.push(what);
        }
    }
    if scenario.token.user_pin_tries_left.is_some() && !out.contains(&"spends user PIN tries") {
        out.push("spends user PIN tries");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::harmful_raw;

    #[test]
    fn raw_commands_that_leave_objects_are_harmful() {
        // CREATE FILE of a secret-key object (apdu-vko's), GENERATE into an object: both leave
        // something on a real token.
        assert_eq!(harmful_raw("00 E0 00 00 03 6F 01 00"), Some("CREATE FILE"));
        assert_eq!(
            harmful_raw("00 46 81 05"),
            Some("GENERATE ASYMMETRIC KEY PAIR")
        );
        // Reading is not: SELECT, READ BINARY, VERIFY without data.
        assert_eq!(harmful_raw("00 A4 00 00 00"), None);
        assert_eq!(harmful_raw("00 B0 00 00 10"), None);
        assert_eq!(harmful_raw("00 20 00 02"), None);
    }
}
