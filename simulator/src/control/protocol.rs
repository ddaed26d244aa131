//! The control socket's messages: one JSON object per line each way (`docs/pcsc.md`).

use serde::{Deserialize, Serialize};

use crate::safetouch::{Event, Screen};

/// A request; on the wire `{"cmd":"confirm"}` ([`Request::from_json`], [`Request::to_json`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
    /// Pull the token out of the reader.
    Pull,
    /// Insert the token again.
    Insert,
    /// Cut the token's power and restore it (its security state is lost).
    PowerCycle,
    /// Whether the token is inserted, and whether a SafeTouch is in front of it.
    Status,
}

/// The wire form of a request: one key, `cmd`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    cmd: Request,
}

impl Request {
    /// Parses one request line; unknown commands and extra keys are errors.
    pub fn from_json(line: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice::<Wire>(line).map(|w| w.cmd)
    }
    /// The request line (without the newline).
    pub fn to_json(self) -> String {
        // A unit enum in a one-field struct always encodes.
        serde_json::to_string(&Wire { cmd: self }).unwrap_or_default()
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
    /// For `status`, `pull`, `insert`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inserted: Option<bool>,
    /// For `status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safetouch: Option<bool>,
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
}
