//! APDUs as the Rutoken ECP 2.0 and its SafeTouch reader speak them (ISO/IEC 7816-4 §5):
//! command and response APDUs, status words, a byte reader in the style of rustls'
//! `msgs/codec.rs`, BER-TLV, instruction names, and [`mask::masked`], the one function that
//! renders a command with its secret data hidden.
//!
//! No other workspace crate is a dependency: the simulator, the client and the conformance
//! suite all build on this one.

#![forbid(unsafe_code)]
#![deny(clippy::cast_possible_truncation, clippy::indexing_slicing)]

pub mod codec;
pub mod command;
pub mod error;
pub mod hex;
pub mod mask;
pub mod names;
pub mod response;
pub mod status;
pub mod tlv;

pub use codec::Reader;
pub use command::{Command, CommandView};
pub use error::ApduError;
pub use response::Response;
pub use status::StatusWord;
