//! The control socket's messages: one JSON object per line each way (`docs/pcsc.md`).

use serde::{Deserialize, Serialize};

use crate::safetouch::{Event, Screen};
use crate::token::Fixture;

/// A request; on the wire `{"cmd":"confirm"}` ([`Request::from_json`], [`Request::to_json`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// The SafeTouch screen now.
    Screen,
    /// The SafeTouch event log.
    Events,
    /// Shows the next page of a long screen; replies with the screen.
    NextPage,
    /// Press Confirm («Подтвердить») on the screen that waits.
    Confirm,
    /// Press Reject («Отказать») on the screen that waits.
    Reject,
    /// Let the screen that waits time out now (simulated, as `--safetouch-policy timeout`).
    TimeOut,
    /// Pull the token out of the reader.
    Pull,
    /// Insert the token again.
    Insert,
    /// Cut the token's power and restore it (its security state is lost).
    PowerCycle,
    /// Whether the token is inserted, and whether a SafeTouch is in front of it.
    Status,
    /// Replace the token with a fresh one from `fixture` and `seed` (the reader sees the card
    /// removed and inserted; the SafeTouch forgets its screens and pending hash).
    /// `{"cmd":"load","fixture":"personalised","seed":7}`; `seed` defaults to 0.
    Load {
        /// The fresh token's fixture.
        fixture: Fixture,
        /// Its seed (serial, keys, signatures; 0 = the default serial).
        seed: u64,
    },
    /// An emulator restart: the token is reloaded from its image file (an in-memory token from
    /// a snapshot of its state), its security state is lost, and the reader sees the card
    /// removed and inserted.
    Restart,
}

/// The command names on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Cmd {
    Screen,
    Events,
    NextPage,
    Confirm,
    Reject,
    TimeOut,
    Pull,
    Insert,
    PowerCycle,
    Status,
    Load,
    Restart,
}

/// The wire form of a request: `cmd`, plus `fixture` and `seed` for `load` only.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    cmd: Cmd,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fixture: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
}

impl Request {
    /// Parses one request line; unknown commands, extra keys and `fixture`/`seed` on anything
    /// but `load` are errors.
    pub fn from_json(line: &[u8]) -> Result<Self, serde_json::Error> {
        use serde::de::Error as _;
        let wire: Wire = serde_json::from_slice(line)?;
        let plain = match wire.cmd {
            Cmd::Screen => Request::Screen,
            Cmd::Events => Request::Events,
            Cmd::NextPage => Request::NextPage,
            Cmd::Confirm => Request::Confirm,
            Cmd::Reject => Request::Reject,
            Cmd::TimeOut => Request::TimeOut,
            Cmd::Pull => Request::Pull,
            Cmd::Insert => Request::Insert,
            Cmd::PowerCycle => Request::PowerCycle,
            Cmd::Status => Request::Status,
            Cmd::Restart => Request::Restart,
            Cmd::Load => {
                let name = wire
                    .fixture
                    .ok_or_else(|| serde_json::Error::custom("load needs \"fixture\""))?;
                let fixture = name.parse().map_err(serde_json::Error::custom)?;
                return Ok(Request::Load {
                    fixture,
                    seed: wire.seed.unwrap_or(0),
                });
            }
        };
        if wire.fixture.is_some() || wire.seed.is_some() {
            return Err(serde_json::Error::custom(
                "\"fixture\" and \"seed\" belong to load only",
            ));
        }
        Ok(plain)
    }

    /// The request line (without the newline).
    pub fn to_json(self) -> String {
        let (cmd, fixture, seed) = match self {
            Request::Screen => (Cmd::Screen, None, None),
            Request::Events => (Cmd::Events, None, None),
            Request::NextPage => (Cmd::NextPage, None, None),
            Request::Confirm => (Cmd::Confirm, None, None),
            Request::Reject => (Cmd::Reject, None, None),
            Request::TimeOut => (Cmd::TimeOut, None, None),
            Request::Pull => (Cmd::Pull, None, None),
            Request::Insert => (Cmd::Insert, None, None),
            Request::PowerCycle => (Cmd::PowerCycle, None, None),
            Request::Status => (Cmd::Status, None, None),
            Request::Restart => (Cmd::Restart, None, None),
            Request::Load { fixture, seed } => (Cmd::Load, Some(fixture.to_string()), Some(seed)),
        };
        // A unit enum, a string and a number always encode.
        serde_json::to_string(&Wire { cmd, fixture, seed }).unwrap_or_default()
    }
}

/// A reply. `ok` false comes with `error`, and nothing was changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Response {
    /// True when the request was carried out.
    pub ok: bool,
    /// Why not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// For `screen`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen: Option<Screen>,
    /// For `events`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<Event>>,
    /// For `status`, `pull`, `insert`, `load`, `restart`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inserted: Option<bool>,
    /// For `status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safetouch: Option<bool>,
    /// For `load` and `restart`: the token's serial now, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
}

impl Response {
    /// A success with nothing more to say.
    pub fn done() -> Self {
        Response {
            ok: true,
            ..Response::default()
        }
    }
    /// A refusal.
    pub fn error(message: impl Into<String>) -> Self {
        Response {
            ok: false,
            error: Some(message.into()),
            ..Response::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_form() {
        let r = Request::from_json(br#"{"cmd":"power_cycle"}"#).unwrap();
        assert_eq!(r, Request::PowerCycle);
        assert_eq!(Request::PowerCycle.to_json(), r#"{"cmd":"power_cycle"}"#);
        assert_eq!(
            Request::from_json(br#"{"cmd":"next_page"}"#).unwrap(),
            Request::NextPage
        );
        assert!(Request::from_json(br#"{"cmd":"explode"}"#).is_err());
        assert!(Request::from_json(br#"{"cmd":"pull","now":1}"#).is_err());
        let text = serde_json::to_string(&Response::error("no")).unwrap();
        assert_eq!(text, r#"{"ok":false,"error":"no"}"#);
    }

    #[test]
    fn load_and_restart_wire_form() {
        let load = Request::Load {
            fixture: Fixture::Personalised,
            seed: 7,
        };
        assert_eq!(
            load.to_json(),
            r#"{"cmd":"load","fixture":"personalised","seed":7}"#
        );
        assert_eq!(Request::from_json(load.to_json().as_bytes()).unwrap(), load);
        assert_eq!(
            Request::from_json(br#"{"cmd":"load","fixture":"factory"}"#).unwrap(),
            Request::Load {
                fixture: Fixture::Factory,
                seed: 0
            }
        );
        assert_eq!(
            Request::from_json(br#"{"cmd":"restart"}"#).unwrap(),
            Request::Restart
        );
        assert_eq!(Request::TimeOut.to_json(), r#"{"cmd":"time_out"}"#);
        for bad in [
            &br#"{"cmd":"load"}"#[..],
            br#"{"cmd":"load","fixture":"blank"}"#,
            br#"{"cmd":"load","fixture":"factory","seed":-1}"#,
            br#"{"cmd":"load","fixture":"factory","seed":"7"}"#,
            br#"{"cmd":"load","fixture":"factory","pin":"1"}"#,
            br#"{"cmd":"restart","seed":1}"#,
            br#"{"cmd":"pull","fixture":"factory"}"#,
        ] {
            assert!(
                Request::from_json(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
