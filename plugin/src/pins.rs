//! Logging in and the PINs: `login`, `logout`, the plugin's PIN cache (`savePin`,
//! `removePin`, `TOKEN_INFO_IS_PIN_CACHED`), `changePin`, `unblockUserPin`, `formatToken`.
//!
//! The cache as the plugin keeps it (reference, and the bank pages that re-enter a PIN with
//! `removePin` then `login`): `savePin` keeps the PIN of the current login; an operation that
//! needs the login then logs in with it (also after the token was pulled and inserted);
//! `removePin` forgets it and logs out; a PIN that stopped working leaves the cache. The
//! details are guesses (docs/assumptions.md).

use rutoken_client::DriverError;
use serde_json::Value;
use zeroize::Zeroizing;

use crate::api::{PluginError, Result};
use crate::args::Args;
use crate::codes::ErrorCode;
use crate::device::Pin;
use crate::slot::Session;

/// The token's PIN lengths (bytes): 1..=32 reach it; the token checks its own minimum.
const PIN_MAX: usize = 32;
/// Factory PINs a `formatToken` without them sets (Aktiv's public defaults).
const DEFAULT_ADMIN_PIN: &str = "87654321";
const DEFAULT_USER_PIN: &str = "12345678";

fn pin_length(pin: &str) -> Result<()> {
    if pin.is_empty() || pin.len() > PIN_MAX {
        return Err(PluginError::new(ErrorCode::PinLengthInvalid, "PIN length"));
    }
    Ok(())
}

/// `login(deviceId, pin)`.
pub fn login(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let pin = args.at_most(2)?.str(1, "PIN")?;
    if session.logged_in {
        return Err(PluginError::new(
            ErrorCode::AlreadyLoggedIn,
            "already logged in",
        ));
    }
    pin_length(pin)?;
    match session.device.login(pin) {
        Ok(()) => {
            session.logged_in = true;
            session.login_pin = Some(Zeroizing::new(pin.to_owned()));
            Ok(Value::Null)
        }
        Err(e) => {
            if matches!(
                e,
                DriverError::PinIncorrect { .. } | DriverError::PinBlocked { .. }
            ) {
                session.pin_cache = None;
            }
            Err(e.into())
        }
    }
}

/// `logout(deviceId)`: drops the login (a cached PIN stays cached).
pub fn logout(session: &mut Session, args: Args<'_>) -> Result<Value> {
    args.at_most(1)?;
    session.device.logout()?;
    session.logged_in = false;
    session.login_pin = None;
    Ok(Value::Null)
}

/// `savePin(deviceId)`: caches the PIN of the current login.
pub fn save_pin(session: &mut Session, args: Args<'_>) -> Result<Value> {
    args.at_most(1)?;
    match (&session.login_pin, session.logged_in) {
        (Some(pin), true) => {
            session.pin_cache = Some(pin.clone());
            Ok(Value::Null)
        }
        _ => Err(PluginError::new(
            ErrorCode::CannotSavePinInCache,
            "no login to cache",
        )),
    }
}

/// `removePin(deviceId)`: forgets the cached PIN and logs out.
pub fn remove_pin(session: &mut Session, args: Args<'_>) -> Result<Value> {
    args.at_most(1)?;
    session.pin_cache = None;
    if session.logged_in {
        session.device.logout()?;
        session.logged_in = false;
        session.login_pin = None;
    }
    Ok(Value::Null)
}

/// `changePin(deviceId, oldPin, newPin, {useAdminPin})`: the user PIN; with `useAdminPin` the
/// old PIN is the administrator's.
pub fn change_pin(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let args = args.at_most(4)?;
    let old = args.str(1, "old PIN")?;
    let new = args.str(2, "new PIN")?;
    let by = if args.options(3)?.flag("useAdminPin")? {
        Pin::Admin
    } else {
        Pin::User
    };
    pin_length(old)?;
    pin_length(new)?;
    session.device.change_pin(by, old, new)?;
    if session.pin_cache.is_some() {
        session.pin_cache = Some(Zeroizing::new(new.to_owned()));
    }
    if by == Pin::Admin {
        // The administrator's PIN replaced the user's login on the token.
        session.logged_in = false;
        session.login_pin = None;
    } else if session.logged_in {
        session.login_pin = Some(Zeroizing::new(new.to_owned()));
    }
    Ok(Value::Null)
}

/// `unblockUserPin(deviceId, adminPin)`.
pub fn unblock(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let admin = args.at_most(2)?.str(1, "administrator PIN")?;
    pin_length(admin)?;
    session.device.unblock_user_pin(admin)?;
    session.logged_in = false;
    session.login_pin = None;
    Ok(Value::Null)
}

/// `formatToken(deviceId, {adminPin, newUserPin, label})`.
pub fn format(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let opts = args.at_most(2)?.options(1)?;
    let admin = opts.str("adminPin")?.unwrap_or(DEFAULT_ADMIN_PIN);
    let user = opts.str("newUserPin")?.unwrap_or(DEFAULT_USER_PIN);
    let label = opts.str("label")?.filter(|l| !l.is_empty());
    pin_length(admin)?;
    pin_length(user)?;
    session.device.format(admin, user, label)?;
    session.logged_in = false;
    session.login_pin = None;
    session.pin_cache = None;
    Ok(Value::Null)
}
