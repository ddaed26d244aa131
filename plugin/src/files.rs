//! Binary files, licences and the journal. The plugin keeps binary files and licences as the
//! token's data objects (PKCS#11 `CKO_DATA`; here PKCS#15 DODF entries, which OpenSC lists):
//! a binary file is a data object of application [`FILE_APPLICATION`] labelled with its
//! name, private when the page asks; a licence one of [`LICENCE_APPLICATION`] labelled with
//! its number. The application names are ours (docs/assumptions.md).

use base64ct::{Base64, Encoding};
use serde_json::{Value, json};

use crate::api::{PluginError, Result, find_key, require_login};
use crate::args::{Args, colon_hex, from_base64, from_hex};
use crate::codes::{ErrorCode, constant as c};
use crate::device::DataFile;
use crate::slot::Session;

/// The DODF applicationName of the plugin's binary files.
pub const FILE_APPLICATION: &str = "Rutoken Plugin binary file";
/// The DODF applicationName of licences.
pub const LICENCE_APPLICATION: &str = "Rutoken Plugin licence";
/// Licence numbers (the demo offers 1 and 2; the token keeps up to four).
const LICENCES: std::ops::RangeInclusive<u32> = 1..=4;
/// A licence's size in bytes (the demo's sample licence).
const LICENCE_BYTES: usize = 72;

fn files(session: &mut Session, application: &str) -> Result<Vec<DataFile>> {
    Ok(session
        .device
        .data_files()?
        .into_iter()
        .filter(|f| f.application == application)
        .collect())
}

fn name(args: Args<'_>) -> Result<&str> {
    let n = args.str(1, "file name")?;
    if n.is_empty() {
        return Err(PluginError::new(ErrorCode::BfEmptyName, "no name"));
    }
    Ok(n)
}

fn find(session: &mut Session, file: &str) -> Result<DataFile> {
    files(session, FILE_APPLICATION)?
        .into_iter()
        .find(|f| f.label == file)
        .ok_or_else(|| PluginError::new(ErrorCode::BfNotFound, format!("no file {file}")))
}

/// `enumerateBinaryFiles(deviceId)`: names.
pub fn enumerate(session: &mut Session, args: Args<'_>) -> Result<Value> {
    args.at_most(1)?;
    let names: Vec<String> = files(session, FILE_APPLICATION)?
        .into_iter()
        .map(|f| f.label)
        .collect();
    Ok(json!(names))
}

/// `createBinaryFile(deviceId, name, base64, isPrivate)`: the name.
pub fn create(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let args = args.at_most(4)?;
    let file = name(args)?;
    let value = from_base64(args.str(2, "file body")?, "file body")?;
    let private = match args.get(3) {
        Value::Null => false,
        Value::Bool(b) => *b,
        _ => return Err(PluginError::bad("isPrivate must be a boolean")),
    };
    require_login(session)?;
    if files(session, FILE_APPLICATION)?
        .iter()
        .any(|f| f.label == file)
    {
        return Err(PluginError::new(ErrorCode::BfAlreadyExists, "exists"));
    }
    session.device.create_data_file(&DataFile {
        application: FILE_APPLICATION.to_owned(),
        label: file.to_owned(),
        private,
        value: Some(value),
    })?;
    Ok(json!(file))
}

/// `readBinaryFile(deviceId, name)`: base64.
pub fn read(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let file = name(args.at_most(2)?)?;
    let found = find(session, file)?;
    match found.value {
        Some(v) => Ok(json!(Base64::encode_string(&v))),
        None => Err(PluginError::new(
            ErrorCode::UserNotLoggedIn,
            "a private file needs the login",
        )),
    }
}

/// `deleteBinaryFile(deviceId, name)`.
pub fn delete(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let file = name(args.at_most(2)?)?;
    require_login(session)?;
    find(session, file)?;
    session.device.delete_data_file(FILE_APPLICATION, file)?;
    Ok(Value::Null)
}

/// `getBinaryFileInfo(deviceId, name, BINARY_FILE_INFO_PRIVATE)`.
pub fn info(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let args = args.at_most(3)?;
    let file = name(args)?;
    let kind = args.u32(2, "info type")?;
    if kind != c("BINARY_FILE_INFO_PRIVATE") {
        return Err(PluginError::bad(format!("file info {kind}")));
    }
    Ok(json!(find(session, file)?.private))
}

fn licence_number(args: Args<'_>) -> Result<u32> {
    let n = args.u32(1, "licence id")?;
    if !LICENCES.contains(&n) {
        return Err(PluginError::bad(format!("licence {n}")));
    }
    Ok(n)
}

/// `getLicence(deviceId, id)`: the licence (colon hex), `""` when none was written.
pub fn licence(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let n = licence_number(args.at_most(2)?)?.to_string();
    let found = files(session, LICENCE_APPLICATION)?
        .into_iter()
        .find(|f| f.label == n);
    Ok(json!(
        found
            .and_then(|f| f.value)
            .map_or_else(String::new, |v| colon_hex(&v))
    ))
}

/// `setLicence(deviceId, id, licence)`: 72 bytes of hex; replaces the one there.
pub fn set_licence(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let args = args.at_most(3)?;
    let n = licence_number(args)?.to_string();
    let value = from_hex(args.str(2, "licence")?, "licence")?;
    if value.len() != LICENCE_BYTES {
        return Err(PluginError::new(
            ErrorCode::DataInvalid,
            format!("a licence is {LICENCE_BYTES} bytes"),
        ));
    }
    require_login(session)?;
    if files(session, LICENCE_APPLICATION)?
        .iter()
        .any(|f| f.label == n)
    {
        session.device.delete_data_file(LICENCE_APPLICATION, &n)?;
    }
    session.device.create_data_file(&DataFile {
        application: LICENCE_APPLICATION.to_owned(),
        label: n,
        private: false,
        value: Some(value),
    })?;
    Ok(Value::Null)
}

/// `getJournal(deviceId, keyId, options)`: the emulated token keeps no journal.
pub fn journal(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let args = args.at_most(3)?;
    let id = from_hex(args.str(1, "keyId")?, "keyId")?;
    args.options(2)?;
    require_login(session)?;
    find_key(session, &id)?;
    Err(PluginError::new(
        ErrorCode::UnsupportedByToken,
        "the emulated token keeps no journal",
    ))
}
