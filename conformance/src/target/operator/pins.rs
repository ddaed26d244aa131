//! The token's own PINs on a real token: given (`--user-pin`, `--admin-pin`) or asked once at
//! the terminal with the echo off, then put in place of the scenarios' PIN variables
//! (`${user_pin}`, `${admin_pin}`), which hold the emulator's fixture PINs.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use super::stdin;
use crate::error::PinsError;
use crate::scenario::step::{PinKind, Step};
use crate::scenario::{Scenario, Secret};
use crate::target::{OperatorInput, TargetError};

/// The scenario variable of the user PIN (every scenario's `vars.user_pin`; `key_signs` types it).
pub const USER_PIN_VAR: &str = "user_pin";
/// The scenario variable of the administrator PIN.
pub const ADMIN_PIN_VAR: &str = "admin_pin";

/// The token's PINs as far as they are known (`Debug` masks them: [`Secret`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenPins {
    /// The user PIN.
    pub user: Option<Secret>,
    /// The administrator PIN.
    pub admin: Option<Secret>,
}

/// Puts the token's PINs in place of the scenarios' PIN variables.
pub fn apply(scenarios: &mut [Scenario], pins: &TokenPins) {
    for scenario in scenarios {
        for (name, pin) in [(USER_PIN_VAR, &pins.user), (ADMIN_PIN_VAR, &pins.admin)] {
            if let Some(pin) = pin {
                scenario
                    .vars
                    .0
                    .insert(name.to_owned(), pin.expose().to_owned());
            }
        }
    }
}

/// The one user PIN the scenarios type, if they agree on one (`Err`: they differ, so the token's
/// cannot be taken from them).
pub fn scenarios_user_pin(scenarios: &[Scenario]) -> Result<Option<Secret>, PinsError> {
    let mut found: Option<&String> = None;
    for s in scenarios {
        if let Some(pin) = s.vars.get(USER_PIN_VAR) {
            match found {
                Some(other) if other != pin => {
                    return Err(PinsError::Differ(USER_PIN_VAR));
                }
                _ => found = Some(pin),
            }
        }
    }
    Ok(found.map(|p| Secret::new(p.clone())))
}

/// Whether a scenario types the administrator PIN (unblocking, or verifying it).
pub fn uses_admin_pin(scenario: &Scenario) -> bool {
    scenario.steps.iter().any(|s| match s {
        Step::UnblockPin(_) => true,
        Step::VerifyPin(v) => v.which == PinKind::Admin,
        _ => false,
    })
}

/// Asks once for a PIN at the terminal, the echo off; `None` when the operator just presses
/// Enter, or when the answers do not come from a terminal (a piped `y` must never be taken for
/// a PIN: then the PINs come from `--user-pin` / `--admin-pin` or the scenarios).
pub fn ask(prompt: &str, timeout: Duration) -> Result<Option<Secret>, TargetError> {
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    let mut err = std::io::stderr();
    let _ = write!(err, "{prompt}: ");
    let _ = err.flush();
    let echo = EchoOff::on_terminal()?;
    let line = stdin::next_line(timeout);
    drop(echo);
    // The Enter the person typed was not echoed either.
    let _ = writeln!(err);
    let line = line?;
    Ok((!line.is_empty()).then(|| Secret::new(line)))
}

/// The terminal's echo turned off (`stty -echo` on the terminal that is stdin) until dropped.
struct EchoOff;

impl EchoOff {
    fn on_terminal() -> Result<Self, TargetError> {
        if stty("-echo") {
            Ok(EchoOff)
        } else {
            Err(OperatorInput::EchoStaysOn.into())
        }
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        stty("echo");
    }
}

/// Runs `stty SETTING` on this process's stdin (the terminal).
fn stty(setting: &str) -> bool {
    std::process::Command::new("stty")
        .arg(setting)
        .stdin(std::process::Stdio::inherit())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn scenario(yaml: &str) -> Scenario {
        serde_saphyr::from_str(yaml).unwrap()
    }

    #[test]
    fn the_token_pins_replace_the_variables() {
        let mut s = vec![scenario(
            "name: a\nvars: {user_pin: '12345678', admin_pin: '87654321'}\nsteps: [attach]\n",
        )];
        assert_eq!(
            scenarios_user_pin(&s)
                .unwrap()
                .map(|p| p.expose().to_owned()),
            Some("12345678".to_owned())
        );
        apply(
            &mut s,
            &TokenPins {
                user: Some(Secret::new("2468")),
                admin: None,
            },
        );
        assert_eq!(s[0].vars.get("user_pin").unwrap(), "2468");
        assert_eq!(s[0].vars.get("admin_pin").unwrap(), "87654321");
        let pins = TokenPins {
            user: Some(Secret::new("2468")),
            admin: None,
        };
        assert!(!format!("{pins:?}").contains("2468"));
    }

    #[test]
    fn scenarios_that_disagree_have_no_single_pin() {
        let s = vec![
            scenario("name: a\nvars: {user_pin: '1111'}\nsteps: [attach]\n"),
            scenario("name: b\nvars: {user_pin: '2222'}\nsteps: [attach]\n"),
        ];
        let e = scenarios_user_pin(&s).unwrap_err();
        assert_eq!(e, PinsError::Differ(USER_PIN_VAR));
        // The message names the variable, never the values (PINs).
        let text = e.to_string();
        assert!(
            text.contains("${user_pin}") && !text.contains("1111"),
            "{text}"
        );
        assert!(scenarios_user_pin(&[]).unwrap().is_none());
    }
}
