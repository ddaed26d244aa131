//! The PIN guard of a real-token run without `--allow-destructive`: every VERIFY that carries a
//! PIN is watched on its way through the reader, and the first one the token refuses (`63Cx` or
//! `6983`) stops the run, so a wrong PIN never costs more than that one try. One guard is shared
//! by every target the run opens (one per scenario).

use std::sync::{Arc, Mutex, PoisonError};

/// ISO 7816-4 §11.5.6: VERIFY's instruction byte.
const INS_VERIFY: u8 = 0x20;

/// Why the run stopped, once a PIN was refused; shared between the run and its targets.
#[derive(Clone, Default)]
pub struct PinGuard(Arc<Mutex<Option<String>>>);

impl PinGuard {
    /// Looks at one exchange: a VERIFY with data (a PIN, not the status query without data)
    /// answered `63Cx` or `6983` stops the run.
    pub fn observe(&self, command: &[u8], response: &[u8]) {
        let Some(why) = refusal(command, response) else {
            return;
        };
        let mut stopped = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        stopped.get_or_insert(why);
    }

    /// Why the run stopped, if it did.
    pub fn stopped(&self) -> Option<String> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Stops the run with a reason of the caller's (the preflight's own check).
    pub fn stop(&self, why: String) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert(why);
    }
}

impl std::fmt::Debug for PinGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.stopped().is_some() {
            "PinGuard(stopped)"
        } else {
            "PinGuard"
        })
    }
}

/// Two options hold the same guard when they share it.
impl PartialEq for PinGuard {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for PinGuard {}

/// The PIN's name by VERIFY's P2 (rutoken-ecp-apdu.md §5: 01 the administrator's, 02 the
/// user's).
pub fn pin_name(reference: u8) -> String {
    match reference {
        0x01 => "administrator PIN".to_owned(),
        0x02 => "user PIN".to_owned(),
        other => format!("PIN {other:02X}"),
    }
}

/// What a refused VERIFY means for the person, if the exchange is one.
fn refusal(command: &[u8], response: &[u8]) -> Option<String> {
    let &[_, ins, _, p2, ..] = command else {
        return None;
    };
    // Header + Lc + data; the header alone (or with Le) asks for the tries left, spends none.
    if ins != INS_VERIFY || command.len() <= 5 {
        return None;
    }
    let &[.., sw1, sw2] = response else {
        return None;
    };
    let pin = pin_name(p2);
    match (sw1, sw2) {
        (0x63, x) if x & 0xF0 == 0xC0 => Some(format!(
            "the token refused the {pin} (63C{:X}: {} left); the run stopped so that no \
             further try is spent",
            x & 0x0F,
            tries(x & 0x0F)
        )),
        (0x69, 0x83) => Some(format!(
            "the token answered 6983: the {pin} is blocked; the run stopped"
        )),
        _ => None,
    }
}

/// "1 try", "4 tries".
pub fn tries(n: u8) -> String {
    if n == 1 {
        "1 try".to_owned()
    } else {
        format!("{n} tries")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_pin_stops_and_a_status_query_does_not() {
        let guard = PinGuard::default();
        // VERIFY without data: the tries-left query.
        guard.observe(&[0x00, 0x20, 0x00, 0x02], &[0x63, 0xC5]);
        assert_eq!(guard.stopped(), None);
        // An accepted PIN.
        guard.observe(&[0x00, 0x20, 0x00, 0x02, 0x02, 0x31, 0x32], &[0x90, 0x00]);
        assert_eq!(guard.stopped(), None);
        // Another command answering 63Cx is not a PIN.
        guard.observe(&[0x00, 0xB0, 0x00, 0x00, 0x01, 0x00], &[0x63, 0xC1]);
        assert_eq!(guard.stopped(), None);
        guard.observe(&[0x00, 0x20, 0x00, 0x02, 0x02, 0x31, 0x32], &[0x63, 0xC4]);
        let why = guard.stopped().unwrap_or_default();
        assert!(why.contains("user PIN (63C4: 4 tries left)"), "{why}");
        // The first reason stays.
        guard.observe(&[0x00, 0x20, 0x00, 0x01, 0x02, 0x31, 0x32], &[0x69, 0x83]);
        assert_eq!(guard.stopped(), Some(why));
        assert!(!format!("{guard:?}").contains("31"));
    }

    #[test]
    fn clones_share_one_guard() {
        let a = PinGuard::default();
        let b = a.clone();
        assert_eq!(a, b);
        assert_ne!(a, PinGuard::default());
        b.stop("stopped by the preflight".to_owned());
        assert_eq!(a.stopped().as_deref(), Some("stopped by the preflight"));
        assert_eq!(tries(1), "1 try");
    }
}
