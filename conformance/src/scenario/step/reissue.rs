//! The reissue steps' arguments: signing behind the SafeTouch, the CA submission, the
//! certificate installation.

use serde::Deserialize;

use super::{default_current, default_new};

/// The SafeTouch part of a signing step.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SafeTouchStep {
    /// Texts the screen must contain (each a substring of the rendered screen).
    #[serde(default)]
    pub screen: Vec<String>,
    /// Rows the screen must show as the device shows them: each one or more whole consecutive
    /// display lines (a row wrapped over several lines matches joined by spaces), e.g.
    /// `"Владелец: ${owner}"`.
    #[serde(default)]
    pub rows: Vec<String>,
    /// Consecutive display lines exactly as the device shows them (where it wraps a row), e.g.
    /// `["Запрос подписи", "запроса на", "сертификат"]`.
    #[serde(default)]
    pub lines: Vec<String>,
    /// What the person does.
    pub press: PressAction,
}

/// A button press, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PressAction {
    /// «Подтвердить».
    Confirm,
    /// «Отказать».
    Reject,
    /// No press until the SafeTouch's time-out.
    Timeout,
}

/// What a signing step must end with.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignOutcome {
    /// A signature came back.
    #[default]
    Signed,
    /// The SafeTouch answered its reject status word.
    Rejected,
    /// The SafeTouch answered its time-out status word.
    TimedOut,
    /// The token (or the SafeTouch) answered this status word (`x` any nibble).
    Sw(String),
}

/// `sign_request`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignRequest {
    /// The key signing (and certified by) the request (default `new`).
    #[serde(default = "default_new")]
    pub key: String,
    /// Another key the token signs the request with (the request still certifies `key`): a
    /// request whose signature does not verify under its own key, for a CA refusal.
    #[serde(default)]
    pub signed_by: Option<String>,
    /// Screen and press.
    pub safetouch: SafeTouchStep,
    /// Default `signed`.
    #[serde(default)]
    pub expect: SignOutcome,
}

/// The reissue request document (reissue-flow.md step 3.2; safetouch.md tags 90-94).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentFields {
    /// `DD.MM.YYYY`; default: the scenario's date.
    #[serde(default)]
    pub date: Option<String>,
    /// Ф.И.О. владельца.
    pub owner: String,
    /// Наименование организации.
    pub organisation: String,
    /// Номер документа.
    pub number: String,
    /// Serial of the certificate being replaced (hex); default: read from it.
    #[serde(default)]
    pub replaced_serial: Option<String>,
}

/// `sign_document`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignDocument {
    /// The signing key (default `current`).
    #[serde(default = "default_current")]
    pub key: String,
    /// The document's fields.
    pub document: DocumentFields,
    /// Screen and press.
    pub safetouch: SafeTouchStep,
    /// Default `signed`.
    #[serde(default)]
    pub expect: SignOutcome,
}

/// How the client asks the CA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmitMode {
    /// Reissue: the PKCS#10 plus the document signed by the current key.
    #[default]
    Reissue,
    /// New certificate after expiry: the PKCS#10 alone (the instruction's "2.1.4").
    New,
}

/// A deliberate corruption of what reaches the CA (to provoke its refusals).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tamper {
    /// Flip a bit of the PKCS#10 signature.
    RequestSignature,
}

/// What the CA must answer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmitOutcome {
    /// A new certificate.
    #[default]
    Issued,
    /// A named refusal (`rutoken_pki::ca::Refusal`, snake_case).
    Refused(String),
}

/// Which test CA the bank sends to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaName {
    /// «УЦ НотариПро (ТЕСТ)», the issuer of the token's certificate.
    #[default]
    Test,
    /// «Чужой УЦ (ТЕСТ)»: for it the token's certificate was issued by another CA.
    Foreign,
}

/// `submit`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submit {
    /// Default `test`.
    #[serde(default)]
    pub ca: CaName,
    /// Default `reissue`.
    #[serde(default)]
    pub mode: SubmitMode,
    /// Corrupt what is sent.
    #[serde(default)]
    pub tamper: Option<Tamper>,
    /// Default `issued`.
    #[serde(default)]
    pub expect: SubmitOutcome,
}

/// How a write is interrupted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterruptBy {
    /// The token is pulled out.
    Pull,
    /// The power drops.
    PowerCycle,
}

/// Interrupt the certificate write after some `UPDATE BINARY` pieces.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interrupt {
    /// Pieces written before the interruption.
    pub after_pieces: usize,
    /// Pull or power drop.
    pub by: InterruptBy,
}

/// What installing must end with.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstallOutcome {
    /// Written and indexed.
    #[default]
    Installed,
    /// The client refused before writing anything (the certificate is not for the key).
    Refused,
    /// Interrupted (with `interrupt`).
    Interrupted,
    /// The token refused a write with this status word (`x` any nibble).
    Sw(String),
}

/// `install_certificate`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstallCertificate {
    /// The key the certificate goes next to (default `new`).
    #[serde(default = "default_new")]
    pub key: String,
    /// Which certificate: `issued` (from `submit`, default) or `current`.
    #[serde(default = "default_issued")]
    pub certificate: String,
    /// Interrupt the write.
    #[serde(default)]
    pub interrupt: Option<Interrupt>,
    /// Default `installed`.
    #[serde(default)]
    pub expect: InstallOutcome,
}

fn default_issued() -> String {
    "issued".to_owned()
}

// What a failure report prints as "expected": the scenario's own words, never Rust names.
impl std::fmt::Display for PressAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PressAction::Confirm => "confirm",
            PressAction::Reject => "reject",
            PressAction::Timeout => "timeout",
        })
    }
}

impl std::fmt::Display for SignOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignOutcome::Signed => f.write_str("a signature"),
            SignOutcome::Rejected => f.write_str("rejected on the SafeTouch"),
            SignOutcome::TimedOut => f.write_str("timed out on the SafeTouch"),
            SignOutcome::Sw(sw) => write!(f, "SW {sw}"),
        }
    }
}

impl std::fmt::Display for SubmitOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SubmitOutcome::Issued => f.write_str("a certificate issued"),
            SubmitOutcome::Refused(why) => write!(f, "refused: {why}"),
        }
    }
}

impl std::fmt::Display for InstallOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InstallOutcome::Installed => f.write_str("installed"),
            InstallOutcome::Refused => f.write_str("refused by the client"),
            InstallOutcome::Interrupted => f.write_str("interrupted"),
            InstallOutcome::Sw(sw) => write!(f, "SW {sw}"),
        }
    }
}
