//! `C_EX_GetCertificateInfoText`: a certificate described in text (subject, issuer, serial,
//! validity, key algorithm), in a buffer the module hands out (`C_EX_FreeBuffer` takes it
//! back). The text is UTF-8 with a NUL after it; the length given does not count the NUL.
#![allow(
    unsafe_code,
    reason = "the vendor's C ABI; every unsafe block has a SAFETY note"
)]
#![allow(
    non_snake_case,
    reason = "the vendor names its functions and parameters"
)]

use std::fmt::Write as _;

use der::Decode;
use gost::KeyAlgorithm;
use rutoken_pki::name::{Attribute, value_text};
use x509_cert::Certificate;
use x509_cert::name::Name;

use cryptoki_sys::*;

use super::{buffers, keys};
use crate::error::{Error, fail};
use crate::ffi::{entry, put, with_module};

/// `CN=…, O=…` (RFC 4514 order reversed as OpenSSL prints it: the Name's own order).
fn name_text(name: &Name) -> String {
    name.iter()
        .map(|atv| {
            let kind = Attribute::from_oid(&atv.oid)
                .map_or_else(|| atv.oid.to_string(), |a| a.short_name().to_owned());
            let value = value_text(&atv.value).unwrap_or_else(|| "<binary>".to_owned());
            format!("{kind}={value}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The text for a certificate's DER (`None` when it does not parse).
pub(super) fn describe(der: &[u8]) -> Option<String> {
    let cert = Certificate::from_der(der).ok()?;
    let tbs = cert.tbs_certificate();
    let serial = tbs
        .serial_number()
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":");
    let algorithm = match KeyAlgorithm::from_oid(&tbs.subject_public_key_info().algorithm.oid) {
        Ok(KeyAlgorithm::Gost2001) => "GOST R 34.10-2001".to_owned(),
        Ok(KeyAlgorithm::Gost2012_256) => "GOST R 34.10-2012 256 bit".to_owned(),
        Ok(KeyAlgorithm::Gost2012_512) => "GOST R 34.10-2012 512 bit".to_owned(),
        Err(_) => tbs.subject_public_key_info().algorithm.oid.to_string(),
    };
    let mut text = String::new();
    let _ = writeln!(text, "Subject: {}", name_text(tbs.subject()));
    let _ = writeln!(text, "Issuer: {}", name_text(tbs.issuer()));
    let _ = writeln!(text, "Serial number: {serial}");
    let _ = writeln!(
        text,
        "Not before: {}",
        tbs.validity().not_before.to_date_time()
    );
    let _ = writeln!(
        text,
        "Not after: {}",
        tbs.validity().not_after.to_date_time()
    );
    let _ = writeln!(text, "Public key: {algorithm}");
    Some(text)
}

/// `C_EX_GetCertificateInfoText` (any session state: certificates are public objects).
pub(super) unsafe extern "C" fn C_EX_GetCertificateInfoText(
    hSession: CK_SESSION_HANDLE,
    hCert: CK_OBJECT_HANDLE,
    pInfo: *mut *mut CK_CHAR,
    pulInfoLen: *mut CK_ULONG,
) -> CK_RV {
    entry(|| {
        if pInfo.is_null() || pulInfoLen.is_null() {
            return fail(CKR_ARGUMENTS_BAD);
        }
        let cert = with_module(|m| keys::certificate(m, hSession, hCert))?;
        let text = describe(&cert.der).ok_or(Error::Rv(CKR_DATA_INVALID))?;
        let (ptr, len) = buffers::give(text.into_bytes());
        // SAFETY: both out pointers checked non-null above.
        unsafe {
            put(pInfo, ptr)?;
            put(pulInfoLen, len)
        }
    })
}
