//! `getDeviceInfo` with every info type in the real plugin's shapes, and the older
//! `getDeviceModel` / `getDeviceType`. Shapes: Aktiv's demo (`present.js`, the DevInfo test:
//! FEATURES `{interfaces, bio, smType, …}`, SUPPORTED_MECHANISMS `{hash, sign, cipher,
//! keyExchange}` each `{hardware, software}`) and the bootstrap library's device detection
//! (`detectRutokenDevice.js`: the boolean features and `speed`). What the emulated token can
//! do is what it says; the values that are guesses are rows of docs/assumptions.md.

use serde_json::{Value, json};

use crate::api::{PluginError, Result};
use crate::args::Args;
use crate::codes::constant as c;
use crate::slot::Session;

/// The model name the plugin gives an ECP 2.0.
pub const MODEL: &str = "Рутокен ЭЦП 2.0";
/// The token label the plugin gives a token without one (the demo compares with it).
pub const NO_LABEL: &str = "Rutoken ECP <no label>";
/// TOKEN_INFO_SPEED of an ECP 2.0: what the bootstrap library's detection expects of one
/// (`RutokenEcp2_0.speed = 3`).
const SPEED: u32 = 3;

/// `getDeviceInfo(deviceId, type)`.
pub fn device_info(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let args = args.at_most(2)?;
    let kind = args.u32(1, "info type")?;
    let is = |name: &str| kind == c(name);
    Ok(if is("TOKEN_INFO_MODEL") {
        json!(MODEL)
    } else if is("TOKEN_INFO_VENDOR_MODEL_NAME") {
        json!("Rutoken ECP 2.0")
    } else if is("TOKEN_INFO_READER") {
        json!(session.device.reader())
    } else if is("TOKEN_INFO_LABEL") {
        let label = session.device.token_label()?;
        json!(
            label
                .filter(|l| !l.is_empty())
                .as_deref()
                .unwrap_or(NO_LABEL)
        )
    } else if is("TOKEN_INFO_DEVICE_TYPE") {
        json!(c("TOKEN_TYPE_RUTOKEN_ECP"))
    } else if is("TOKEN_INFO_SERIAL") {
        let serial = session.device.serial()?;
        json!(u64_of(&serial).to_string())
    } else if is("TOKEN_INFO_DEVICE_NUMBER") {
        let serial = session.device.serial()?;
        let tail = &serial[serial.len().saturating_sub(4)..];
        json!(format!("{:010}", u64_of(tail)))
    } else if is("TOKEN_INFO_IS_LOGGED_IN") {
        json!(session.logged_in)
    } else if is("TOKEN_INFO_IS_PIN_CACHED") {
        json!(session.pin_cache.is_some())
    } else if is("TOKEN_INFO_FORMATS") {
        let mut formats = vec![c("DEVICE_DATA_FORMAT_PLAIN")];
        if session.device.has_safetouch() {
            formats.push(c("DEVICE_DATA_FORMAT_SAFETOUCH"));
        }
        json!(formats)
    } else if is("TOKEN_INFO_FEATURES") {
        features(session)
    } else if is("TOKEN_INFO_SUPPORTED_MECHANISMS") {
        mechanisms()
    } else if is("TOKEN_INFO_ALGORITHMS") {
        // The older form: the key algorithms the token generates.
        json!(sign_algorithms())
    } else if is("TOKEN_INFO_SPEED") {
        json!(SPEED)
    } else if is("TOKEN_INFO_FREE_MEMORY") {
        json!(session.device.free_memory()?)
    } else if is("TOKEN_INFO_FKN_SUPPORTED") {
        // An ECP 2.0 is no "ФКН" model (those are separate products).
        json!(false)
    } else if is("TOKEN_INFO_PINS_INFO") {
        pins_info(session)?
    } else if is("TOKEN_INFO_PIN_RETRIES_LEFT") {
        pins_info(session)?["user"]["retriesLeft"].clone()
    } else {
        return Err(PluginError::bad(format!("unknown info type {kind}")));
    })
}

/// `{user: {retriesLeft, locked}}`. While the user PIN is verified the token does not say the
/// counter (9000 to the status query), but a successful VERIFY reset it: the maximum.
fn pins_info(session: &mut Session) -> Result<Value> {
    let pin = session.device.pin_state()?;
    let left = pin.retries_left.unwrap_or(session.device.max_pin_tries());
    Ok(json!({"user": {"retriesLeft": left, "locked": pin.locked}}))
}

fn features(session: &Session) -> Value {
    json!({
        "interfaces": [c("INTERFACE_TYPE_USB")],
        "bio": c("BIO_TYPE_NOT_SUPPORTED"),
        "smType": c("SECURE_MESSAGING_UNSUPPORTED"),
        // The emulated token keeps no journal (getJournal: UNSUPPORTED_BY_TOKEN).
        "journal": false,
        "pin2": false,
        // In a SafeTouch every signature is confirmed and documents are shown.
        "confirmation": session.device.has_safetouch(),
        "visualization": session.device.has_safetouch(),
        "flashDrive": false,
        "sm": false,
        "customPin": false,
        "externalAuth": false,
    })
}

fn sign_algorithms() -> Vec<u32> {
    vec![
        c("PUBLIC_KEY_ALGORITHM_GOST3410_2012_256"),
        c("PUBLIC_KEY_ALGORITHM_GOST3410_2012_512"),
    ]
}

fn mechanisms() -> Value {
    let hashes = [
        c("HASH_TYPE_GOST3411_94"),
        c("HASH_TYPE_GOST3411_12_256"),
        c("HASH_TYPE_GOST3411_12_512"),
    ];
    json!({
        // The token hashes Streebog on board (PSO: HASH); the bridge computes all three.
        "hash": {"hardware": [c("HASH_TYPE_GOST3411_12_256"), c("HASH_TYPE_GOST3411_12_512")],
                 "software": hashes},
        "sign": {"hardware": sign_algorithms(), "software": []},
        // GOST 28147-89 and VKO on the token (`cmsDecrypt`, `derive`: VKO 2012 with the 256-bit
        // KDF, for 256- and 512-bit keys); `cmsEncrypt` seals on the host, with VKO 2001 for a
        // 2001 recipient too. keyExchange holds the PUBLIC_KEY_ALGORITHM_EXCHANGE_VKO_*
        // constants, as the demo's DevInfo test names them.
        "cipher": {"hardware": [c("CIPHER_ALGORITHM_GOST28147")],
                   "software": [c("CIPHER_ALGORITHM_GOST28147")]},
        "keyExchange": {
            "hardware": [c("PUBLIC_KEY_ALGORITHM_EXCHANGE_VKO_GOST3410_2012_256")],
            "software": [c("PUBLIC_KEY_ALGORITHM_EXCHANGE_VKO_GOST3410_2001"),
                         c("PUBLIC_KEY_ALGORITHM_EXCHANGE_VKO_GOST3410_2012_256")],
        },
    })
}

fn u64_of(bytes: &[u8]) -> u64 {
    bytes[bytes.len().saturating_sub(8)..]
        .iter()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
}

/// `getDeviceModel(deviceId)` (older API): the model name.
pub fn model(args: Args<'_>) -> Result<Value> {
    args.at_most(1)?;
    Ok(json!(MODEL))
}

/// `getDeviceType(deviceId)` (older API): `TOKEN_TYPE_*`.
pub fn device_type(args: Args<'_>) -> Result<Value> {
    args.at_most(1)?;
    Ok(json!(c("TOKEN_TYPE_RUTOKEN_ECP")))
}
