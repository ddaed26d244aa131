//! Key pairs: `enumerateKeys`, `generateKeyPair` (with its options kept on the token: the ID
//! and the marker as PKCS#15 ID and label, which OpenSC's pkcs15-tool lists), `deleteKeyPair`,
//! `getKeyLabel` / `setKeyLabel`, `getKeyInfo`, `getPublicKeyValue`.

use gost::{KeyAlgorithm, ParamSet};
use serde_json::{Value, json};

use crate::api::{PluginError, Result, find_key, require_login};
use crate::args::{Args, colon_hex, from_hex};
use crate::codes::{ErrorCode, constant as c};
use crate::slot::Session;

/// The plugin's paramset names (demo `index.html`) as our parameter sets: the CryptoPro sets
/// A, B, C and the exchange sets XA, XB are the tc26 256-bit B, C, D, B, D curves (RFC 7836).
pub fn param_set(algorithm: KeyAlgorithm, name: Option<&str>) -> Result<ParamSet> {
    let name = name.unwrap_or(match algorithm {
        KeyAlgorithm::Gost2012_512 => "A",
        _ => "XA",
    });
    let found = match (algorithm, name.to_ascii_uppercase().as_str()) {
        (KeyAlgorithm::Gost2012_512, "A" | "TC26-A") => Some(ParamSet::Gost512A),
        (KeyAlgorithm::Gost2012_512, "B" | "TC26-B") => Some(ParamSet::Gost512B),
        (KeyAlgorithm::Gost2012_512, "TC26-C") => Some(ParamSet::Gost512C),
        (KeyAlgorithm::Gost2012_512, _) => None,
        (_, "TC26-A") => Some(ParamSet::Gost256A),
        (_, "A" | "XA" | "TC26-B") => Some(ParamSet::Gost256B),
        (_, "B" | "TC26-C") => Some(ParamSet::Gost256C),
        (_, "C" | "XB" | "TC26-D") => Some(ParamSet::Gost256D),
        _ => None,
    };
    found.ok_or_else(|| PluginError::bad(format!("unknown paramset {name}")))
}

/// The plugin's constant for a key algorithm.
pub fn algorithm_constant(algorithm: KeyAlgorithm) -> u32 {
    match algorithm {
        KeyAlgorithm::Gost2001 => c("PUBLIC_KEY_ALGORITHM_GOST3410_2001"),
        KeyAlgorithm::Gost2012_256 => c("PUBLIC_KEY_ALGORITHM_GOST3410_2012_256"),
        KeyAlgorithm::Gost2012_512 => c("PUBLIC_KEY_ALGORITHM_GOST3410_2012_512"),
    }
}

/// `enumerateKeys(deviceId, marker)`: key ids, all for `""`.
pub fn enumerate(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let marker = args.at_most(2)?.str_or_empty(1, "marker")?;
    require_login(session)?;
    let keys = session.device.keys()?;
    Ok(json!(
        keys.iter()
            .filter(|k| marker.is_empty() || k.label == marker)
            .map(|k| colon_hex(&k.id))
            .collect::<Vec<_>>()
    ))
}

fn key_id(args: Args<'_>) -> Result<Vec<u8>> {
    from_hex(args.str(1, "keyId")?, "keyId")
}

