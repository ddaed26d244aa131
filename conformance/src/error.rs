//! The crate's one error type.

use std::path::PathBuf;

use crate::target::TargetError;
use crate::target::operator::guard::tries;

/// What loading scenarios or running the suite can fail with. Step failures inside a scenario
/// are not errors: they are findings in the report ([`crate::report::Outcome`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A scenario file is not valid YAML or does not match the scenario format.
    #[error("{file}:{line}:{column}: {message}")]
    Scenario {
        /// The scenario file.
        file: PathBuf,
        /// 1-based line of the offending node.
        line: u64,
        /// 1-based column of the offending node.
        column: u64,
        /// What was wrong and what was expected.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The system error.
        #[source]
        source: std::io::Error,
    },
    /// Bad usage: an argument the runner cannot honour.
    #[error("{0}")]
    Usage(String),
    /// No scenario matched the selection.
    #[error("no scenario found: {0}")]
    NoScenario(String),
    /// The target could not be opened at all (no reader, no control socket).
    #[error("target: {0}")]
    Target(#[from] crate::target::TargetError),
    /// A PKCS#11 module cannot be used at all (`--module`).
    #[cfg(feature = "pkcs11")]
    #[error(transparent)]
    Module(#[from] crate::pkcs11::token::ModuleError),
    /// `--control`: the emulator's control socket did not load a start token.
    #[error("--control {}: {source}", path.display())]
    Control {
        /// The socket.
        path: PathBuf,
        /// What the socket answered.
        #[source]
        source: TargetError,
    },
    /// The selected scenarios cannot share one operator session.
    #[error(transparent)]
    Pins(#[from] PinsError),
    /// A run on a real token did not start.
    #[error(transparent)]
    NotStarted(#[from] NotStarted),
    /// A `${name}` in scenario text did not expand.
    #[error(transparent)]
    Vars(#[from] VarsError),
    /// A status-word or data pattern of a scenario is malformed.
    #[error(transparent)]
    Pattern(#[from] PatternError),
    /// A certificate's profile fields do not decode.
    #[error(transparent)]
    Certificate(#[from] CertificateError),
    /// The test CA or the request and document it is given.
    #[error(transparent)]
    Pki(#[from] PkiError),
}

/// Why a `${name}` did not expand ([`crate::scenario::vars::expand`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VarsError {
    /// No variable of that name.
    #[error("variable ${{{0}}} undefined")]
    Undefined(String),
    /// A `${` without its `}`.
    #[error("\"${{\" without its \"}}\" in \"{0}\"")]
    Unclosed(String),
}

/// A malformed pattern of a raw-APDU step ([`crate::runner::pattern`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PatternError {
    /// A command that is not hex.
    #[error("\"{0}\": not hex")]
    NotHex(String),
    /// A status-word pattern that is not 4 hex digits or `x`.
    #[error("sw \"{0}\": expected 4 hex digits, x for any")]
    StatusWord(String),
    /// A data pattern with an odd number of hex digits.
    #[error("data \"{0}\": odd number of hex digits")]
    OddData(String),
    /// A data pattern with a pair that is neither hex nor `..`.
    #[error("data \"{0}\": not hex")]
    DataNotHex(String),
}

impl PatternError {
    /// The message with the pattern unquoted, for the scenario validator's `file:line:column:`
    /// lines (which point at the pattern already).
    pub fn unquoted(&self) -> String {
        match self {
            PatternError::NotHex(t) => format!("{t}: not hex"),
            PatternError::StatusWord(p) => format!("sw {p}: expected 4 hex digits, x for any"),
            PatternError::OddData(p) => format!("data {p}: odd number of hex digits"),
            PatternError::DataNotHex(p) => format!("data {p}: not hex"),
        }
    }
}

/// A certificate field the `certificate` assertion reads that does not decode
/// ([`crate::runner::certificate::profile_fields`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertificateError {
    /// Not a certificate at all.
    #[error("not a DER certificate: {0}")]
    NotDer(der::Error),
    /// An extension the assertion reads (`keyUsage`, …) does not decode.
    #[error("{extension} does not decode: {source}")]
    Extension {
        /// The extension's name in RFC 5280.
        extension: &'static str,
        /// The decoder's complaint.
        source: der::Error,
    },
    /// A validity date outside what a calendar date can say (seconds since 1970).
    #[error("a validity date {0} s after 1970 is out of range")]
    Date(u64),
}

/// What the test CA, or building what it is sent, failed with ([`crate::runner::pki`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PkiError {
    /// A subject attribute the scenario names that `rutoken-pki` does not know.
    #[error("unknown subject attribute \"{0}\"")]
    UnknownAttribute(String),
    /// The certificate being replaced does not parse.
    #[error("the current certificate: {0}")]
    CurrentCertificate(#[source] rutoken_pki::Error),
    /// The subject does not encode.
    #[error("the subject: {0}")]
    Subject(#[source] rutoken_pki::Error),
    /// The reissue document's fields do not encode.
    #[error("{0}")]
    Document(#[source] rutoken_pki::reissue::DocumentError),
    /// The test CA could not be built from its fixture.
    #[error("the test CA: {0}")]
    TestCa(#[source] rutoken_pki::Error),
    /// The document signature is not a GOST signature.
    #[error("{0}")]
    Signature(#[source] gost::Error),
    /// A certificate or request given to the CA does not parse, or is not issued by it.
    #[error("{0}")]
    Parse(#[source] rutoken_pki::Error),
    /// The CA issued a serial it had issued before in this scenario.
    #[error(
        "the CA issued serial {0} a second time (RFC 5280 §4.1.2.2: a CA's serials are unique)"
    )]
    SerialReused(String),
}

/// A `--partition K/N` that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PartitionError {
    /// No `/`.
    #[error("{0}: expected K/N, e.g. 1/3")]
    NoSlash(String),
    /// K is not a number.
    #[error("{0}: K is not a number")]
    Index(String),
    /// N is not a number.
    #[error("{0}: N is not a number")]
    Count(String),
    /// K is 0 or greater than N, or N is 0.
    #[error("{0}: expected 1 <= K <= N")]
    OutOfRange(String),
}

/// Why the operator's PINs cannot be taken from the selected scenarios.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PinsError {
    /// Two scenarios type different user PINs (the values are secrets: never shown).
    #[error("the selected scenarios give different values for ${{{0}}}")]
    Differ(&'static str),
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// How the person gives the token's user PIN (the gate's messages end with it).
const USER_PIN_HINT: &str =
    "give the token's user PIN with --user-pin (or type it when --operator asks)";

/// Whose user PIN the gate checks on a real token (named in its messages; never the PIN).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinSource {
    /// `--user-pin`, or typed at the operator's prompt.
    Given,
    /// The scenarios' `${user_pin}`.
    Scenarios,
}

impl std::fmt::Display for PinSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PinSource::Given => "given",
            PinSource::Scenarios => "of the scenarios (${user_pin})",
        })
    }
}

/// Why a run on a real token did not start ([`crate::target::operator::gate`]); no PIN in any
/// message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotStarted {
    /// The scenarios type different user PINs and none was given.
    #[error("{0}; give the token's user PIN with --user-pin")]
    Pins(#[source] PinsError),
    /// The operator's terminal did not answer (a prompt or the `y`).
    #[error("not started: {0}; the token was not touched")]
    NoAnswer(#[source] TargetError),
    /// The operator answered something other than `y`.
    #[error("not started: the operator did not answer y; the token was not touched")]
    Declined,
    /// Nobody chose to try the scenarios' user PIN on this token.
    #[error(
        "not started: the token's user PIN was not given, and the scenarios' ${{user_pin}} is \
         not tried on a real token without --allow-destructive; {hint}; the token was not \
         touched",
        hint = USER_PIN_HINT
    )]
    PinNotChosen,
    /// `VERIFY` without data told no tries.
    #[error("not started: the token did not tell the user PIN's tries (VERIFY without data)")]
    TriesUnknown,
    /// The user PIN is blocked already.
    #[error(
        "not started: the user PIN is blocked (6983); unblock it with the administrator PIN first"
    )]
    Blocked,
    /// One try left: a wrong PIN would block it.
    #[error(
        "not started: the user PIN has {} left, and a wrong PIN would block it; the runner does \
         not try it (--allow-destructive takes that risk)",
        tries(*.0)
    )]
    LastTry(u8),
    /// The check's `VERIFY` was refused (it spent a try).
    #[error(
        "the token refused the user PIN {whose}: 63C{tries_left:X}, {} left (this check spent \
         one); no scenario was run; {hint}",
        tries(*tries_left),
        hint = USER_PIN_HINT
    )]
    Refused {
        /// Whose PIN it was.
        whose: PinSource,
        /// The tries the token says are left.
        tries_left: u8,
    },
    /// The check's `VERIFY` found the PIN blocked.
    #[error("the token answered 6983 to the user PIN {whose}: it is blocked; no scenario was run")]
    BlockedByCheck {
        /// Whose PIN it was.
        whose: PinSource,
    },
    /// The check could not be made.
    #[error("not started: cannot check the user PIN: {0}")]
    CannotCheck(#[source] rutoken_client::ClientError),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words the terminal showed when these were strings (tests/operator_pins.rs looks for
    /// some of them through a real run).
    #[test]
    fn not_started_says_what_it_said() {
        assert_eq!(
            NotStarted::Declined.to_string(),
            "not started: the operator did not answer y; the token was not touched"
        );
        assert!(NotStarted::PinNotChosen.to_string().starts_with(
            "not started: the token's user PIN was not given, and the scenarios' ${user_pin} is \
             not tried on a real token without --allow-destructive; give the token's user PIN \
             with --user-pin"
        ));
        assert_eq!(
            NotStarted::LastTry(1).to_string(),
            "not started: the user PIN has 1 try left, and a wrong PIN would block it; the \
             runner does not try it (--allow-destructive takes that risk)"
        );
        assert_eq!(
            NotStarted::Refused {
                whose: PinSource::Scenarios,
                tries_left: 12,
            }
            .to_string(),
            "the token refused the user PIN of the scenarios (${user_pin}): 63CC, 12 tries left \
             (this check spent one); no scenario was run; give the token's user PIN with \
             --user-pin (or type it when --operator asks)"
        );
        assert_eq!(
            NotStarted::BlockedByCheck {
                whose: PinSource::Given
            }
            .to_string(),
            "the token answered 6983 to the user PIN given: it is blocked; no scenario was run"
        );
        assert_eq!(
            NotStarted::Pins(PinsError::Differ("user_pin")).to_string(),
            "the selected scenarios give different values for ${user_pin}; give the token's user \
             PIN with --user-pin"
        );
        assert_eq!(
            NotStarted::NoAnswer(TargetError::OperatorTimeout(30)).to_string(),
            "not started: the operator did not answer within 30 s; the token was not touched"
        );
        assert_eq!(
            NotStarted::NoAnswer(crate::target::OperatorInput::Closed.into()).to_string(),
            "not started: the operator's input (stdin) is closed; the token was not touched"
        );
    }

    #[test]
    fn variables_and_patterns_name_what_broke() {
        assert_eq!(
            VarsError::Unclosed("CN=${owner".into()).to_string(),
            "\"${\" without its \"}\" in \"CN=${owner\""
        );
        assert_eq!(
            PatternError::DataNotHex("0g".into()).unquoted(),
            "data 0g: not hex"
        );
        assert_eq!(
            PkiError::SerialReused("01AB".into()).to_string(),
            "the CA issued serial 01AB a second time (RFC 5280 §4.1.2.2: a CA's serials are unique)"
        );
    }

    #[cfg(feature = "pkcs11")]
    #[test]
    fn a_module_error_names_the_module_and_its_slots() {
        use crate::pkcs11::token::{ModuleError, ModuleProblem, SlotIds};
        let e = ModuleError {
            path: PathBuf::from("/x/m.so"),
            problem: ModuleProblem::NoTokenInSlot {
                slot: 3,
                known: SlotIds(vec![0, 1]),
            },
        };
        assert_eq!(
            e.to_string(),
            "--module /x/m.so: no token in slot 3 (its slots: 0, 1)"
        );
        let none = ModuleProblem::NoToken {
            known: SlotIds(Vec::new()),
        };
        assert_eq!(
            none.to_string(),
            "no slot with a token (the module has no slot)"
        );
    }
}
