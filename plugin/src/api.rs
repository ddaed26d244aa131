//! The plugin's methods: names, argument order, option objects and results as in Aktiv's
//! public demo (AktivCo/rutoken-plugin-demo `src/present.js`) and the plugin reference,
//! carried out on the slot's token. Every method takes the JSON array of the page's arguments
//! and answers JSON or an [`ErrorCode`]. Which method is where: [`crate::methods`].

use gost::DigestAlgorithm;
use rutoken_pki::cert::Cert;
use serde_json::{Value, json};

use crate::args::Args;
pub use crate::args::colon_hex;
use crate::codes::{ErrorCode, constant};
use crate::device::{Certificate, KeyPair};
pub use crate::plugin_error::{PluginError, Result};
use crate::slot::{DEVICE_ID, Session, Slot};

/// What one page connection remembers between calls.
#[derive(Debug, Default)]
pub struct Connection {
    /// The devices this connection last heard of (for `ENUMERATE_DEVICES_EVENTS`).
    seen: Vec<u64>,
}

/// The plugin's certificate handle: a digest of the certificate (ours: Streebog-256, first
/// 20 bytes, colon hex).
pub fn certificate_handle(der: &[u8]) -> String {
    colon_hex(&DigestAlgorithm::Streebog256.digest(der)[..20])
}

/// The certificate with this handle.
pub fn find_certificate(session: &mut Session, handle: &str) -> Result<Certificate> {
    session
        .device
        .certificates()?
        .into_iter()
        .find(|c| certificate_handle(&c.der) == handle)
        .ok_or_else(|| {
            PluginError::new(
                ErrorCode::CertificateNotFound,
                format!("no certificate {handle}"),
            )
        })
}

/// The key pair with this ID.
pub fn find_key(session: &mut Session, id: &[u8]) -> Result<KeyPair> {
    session
        .device
        .keys()?
        .into_iter()
        .find(|k| k.id == id)
        .ok_or_else(|| PluginError::new(ErrorCode::KeyNotFound, "no such key pair"))
}

/// `USER_NOT_LOGGED_IN` unless the page logged in, or cached its PIN (`savePin`): then the
/// bridge logs in with it, as the plugin does.
pub fn require_login(session: &mut Session) -> Result<()> {
    if session.logged_in {
        return Ok(());
    }
    if let Some(pin) = session.pin_cache.clone() {
        match session.device.login(&pin) {
            Ok(()) => {
                session.logged_in = true;
                return Ok(());
            }
            Err(e) => {
                session.pin_cache = None;
                return Err(e.into());
            }
        }
    }
    Err(PluginError::new(ErrorCode::UserNotLoggedIn, "log in first"))
}

/// A parsed certificate (`ASN1_ERROR` when it does not parse).
pub fn parse_cert(der: &[u8]) -> Result<Cert> {
    Cert::parse(der).map_err(PluginError::asn1)
}

fn device_arg(slot: &Slot, args: Args<'_>) -> Result<()> {
    let id = u64::from(args.u32(0, "deviceId")?);
    if id != DEVICE_ID || !slot.present() {
        return Err(PluginError::new(
            ErrorCode::DeviceNotFound,
            format!("no device {id}"),
        ));
    }
    Ok(())
}

/// Calls `method` with the page's arguments. An unknown method is `BAD_PARAMS` (the plugin
/// object has no such function; a page reaching the bridge directly gets the code). The
/// connection's state is locked only for `enumerateDevices`: a call that waits on the
/// SafeTouch must not hold up the page's device polling.
pub fn call(
    slot: &Slot,
    conn: &std::sync::Mutex<Connection>,
    method: &str,
    params: &[Value],
) -> Result<Value> {
    if crate::methods::spec(method).is_none() {
        return Err(PluginError::bad(format!(
            "no method {}",
            method.chars().take(64).collect::<String>()
        )));
    }
    let args = Args(params);
    match method {
        "enumerateDevices" => enumerate_devices(slot, conn, args),
        "parseCertificateFromString" => crate::certs::parse_from_string(args),
        "enumerateStoreCertificates" => crate::certs::store_list(args),
        "getStoreCertificate" => crate::certs::store_get(args),
        "createTsRequest" => crate::tsp::create_request(args),
        _ => {
            device_arg(slot, args)?;
            slot.with_session(|session| call_device(session, method, args))
        }
    }
}

