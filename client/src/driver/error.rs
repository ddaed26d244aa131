//! The driver's one error: what went wrong in the bank client's terms, with the token's answer
//! code ([`Code`]) when a refusal ended the operation, so a caller can compare it with the
//! status word it expects.

use rutoken_apdu::StatusWord;

use crate::error::{ClientError, Missing, TransportError};

/// The answer that ended an operation: a token's status word (over APDUs) or a PKCS#11
/// module's `CK_RV`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// ISO 7816-4 SW1 SW2.
    Sw(StatusWord),
    /// A `CK_RV` (PKCS#11 v2.40 §11.1).
    Module(u64),
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Code::Sw(sw) => write!(f, "SW {sw}"),
            Code::Module(rv) => write!(f, "CK_RV 0x{rv:08X}"),
        }
    }
}

impl Code {
    /// The code without its kind (`6A82`, `0x00000101`).
    pub fn value(&self) -> String {
        match self {
            Code::Sw(sw) => sw.to_string(),
            Code::Module(rv) => format!("0x{rv:08X}"),
        }
    }
}

/// Why a driver operation did not complete.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DriverError {
    /// This implementation has no call for the operation (a raw APDU through PKCS#11, a warm
    /// reset through a module); `what` names the operation and why, as a skip reason.
    #[error("{what}")]
    CannotExpress {
        /// The operation and why it cannot be expressed here.
        what: String,
    },
    /// A wrong PIN; how many tries are left when the implementation can tell.
    #[error("wrong PIN{}", tries_text(*.tries_left))]
    PinIncorrect {
        /// Tries left before the PIN blocks (`None`: PKCS#11 does not say).
        tries_left: Option<u8>,
        /// The answer.
        code: Code,
    },
    /// The PIN is blocked.
    #[error("the PIN is blocked")]
    PinBlocked {
        /// The answer.
        code: Code,
    },
    /// The operation needs a PIN that is not verified.
    #[error("{operation}: the PIN is not verified ({code})")]
    NotLoggedIn {
        /// The operation.
        operation: String,
        /// The answer.
        code: Code,
    },
    /// The other PIN is verified: the token takes one role at a time (a device profile's
    /// `token.other_role_logged_in_sw`).
    #[error("the other PIN is verified ({code})")]
    OtherRoleVerified {
        /// The answer.
        code: Code,
    },
    /// No token in the reader.
    #[error("no token in the reader")]
    NoToken,
    /// The SafeTouch user pressed Reject.
    #[error("rejected on the SafeTouch ({code})")]
    Rejected {
        /// The answer.
        code: Code,
    },
    /// Nobody pressed a SafeTouch button in time.
    #[error("timed out on the SafeTouch ({code})")]
    TimedOut {
        /// The answer.
        code: Code,
    },
    /// The SafeTouch refused with an answer Reject and the time-out share.
    #[error("refused on the SafeTouch: rejected or timed out ({code})")]
    RejectedOrTimedOut {
        /// The answer.
        code: Code,
    },
    /// The token (or module) refused with an answer the operation does not expect.
    #[error("{operation}: the token answered {} ({meaning})", .code.value())]
    Refused {
        /// The operation (`GENERATE KEY`, `C_Sign`).
        operation: String,
        /// The answer.
        code: Code,
        /// What the answer means.
        meaning: String,
    },
    /// The token was removed during the operation.
    #[error("the token was removed")]
    Removed,
    /// Something the operation needs is not on the token.
    #[error("{what} not found on the token")]
    NotFound {
        /// What was looked for.
        what: String,
    },
    /// The token has no room left (a full file system, directory or key slots).
    #[error("{reason}")]
    NoRoom {
        /// What is full.
        reason: String,
    },
    /// An object the token cannot hold as given (a certificate that does not parse, an
    /// applicationOID that is not an OID).
    #[error("{reason}")]
    BadObject {
        /// What is wrong with it.
        reason: String,
    },
    /// An object the token was asked for is not on it, by kind (over APDUs the client tells
    /// which): a front-end answers each kind with its own code.
    #[error("{what} not found on the token")]
    Missing {
        /// What kind of object.
        what: Missing,
    },
    /// The reader or module could not carry the operation.
    #[error("{reason}")]
    Transport {
        /// What failed.
        reason: String,
    },
    /// The token's answer or the caller's data is not what the operation needs (a malformed
    /// answer, a signature that does not parse, a full directory).
    #[error("{reason}")]
    Failed {
        /// What was wrong.
        reason: String,
    },
}