/// `generateKeyPair(deviceId, reserved, marker, options)`.
pub fn generate(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let args = args.at_most(4)?;
    let marker = args.str_or_empty(2, "marker")?.to_owned();
    let opts = args.options(3)?;
    let requested = opts
        .u32("publicKeyAlgorithm")?
        .unwrap_or(c("PUBLIC_KEY_ALGORITHM_GOST3410_2012_256"));
    let algorithm = if requested == c("PUBLIC_KEY_ALGORITHM_GOST3410_2012_256") {
        KeyAlgorithm::Gost2012_256
    } else if requested == c("PUBLIC_KEY_ALGORITHM_GOST3410_2012_512") {
        KeyAlgorithm::Gost2012_512
    } else if crate::codes::group("PUBLIC_KEY_ALGORITHM_").any(|(_, v)| v == requested) {
        // GOST 2001 (withdrawn), RSA and ECDSA: the emulated ECP 2.0 generates 2012 keys.
        return Err(PluginError::new(
            ErrorCode::UnsupportedByToken,
            "the emulated token generates GOST R 34.10-2012 keys",
        ));
    } else {
        return Err(PluginError::bad(format!("unknown algorithm {requested}")));
    };
    let ps = param_set(algorithm, opts.str("paramset")?)?;
    let size = algorithm.digest().output_len() * 16;
    if let Some(bits) = opts.u32("signatureSize")?
        && usize::try_from(bits).ok() != Some(size)
    {
        return Err(PluginError::bad(format!(
            "signatureSize {bits} for a {size}-bit signature"
        )));
    }
    let spec = opts.u32("keySpec")?.unwrap_or(c("KEY_SPEC_SIGN"));
    // The token's VKO (`derive`, `cmsDecrypt`) takes any GOST key pair, so an exchange key
    // needs nothing a signing key lacks; the spec is kept as the PrKDF entry's `derive` usage,
    // which getKeyInfo(KEY_INFO_SPEC) reads back.
    if spec != c("KEY_SPEC_SIGN") && spec != c("KEY_SPEC_SIGN_AND_EXCHANGE") {
        return Err(PluginError::bad(format!("unknown keySpec {spec}")));
    }
    let kind = opts.u32("keyType")?.unwrap_or(c("KEY_TYPE_COMMON"));
    if kind == c("KEY_TYPE_JOURNAL") {
        return Err(PluginError::new(
            ErrorCode::UnsupportedByToken,
            "the emulated token keeps no journal",
        ));
    } else if kind != c("KEY_TYPE_COMMON") {
        return Err(PluginError::bad(format!("unknown keyType {kind}")));
    }
    if opts.flag("needPin")? {
        return Err(PluginError::new(
            ErrorCode::UnsupportedByToken,
            "an ECP 2.0 has no second PIN",
        ));
    }
    if opts.flag("needConfirm")? && !session.device.has_safetouch() {
        return Err(PluginError::new(
            ErrorCode::UnsupportedByToken,
            "confirmation needs the SafeTouch",
        ));
    }
    if let Some(period) = opts.object("privateKeyUsagePeriod")?
        && !period.0.is_empty()
    {
        return Err(PluginError::new(
            ErrorCode::PrivateKeyUsagePeriodNotSupported,
            "key usage periods are an ECP 3.0 feature",
        ));
    }
    let id = opts
        .str("id")?
        .map(|text| from_hex(text, "id"))
        .transpose()?;
    require_login(session)?;
    if let Some(id) = &id {
        if id.is_empty() || id.len() > 64 {
            return Err(PluginError::bad("id: 1 to 64 bytes"));
        }
        if session.device.keys()?.iter().any(|k| &k.id == id) {
            return Err(PluginError::new(ErrorCode::KeyIdNotUnique, "id in use"));
        }
    }
    let key = session.device.generate_key_pair(
        algorithm,
        ps,
        &marker,
        id.as_deref(),
        spec == c("KEY_SPEC_SIGN_AND_EXCHANGE"),
    )?;
    Ok(json!(colon_hex(&key.id)))
}

/// `deleteKeyPair(deviceId, keyId)`.
pub fn delete(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let id = key_id(args.at_most(2)?)?;
    require_login(session)?;
    find_key(session, &id)?;
    session.device.delete_key_pair(&id)?;
    Ok(Value::Null)
}

/// `getKeyLabel(deviceId, keyId)`.
pub fn label(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let id = key_id(args.at_most(2)?)?;
    require_login(session)?;
    Ok(json!(find_key(session, &id)?.label))
}

/// `setKeyLabel(deviceId, keyId, label)`.
pub fn set_label(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let args = args.at_most(3)?;
    let id = key_id(args)?;
    let label = args.str(2, "label")?;
    require_login(session)?;
    find_key(session, &id)?;
    if label.len() > 255 {
        return Err(PluginError::bad("label longer than 255 bytes"));
    }
    session.device.set_key_label(&id, label)?;
    Ok(Value::Null)
}

/// `getKeyInfo(deviceId, keyId, KEY_INFO_*)`.
pub fn info(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let args = args.at_most(3)?;
    let id = key_id(args)?;
    let kind = args.u32(2, "info type")?;
    require_login(session)?;
    if kind == c("KEY_INFO_SPEC") {
        // One listing of the token's objects, not two: `key_exchange` finds the key itself (a
        // missing one is KEY_NOT_FOUND there too).
        let spec = if session.device.key_exchange(&id)? {
            "KEY_SPEC_SIGN_AND_EXCHANGE"
        } else {
            "KEY_SPEC_SIGN"
        };
        return Ok(json!(c(spec)));
    }
    let key = find_key(session, &id)?;
    if kind == c("KEY_INFO_ALGORITHM") {
        Ok(json!(algorithm_constant(key.algorithm)))
    } else if kind == c("KEY_INFO_USAGE_PERIOD") {
        // No period on an ECP 2.0: neither notBefore nor notAfter.
        Ok(json!({}))
    } else {
        Err(PluginError::bad(format!("unknown key info type {kind}")))
    }
}

/// `getPublicKeyValue(deviceId, keyId, options)`: the key's `LE(x) ‖ LE(y)`, colon hex.
pub fn public_value(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let args = args.at_most(3)?;
    let id = key_id(args)?;
    args.options(2)?;
    require_login(session)?;
    let key = find_key(session, &id)?;
    let (_, vk) = gost::spki::from_spki_der(&key.spki_der)
        .map_err(|e| PluginError::new(ErrorCode::DeviceError, e.to_string()))?;
    Ok(json!(colon_hex(&vk.to_le_bytes())))
}
