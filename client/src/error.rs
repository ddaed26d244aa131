//! The crate's errors: one variant per broken expectation (rustls' `PeerMisbehaved` style), so
//! a front-end can tell the user what happened without parsing text.

use rutoken_apdu::{ApduError, StatusWord};

/// Why a transport could not carry an APDU.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The token is not in the reader (pulled, or never inserted).
    #[error("no token in the reader")]
    CardRemoved,
    /// No reader matches the name given.
    #[error("no PC/SC reader named like {name:?}")]
    NoReader {
        /// The name asked for.
        name: String,
    },
    /// Several readers match the name given.
    #[error("{count} readers match {name:?}: {readers}")]
    AmbiguousReader {
        /// The name asked for.
        name: String,
        /// How many matched.
        count: usize,
        /// Their names, comma-separated.
        readers: String,
    },
    /// A PC/SC call failed.
    #[error("PC/SC {call}: {message}")]
    Pcsc {
        /// The call (`SCardTransmit`).
        call: &'static str,
        /// The library's message.
        message: String,
    },
    /// The transport cannot do this.
    #[error("this transport cannot {0}")]
    Unsupported(&'static str),
    /// Any other transport's failure (a control socket, a relay), with its cause.
    #[error("{0}")]
    Other(String),
}

/// Why a client operation could not be completed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The transport failed to carry an APDU.
    #[error("{0}")]
    Transport(TransportError),
    /// The token was pulled out during the operation.
    #[error("the token was removed")]
    CardRemoved,
    /// VERIFY answered `63Cx`: a wrong PIN.
    #[error("wrong PIN, {tries_left} {} left", tries_word(.tries_left))]
    PinIncorrect {
        /// Tries left before the PIN blocks.
        tries_left: u8,
    },
    /// VERIFY answered `6983`: the PIN is blocked.
    #[error("the PIN is blocked")]
    PinBlocked,
    /// An operation answered `6982`: the PIN it needs is not verified.
    #[error("{operation}: the PIN is not verified (SW 6982)")]
    NotLoggedIn {
        /// The operation.
        operation: &'static str,
    },
    /// The SafeTouch user pressed Reject.
    #[error("rejected on the SafeTouch (SW {sw})")]
    RejectedOnDevice {
        /// The refusal word of the device profile.
        sw: StatusWord,
    },
    /// Nobody pressed a SafeTouch button in time.
    #[error("timed out on the SafeTouch (SW {sw})")]
    TimedOutOnDevice {
        /// The time-out word of the device profile.
        sw: StatusWord,
    },
    /// The SafeTouch refused with a word the device profile gives both to Reject and to the
    /// time-out (the default `6FB1`), so which of the two happened is unknown.
    #[error("refused on the SafeTouch: rejected or timed out (SW {sw})")]
    RefusedOnDevice {
        /// The shared refusal word.
        sw: StatusWord,
    },
    /// The token answered a status word the operation does not expect.
    #[error("{operation}: the token answered {sw} ({meaning})", meaning = sw.meaning())]
    UnexpectedStatus {
        /// The operation (`SELECT`, `GENERATE KEY`).
        operation: &'static str,
        /// Its status word.
        sw: StatusWord,
    },
    /// The token's answer does not parse.
    #[error("{operation}: malformed answer: {reason}")]
    MalformedAnswer {
        /// The operation.
        operation: &'static str,
        /// What was wrong.
        reason: ApduError,
    },
    /// The token's answer has the wrong length.
    #[error("{operation}: {actual} bytes answered, {expected} expected")]
    WrongAnswerLength {
        /// The operation.
        operation: &'static str,
        /// The expected length.
        expected: usize,
        /// The length received.
        actual: usize,
    },
    /// SELECT answered something that is not an FCP template (`62`/`6F`).
    #[error("SELECT answered tag {tag:X}, not an FCP template (62 or 6F)")]
    NotAnFcp {
        /// The tag received.
        tag: u32,
    },
    /// A directory file the client reads holds malformed PKCS#15 entries.
    #[error("{file}: malformed PKCS#15 entry: {reason}")]
    MalformedDirectory {
        /// The file (`CDF`, `PrKDF`).
        file: &'static str,
        /// What was wrong.
        reason: ApduError,
    },
    /// All key references are used.
    #[error("all {max} key references are used")]
    NoFreeKeySlot {
        /// The number of references the client uses.
        max: u8,
    },
    /// All file IDs of a range are used.
    #[error("no free {what} file in {first:04X}-{last:04X}")]
    NoFreeFile {
        /// What the file is for.
        what: &'static str,
        /// First FID of the range.
        first: u16,
        /// Last FID of the range.
        last: u16,
    },
    /// A directory file has no room for another entry.
    #[error("the {file} is full")]
    DirectoryFull {
        /// The file.
        file: &'static str,
    },
    /// Something the operation needs is not on the token.
    #[error("{what} not found on the token")]
    NotFound {
        /// What was looked for.
        what: Missing,
    },
    /// A file created a moment ago does not select.
    #[error("the new file {fid:04X} does not select")]
    CreatedFileMissing {
        /// Its FID.
        fid: u16,
    },
    /// A data object's application OID that is not one DER OBJECT IDENTIFIER.
    #[error("the data object's OID is not a DER OBJECT IDENTIFIER")]
    NotAnOid,
    /// The device profile has no attribute-85 key code for this key type.
    #[error("the device profile has no key code for {name}")]
    NoKeyCode {
        /// The profile's name of the key type (`gost2012-256-A`).
        name: String,
    },
    /// Data too large for a file the client writes (offsets are 15 bits, sizes 16).
    #[error("{what} of {len} bytes is too large for a token file")]
    TooLarge {
        /// What was to be written.
        what: &'static str,
        /// Its length.
        len: usize,
    },
    /// A command could not be encoded.
    #[error("building a command: {0}")]
    Encoding(ApduError),
    /// The certificate does not parse as X.509 with a GOST public key.
    #[error("not a certificate with a GOST public key: {reason}")]
    BadCertificate {
        /// What was wrong.
        reason: String,
    },
    /// The public key the token answered is not a point of the key's curve.
    #[error("the token's public key: {0}")]
    BadPublicKey(gost::Error),
    /// The PKCS#10 could not be built.
    #[error("the PKCS#10: {0}")]
    Request(String),
    /// The token's signature does not parse (`r_le ‖ s_le`).
    #[error("the token's signature: {0}")]
    BadSignature(gost::Error),
}