fn enumerate_devices(
    slot: &Slot,
    conn: &std::sync::Mutex<Connection>,
    args: Args<'_>,
) -> Result<Value> {
    let args = args.at_most(1)?;
    let present: Vec<u64> = if slot.present() {
        vec![DEVICE_ID]
    } else {
        vec![]
    };
    let mode = args
        .options(0)?
        .u32("mode")?
        .unwrap_or(constant("ENUMERATE_DEVICES_LIST"));
    let mut conn = conn
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if mode == constant("ENUMERATE_DEVICES_EVENTS") {
        let connected: Vec<u64> = present
            .iter()
            .filter(|d| !conn.seen.contains(d))
            .copied()
            .collect();
        let disconnected: Vec<u64> = conn
            .seen
            .iter()
            .filter(|d| !present.contains(d))
            .copied()
            .collect();
        conn.seen = present;
        Ok(json!({"connected": connected, "disconnected": disconnected}))
    } else if mode == constant("ENUMERATE_DEVICES_LIST")
        || mode == constant("ENUMERATE_DEVICES_UNDEFINED")
    {
        conn.seen.clone_from(&present);
        Ok(json!(present))
    } else {
        Err(PluginError::bad(format!("unknown mode {mode}")))
    }
}

fn call_device(session: &mut Session, method: &str, args: Args<'_>) -> Result<Value> {
    use crate::{certs, files, info, keys, pins, pkcs10, signing, tsp, verify};
    match method {
        "getDeviceInfo" => info::device_info(session, args),
        "getDeviceModel" => info::model(args),
        "getDeviceType" => info::device_type(args),
        "login" => pins::login(session, args),
        "logout" => pins::logout(session, args),
        "savePin" => pins::save_pin(session, args),
        "removePin" => pins::remove_pin(session, args),
        "changePin" => pins::change_pin(session, args),
        "unblockUserPin" => pins::unblock(session, args),
        "formatToken" => pins::format(session, args),
        "enumerateKeys" => keys::enumerate(session, args),
        "generateKeyPair" => keys::generate(session, args),
        "deleteKeyPair" => keys::delete(session, args),
        "getKeyLabel" => keys::label(session, args),
        "setKeyLabel" => keys::set_label(session, args),
        "getKeyInfo" => keys::info(session, args),
        "getPublicKeyValue" => keys::public_value(session, args),
        "enumerateCertificates" => certs::enumerate(session, args),
        "getCertificate" => certs::get(session, args),
        "parseCertificate" => certs::parse(session, args),
        "getCertificateInfo" => certs::info(session, args),
        "getKeyByCertificate" => certs::key_of(session, args),
        "importCertificate" => certs::import(session, args),
        "deleteCertificate" => certs::delete(session, args),
        "getCertLabel" => certs::label(session, args),
        "setCertLabel" => certs::set_label(session, args),
        "createPkcs10" => pkcs10::create(session, args),
        "sign" => signing::sign(session, args),
        "authenticate" => signing::authenticate(session, args),
        "rawSign" => signing::raw_sign(session, args),
        "digest" => signing::digest(args),
        "verify" => verify::verify(session, args),
        "cmsEncrypt" => tsp::cms_encrypt(session, args),
        "cmsDecrypt" => tsp::cms_decrypt(session, args),
        "derive" => tsp::derive(session, args),
        "verifyTsResponse" => tsp::verify_response(session, args),
        "getJournal" => files::journal(session, args),
        "enumerateBinaryFiles" => files::enumerate(session, args),
        "createBinaryFile" => files::create(session, args),
        "readBinaryFile" => files::read(session, args),
        "deleteBinaryFile" => files::delete(session, args),
        "getBinaryFileInfo" => files::info(session, args),
        "getLicence" => files::licence(session, args),
        "setLicence" => files::set_licence(session, args),
        other => Err(PluginError::bad(format!("no method {other}"))),
    }
}
