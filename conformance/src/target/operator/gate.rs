//! Before the first scenario on a real token (PC/SC without the emulator's control socket): the
//! preflight is printed, the token's PINs are known (given, or asked once), the operator answers
//! `y`, the user PIN's tries are read without spending one and the user PIN is checked once. Any
//! "no" ends the run before a scenario starts (exit 2): a wrong PIN costs one try at most.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use rutoken_client::{Client, ClientConfig, ClientError, PinRole, PinStatus, Transport};

use super::pins::{self, TokenPins};
use super::{destructive, preflight, stdin};
use crate::error::{NotStarted, PinSource};
use crate::scenario::{Scenario, Secret};

/// How the run on a real token was asked for.
#[derive(Debug, Clone, Default)]
pub struct RealToken {
    /// `--operator`: a person answers, for how long the runner waits.
    pub operator: Option<Duration>,
    /// `--allow-destructive`.
    pub allow_destructive: bool,
    /// `--user-pin`, `--admin-pin`.
    pub pins: TokenPins,
}

/// Prints the preflight, learns the PINs, waits for `y`, checks the user PIN once; the scenarios'
/// PIN variables become the token's PINs. `Err`: the run must not start.
pub fn gate(
    transport: &mut dyn Transport,
    config: &ClientConfig,
    scenarios: &mut [Scenario],
    how: &RealToken,
    err: &mut dyn Write,
) -> Result<(), NotStarted> {
    let pre = preflight::report(transport, config, scenarios, how.allow_destructive);
    let _ = write!(err, "{}", pre.text);
    let _ = err.flush();
    let mut given = how.pins.clone();
    if let Some(timeout) = how.operator {
        ask_missing(&mut given, scenarios, how.allow_destructive, timeout)?;
    }
    // The PIN checked before the run: the token's when known, else the one the scenarios type.
    let (user_pin, source) = match &given.user {
        Some(pin) => (Some(pin.clone()), PinSource::Given),
        None => (
            pins::scenarios_user_pin(scenarios).map_err(NotStarted::Pins)?,
            PinSource::Scenarios,
        ),
    };
    pins::apply(scenarios, &given);
    if let Some(timeout) = how.operator {
        let _ = write!(
            err,
            "Run the scenarios above on this token? Nothing is sent to it before you answer y. [y/N] "
        );
        let _ = err.flush();
        match stdin::next_line(timeout) {
            Ok(answer) if matches!(answer.to_lowercase().as_str(), "y" | "yes" | "д" | "да") => {
            }
            Ok(_) => return Err(NotStarted::Declined),
            Err(e) => return Err(NotStarted::NoAnswer(e)),
        }
    }
    let Some(pin) = user_pin else {
        // No scenario types a user PIN: nothing to check.
        return Ok(());
    };
    // The scenarios' own PIN is tried on a real token only when the person chose it: by Enter at
    // the prompt, or by --allow-destructive. Piped answers choose nothing, so a token whose PIN
    // is not the scenarios' loses no try to a guess.
    let chosen = given.user.is_some() || (how.operator.is_some() && std::io::stdin().is_terminal());
    if !chosen && !how.allow_destructive {
        return Err(NotStarted::PinNotChosen);
    }
    check_user_pin(transport, config, pre.user_pin, &pin, source, how)?;
    let _ = writeln!(err, "user PIN ({source}): accepted by the token");
    Ok(())
}

/// Asks the operator once for the PINs the command line did not give (Enter: the scenarios'
/// own); the administrator PIN only when a scenario that will run types it.
fn ask_missing(
    pins: &mut TokenPins,
    scenarios: &[Scenario],
    allow_destructive: bool,
    timeout: Duration,
) -> Result<(), NotStarted> {
    if pins.user.is_none() {
        pins.user = pins::ask(
            "The token's user PIN (not shown; Enter: the scenarios' ${user_pin})",
            timeout,
        )
        .map_err(NotStarted::NoAnswer)?;
    }
    let admin_needed = scenarios.iter().any(|s| {
        pins::uses_admin_pin(s) && (allow_destructive || destructive::reason(s).is_none())
    });
    if pins.admin.is_none() && admin_needed {
        pins.admin = pins::ask(
            "The token's administrator PIN (not shown; Enter: the scenarios' ${admin_pin})",
            timeout,
        )
        .map_err(NotStarted::NoAnswer)?;
    }
    Ok(())
}

/// The user PIN's tries as the preflight read them (no try spent), then one VERIFY of `pin`.
fn check_user_pin(
    transport: &mut dyn Transport,
    config: &ClientConfig,
    status: Option<PinStatus>,
    pin: &Secret,
    whose: PinSource,
    how: &RealToken,
) -> Result<(), NotStarted> {
    match status {
        None => return Err(NotStarted::TriesUnknown),
        Some(PinStatus::Blocked) => return Err(NotStarted::Blocked),
        Some(PinStatus::TriesLeft(n)) if n <= 1 && !how.allow_destructive => {
            return Err(NotStarted::LastTry(n));
        }
        Some(_) => {}
    }
    let mut client = Client::new(transport, config.clone());
    // A session verified earlier says nothing about this PIN: start from no rights.
    let _ = client.logout();
    let result = client.verify_pin(PinRole::User, pin.expose());
    let _ = client.logout();
    match result {
        Ok(()) => Ok(()),
        Err(ClientError::PinIncorrect { tries_left }) => {
            Err(NotStarted::Refused { whose, tries_left })
        }
        Err(ClientError::PinBlocked) => Err(NotStarted::BlockedByCheck { whose }),
        Err(e) => Err(NotStarted::CannotCheck(e)),
    }
}
