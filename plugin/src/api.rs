//! The plugin's methods: names, argument order, option objects and results as in Aktiv's
//! public demo (AktivCo/rutoken-plugin-demo `src/present.js`), carried out on the slot's token.
//! Every method takes the JSON array of the page's arguments and answers JSON or an
//! [`ErrorCode`].

use base64ct::{Base64, Encoding};
use gost::{DigestAlgorithm, KeyAlgorithm, ParamSet};
use rutoken_pki::cert::Cert;
use rutoken_pki::ext::{self, RequestedExtensions};
use rutoken_pki::name::{Attribute, NameBuilder};
use rutoken_pki::request::RequestInfo;
use serde_json::{Value, json};
use x509_cert::ext::pkix::{KeyUsage, KeyUsages};

use crate::codes::{self, ErrorCode, algorithm, cert_category, data_format, hash_type, token_info};
use crate::device::{Certificate, DeviceError, KeyPair};
use crate::slot::{DEVICE_ID, Session, Slot};

/// A method's failure: the code the page sees and what broke (for the bridge's log; never
/// secrets).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} ({}): {what}", code.name(), code.code())]
pub struct PluginError {
    /// The code.
    pub code: ErrorCode,
    /// What broke.
    pub what: String,
}

impl PluginError {
    /// An error with a code.
    pub fn new(code: ErrorCode, what: impl Into<String>) -> Self {
        PluginError {
            code,
            what: what.into(),
        }
    }
    fn bad(what: impl Into<String>) -> Self {
        PluginError::new(ErrorCode::BadParams, what)
    }
}

impl From<DeviceError> for PluginError {
    fn from(e: DeviceError) -> Self {
        let code = match &e {
            DeviceError::PinIncorrect { .. } => ErrorCode::PinIncorrect,
            DeviceError::PinLocked => ErrorCode::PinLocked,
            DeviceError::NotLoggedIn => ErrorCode::UserNotLoggedIn,
            // The real plugin reports the SafeTouch's time-out as a refusal too: the token
            // answers the same word (safetouch.md "Gating").
            DeviceError::Rejected | DeviceError::TimedOut => ErrorCode::FunctionRejected,
            DeviceError::Removed => ErrorCode::DeviceNotFound,
            DeviceError::NotFound("key pair") => ErrorCode::KeyNotFound,
            DeviceError::NotFound(_) => ErrorCode::CertificateNotFound,
            DeviceError::Unsupported(_) => ErrorCode::UnsupportedByToken,
            DeviceError::Failed(_) => ErrorCode::DeviceError,
        };
        PluginError::new(code, e.to_string())
    }
}

/// What one page connection remembers between calls.
#[derive(Debug, Default)]
pub struct Connection {
    /// The devices this connection last heard of (for `ENUMERATE_DEVICES_EVENTS`).
    seen: Vec<u64>,
}

type Result<T> = std::result::Result<T, PluginError>;

/// Colon-separated lower-case hex, the plugin's form of ids and serials (`01:ab:…`).
pub fn colon_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn from_colon_hex(text: &str) -> Result<Vec<u8>> {
    hex::decode(text.replace(':', "")).map_err(|_| PluginError::bad(format!("not an id: {text}")))
}

fn arg(params: &[Value], i: usize) -> &Value {
    params.get(i).unwrap_or(&Value::Null)
}

fn arg_str<'a>(params: &'a [Value], i: usize, what: &str) -> Result<&'a str> {
    arg(params, i)
        .as_str()
        .ok_or_else(|| PluginError::bad(format!("{what} must be a string")))
}

fn arg_u64(params: &[Value], i: usize, what: &str) -> Result<u64> {
    let v = arg(params, i);
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .ok_or_else(|| PluginError::bad(format!("{what} must be a number")))
}

fn device_arg(slot: &Slot, params: &[Value]) -> Result<()> {
    let id = arg_u64(params, 0, "deviceId")?;
    if id != DEVICE_ID || !slot.present() {
        return Err(PluginError::new(
            ErrorCode::DeviceNotFound,
            format!("no device {id}"),
        ));
    }
    Ok(())
}

fn options(params: &[Value], i: usize) -> &serde_json::Map<String, Value> {
    static EMPTY: std::sync::OnceLock<serde_json::Map<String, Value>> = std::sync::OnceLock::new();
    arg(params, i)
        .as_object()
        .unwrap_or_else(|| EMPTY.get_or_init(serde_json::Map::new))
}

