//! What the token keeps across power cycles (the image body) and what it forgets (the session).

use gost::{Hasher, SigningKey};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::command::Command;
use super::fs::Node;

/// The persistent state: exactly what the image file holds.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct State {
    /// GET DATA `01 81` answer (8 bytes, Aktiv's UEFI sample "Token ID").
    pub serial: [u8; 8],
    /// True after INIT END (`80 84 4E 19`): access conditions are enforced.
    pub finalised: bool,
    /// The file system; `None` after ERASE until the MF is created again.
    pub mf: Option<Node>,
}

/// A command chain being gathered (CLA bit 0x10).
pub(crate) struct Chain {
    pub command: Command,
    pub p1: u8,
    pub p2: u8,
    /// The pieces so far. They may be a PIN or a private key being imported: zeroized when
    /// dropped, and allocated once for the whole chain so no partial copy is left behind.
    pub data: Zeroizing<Vec<u8>>,
}

/// Volatile state, lost on power off and reset, kept between PC/SC connections
/// (`rutoken-ecp-apdu.md` §0 item 5).
#[derive(Default)]
pub(crate) struct Session {
    /// Role bits verified (01 Admin, 02 User).
    pub logged_in: u8,
    /// Path of the current DF below the MF.
    pub current_df: Vec<u16>,
    /// FID of the current EF or RSF inside the current DF.
    pub current_ef: Option<u16>,
    /// Key reference set by MSE SET (DST).
    pub se_key: Option<u8>,
    /// Key reference set by MSE SET (CT), for PSO: DECIPHER.
    pub se_decipher_key: Option<u8>,
    /// The GOST key of the last signature or key generation, reused while a key object holds
    /// the same d (building one computes Q = d·P, which signing does not need: 6 % of an
    /// in-process flow, perf 7 Dec 2026). Zeroized when dropped, lost on power off.
    pub signing_key: Option<SigningKey>,
    /// PSO: HASH in progress.
    pub hasher: Option<Hasher>,
    /// The last finished PSO: HASH, for PSO: CDS without data.
    pub digest: Option<Vec<u8>>,
    /// A command chain being gathered.
    pub chain: Option<Chain>,
    /// The symmetric operation or key agreement MSE SET chose (GOST 28147-89, VKO), with its
    /// stream in progress.
    pub symmetric: Option<super::symmetric::SymmetricSe>,
}
