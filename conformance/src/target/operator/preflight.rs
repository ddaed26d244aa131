//! Before a run touches a real token: what is on it (serial, PIN tries, objects) and what the
//! selected scenarios will change, printed for the operator to read first; then the token's
//! PINs, the operator's `y`, and one check of the user PIN (`gate`).

use std::fmt::Write as _;

use rutoken_client::{Client, ClientConfig, PinRole, PinStatus, Transport};

use super::{destructive, guard};
use crate::scenario::Scenario;

/// What the preflight read from the token.
#[derive(Debug, Clone, Default)]
pub struct Preflight {
    /// The text for the operator.
    pub text: String,
    /// The user PIN's state, read without spending a try (VERIFY without data).
    pub user_pin: Option<PinStatus>,
}

/// The preflight text: the token, then per scenario what it changes and whether it runs.
pub fn report(
    transport: &mut dyn Transport,
    config: &ClientConfig,
    scenarios: &[Scenario],
    allow_destructive: bool,
) -> Preflight {
    let mut user_pin = None;
    let text = read(
        transport,
        config,
        scenarios,
        allow_destructive,
        &mut user_pin,
    );
    Preflight { text, user_pin }
}

fn read(
    transport: &mut dyn Transport,
    config: &ClientConfig,
    scenarios: &[Scenario],
    allow_destructive: bool,
    user_pin: &mut Option<PinStatus>,
) -> String {
    let mut out = String::from("Preflight: the token in the reader\n");
    let mut client = Client::new(transport, config.clone());
    let line = |out: &mut String, what: &str, value: String| {
        let _ = writeln!(out, "  {what:<22} {value}");
    };
    match client.attach() {
        Ok(atr) => line(&mut out, "ATR", rutoken_apdu::hex::spaced(&atr)),
        Err(e) => {
            line(&mut out, "ATR", format!("cannot read ({e})"));
            return out;
        }
    }
    match client.serial() {
        Ok(serial) => line(
            &mut out,
            "serial",
            format!(
                "{} (device number {})",
                rutoken_apdu::hex::spaced(&serial),
                rutoken_client::device_number(&serial)
            ),
        ),
        Err(e) => line(&mut out, "serial", format!("cannot read ({e})")),
    }
    for (role, name) in [
        (PinRole::User, "user PIN"),
        (PinRole::Admin, "administrator PIN"),
    ] {
        let status = client.pin_status(role);
        if role == PinRole::User {
            *user_pin = status.as_ref().ok().copied();
        }
        let text = match status {
            Ok(PinStatus::TriesLeft(n)) => format!("{} left", guard::tries(n)),
            Ok(status) => status.to_string(),
            Err(e) => format!("cannot read ({e})"),
        };
        line(&mut out, name, text);
    }
    match client.objects() {
        Ok(objects) => {
            line(
                &mut out,
                "objects",
                format!(
                    "{} key pair(s), {} certificate(s)",
                    objects.keys.len(),
                    objects.certificates.len()
                ),
            );
            for key in &objects.keys {
                let label = key.label.as_deref().unwrap_or("(no label)");
                let _ = writeln!(out, "    key pair {:02X} {label}", key.reference);
            }
            for cert in &objects.certificates {
                let _ = writeln!(out, "    certificate {}", cert.label);
            }
        }
        Err(e) => line(&mut out, "objects", format!("cannot read ({e})")),
    }
    let _ = client.logout();
    out.push_str("What the run will change:\n");
    for scenario in scenarios {
        let changes = destructive::changes(scenario);
        let effect = if changes.is_empty() {
            "nothing lasting".to_owned()
        } else {
            changes.join(", ")
        };
        let gate = match destructive::reason(scenario) {
            Some(_) if !allow_destructive => {
                " — SKIPPED (destructive; --allow-destructive runs it)"
            }
            Some(_) => " — destructive, allowed",
            None => "",
        };
        let _ = writeln!(out, "  {:<36} {effect}{gate}", scenario.name);
    }
    out
}
