//! The scenario format: what a YAML file in `scenarios/` holds (reference: `docs/scenarios.md`,
//! editor schema: `scenarios/schema.json`).

pub mod assertion;
pub mod load;
pub mod secret;
pub mod step;
pub mod validate;
pub mod vars;

use std::path::PathBuf;

use serde::Deserialize;

pub use assertion::Assertion;
pub use secret::Secret;
pub use step::Step;

/// One scenario: a token to start from, steps of the bank client, assertions on the token after.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Unique name, used in reports and as the artifacts directory (`[a-z0-9_-]+`).
    pub name: String,
    /// What the scenario checks, in a sentence or two.
    #[serde(default)]
    pub description: String,
    /// Tags for `--tag` selection (e.g. `happy`, `branch`, `gost2012-512`).
    #[serde(default)]
    pub tags: Vec<String>,
    /// What the target must be able to do; a target that cannot is skipped with the reason.
    #[serde(default)]
    pub needs: Vec<Capability>,
    /// The token the scenario starts from.
    #[serde(default)]
    pub token: TokenStart,
    /// Variables, used as `${name}` in any string of the steps and assertions.
    #[serde(default)]
    pub vars: vars::Vars,
    /// The bank client's operations and raw APDUs, in order.
    pub steps: Vec<Step>,
    /// Checks on the token after the steps.
    #[serde(default, rename = "assert")]
    pub assertions: Vec<Assertion>,
    /// The file the scenario came from (set by the loader).
    #[serde(skip)]
    pub file: PathBuf,
    /// Where each step and assertion is written in the file (set by the loader), so a failure
    /// names its `file:line:col`.
    #[serde(skip)]
    pub locations: Locations,
}

/// A 1-based line and column in a scenario file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineCol {
    /// 1-based line.
    pub line: u32,
    /// 1-based column (characters).
    pub column: u32,
}

/// Where the parts of a scenario start in its file (empty for a scenario built in code).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Locations {
    /// The `token:` mapping (the setup phases), if written.
    pub token: Option<LineCol>,
    /// Each item of `steps:`, in order.
    pub steps: Vec<LineCol>,
    /// Each item of `assert:`, in order.
    pub assertions: Vec<LineCol>,
}

/// Something a target can do besides exchanging APDUs.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// Press Confirm / Reject on the SafeTouch, or let it time out (scripted, control socket, or
    /// a person).
    Buttons,
    /// Read the SafeTouch screen text (emulator, control socket).
    Screen,
    /// Cut and restore the token's power.
    PowerCycle,
    /// A warm reset with the power kept (PC/SC `SCARD_RESET_CARD`).
    Reset,
    /// Pull the token out of the SafeTouch and insert it again, also in the middle of a command
    /// sequence.
    Pull,
    /// Restart the emulator from its saved image (emulator only).
    Restart,
    /// Start from a chosen fixture and PIN state (emulator: a fresh token per scenario).
    FreshToken,
}

impl Capability {
    /// Every capability (kept in sync with `scenarios/schema.json` by a test).
    pub const ALL: [Capability; 7] = [
        Capability::Buttons,
        Capability::Screen,
        Capability::PowerCycle,
        Capability::Reset,
        Capability::Pull,
        Capability::Restart,
        Capability::FreshToken,
    ];

    /// The YAML spelling.
    pub fn name(self) -> &'static str {
        match self {
            Capability::Buttons => "buttons",
            Capability::Screen => "screen",
            Capability::PowerCycle => "power_cycle",
            Capability::Reset => "reset",
            Capability::Pull => "pull",
            Capability::Restart => "restart",
            Capability::FreshToken => "fresh_token",
        }
    }
}

/// The token a scenario starts from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TokenStart {
    /// Which fixture image the emulator starts from.
    pub fixture: FixtureName,
    /// The user PIN's tries left at the start (the runner spends wrong PINs to get there).
    pub user_pin_tries_left: Option<u8>,
    /// "Today" for the flow: the document date and the CA's clock, `YYYY-MM-DD`.
    pub date: String,
    /// Key reference (`kk` of `…/6002/00kk`) of the key whose certificate is being replaced.
    pub current_key: u8,
}

impl Default for TokenStart {
    fn default() -> Self {
        TokenStart {
            fixture: FixtureName::Personalised,
            user_pin_tries_left: None,
            // The instruction's sample request date, 04.02.2020 (reissue-flow.md, sample data).
            date: "2020-02-04".to_owned(),
            current_key: 1,
        }
    }
}

/// The emulator's fixtures (`rutoken_sim::token::Fixture`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FixtureName {
    /// Aktiv factory state: MF and the two PINs, no PKCS#15 application.
    Factory,
    /// The bank customer's token: PKCS#15, a 2012-256 key and its certificate by the test CA.
    Personalised,
}
