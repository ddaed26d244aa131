//! Certificates on the token and from strings: `enumerateCertificates`, `getCertificate`,
//! `parseCertificate`, `parseCertificateFromString`, `getCertificateInfo`,
//! `getKeyByCertificate`, `importCertificate`, `deleteCertificate`, `getCertLabel` /
//! `setCertLabel`; and the system store (`enumerateStoreCertificates`,
//! `getStoreCertificate`), which the plugin reads on Windows only: on the Linux machine the
//! bridge runs on it is empty (docs/assumptions.md).

use rutoken_pki::cert::Cert;
use serde_json::{Value, json};

use crate::api::{
    PluginError, Result, certificate_handle, find_certificate, find_key, parse_cert, require_login,
};
use crate::args::{Args, colon_hex, from_hex};
use crate::certinfo::{cert_from_text, parse_certificate};
use crate::codes::{ErrorCode, constant as c};
use crate::device::{Certificate, KeyPair};
use crate::slot::Session;

/// The category a certificate on the token is listed under: the user's when a key pair has
/// its ID, a CA's when it is one (basicConstraints cA, or self-signed), another's otherwise.
fn category_of(cert: &Certificate, keys: &[KeyPair]) -> u32 {
    if keys.iter().any(|k| k.id == cert.id) {
        return c("CERT_CATEGORY_USER");
    }
    match Cert::parse(&cert.der) {
        Ok(parsed) if is_ca(&parsed) => c("CERT_CATEGORY_CA"),
        _ => c("CERT_CATEGORY_OTHER"),
    }
}

fn is_ca(cert: &Cert) -> bool {
    use x509_cert::ext::pkix::BasicConstraints;
    let bc = cert
        .certificate()
        .tbs_certificate()
        .get_extension::<BasicConstraints>()
        .ok()
        .flatten()
        .is_some_and(|(_, bc)| bc.ca);
    bc || cert.subject() == cert.issuer()
}

fn category_arg(args: Args<'_>, i: usize) -> Result<u32> {
    let category = args.u32(i, "category")?;
    if crate::codes::group("CERT_CATEGORY_").any(|(_, v)| v == category) {
        Ok(category)
    } else {
        Err(PluginError::new(
            ErrorCode::CertificateCategoryBad,
            format!("category {category}"),
        ))
    }
}

/// `enumerateCertificates(deviceId, category)`: handles.
pub fn enumerate(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let category = category_arg(args.at_most(2)?, 1)?;
    let keys = session.device.keys()?;
    let certs = session.device.certificates()?;
    Ok(json!(
        certs
            .iter()
            .filter(|cert| category_of(cert, &keys) == category)
            .map(|cert| certificate_handle(&cert.der))
            .collect::<Vec<_>>()
    ))
}

fn handle(args: Args<'_>) -> Result<&str> {
    args.str(1, "certificate handle")
}

/// `getCertificate(deviceId, handle)`: PEM.
pub fn get(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let found = find_certificate(session, handle(args.at_most(2)?)?)?;
    parse_cert(&found.der)?
        .to_pem()
        .map(Value::String)
        .map_err(|e| PluginError::new(ErrorCode::PemError, e.to_string()))
}

/// `parseCertificate(deviceId, handle)`.
pub fn parse(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let found = find_certificate(session, handle(args.at_most(2)?)?)?;
    parse_certificate(&parse_cert(&found.der)?)
}

/// `parseCertificateFromString(certificate)`: PEM or base64.
pub fn parse_from_string(args: Args<'_>) -> Result<Value> {
    let text = args.at_most(1)?.str(0, "certificate")?;
    parse_certificate(&cert_from_text(text)?)
}

/// `getCertificateInfo(deviceId, handle, CERT_INFO_*)`.
pub fn info(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let args = args.at_most(3)?;
    let kind = args.u32(2, "info type")?;
    let found = find_certificate(session, handle(args)?)?;
    let cert = parse_cert(&found.der)?;
    if kind == c("CERT_INFO_SERIAL_NUMBER") {
        Ok(json!(colon_hex(
            cert.certificate()
                .tbs_certificate()
                .serial_number()
                .as_bytes()
        )))
    } else {
        Err(PluginError::bad(format!("unknown certificate info {kind}")))
    }
}

/// `getKeyByCertificate(deviceId, handle)`: the key id.
pub fn key_of(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let h = handle(args.at_most(2)?)?;
    require_login(session)?;
    let found = find_certificate(session, h)?;
    Ok(json!(colon_hex(&find_key(session, &found.id)?.id)))
}

/// `importCertificate(deviceId, certificate, category)`: the handle. A user certificate goes
/// under its key pair's ID (the key must be on the token); a CA's or another's under an ID of
/// its own (the first 20 bytes of its handle digest).
pub fn import(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let args = args.at_most(3)?;
    let cert = cert_from_text(args.str(1, "certificate")?)?;
    let category = category_arg(args, 2)?;
    if category == c("CERT_CATEGORY_UNSPEC") {
        return Err(PluginError::new(
            ErrorCode::CertificateCategoryBad,
            "a category to import under",
        ));
    }
    require_login(session)?;
    let der = cert.to_der().to_vec();
    let h = certificate_handle(&der);
    if session
        .device
        .certificates()?
        .iter()
        .any(|existing| existing.der == der)
    {
        return Err(PluginError::new(
            ErrorCode::CertificateExists,
            "on the token already",
        ));
    }
    let label = rutoken_pki::name::get(cert.subject(), rutoken_pki::name::Attribute::CommonName)
        .unwrap_or_default();
    if category == c("CERT_CATEGORY_USER") {
        let spki = der::Encode::to_der(cert.spki()).map_err(PluginError::asn1)?;
        if !session.device.keys()?.iter().any(|k| k.spki_der == spki) {
            return Err(PluginError::new(
                ErrorCode::KeyNotFound,
                "no key pair for this certificate",
            ));
        }
        session.device.import_certificate(&der, &label, None)?;
    } else {
        let id = from_hex(&h, "handle")?;
        session.device.import_certificate(&der, &label, Some(&id))?;
    }
    Ok(json!(h))
}

/// `deleteCertificate(deviceId, handle)`.
pub fn delete(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let h = handle(args.at_most(2)?)?;
    require_login(session)?;
    let found = find_certificate(session, h)?;
    session.device.delete_certificate(&found.id)?;
    Ok(Value::Null)
}

/// `getCertLabel(deviceId, handle)`.
pub fn label(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let found = find_certificate(session, handle(args.at_most(2)?)?)?;
    Ok(json!(found.label))
}

/// `setCertLabel(deviceId, handle, label)`.
pub fn set_label(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let args = args.at_most(3)?;
    let label = args.str(2, "label")?;
    if label.len() > 255 {
        return Err(PluginError::bad("label longer than 255 bytes"));
    }
    require_login(session)?;
    let found = find_certificate(session, handle(args)?)?;
    session.device.set_certificate_label(&found.der, label)?;
    Ok(Value::Null)
}

/// `enumerateStoreCertificates(options)`: no system store on Linux.
pub fn store_list(args: Args<'_>) -> Result<Value> {
    args.at_most(1)?.options(0)?;
    Ok(json!([]))
}

/// `getStoreCertificate(handle, options)`: nothing is in the (absent) store.
pub fn store_get(args: Args<'_>) -> Result<Value> {
    let args = args.at_most(2)?;
    let h = args.str(0, "certificate")?;
    args.options(1)?;
    Err(PluginError::new(
        ErrorCode::CertificateNotFound,
        format!("no store certificate {h}"),
    ))
}
