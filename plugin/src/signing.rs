//! Signing: `sign` (CMS SignedData; co-signing with `options.CMS`, attached or detached, keeps
//! every earlier signer, certificate and the content), `authenticate`, `rawSign`, `digest`.
//! Every option `methods::SPECS` lists for these is read here: honoured, or refused with its
//! code before the token is touched.

use base64ct::{Base64, Encoding};
use gost::DigestAlgorithm;
use serde_json::{Value, json};

use crate::api::{PluginError, Result, find_certificate, find_key, parse_cert, require_login};
use crate::args::{Args, Options, colon_hex, from_base64, from_hex, text_or_base64};
use crate::cms::{self, Attributes, SignedData, Signer};
use crate::codes::{ErrorCode, constant as c};
use crate::slot::Session;

/// `sign`'s data format: the number, or the older boolean `isBase64` (false plain, true
/// base64) that production pages still pass.
fn data_format(v: &Value) -> Result<u32> {
    match v {
        Value::Bool(b) => Ok(if *b {
            c("DATA_FORMAT_BASE64")
        } else {
            c("DATA_FORMAT_PLAIN")
        }),
        other => crate::args::number(other)
            .ok_or_else(|| PluginError::bad("data format must be a number or a boolean")),
    }
}

fn data_bytes(data: &str, format: u32) -> Result<Vec<u8>> {
    if format == c("DATA_FORMAT_PLAIN") {
        Ok(data.as_bytes().to_vec())
    } else if format == c("DATA_FORMAT_BASE64") {
        from_base64(data, "data")
    } else if format == c("DATA_FORMAT_HASH") {
        from_hex(data, "hash").map_err(|_| PluginError::new(ErrorCode::DataInvalid, "hash hex"))
    } else {
        Err(PluginError::bad(format!("unknown data format {format}")))
    }
}

/// The options `sign` refuses (not carried by the bridge), checked first.
fn refused(opts: Options<'_>) -> Result<()> {
    for name in ["addSystemInfo", "addSecurityProductsInfo"] {
        if opts.flag(name)? {
            return Err(PluginError::new(
                ErrorCode::FunctionFailed,
                format!("{name}: Aktiv's attribute is not public"),
            ));
        }
    }
    if opts.object("tspOptions")?.is_some() {
        return Err(PluginError::new(
            ErrorCode::HostNotFound,
            "tspOptions: the bridge reaches no time-stamp server",
        ));
    }
    if let Some(h) = opts.u32("rsaHashAlgorithm")? {
        // For RSA keys only; a GOST key always hashes with its own Streebog.
        if !crate::codes::group("HASH_TYPE_").any(|(_, v)| v == h) {
            return Err(PluginError::bad(format!("rsaHashAlgorithm {h}")));
        }
    }
    Ok(())
}

