//! `verify(deviceId, cms, options)`: checks every signer of a CMS SignedData (GOST) over its
//! content (attached, or `options.data`), with the certificates in the CMS, on the token and
//! in `options.certificates`; with `verifyCertificate`, each signer's certificate must be
//! issued by one of `options.CA`. Answers true or false, or a code for what cannot be
//! checked.

use rutoken_pki::cert::Cert;
use serde_json::{Value, json};

use crate::api::{PluginError, Result};
use crate::args::{Args, Options, from_base64, text_or_base64};
use crate::certinfo::cert_from_text;
use crate::cms::{SignedData, Signer};
use crate::codes::ErrorCode;
use crate::slot::Session;

/// `verify`.
pub fn verify(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let args = args.at_most(3)?;
    let cms = from_base64(args.str(1, "CMS")?, "CMS")?;
    let opts = args.options(2)?;
    let base64 = opts.flag("base64")?;
    let hardware = opts.flag("useHardwareHash")?;
    let check_chain = opts.flag("verifyCertificate")?;
    let data = opts
        .str("data")?
        .filter(|d| !d.is_empty())
        .map(|d| text_or_base64(d, base64, "data"))
        .transpose()?;
    let mut pool = certificates_option(&opts, "certificates")?;
    let cas = certificates_option(&opts, "CA")?;
    let signed = SignedData::parse(&cms).map_err(PluginError::asn1)?;
    let content = match (&signed.content, data) {
        (Some(attached), _) => attached.clone(),
        (None, Some(d)) => d,
        (None, None) => {
            return Err(PluginError::new(
                ErrorCode::DataInvalid,
                "a detached CMS needs options.data",
            ));
        }
    };
    if hardware && signed.signers.len() > 1 {
        return Err(PluginError::new(
            ErrorCode::CantHardwareVerifyCms,
            "hashing on the token verifies one signer",
        ));
    }
    for der in &signed.certificates {
        pool.push(Cert::parse(der).map_err(PluginError::asn1)?);
    }
    for on_token in session.device.certificates()? {
        if let Ok(cert) = Cert::parse(&on_token.der) {
            pool.push(cert);
        }
    }
    if signed.signers.is_empty() {
        return Err(PluginError::new(ErrorCode::DataInvalid, "no signer"));
    }
    let mut all = true;
    for der in &signed.signers {
        let signer = Signer::parse(der).map_err(PluginError::asn1)?;
        let cert = pool.iter().find(|c| signer.is_of(c)).ok_or_else(|| {
            PluginError::new(
                ErrorCode::CertificateNotFound,
                "no certificate for a signer",
            )
        })?;
        all &= signer.verify(cert, &content);
        if check_chain {
            issued_by_one_of(cert, &cas, "a signer's certificate")?;
        }
    }
    Ok(json!(all))
}

/// The certificates of option `name` (each PEM or base64 DER; empty strings skipped).
pub(crate) fn certificates_option(opts: &Options<'_>, name: &str) -> Result<Vec<Cert>> {
    opts.strings(name)?
        .into_iter()
        .filter(|s| !s.trim().is_empty())
        .map(cert_from_text)
        .collect()
}

/// `cert` was issued by one of `cas` (options.CA); else the plugin's
/// X509_UNABLE_TO_GET_ISSUER_CERT_LOCALLY naming `whose` certificate it is.
pub(crate) fn issued_by_one_of(cert: &Cert, cas: &[Cert], whose: &str) -> Result<()> {
    if cas.iter().any(|ca| cert.verify_issued_by(ca).is_ok()) {
        Ok(())
    } else {
        Err(PluginError::new(
            ErrorCode::X509UnableToGetIssuerCertLocally,
            format!("no CA in options.CA issued {whose}"),
        ))
    }
}