impl From<TransportError> for ClientError {
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::CardRemoved => ClientError::CardRemoved,
            e => ClientError::Transport(e),
        }
    }
}

/// `try` for one, `tries` otherwise ("1 try left", "2 tries left").
fn tries_word(n: &u8) -> &'static str {
    if *n == 1 { "try" } else { "tries" }
}

/// What a [`ClientError::NotFound`] looked for, as a type: front-ends map it to their own codes
/// (the plugin's KEY_NOT_FOUND, BF_NOT_FOUND, CERTIFICATE_NOT_FOUND) without reading the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// The private key of a key pair (signing).
    PrivateKey,
    /// A certificate with the ID asked for (its CDF entry).
    Certificate,
    /// The certificate file a CDF entry names.
    CertificateFile,
    /// A certificate's CDF entry after an installation that stopped halfway.
    InterruptedCertificate,
    /// A data object at the path asked for.
    DataObject,
    /// A directory file (PrKDF, PuKDF, CDF, DODF) the ODF lists.
    DirectoryFile,
    /// The PKCS#15 application DF 5000.
    Pkcs15Application,
}

/// `… not found on the token`: the object in words.
impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Missing::PrivateKey => "the private key",
            Missing::Certificate => "a certificate with this ID",
            Missing::CertificateFile => "the certificate file its CDF entry names",
            Missing::InterruptedCertificate => {
                "the certificate's CDF entry (the installation stopped)"
            }
            Missing::DataObject => "a data object at this path",
            Missing::DirectoryFile => "a directory file the ODF lists",
            Missing::Pkcs15Application => "the PKCS#15 application 5000",
        })
    }
}