/// `sign(deviceId, certHandle, data, format, options)`: base64 CMS.
pub fn sign(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let args = args.at_most(5)?;
    let handle = args.str(1, "certificate handle")?;
    let data = args.str_or_empty(2, "data")?;
    let format = data_format(args.get(3))?;
    let opts = args.options(4)?;
    refused(opts)?;
    let detached = opts.flag("detached")?;
    let hardware = opts.flag("useHardwareHash")?;
    let add_cert = opts.flag("addUserCertificate")?;
    let sign_time = opts.flag("addSignTime")?;
    let ess = opts.flag("addEssCert")?;
    let content_type = match opts.str("eContentType")? {
        Some(o) if !o.is_empty() => cms::oid(o).map_err(|_| PluginError::bad("eContentType"))?,
        _ => cms::oid(cms::ID_DATA).map_err(PluginError::asn1)?,
    };
    let existing = match opts.str("CMS")? {
        Some(b64) if !b64.trim().is_empty() => {
            Some(SignedData::parse(&from_base64(b64, "CMS")?).map_err(PluginError::asn1)?)
        }
        _ => None,
    };
    let over_hash = format == c("DATA_FORMAT_HASH");
    let given = data_bytes(data, format)?;
    if over_hash && hardware {
        return Err(PluginError::bad(
            "useHardwareHash needs the data, not its hash",
        ));
    }

    require_login(session)?;
    let found = find_certificate(session, handle)?;
    let key = find_key(session, &found.id)?;
    let cert = parse_cert(&found.der)?;
    let digest_alg = key.algorithm.digest();

    // The content: what the page gave, or (co-signing an attached CMS with no data) the
    // CMS's own; a page's data that differs from the attached content is refused.
    let mut out = existing.clone().unwrap_or_default();
    let content = match &existing {
        Some(prev) => {
            if prev.content_type != content_type && opts.str("eContentType")?.is_some() {
                return Err(PluginError::new(
                    ErrorCode::DataInvalid,
                    "eContentType differs from the CMS's",
                ));
            }
            for s in &prev.signers {
                if Signer::parse(s).map_err(PluginError::asn1)?.is_of(&cert) {
                    return Err(PluginError::new(
                        ErrorCode::CmsCertificateAlreadyPresent,
                        "this certificate signed the CMS already",
                    ));
                }
            }
            match (&prev.content, given.is_empty()) {
                (Some(attached), true) => attached.clone(),
                (Some(attached), false) if !over_hash && *attached != given => {
                    return Err(PluginError::new(
                        ErrorCode::DataInvalid,
                        "data differs from the CMS's content",
                    ));
                }
                (None, true) => {
                    return Err(PluginError::new(
                        ErrorCode::DataInvalid,
                        "a detached CMS needs its data",
                    ));
                }
                _ => given,
            }
        }
        None => given,
    };
    let content_type = existing
        .as_ref()
        .map_or(content_type, |p| p.content_type.clone());
    let digest = if over_hash {
        if content.len() != digest_alg.output_len() {
            return Err(PluginError::new(
                ErrorCode::DataInvalid,
                format!(
                    "a {}-byte hash for a key that signs {}-byte digests",
                    content.len(),
                    digest_alg.output_len()
                ),
            ));
        }
        content.clone()
    } else {
        digest_alg.digest(&content)
    };
    let id_data = cms::oid(cms::ID_DATA).map_err(PluginError::asn1)?;
    let attrs = if sign_time || ess || content_type != id_data {
        Some(
            cms::signed_attributes(&Attributes {
                content_type: &content_type,
                digest: &digest,
                signing_time: sign_time.then(time::OffsetDateTime::now_utc),
                ess_certificate: ess.then_some(&cert),
            })
            .map_err(PluginError::asn1)?,
        )
    } else {
        None
    };
    let signature = match (&attrs, hardware) {
        // The token hashes what it signs: the SafeTouch sees the document (or, with signed
        // attributes, the attributes: a hash-only screen).
        (Some(a), true) => session.device.sign_on_token(&key.id, a)?,
        (None, true) => session.device.sign_on_token(&key.id, &content)?,
        (Some(a), false) => session.device.sign_digest(&key.id, &digest_alg.digest(a))?,
        (None, false) => session.device.sign_digest(&key.id, &digest)?,
    };
    let signer = cms::signer_info(&cert, key.algorithm, attrs.as_deref(), &signature)
        .map_err(PluginError::asn1)?;
    out.content_type = content_type;
    out.content = (!detached && !over_hash).then_some(content);
    out.digest_algorithms.push(
        der::Encode::to_der(&x509_cert::spki::AlgorithmIdentifierOwned {
            oid: digest_alg.oid(),
            parameters: None,
        })
        .map_err(PluginError::asn1)?,
    );
    if add_cert && !out.certificates.iter().any(|d| d == cert.to_der()) {
        out.certificates.push(cert.to_der().to_vec());
    }
    out.signers.push(signer);
    let der = out.to_der().map_err(PluginError::asn1)?;
    Ok(json!(Base64::encode_string(&der)))
}

/// `authenticate(deviceId, certHandle, salt)`: an attached CMS over `salt:random` (32 random
/// bytes, hex), with the signer's certificate; the server checks the signature and its salt.
pub fn authenticate(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let args = args.at_most(3)?;
    let handle = args.str(1, "certificate handle")?;
    let salt = args.str(2, "salt")?;
    let mut random = [0u8; 32];
    gost::Rng::from_os().fill_bytes(&mut random);
    let content = format!("{salt}:{}", hex::encode(random));
    let params = vec![
        json!(0),
        json!(handle),
        json!(content),
        json!(c("DATA_FORMAT_PLAIN")),
        json!({"addUserCertificate": true}),
    ];
    sign(session, Args(&params))
}

