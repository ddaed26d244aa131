//! The control socket's messages: one JSON object per line each way (`docs/pcsc.md`).

use serde::{Deserialize, Serialize};

use crate::safetouch::{Event, Screen};
use crate::token::Fixture;

/// A request; on the wire `{"cmd":"screen"}` ([`Request::from_json`], [`Request::to_json`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// The SafeTouch screen now.
    Screen,
    /// The SafeTouch event log.
    Events,
    /// Shows the next page of a long screen; replies with the screen.
    NextPage,
    /// Press Confirm («Подтвердить») on screen `id` (from `screen`); refused unless that screen
    /// is the one waiting. `{"cmd":"confirm","id":3}`.
    Confirm {
        /// The screen the press answers.
        id: u64,
    },
    /// Press Reject («Отказать») on screen `id`.
    Reject {
        /// The screen the press answers.
        id: u64,
    },
    /// Let screen `id` time out now (simulated, as `--safetouch-policy timeout`).
    TimeOut {
        /// The screen the press answers.
        id: u64,
    },
    /// Pull the token out of the reader.
    Pull,
    /// Insert the token again.
    Insert,
    /// Cut the token's power and restore it (its security state is lost).
    PowerCycle,
    /// Whether the token is inserted, and whether a SafeTouch is in front of it.
    Status,
    /// What `token show` prints of the token in the reader: files, keys, certificates, PIN
    /// tries (never a PIN or a key's secret part).
    Summary,
    /// Replace the token in place with a fresh one from `fixture` and `seed`, as after a reset
    /// (the reader keeps a card; the SafeTouch forgets its screens and pending hash).
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
    Summary,
    Load,
    Restart,
}

/// The wire form of a request: `cmd`, plus `fixture` and `seed` for `load` only and `id` for
/// the presses only.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    cmd: Cmd,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fixture: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
}

impl Request {
    /// Parses one request line; unknown commands, extra keys, `fixture`/`seed` on anything but
    /// `load`, `id` on anything but a press, and a press without `id` are errors.
    pub fn from_json(line: &[u8]) -> Result<Self, serde_json::Error> {
        use serde::de::Error as _;
        let wire: Wire = serde_json::from_slice(line)?;
        let is_press = matches!(wire.cmd, Cmd::Confirm | Cmd::Reject | Cmd::TimeOut);
        if wire.id.is_some() && !is_press {
            return Err(serde_json::Error::custom(
                "\"id\" belongs to confirm, reject and time_out only",
            ));
        }
        if (wire.fixture.is_some() || wire.seed.is_some()) && wire.cmd != Cmd::Load {
            return Err(serde_json::Error::custom(
                "\"fixture\" and \"seed\" belong to load only",
            ));
        }
        let id = || {
            wire.id.ok_or_else(|| {
                serde_json::Error::custom(
                    "a press needs \"id\": the id of the screen it answers, from \"screen\"",
                )
            })
        };
        Ok(match wire.cmd {
            Cmd::Screen => Request::Screen,
            Cmd::Events => Request::Events,
            Cmd::NextPage => Request::NextPage,
            Cmd::Confirm => Request::Confirm { id: id()? },
            Cmd::Reject => Request::Reject { id: id()? },
            Cmd::TimeOut => Request::TimeOut { id: id()? },
            Cmd::Pull => Request::Pull,
            Cmd::Insert => Request::Insert,
            Cmd::PowerCycle => Request::PowerCycle,
            Cmd::Status => Request::Status,
            Cmd::Summary => Request::Summary,
            Cmd::Restart => Request::Restart,
            Cmd::Load => {
                let name = wire
                    .fixture
                    .clone()
                    .ok_or_else(|| serde_json::Error::custom("load needs \"fixture\""))?;
                Request::Load {
                    fixture: name.parse().map_err(serde_json::Error::custom)?,
                    seed: wire.seed.unwrap_or(0),
                }
            }
        })
    }

    /// The request line (without the newline).
    pub fn to_json(self) -> Result<String, serde_json::Error> {
        let (cmd, id, fixture, seed) = match self {
            Request::Screen => (Cmd::Screen, None, None, None),
            Request::Events => (Cmd::Events, None, None, None),
            Request::NextPage => (Cmd::NextPage, None, None, None),
            Request::Confirm { id } => (Cmd::Confirm, Some(id), None, None),
            Request::Reject { id } => (Cmd::Reject, Some(id), None, None),
            Request::TimeOut { id } => (Cmd::TimeOut, Some(id), None, None),
            Request::Pull => (Cmd::Pull, None, None, None),
            Request::Insert => (Cmd::Insert, None, None, None),
            Request::PowerCycle => (Cmd::PowerCycle, None, None, None),
            Request::Status => (Cmd::Status, None, None, None),
            Request::Summary => (Cmd::Summary, None, None, None),
            Request::Restart => (Cmd::Restart, None, None, None),
            Request::Load { fixture, seed } => {
                (Cmd::Load, None, Some(fixture.to_string()), Some(seed))
            }
        };
        serde_json::to_string(&Wire {
            cmd,
            id,
            fixture,
            seed,
        })
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
    /// For `summary`: the token as `token show` prints it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
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
        assert_eq!(
            Request::PowerCycle.to_json().unwrap(),
            r#"{"cmd":"power_cycle"}"#
        );
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
            load.to_json().unwrap(),
            r#"{"cmd":"load","fixture":"personalised","seed":7}"#
        );
        assert_eq!(
            Request::from_json(load.to_json().unwrap().as_bytes()).unwrap(),
            load
        );
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
        assert_eq!(
            Request::TimeOut { id: 2 }.to_json().unwrap(),
            r#"{"cmd":"time_out","id":2}"#
        );
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

    #[test]
    fn presses_name_their_screen() {
        let confirm = Request::Confirm { id: 3 };
        assert_eq!(confirm.to_json().unwrap(), r#"{"cmd":"confirm","id":3}"#);
        assert_eq!(
            Request::from_json(br#"{"cmd":"reject","id":7}"#).unwrap(),
            Request::Reject { id: 7 }
        );
        let missing = Request::from_json(br#"{"cmd":"confirm"}"#)
            .unwrap_err()
            .to_string();
        assert!(missing.contains("needs \"id\""), "{missing}");
        for bad in [
            &br#"{"cmd":"pull","id":1}"#[..],
            br#"{"cmd":"confirm","id":-1}"#,
            br#"{"cmd":"confirm","id":"3"}"#,
            br#"{"cmd":"confirm","id":1,"seed":2}"#,
        ] {
            assert!(
                Request::from_json(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
