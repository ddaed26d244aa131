//! Before an operator run touches a real token: what is on it (serial, PIN tries, objects) and
//! what the selected scenarios will change, printed for the operator to read first.

use std::fmt::Write as _;

use rutoken_client::{Client, ClientConfig, PinRole, PinStatus, Transport};

use super::destructive;
use crate::scenario::Scenario;

/// The preflight text: the token, then per scenario what it changes and whether it runs.
pub fn report(
    transport: &mut dyn Transport,
    config: &ClientConfig,
    scenarios: &[Scenario],
    allow_destructive: bool,
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
        let text = match client.pin_status(role) {
            Ok(PinStatus::TriesLeft(n)) => format!("{n} tries left"),
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