/// `rawSign(deviceId, keyId, hex, {computeHash, useHardwareHash, hashAlgorithm})`: the
/// signature (`s ‖ r`), colon hex.
pub fn raw_sign(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let args = args.at_most(4)?;
    let id = from_hex(args.str(1, "keyId")?, "keyId")?;
    let data = from_hex(args.str(2, "data")?, "data")
        .map_err(|_| PluginError::new(ErrorCode::DataInvalid, "data must be hex"))?;
    let opts = args.options(3)?;
    let compute = opts.flag("computeHash")?;
    let hardware = opts.flag("useHardwareHash")?;
    let requested = opts.u32("hashAlgorithm")?;
    require_login(session)?;
    let key = find_key(session, &id)?;
    let digest_alg = key.algorithm.digest();
    if let Some(h) = requested
        && hash_of(h)? != Hash::Gost(digest_alg)
    {
        return Err(PluginError::new(
            ErrorCode::WrongKeyType,
            "the key signs with its own GOST hash",
        ));
    }
    let signature = match (compute, hardware) {
        (true, true) => session.device.sign_on_token(&key.id, &data)?,
        (true, false) => session
            .device
            .sign_digest(&key.id, &digest_alg.digest(&data))?,
        (false, _) => {
            if data.len() != digest_alg.output_len() {
                return Err(PluginError::new(
                    ErrorCode::DataInvalid,
                    "the hash's size does not fit the key",
                ));
            }
            session.device.sign_digest(&key.id, &data)?
        }
    };
    Ok(json!(colon_hex(&signature)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hash {
    Gost(DigestAlgorithm),
    Sha1,
    Sha256,
    Sha384,
    Sha512,
    Md5,
}

fn hash_of(kind: u32) -> Result<Hash> {
    let table = [
        (
            "HASH_TYPE_GOST3411_94",
            Hash::Gost(DigestAlgorithm::Gost94CryptoPro),
        ),
        (
            "HASH_TYPE_GOST3411_12_256",
            Hash::Gost(DigestAlgorithm::Streebog256),
        ),
        (
            "HASH_TYPE_GOST3411_12_512",
            Hash::Gost(DigestAlgorithm::Streebog512),
        ),
        ("HASH_TYPE_SHA1", Hash::Sha1),
        ("HASH_TYPE_SHA256", Hash::Sha256),
        ("HASH_TYPE_SHA384", Hash::Sha384),
        ("HASH_TYPE_SHA512", Hash::Sha512),
        ("HASH_TYPE_MD5", Hash::Md5),
    ];
    table
        .iter()
        .find(|(name, _)| c(name) == kind)
        .map(|(_, h)| *h)
        .ok_or_else(|| PluginError::bad(format!("unknown hash type {kind}")))
}

/// `digest(deviceId, hashType, data, {base64, useHardwareHash})`: colon hex. The data is
/// text (UTF-8), or base64 with `base64`. The GOST hashes are the token's (the bridge
/// computes the same digest); SHA-1/2 the plugin computes in software; MD5 is not carried.
pub fn digest(args: Args<'_>) -> Result<Value> {
    use sha2::Digest;
    let args = args.at_most(4)?;
    let kind = hash_of(args.u32(1, "hash type")?)?;
    let opts = args.options(3)?;
    let hardware = opts.flag("useHardwareHash")?;
    let data = text_or_base64(args.str(2, "data")?, opts.flag("base64")?, "data")?;
    let out = match kind {
        Hash::Gost(d) => d.digest(&data),
        _ if hardware => {
            return Err(PluginError::new(
                ErrorCode::UnsupportedByToken,
                "the token hashes GOST only",
            ));
        }
        Hash::Sha1 => sha1::Sha1::digest(&data).to_vec(),
        Hash::Sha256 => sha2::Sha256::digest(&data).to_vec(),
        Hash::Sha384 => sha2::Sha384::digest(&data).to_vec(),
        Hash::Sha512 => sha2::Sha512::digest(&data).to_vec(),
        Hash::Md5 => {
            return Err(PluginError::new(
                ErrorCode::FunctionFailed,
                "MD5 is not carried by the bridge",
            ));
        }
    };
    Ok(json!(colon_hex(&out)))
}