impl DriverError {
    /// The answer that ended the operation, when a token or module gave one.
    pub fn code(&self) -> Option<Code> {
        match self {
            DriverError::PinIncorrect { code, .. }
            | DriverError::PinBlocked { code }
            | DriverError::NotLoggedIn { code, .. }
            | DriverError::OtherRoleVerified { code }
            | DriverError::Rejected { code }
            | DriverError::TimedOut { code }
            | DriverError::RejectedOrTimedOut { code }
            | DriverError::Refused { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Whether the SafeTouch refused (Reject, the time-out, or a word shared by both).
    pub fn refused_on_device(&self) -> bool {
        matches!(
            self,
            DriverError::Rejected { .. }
                | DriverError::TimedOut { .. }
                | DriverError::RejectedOrTimedOut { .. }
        )
    }
}

/// ", 2 tries left", ", 1 try left", or nothing when unknown.
fn tries_text(tries: Option<u8>) -> String {
    match tries {
        Some(1) => ", 1 try left".to_owned(),
        Some(n) => format!(", {n} tries left"),
        None => String::new(),
    }
}

impl From<TransportError> for DriverError {
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::CardRemoved => DriverError::Removed,
            TransportError::Unsupported(what) => DriverError::CannotExpress {
                what: format!("this target cannot {what}"),
            },
            e => DriverError::Transport {
                reason: e.to_string(),
            },
        }
    }
}

impl From<ClientError> for DriverError {
    fn from(e: ClientError) -> Self {
        match e {
            ClientError::Transport(t) => t.into(),
            ClientError::CardRemoved => DriverError::Removed,
            ClientError::PinIncorrect { tries_left } => DriverError::PinIncorrect {
                tries_left: Some(tries_left),
                code: Code::Sw(StatusWord(0x63C0 | u16::from(tries_left & 0x0F))),
            },
            ClientError::PinBlocked => DriverError::PinBlocked {
                code: Code::Sw(StatusWord::AUTH_BLOCKED),
            },
            ClientError::NotLoggedIn { operation } => DriverError::NotLoggedIn {
                operation: operation.to_owned(),
                code: Code::Sw(StatusWord::SECURITY_NOT_SATISFIED),
            },
            ClientError::RejectedOnDevice { sw } => DriverError::Rejected { code: Code::Sw(sw) },
            ClientError::TimedOutOnDevice { sw } => DriverError::TimedOut { code: Code::Sw(sw) },
            ClientError::RefusedOnDevice { sw } => {
                DriverError::RejectedOrTimedOut { code: Code::Sw(sw) }
            }
            ClientError::UnexpectedStatus { operation, sw } => DriverError::Refused {
                operation: operation.to_owned(),
                code: Code::Sw(sw),
                meaning: sw.meaning().to_owned(),
            },
            ClientError::NotFound { what } => DriverError::Missing { what },
            e @ (ClientError::NoFreeKeySlot { .. }
            | ClientError::NoFreeFile { .. }
            | ClientError::DirectoryFull { .. }) => DriverError::NoRoom {
                reason: e.to_string(),
            },
            e @ (ClientError::BadCertificate { .. } | ClientError::NotAnOid) => {
                DriverError::BadObject {
                    reason: e.to_string(),
                }
            }
            e => DriverError::Failed {
                reason: e.to_string(),
            },
        }
    }
}
