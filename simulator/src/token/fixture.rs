//! The two starting states: `factory` (Aktiv formatting: MF, system DFs, default PINs; OpenSC
//! then says "token not recognized") and `personalised` (the OpenSC PKCS#15 layout of
//! `rutoken-ecp-apdu.md` §5 with one GOST 2012-256 key and the owner's certificate).

mod owner;
mod pkcs15;

use std::fmt;
use std::str::FromStr;

use super::error::TokenError;
use super::fs::{MF_FID, Node, PIN_DF};
use super::pin::{CLASS_PIN, PinObject};
use super::profile::TokenProfile;
use super::state::State;

/// Which starting state a new token gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fixture {
    /// MF, system DFs and the default PINs (User `12345678` ref 02, Admin `87654321` ref 01),
    /// finalised; no PKCS#15 application.
    Factory,
    /// The OpenSC layout after `pkcs15-init -C`, `--store-pin`, a key and a certificate.
    Personalised,
}

impl fmt::Display for Fixture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Fixture::Factory => "factory",
            Fixture::Personalised => "personalised",
        })
    }
}

impl FromStr for Fixture {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "factory" => Ok(Fixture::Factory),
            "personalised" | "personalized" => Ok(Fixture::Personalised),
            other => Err(format!("unknown fixture {other:?} (factory, personalised)")),
        }
    }
}

/// The serial of a fixture: the profile's default for seed 0, otherwise derived from the seed
/// (SplitMix64, kept below 2^31 so the decimal device number has 10 digits at most).
pub fn serial_for_seed(seed: u64, profile: &TokenProfile) -> [u8; 8] {
    if seed == 0 {
        return profile.default_serial.to_be_bytes();
    }
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (0x1000_0000 | (z & 0x3FFF_FFFF)).to_be_bytes()
}

/// Builds a fixture's state.
pub fn build(fixture: Fixture, seed: u64, profile: &TokenProfile) -> Result<State, TokenError> {
    let serial = serial_for_seed(seed, profile);
    let mf = match fixture {
        Fixture::Factory => factory_mf(profile)?,
        Fixture::Personalised => pkcs15::personalised_mf(seed, serial, profile)?,
    };
    Ok(State {
        serial,
        finalised: true,
        mf: Some(mf),
    })
}

/// Tag-86 bytes from the 8 significant bytes of `rutoken-ecp-apdu.md` §5 (the rest are 0).
pub(crate) fn sec(first: [u8; 8]) -> [u8; 15] {
    let mut s = [0u8; 15];
    s[..8].copy_from_slice(&first);
    s
}

/// MF `47 02 02 01 00 00 00 FF` (§5).
pub(crate) const SEC_MF: [u8; 8] = [0x47, 0x02, 0x02, 0x01, 0, 0, 0, 0xFF];
/// System DFs `43 02 02 00 00 00 00 FF` (§5).
pub(crate) const SEC_SYS_DF: [u8; 8] = [0x43, 0x02, 0x02, 0, 0, 0, 0, 0xFF];
/// SO PIN: no unblock, changed by the SO, never deleted (§5).
pub(crate) const SEC_SO_PIN: [u8; 8] = [0x43, 0xFF, 0x01, 0, 0, 0, 0, 0xFF];
/// User PIN: unblocked by the SO, changed by User or SO (§5).
pub(crate) const SEC_USER_PIN: [u8; 8] = [0x43, 0x01, 0x03, 0, 0, 0, 0, 0xFF];

/// Adds `child` to the DF at `path`, keeping FID order (the list-files order of the traces).
pub(crate) fn add(mf: &mut Node, path: &[u16], child: Node) {
    if let Some(children) = super::fs::node_at_mut(mf, path).and_then(Node::children_mut) {
        Node::insert_in_order(children, child);
    }
}

/// MF plus `1000/1000/{6001..6005}`, `1000/1001/{8001,8002}`, `1000/{1002,1003,1004}`, as
/// `pkcs15-init -C` creates them (`create_sysdf`, 04_create.log).
pub(crate) fn system_tree() -> Node {
    let mut mf = Node::df(MF_FID, 0, sec(SEC_MF));
    add(&mut mf, &[], Node::df(0x1000, 0, sec(SEC_SYS_DF)));
    for fid in [0x1000, 0x1001, 0x1002, 0x1003, 0x1004] {
        add(&mut mf, &[0x1000], Node::df(fid, 0, sec(SEC_SYS_DF)));
    }
    for fid in 0x6001..=0x6005 {
        add(
            &mut mf,
            &[0x1000, 0x1000],
            Node::df(fid, 0, sec(SEC_SYS_DF)),
        );
    }
    for fid in [0x8001, 0x8002] {
        add(
            &mut mf,
            &[0x1000, 0x1001],
            Node::df(fid, 0, sec(SEC_SYS_DF)),
        );
    }
    mf
}

/// A PIN object as `pkcs15-rtecp.c` creates it (attribute 85 `01 min 01 max|left 00 00`).
pub(crate) fn pin_node(
    reference: u8,
    value: &str,
    min_len: u8,
    tries: u8,
    sec_bytes: [u8; 8],
) -> Result<Node, TokenError> {
    let pin = PinObject::with_value(value.as_bytes(), min_len, tries);
    let prop = vec![
        CLASS_PIN,
        min_len,
        0x01,
        (pin.max_tries << 4) | pin.max_tries,
        0,
        0,
    ];
    Ok(Node {
        fid: u16::from(reference),
        size: file_size("a PIN", value.len())?,
        sec: sec(sec_bytes),
        prop,
        body: super::fs::Body::Pin(pin),
    })
}

/// A length as the u16 size of a file (FCP tag 80), or an error naming what was too long.
pub(crate) fn file_size(what: &'static str, len: usize) -> Result<u16, TokenError> {
    u16::try_from(len).map_err(|_| TokenError::Fixture {
        fixture: what,
        reason: format!("{len} bytes, more than a file size (tag 80, 16 bits) can announce"),
    })
}

fn factory_mf(profile: &TokenProfile) -> Result<Node, TokenError> {
    let mut mf = system_tree();
    let admin = pin_node(
        1,
        &profile.factory_admin_pin,
        profile.factory_admin_pin_min_len,
        profile.factory_admin_pin_tries,
        SEC_SO_PIN,
    )?;
    let user = pin_node(
        2,
        &profile.factory_user_pin,
        profile.factory_user_pin_min_len,
        profile.factory_user_pin_tries,
        SEC_USER_PIN,
    )?;
    add(&mut mf, &PIN_DF, admin);
    add(&mut mf, &PIN_DF, user);
    Ok(mf)
}