fn flag(opts: &serde_json::Map<String, Value>, name: &str) -> bool {
    opts.get(name).and_then(Value::as_bool).unwrap_or(false)
}

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

/// The plugin's RDN names (demo `index.html`) and ours.
const RDN_NAMES: &[(&str, Attribute)] = &[
    ("commonName", Attribute::CommonName),
    ("surname", Attribute::Surname),
    ("givenName", Attribute::GivenName),
    ("title", Attribute::Title),
    ("organizationName", Attribute::Organization),
    ("organizationalUnitName", Attribute::OrganizationalUnit),
    ("localityName", Attribute::Locality),
    ("stateOrProvinceName", Attribute::State),
    ("streetAddress", Attribute::Street),
    ("countryName", Attribute::Country),
    ("emailAddress", Attribute::Email),
    ("INN", Attribute::Inn),
    ("INNLE", Attribute::InnLe),
    ("OGRN", Attribute::Ogrn),
    ("OGRNIP", Attribute::Ogrnip),
    ("SNILS", Attribute::Snils),
];

fn rdn_attribute(name: &str) -> Option<Attribute> {
    RDN_NAMES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, a)| *a)
        .or_else(|| Attribute::from_short_name(name))
}

fn name_json(name: &x509_cert::name::Name) -> Value {
    let rdns: Vec<Value> = name
        .iter()
        .map(|atv| {
            let rdn = Attribute::from_oid(&atv.oid)
                .and_then(|a| RDN_NAMES.iter().find(|(_, b)| *b == a).map(|(n, _)| *n))
                .map_or_else(|| atv.oid.to_string(), str::to_owned);
            let value = rutoken_pki::name::value_text(&atv.value).unwrap_or_default();
            json!({"rdn": rdn, "value": value})
        })
        .collect();
    Value::Array(rdns)
}

fn certificate_handle(der: &[u8]) -> String {
    // The plugin's handles are digests of the certificate; ours: Streebog-256, first 20 bytes.
    colon_hex(&DigestAlgorithm::Streebog256.digest(der)[..20])
}

