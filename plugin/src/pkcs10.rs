//! `createPkcs10(deviceId, keyId, subject, extensions, options)`: the request signed on the
//! token (hashed on board: the SafeTouch shows «Запрос подписи запроса на сертификат»).
//! Subject attributes by the plugin's names (pki-core's list, the demo's: `postalAddress`,
//! `pseudonym`, `INN`, …) or by dotted OID; values as pages send them (the numeric
//! attributes need digits, any count, as the plugin takes the demo's 11-digit INN).

use der::{Decode, Encode};
use rutoken_pki::ext::{self, RequestedExtensions};
use rutoken_pki::request::RequestInfo;
use serde_json::Value;
use x509_cert::ext::pkix::KeyUsage;

use crate::api::{PluginError, Result, find_key, require_login};
use crate::args::{Args, Options, from_base64, from_hex};
use crate::certinfo::{key_usage_bit, rdn_oid};
use crate::codes::{ErrorCode, constant as c};
use crate::der_walk::{seq, tlv};
use crate::slot::Session;

/// The string type of an attribute value (X.520 / Приказ ФСБ № 795), checked as OpenSSL
/// checks it.
fn value_der(oid: &str, value: &str) -> Result<Vec<u8>> {
    let invalid = |why: &str| PluginError::new(ErrorCode::DataInvalid, format!("{oid}: {why}"));
    if value.is_empty() {
        return Err(invalid("empty value"));
    }
    match oid {
        "2.5.4.6" => {
            if value.len() != 2 || !value.is_ascii() {
                return Err(invalid("two letters"));
            }
            Ok(tlv(0x13, value.as_bytes()))
        }
        "1.2.840.113549.1.9.1" => {
            if !value.is_ascii() {
                return Err(invalid("ASCII only"));
            }
            Ok(tlv(0x16, value.as_bytes()))
        }
        "1.2.643.3.131.1.1" | "1.2.643.100.1" | "1.2.643.100.3" | "1.2.643.100.4"
        | "1.2.643.100.5" => {
            if !value.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid("digits only"));
            }
            Ok(tlv(0x12, value.as_bytes()))
        }
        _ => Ok(tlv(0x0C, value.as_bytes())),
    }
}

/// The subject Name from `[{rdn, value}]`, one attribute per RDN in the page's order.
fn subject(list: &Value) -> Result<x509_cert::name::Name> {
    let items = match list {
        Value::Array(a) => a.as_slice(),
        Value::Null => &[],
        _ => return Err(PluginError::bad("subject must be an array")),
    };
    let mut rdns = Vec::new();
    for item in items {
        let o = Options(
            item.as_object()
                .ok_or_else(|| PluginError::bad("subject: {rdn, value} objects"))?,
        );
        let rdn = o.str("rdn")?.unwrap_or_default();
        let value = o.str("value")?.unwrap_or_default();
        let oid = rdn_oid(rdn).ok_or_else(|| PluginError::bad(format!("unknown rdn {rdn}")))?;
        let oid_der = oid.to_der().map_err(PluginError::asn1)?;
        let atv = seq(&[&oid_der, &value_der(&oid.to_string(), value)?]);
        rdns.push(tlv(0x31, &atv));
    }
    let der = tlv(0x30, &rdns.concat());
    x509_cert::name::Name::from_der(&der).map_err(PluginError::asn1)
}

/// extKeyUsage names the demo offers (and any dotted OID).
fn purpose(name: &str) -> Option<const_oid::ObjectIdentifier> {
    let dotted = match name {
        "msCodeInd" => "1.3.6.1.4.1.311.2.1.21",
        "msCodeCom" => "1.3.6.1.4.1.311.2.1.22",
        "msCTLSign" => "1.3.6.1.4.1.311.10.3.1",
        "OCSPSigning" | "ocspSigning" => "1.3.6.1.5.5.7.3.9",
        "anyExtendedKeyUsage" | "any" => "2.5.29.37.0",
        other => return ext::key_purpose(other),
    };
    const_oid::ObjectIdentifier::new(dotted).ok()
}

fn oids(
    names: Vec<&str>,
    resolve: impl Fn(&str) -> Option<const_oid::ObjectIdentifier>,
) -> Result<Vec<const_oid::ObjectIdentifier>> {
    names
        .into_iter()
        .map(|s| resolve(s).ok_or_else(|| PluginError::bad(format!("unknown purpose {s}"))))
        .collect()
}

fn generalized(seconds: u32, tag: u8) -> Result<Vec<u8>> {
    let t = time::OffsetDateTime::from_unix_timestamp(i64::from(seconds))
        .map_err(|_| PluginError::bad("privateKeyUsagePeriod time"))?;
    let text = format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    Ok(tlv(tag, text.as_bytes()))
}

/// privateKeyUsagePeriod (RFC 3280 §4.2.1.4, 2.5.29.16) from `{notBefore, notAfter}` seconds.
fn usage_period(period: Options<'_>) -> Result<Option<x509_cert::ext::Extension>> {
    let mut fields = Vec::new();
    if let Some(nb) = period.u32("notBefore")? {
        fields.push(generalized(nb, 0x80)?);
    }
    if let Some(na) = period.u32("notAfter")? {
        fields.push(generalized(na, 0x81)?);
    }
    if fields.is_empty() {
        return Ok(None);
    }
    let oid = const_oid::ObjectIdentifier::new_unwrap("2.5.29.16");
    ext::extension(oid, false, tlv(0x30, &fields.concat()))
        .map(Some)
        .map_err(PluginError::asn1)
}

/// `createPkcs10`: PEM.
pub fn create(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let args = args.at_most(5)?;
    let id = from_hex(args.str(1, "keyId")?, "keyId")?;
    let name = subject(args.get(2))?;
    let exts = args.options(3)?;
    let opts = args.options(4)?;
    let mut bits = der::flagset::FlagSet::default();
    for n in exts.strings("keyUsage")? {
        bits |= key_usage_bit(n).ok_or_else(|| PluginError::bad(format!("keyUsage {n}")))?;
    }
    let requested = RequestedExtensions {
        key_usage: (!bits.is_empty()).then_some(KeyUsage(bits)),
        ext_key_usage: oids(exts.strings("extKeyUsage")?, purpose)?,
        policies: oids(exts.strings("certificatePolicies")?, |s| {
            const_oid::ObjectIdentifier::new(s).ok()
        })?,
        subject_sign_tool: opts
            .str("subjectSignTool")?
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        identification_kind: None,
    };
    let period = exts
        .object("privateKeyUsagePeriod")?
        .map(usage_period)
        .transpose()?
        .flatten();
    let mut custom = Vec::new();
    for item in opts.array("customExtensions")? {
        let o = Options(
            item.as_object()
                .ok_or_else(|| PluginError::bad("customExtensions: objects"))?,
        );
        let oid = o.str("oid")?.unwrap_or_default();
        let oid = const_oid::ObjectIdentifier::new(oid)
            .map_err(|_| PluginError::bad(format!("bad extension oid {oid}")))?;
        let value = from_base64(o.str("value")?.unwrap_or_default(), "extension value")?;
        custom.push(ext::extension(oid, o.flag("criticality")?, value).map_err(PluginError::asn1)?);
    }
    require_login(session)?;
    let key = find_key(session, &id)?;
    if let Some(h) = opts.u32("hashAlgorithm")? {
        let own = match key.algorithm.digest() {
            gost::DigestAlgorithm::Streebog512 => c("HASH_TYPE_GOST3411_12_512"),
            gost::DigestAlgorithm::Gost94CryptoPro => c("HASH_TYPE_GOST3411_94"),
            gost::DigestAlgorithm::Streebog256 => c("HASH_TYPE_GOST3411_12_256"),
        };
        if h != own {
            return Err(PluginError::bad("hashAlgorithm does not fit the key"));
        }
    }
    let mut info = RequestInfo::with_spki_der(name, &key.spki_der, &requested)
        .map_err(|e| PluginError::new(ErrorCode::DataInvalid, e.to_string()))?;
    info.extensions.extend(period);
    for e in custom {
        if info.extensions.iter().any(|x| x.extn_id == e.extn_id) {
            return Err(PluginError::new(
                ErrorCode::DuplicateExtension,
                format!("{} twice", e.extn_id),
            ));
        }
        info.extensions.push(e);
    }
    let mut failure = None;
    let device = &mut session.device;
    let signed = info.sign_with(|tbs| {
        device
            .sign_on_token(&id, tbs)
            .inspect_err(|e| failure = Some(e.clone()))
    });
    match (signed, failure) {
        (Ok(request), _) => request
            .to_pem()
            .map(Value::String)
            .map_err(|e| PluginError::new(ErrorCode::PemError, e.to_string())),
        (Err(_), Some(device_error)) => Err(device_error.into()),
        (Err(e), None) => Err(PluginError::new(ErrorCode::FunctionFailed, e.to_string())),
    }
}