fn find_certificate(session: &mut Session, handle: &str) -> Result<Certificate> {
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

fn find_key(session: &mut Session, id: &[u8]) -> Result<KeyPair> {
    session
        .device
        .keys()?
        .into_iter()
        .find(|k| k.id == id)
        .ok_or_else(|| PluginError::new(ErrorCode::KeyNotFound, "no such key pair"))
}

fn require_login(session: &Session) -> Result<()> {
    if session.logged_in {
        Ok(())
    } else {
        Err(PluginError::new(ErrorCode::UserNotLoggedIn, "log in first"))
    }
}

fn category_of(cert: &Certificate, keys: &[KeyPair]) -> u32 {
    if keys.iter().any(|k| k.id == cert.id) {
        return cert_category::USER;
    }
    match Cert::parse(&cert.der) {
        Ok(c) if c.subject() == c.issuer() => cert_category::CA,
        _ => cert_category::OTHER,
    }
}

fn parse_cert_input(text: &str) -> Result<Cert> {
    let trimmed = text.trim();
    let der = if trimmed.starts_with("-----BEGIN") {
        rutoken_pki::encoding::der_bytes(trimmed.as_bytes(), "CERTIFICATE")
            .map_err(|e| PluginError::new(ErrorCode::PemError, e.to_string()))?
    } else {
        let compact: String = trimmed.split_whitespace().collect();
        Base64::decode_vec(&compact)
            .map_err(|_| PluginError::new(ErrorCode::Base64DecodeFailed, "certificate"))?
    };
    Cert::parse(&der).map_err(|e| PluginError::new(ErrorCode::Asn1Error, e.to_string()))
}

fn key_usage(names: &[Value]) -> Result<Option<KeyUsage>> {
    if names.is_empty() {
        return Ok(None);
    }
    let mut bits = der::flagset::FlagSet::<KeyUsages>::default();
    for n in names {
        let n = n.as_str().unwrap_or_default();
        bits |= match n {
            "digitalSignature" => KeyUsages::DigitalSignature,
            "nonRepudiation" | "contentCommitment" => KeyUsages::NonRepudiation,
            "keyEncipherment" => KeyUsages::KeyEncipherment,
            "dataEncipherment" => KeyUsages::DataEncipherment,
            "keyAgreement" => KeyUsages::KeyAgreement,
            "keyCertSign" => KeyUsages::KeyCertSign,
            "cRLSign" => KeyUsages::CRLSign,
            "encipherOnly" => KeyUsages::EncipherOnly,
            "decipherOnly" => KeyUsages::DecipherOnly,
            other => return Err(PluginError::bad(format!("unknown keyUsage {other}"))),
        };
    }
    Ok(Some(KeyUsage(bits)))
}

fn oid_list(
    values: &[Value],
    resolve: impl Fn(&str) -> Option<const_oid::ObjectIdentifier>,
) -> Result<Vec<const_oid::ObjectIdentifier>> {
    values
        .iter()
        .map(|v| {
            let s = v.as_str().unwrap_or_default();
            resolve(s)
                .or_else(|| const_oid::ObjectIdentifier::new(s).ok())
                .ok_or_else(|| PluginError::bad(format!("unknown purpose or policy {s}")))
        })
        .collect()
}

fn array(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn data_bytes(data: &str, format: u64) -> Result<Vec<u8>> {
    match u32::try_from(format).unwrap_or(u32::MAX) {
        data_format::PLAIN => Ok(data.as_bytes().to_vec()),
        data_format::BASE64 => {
            let compact: String = data.split_whitespace().collect();
            Base64::decode_vec(&compact)
                .map_err(|_| PluginError::new(ErrorCode::Base64DecodeFailed, "data"))
        }
        data_format::HASH => hex::decode(data.replace(':', ""))
            .map_err(|_| PluginError::new(ErrorCode::DataInvalid, "a hash must be hex")),
        other => Err(PluginError::bad(format!("unknown data format {other}"))),
    }
}

/// Calls `method` with the page's arguments.
/// The connection's state is locked only for `enumerateDevices`: a call that waits on the
/// SafeTouch must not hold up the page's device polling.
pub fn call(
    slot: &Slot,
    conn: &std::sync::Mutex<Connection>,
    method: &str,
    params: &[Value],
) -> Result<Value> {
    match method {
        "enumerateDevices" => {
            let present: Vec<u64> = if slot.present() {
                vec![DEVICE_ID]
            } else {
                vec![]
            };
            let mode = options(params, 0)
                .get("mode")
                .and_then(Value::as_u64)
                .unwrap_or(u64::from(codes::ENUMERATE_DEVICES_LIST));
            let mut conn = conn
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if mode == u64::from(codes::ENUMERATE_DEVICES_EVENTS) {
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
            } else {
                conn.seen.clone_from(&present);
                Ok(json!(present))
            }
        }
        "digest" => {
            let kind = arg_u64(params, 1, "hashType")?;
            let data = hex::decode(arg_str(params, 2, "data")?.replace(':', ""))
                .map_err(|_| PluginError::new(ErrorCode::DataInvalid, "data must be hex"))?;
            let alg = match u32::try_from(kind).unwrap_or(u32::MAX) {
                hash_type::GOST3411_94 => DigestAlgorithm::Gost94CryptoPro,
                hash_type::GOST3411_12_256 => DigestAlgorithm::Streebog256,
                hash_type::GOST3411_12_512 => DigestAlgorithm::Streebog512,
                other => return Err(PluginError::bad(format!("unknown hash type {other}"))),
            };
            Ok(json!(colon_hex(&alg.digest(&data))))
        }
        _ => {
            device_arg(slot, params)?;
            slot.with_session(|session| call_device(session, method, params))
        }
    }
}

fn call_device(session: &mut Session, method: &str, params: &[Value]) -> Result<Value> {
    match method {
        "getDeviceInfo" => device_info(session, arg_u64(params, 1, "info type")?),
        "login" => {
            let pin = arg_str(params, 1, "PIN")?;
            if session.logged_in {
                return Err(PluginError::new(
                    ErrorCode::AlreadyLoggedIn,
                    "already logged in",
                ));
            }
            if pin.is_empty() || pin.len() > 32 {
                return Err(PluginError::new(ErrorCode::PinLengthInvalid, "PIN length"));
            }
            session.device.login(pin)?;
            session.logged_in = true;
            Ok(Value::Null)
        }
        "logout" => {
            session.device.logout()?;
            session.logged_in = false;
            Ok(Value::Null)
        }
        "enumerateKeys" => {
            require_login(session)?;
            let marker = arg(params, 1).as_str().unwrap_or_default();
            let keys = session.device.keys()?;
            Ok(json!(
                keys.iter()
                    .filter(|k| marker.is_empty() || k.label == marker)
                    .map(|k| colon_hex(&k.id))
                    .collect::<Vec<_>>()
            ))
        }
        "getKeyLabel" => {
            require_login(session)?;
            let id = from_colon_hex(arg_str(params, 1, "keyId")?)?;
            Ok(json!(find_key(session, &id)?.label))
        }
        "getPublicKeyValue" => {
            require_login(session)?;
            let id = from_colon_hex(arg_str(params, 1, "keyId")?)?;
            let key = find_key(session, &id)?;
            let (_, vk) = gost::spki::from_spki_der(&key.spki_der)
                .map_err(|e| PluginError::new(ErrorCode::DeviceError, e.to_string()))?;
            Ok(json!(colon_hex(&vk.to_le_bytes())))
        }
        "generateKeyPair" => {
            require_login(session)?;
            let marker = arg(params, 2).as_str().unwrap_or_default().to_owned();
            let opts = options(params, 3);
            let alg = opts
                .get("publicKeyAlgorithm")
                .and_then(Value::as_u64)
                .unwrap_or(u64::from(algorithm::GOST3410_2012_256));
            let alg = match u32::try_from(alg).unwrap_or(u32::MAX) {
                algorithm::GOST3410_2012_256 => KeyAlgorithm::Gost2012_256,
                algorithm::GOST3410_2012_512 => KeyAlgorithm::Gost2012_512,
                algorithm::GOST3410_2001 | algorithm::RSA => {
                    return Err(PluginError::new(
                        ErrorCode::UnsupportedByToken,
                        "the emulator generates GOST R 34.10-2012 keys only",
                    ));
                }
                other => return Err(PluginError::bad(format!("unknown algorithm {other}"))),
            };
            let ps = param_set(alg, opts.get("paramset").and_then(Value::as_str))?;
            let key = session.device.generate_key_pair(alg, ps, &marker)?;
            Ok(json!(colon_hex(&key.id)))
        }
        "deleteKeyPair" => {
            require_login(session)?;
            let id = from_colon_hex(arg_str(params, 1, "keyId")?)?;
            find_key(session, &id)?;
            session.device.delete_key_pair(&id)?;
            Ok(Value::Null)
        }
        "enumerateCertificates" => {
            let category = arg_u64(params, 1, "category")?;
            let category = u32::try_from(category).unwrap_or(u32::MAX);
            if ![
                cert_category::UNSPEC,
                cert_category::USER,
                cert_category::CA,
                cert_category::OTHER,
            ]
            .contains(&category)
            {
                return Err(PluginError::new(
                    ErrorCode::CertificateCategoryBad,
                    "category",
                ));
            }
            let keys = session.device.keys()?;
            let certs = session.device.certificates()?;
            Ok(json!(
                certs
                    .iter()
                    .filter(|c| category_of(c, &keys) == category)
                    .map(|c| certificate_handle(&c.der))
                    .collect::<Vec<_>>()
            ))
        }
        "getCertificate" => {
            let c = find_certificate(session, arg_str(params, 1, "certificate handle")?)?;
            let cert = Cert::parse(&c.der)
                .map_err(|e| PluginError::new(ErrorCode::Asn1Error, e.to_string()))?;
            cert.to_pem()
                .map(Value::String)
                .map_err(|e| PluginError::new(ErrorCode::PemError, e.to_string()))
        }
        "parseCertificate" => {
            let c = find_certificate(session, arg_str(params, 1, "certificate handle")?)?;
            parse_certificate(&c.der)
        }
        "getKeyByCertificate" => {
            require_login(session)?;
            let c = find_certificate(session, arg_str(params, 1, "certificate handle")?)?;
            Ok(json!(colon_hex(&find_key(session, &c.id)?.id)))
        }
        "importCertificate" => {
            let cert = parse_cert_input(arg_str(params, 1, "certificate")?)?;
            let category = u32::try_from(arg_u64(params, 2, "category")?).unwrap_or(u32::MAX);
            if category != cert_category::USER {
                // The emulator's token keeps user certificates (next to their key) only.
                return Err(PluginError::new(
                    ErrorCode::CertificateCategoryBad,
                    "only CERT_CATEGORY_USER",
                ));
            }
            require_login(session)?;
            let handle = certificate_handle(cert.to_der());
            if session
                .device
                .certificates()?
                .iter()
                .any(|c| c.der == cert.to_der())
            {
                return Err(PluginError::new(
                    ErrorCode::CertificateExists,
                    "on the token already",
                ));
            }
            let keys = session.device.keys()?;
            let spki = cert
                .spki()
                .to_der()
                .map_err(|e| PluginError::new(ErrorCode::Asn1Error, e.to_string()))?;
            if !keys.iter().any(|k| k.spki_der == spki) {
                return Err(PluginError::new(
                    ErrorCode::KeyNotFound,
                    "no key pair for this certificate",
                ));
            }
            let label =
                rutoken_pki::name::get(cert.subject(), Attribute::CommonName).unwrap_or_default();
            session.device.import_certificate(cert.to_der(), &label)?;
            Ok(json!(handle))
        }
        "deleteCertificate" => {
            require_login(session)?;
            let c = find_certificate(session, arg_str(params, 1, "certificate handle")?)?;
            session.device.delete_certificate(&c.id)?;
            Ok(Value::Null)
        }
        "createPkcs10" => create_pkcs10(session, params),
        "sign" => sign(session, params),
        "rawSign" => raw_sign(session, params),
        other => Err(PluginError::new(
            ErrorCode::FunctionFailed,
            format!("{other} is not carried by the bridge"),
        )),
    }
}

use der::Encode;

fn device_info(session: &mut Session, kind: u64) -> Result<Value> {
    let kind = u32::try_from(kind).unwrap_or(u32::MAX);
    Ok(match kind {
        token_info::MODEL => json!("Рутокен ЭЦП 2.0"),
        token_info::VENDOR_MODEL_NAME => json!("Rutoken ECP 2.0"),
        token_info::READER => json!(session.device.reader()),
        token_info::LABEL => json!("Rutoken ECP <no label>"),
        token_info::DEVICE_TYPE => json!(codes::TOKEN_TYPE_RUTOKEN_ECP),
        token_info::SERIAL => {
            let serial = session.device.serial()?;
            json!(u64_of(&serial).to_string())
        }
        token_info::DEVICE_NUMBER => {
            let serial = session.device.serial()?;
            let tail = &serial[serial.len().saturating_sub(4)..];
            json!(format!("{:010}", u64_of(tail)))
        }
        token_info::IS_LOGGED_IN => json!(session.logged_in),
        token_info::FORMATS => {
            let mut formats = vec![codes::DEVICE_DATA_FORMAT_PLAIN];
            if session.device.has_safetouch() {
                formats.push(codes::DEVICE_DATA_FORMAT_SAFETOUCH);
            }
            json!(formats)
        }
        token_info::FEATURES => json!({
            "pin2": false,
            "safeTouch": session.device.has_safetouch(),
            "hardwareHash": true,
        }),
        token_info::SUPPORTED_MECHANISMS => json!([
            "GOSTR3410-2012-256",
            "GOSTR3410-2012-512",
            "GOSTR3411-2012-256",
            "GOSTR3411-2012-512"
        ]),
        token_info::PINS_INFO => {
            let pin = session.device.pin_state()?;
            json!({"user": {"retriesLeft": pin.retries_left, "locked": pin.locked}})
        }
        other => return Err(PluginError::bad(format!("unknown info type {other}"))),
    })
}

fn u64_of(bytes: &[u8]) -> u64 {
    bytes[bytes.len().saturating_sub(8)..]
        .iter()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
}

fn iso(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn parse_certificate(der: &[u8]) -> Result<Value> {
    let cert =
        Cert::parse(der).map_err(|e| PluginError::new(ErrorCode::Asn1Error, e.to_string()))?;
    let serial = cert
        .certificate()
        .tbs_certificate()
        .serial_number()
        .as_bytes()
        .to_vec();
    let (alg, _) = cert
        .public_key()
        .map_err(|e| PluginError::new(ErrorCode::Asn1Error, e.to_string()))?;
    Ok(json!({
        "serialNumber": colon_hex(&serial),
        "subject": name_json(cert.subject()),
        "issuer": name_json(cert.issuer()),
        "validNotBefore": cert.not_before().map(iso).unwrap_or_default(),
        "validNotAfter": cert.not_after().map(iso).unwrap_or_default(),
        "publicKeyAlgorithm": alg.oid().to_string(),
    }))
}

fn create_pkcs10(session: &mut Session, params: &[Value]) -> Result<Value> {
    require_login(session)?;
    let id = from_colon_hex(arg_str(params, 1, "keyId")?)?;
    let key = find_key(session, &id)?;
    let mut name = NameBuilder::new();
    for dn in array(Some(arg(params, 2))) {
        let rdn = dn.get("rdn").and_then(Value::as_str).unwrap_or_default();
        let value = dn.get("value").and_then(Value::as_str).unwrap_or_default();
        let attribute =
            rdn_attribute(rdn).ok_or_else(|| PluginError::bad(format!("unknown rdn {rdn}")))?;
        name = name.with(attribute, value);
    }
    let subject = name
        .build()
        .map_err(|e| PluginError::new(ErrorCode::DataInvalid, e.to_string()))?;
    let exts = arg(params, 3);
    let opts = options(params, 4);
    let requested = RequestedExtensions {
        key_usage: key_usage(array(exts.get("keyUsage")))?,
        ext_key_usage: oid_list(array(exts.get("extKeyUsage")), ext::key_purpose)?,
        policies: oid_list(array(exts.get("certificatePolicies")), |_| None)?,
        subject_sign_tool: opts
            .get("subjectSignTool")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        identification_kind: None,
    };
    let mut info = RequestInfo::with_spki_der(subject, &key.spki_der, &requested)
        .map_err(|e| PluginError::new(ErrorCode::DataInvalid, e.to_string()))?;
    for custom in array(opts.get("customExtensions")) {
        let oid = custom
            .get("oid")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let oid = const_oid::ObjectIdentifier::new(oid)
            .map_err(|_| PluginError::bad(format!("bad extension oid {oid}")))?;
        let value = custom
            .get("value")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let value = Base64::decode_vec(value)
            .map_err(|_| PluginError::new(ErrorCode::Base64DecodeFailed, "extension value"))?;
        let critical = flag(
            custom.as_object().unwrap_or(&serde_json::Map::new()),
            "criticality",
        );
        info.extensions.push(
            ext::extension(oid, critical, value)
                .map_err(|e| PluginError::new(ErrorCode::Asn1Error, e.to_string()))?,
        );
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

fn sign(session: &mut Session, params: &[Value]) -> Result<Value> {
    require_login(session)?;
    let c = find_certificate(session, arg_str(params, 1, "certificate handle")?)?;
    let key = find_key(session, &c.id)?;
    let format = arg_u64(params, 3, "data format")?;
    let data = data_bytes(arg_str(params, 2, "data")?, format)?;
    let opts = options(params, 4);
    let hardware = flag(opts, "useHardwareHash");
    let over_hash = u32::try_from(format).ok() == Some(data_format::HASH);
    let signature = if over_hash {
        // The page hashed the document itself: the signature is over that digest, and the
        // CMS is detached (there is no content to carry). The SafeTouch sees only a hash.
        if hardware {
            return Err(PluginError::bad(
                "useHardwareHash needs the data, not its hash",
            ));
        }
        if data.len() != key.algorithm.digest().output_len() {
            return Err(PluginError::new(
                ErrorCode::DataInvalid,
                format!(
                    "a {}-byte hash for a key that signs {}-byte digests",
                    data.len(),
                    key.algorithm.digest().output_len()
                ),
            ));
        }
        session.device.sign_digest(&key.id, &data)?
    } else if hardware {
        session.device.sign_on_token(&key.id, &data)?
    } else {
        let digest = key.algorithm.digest().digest(&data);
        session.device.sign_digest(&key.id, &digest)?
    };
    let cert =
        Cert::parse(&c.der).map_err(|e| PluginError::new(ErrorCode::Asn1Error, e.to_string()))?;
    let cms = crate::cms::signed_data(&crate::cms::SignedParts {
        certificate: &cert,
        algorithm: key.algorithm,
        content: &data,
        detached: over_hash || flag(opts, "detached"),
        include_certificate: flag(opts, "addUserCertificate"),
        signature: &signature,
    })
    .map_err(|e| PluginError::new(ErrorCode::Asn1Error, e.to_string()))?;
    Ok(json!(Base64::encode_string(&cms)))
}

fn raw_sign(session: &mut Session, params: &[Value]) -> Result<Value> {
    require_login(session)?;
    let id = from_colon_hex(arg_str(params, 1, "keyId")?)?;
    let key = find_key(session, &id)?;
    let data = hex::decode(arg_str(params, 2, "data")?.replace(':', ""))
        .map_err(|_| PluginError::new(ErrorCode::DataInvalid, "data must be hex"))?;
    let opts = options(params, 3);
    let signature = if flag(opts, "computeHash") {
        if flag(opts, "useHardwareHash") {
            session.device.sign_on_token(&key.id, &data)?
        } else {
            let digest = key.algorithm.digest().digest(&data);
            session.device.sign_digest(&key.id, &digest)?
        }
    } else {
        session.device.sign_digest(&key.id, &data)?
    };
    Ok(json!(colon_hex(&signature)))
}
