//! Time stamps (RFC 3161) and encryption: `createTsRequest` builds the TimeStampReq (no server
//! is involved); `verifyTsResponse` checks a response against its request (status, message
//! imprint, nonce) and the token's GOST signature; `cmsEncrypt` (on the host) and `cmsDecrypt`
//! (VKO, unwrap and decryption on the token) make and open GOST EnvelopedData
//! (`crate::envelope`); `derive` returns the VKO key the token computes for the page.

use base64ct::{Base64, Encoding};
use gost::DigestAlgorithm;
use rutoken_client::DriverError;
use rutoken_client::driver::{Code, StatusWord};
use serde_json::{Value, json};

use crate::api::{PluginError, Result, find_key, require_login};
use crate::args::{Args, colon_hex, from_base64, from_hex, text_or_base64};
use crate::certinfo::cert_from_text;
use crate::cms::{self, SignedData, Signer};
use crate::codes::{ErrorCode, constant as c};
use crate::der_walk::{self, seq, tlv};
use crate::slot::Session;

/// The hash algorithms a TimeStampReq can name here, with their OIDs.
fn hash_alg(kind: u32) -> Result<(Vec<u8>, DigestOrSha)> {
    let gost = |d: DigestAlgorithm| -> Result<(Vec<u8>, DigestOrSha)> {
        let oid = der::Encode::to_der(&d.oid()).map_err(PluginError::asn1)?;
        Ok((oid, DigestOrSha::Gost(d)))
    };
    let sha = |dotted: &str, s: DigestOrSha| -> Result<(Vec<u8>, DigestOrSha)> {
        Ok((cms::oid(dotted).map_err(PluginError::asn1)?, s))
    };
    if kind == c("HASH_TYPE_GOST3411_12_256") {
        gost(DigestAlgorithm::Streebog256)
    } else if kind == c("HASH_TYPE_GOST3411_12_512") {
        gost(DigestAlgorithm::Streebog512)
    } else if kind == c("HASH_TYPE_GOST3411_94") {
        gost(DigestAlgorithm::Gost94CryptoPro)
    } else if kind == c("HASH_TYPE_SHA1") {
        sha("1.3.14.3.2.26", DigestOrSha::Sha1)
    } else if kind == c("HASH_TYPE_SHA256") {
        sha("2.16.840.1.101.3.4.2.1", DigestOrSha::Sha256)
    } else if kind == c("HASH_TYPE_SHA384") {
        sha("2.16.840.1.101.3.4.2.2", DigestOrSha::Sha384)
    } else if kind == c("HASH_TYPE_SHA512") {
        sha("2.16.840.1.101.3.4.2.3", DigestOrSha::Sha512)
    } else {
        Err(PluginError::bad(format!("hash type {kind}")))
    }
}

#[derive(Clone, Copy)]
enum DigestOrSha {
    Gost(DigestAlgorithm),
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl DigestOrSha {
    fn digest(self, data: &[u8]) -> Vec<u8> {
        use sha2::Digest;
        match self {
            DigestOrSha::Gost(d) => d.digest(data),
            DigestOrSha::Sha1 => sha1::Sha1::digest(data).to_vec(),
            DigestOrSha::Sha256 => sha2::Sha256::digest(data).to_vec(),
            DigestOrSha::Sha384 => sha2::Sha384::digest(data).to_vec(),
            DigestOrSha::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }
}

fn data_of(args: Args<'_>, data_at: usize, format_at: usize) -> Result<Vec<u8>> {
    let format = args.u32(format_at, "data format")?;
    let data = args.str(data_at, "data")?;
    if format == c("DATA_FORMAT_PLAIN") {
        Ok(data.as_bytes().to_vec())
    } else if format == c("DATA_FORMAT_BASE64") {
        from_base64(data, "data")
    } else {
        Err(PluginError::bad(format!("data format {format}")))
    }
}

/// `createTsRequest(data, format, hashType, {cert, nonce, policy, extensions})`: base64
/// TimeStampReq (RFC 3161 §2.4.1).
pub fn create_request(args: Args<'_>) -> Result<Value> {
    let args = args.at_most(4)?;
    let data = data_of(args, 0, 1)?;
    let (alg_oid, alg) = hash_alg(args.u32(2, "hash type")?)?;
    let opts = args.options(3)?;
    let imprint = seq(&[&seq(&[&alg_oid]), &tlv(0x04, &alg.digest(&data))]);
    let mut parts = vec![tlv(0x02, &[1]), imprint];
    if let Some(policy) = opts.str("policy")?.filter(|p| !p.is_empty()) {
        parts.push(cms::oid(policy).map_err(|_| PluginError::bad("policy is no OID"))?);
    }
    if opts.flag("nonce")? {
        let mut nonce = [0u8; 8];
        gost::Rng::from_os().fill_bytes(&mut nonce);
        nonce[0] &= 0x7F; // a positive INTEGER
        nonce[0] |= 0x01; // and minimal (no leading zero byte)
        parts.push(tlv(0x02, &nonce));
    }
    if opts.flag("cert")? {
        parts.push(tlv(0x01, &[0xFF]));
    }
    let mut extensions = Vec::new();
    for ext in opts.array("extensions")? {
        let e = ext
            .as_object()
            .ok_or_else(|| PluginError::bad("extensions: objects"))?;
        let o = crate::args::Options(e);
        let oid = o.str("oid")?.unwrap_or_default();
        if oid.is_empty() {
            continue;
        }
        let oid = cms::oid(oid).map_err(|_| PluginError::bad("extension oid"))?;
        let value = from_base64(o.str("value")?.unwrap_or_default(), "extension value")?;
        let mut fields = vec![oid];
        if o.flag("criticality")? {
            fields.push(tlv(0x01, &[0xFF]));
        }
        fields.push(tlv(0x04, &value));
        extensions.push(tlv(0x30, &fields.concat()));
    }
    if !extensions.is_empty() {
        parts.push(tlv(0xA0, &extensions.concat()));
    }
    let request = tlv(0x30, &parts.concat());
    Ok(json!(Base64::encode_string(&request)))
}

/// `verifyTsResponse(deviceId, response, request, format, {certificates, CA})`: whether the
/// response grants a time stamp for this request (imprint, nonce) signed by its TSA. The TSA's
/// signature is checked for GOST signers; another algorithm is FUNCTION_FAILED. With `CA`, the
/// TSA's certificate must be issued by one of them (else X509_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
/// as `verify` answers for a signer).
pub fn verify_response(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let args = args.at_most(5)?;
    let response = from_base64(args.str(1, "response")?, "response")?;
    let request = data_of(args, 2, 3)?;
    let opts = args.options(4)?;
    let mut pool = Vec::new();
    for text in opts.strings("certificates")? {
        pool.push(cert_from_text(text)?);
    }
    let cas = crate::verify::certificates_option(&opts, "CA")?;
    let asn1 = |e: der::Error| PluginError::asn1(e);
    let resp = der_walk::parse_exact(&response).map_err(asn1)?;
    let parts = resp.children().map_err(asn1)?;
    let status = parts
        .first()
        .ok_or_else(|| PluginError::asn1("no status"))?;
    let granted = status
        .children()
        .map_err(asn1)?
        .first()
        .is_some_and(|s| s.value == [0] || s.value == [1]);
    let Some(token) = parts.get(1).filter(|_| granted) else {
        return Ok(json!(false));
    };
    let signed = SignedData::parse(token.raw).map_err(asn1)?;
    let tst_info = signed
        .content
        .clone()
        .ok_or_else(|| PluginError::asn1("no TSTInfo"))?;
    let req = der_walk::parse_exact(&request).map_err(asn1)?;
    let req_parts = req.children().map_err(asn1)?;
    let info = der_walk::parse_exact(&tst_info).map_err(asn1)?;
    let info_parts = info.children().map_err(asn1)?;
    // TSTInfo: version, policy, messageImprint, serialNumber, genTime, [accuracy], [ordering],
    // [nonce]; the request: version, messageImprint, [policy], [nonce], ...
    let imprint_ok = req_parts.get(1).map(|t| t.raw) == info_parts.get(2).map(|t| t.raw);
    let req_nonce = req_parts
        .iter()
        .skip(2)
        .find(|t| t.tag == 0x02)
        .map(|t| t.raw);
    let info_nonce = info_parts
        .iter()
        .skip(5)
        .find(|t| t.tag == 0x02)
        .map(|t| t.raw);
    if !imprint_ok || (req_nonce.is_some() && req_nonce != info_nonce) {
        return Ok(json!(false));
    }
    for der in &signed.certificates {
        pool.push(rutoken_pki::cert::Cert::parse(der).map_err(PluginError::asn1)?);
    }
    for on_token in session.device.certificates()? {
        if let Ok(cert) = rutoken_pki::cert::Cert::parse(&on_token.der) {
            pool.push(cert);
        }
    }
    for der in &signed.signers {
        let signer = Signer::parse(der).map_err(asn1)?;
        let Some(cert) = pool.iter().find(|c| signer.is_of(c)) else {
            return Err(PluginError::new(
                ErrorCode::CertificateNotFound,
                "no TSA certificate",
            ));
        };
        if cert.public_key().is_err() {
            return Err(PluginError::new(
                ErrorCode::FunctionFailed,
                "the bridge checks GOST time-stamp signatures only",
            ));
        }
        if !signer.verify(cert, &tst_info) {
            return Ok(json!(false));
        }
        if !cas.is_empty() {
            crate::verify::issued_by_one_of(cert, &cas, "the TSA's certificate")?;
        }
    }
    Ok(json!(!signed.signers.is_empty()))
}

/// `cmsEncrypt(deviceId, certHandle, recipients, data, {base64, cipherAlgorithm})`: a base64
/// CMS EnvelopedData to every recipient certificate (KeyTransRecipientInfo, GOST R 34.10-2012
/// key transport with an ephemeral key, VKO and the CryptoPro key wrap; the content in GOST
/// 28147-89 CFB: `crate::envelope`), made on the host as the plugin makes it; OpenSSL's gost
/// engine opens it (`openssl cms -decrypt`). The sender's certificate handle is checked only:
/// key transport needs no sender key.
pub fn cms_encrypt(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let args = args.at_most(5)?;
    args.str_or_empty(1, "certificate handle")?;
    let recipients = args.strings(2, "recipients")?;
    let opts = args.options(4)?;
    let data = text_or_base64(args.str(3, "data")?, opts.flag("base64")?, "data")?;
    let cipher = opts
        .u32("cipherAlgorithm")?
        .unwrap_or(c("CIPHER_ALGORITHM_GOST28147"));
    if !crate::codes::group("CIPHER_ALGORITHM_").any(|(_, v)| v == cipher) {
        return Err(PluginError::bad(format!("cipherAlgorithm {cipher}")));
    }
    if recipients.is_empty() {
        return Err(PluginError::bad("no recipient"));
    }
    let mut certs = Vec::with_capacity(recipients.len());
    for r in recipients {
        let cert = cert_from_text(r)?;
        if cert.public_key().is_err() {
            return Err(PluginError::new(
                ErrorCode::WrongKeyType,
                "a recipient without a GOST key",
            ));
        }
        certs.push(cert.certificate().clone());
    }
    if cipher != c("CIPHER_ALGORITHM_GOST28147") {
        return Err(PluginError::new(
            ErrorCode::UnsupportedByToken,
            "GOST recipients take GOST 28147-89",
        ));
    }
    let _ = session;
    let der = crate::envelope::seal(&certs, &data, &mut gost::Rng::from_os())?;
    Ok(json!(Base64::encode_string(&der)))
}

/// `cmsDecrypt(deviceId, keyId, cms, {base64})`: the content (text, or base64 with `base64`)
/// of an EnvelopedData to the token's key pair `keyId`: the first KeyTransRecipientInfo for
/// that key's algorithm that opens on the token (VKO, unwrap and decryption on the token).
pub fn cms_decrypt(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let args = args.at_most(4)?;
    let id = from_hex(args.str(1, "keyId")?, "keyId")?;
    let cms_der = from_base64(args.str(2, "CMS")?, "CMS")?;
    let base64 = args.options(3)?.flag("base64")?;
    let info = der_walk::parse_exact(&cms_der).map_err(PluginError::asn1)?;
    let enveloped = cms::oid("1.2.840.113549.1.7.3").map_err(PluginError::asn1)?;
    if info
        .children()
        .map_err(PluginError::asn1)?
        .first()
        .map(|t| t.raw)
        != Some(&enveloped[..])
    {
        return Err(PluginError::asn1("not an EnvelopedData"));
    }
    let envelope = crate::envelope::parse(&cms_der)?;
    require_login(session)?;
    let key = find_key(session, &id)?;
    let mut last = PluginError::new(
        ErrorCode::KeyNotFound,
        "no recipient info for this key's algorithm",
    );
    for (algorithm, transport) in &envelope.recipients {
        if *algorithm != key.algorithm.oid() {
            continue;
        }
        match session.device.open_key_transport(
            &id,
            transport,
            &envelope.content,
            &envelope.ciphertext,
        ) {
            Ok(plain) => {
                return Ok(if base64 {
                    json!(Base64::encode_string(&plain))
                } else {
                    json!(String::from_utf8_lossy(&plain))
                });
            }
            // Another recipient's info does not unwrap with this key: try the next.
            Err(e) => last = e.into(),
        }
    }
    Err(last)
}

/// `derive(deviceId, keyId, publicKey, {ukm})`: the VKO key (GOST R 34.10-2012, VKO 2012-256
/// of RFC 7836 §4.3.1, as `CKM_GOSTR3410_12_DERIVE` with `CKD_KDF_GOSTR3411_2012_256` makes
/// it) of key pair `keyId` with the peer's public key (`LE(x) ‖ LE(y)`, colon hex, the size
/// of the key's) and an 8-byte UKM, colon hex: the token returns it (a non-sensitive session
/// key, `docs/assumptions.md` "VKO to the host").
pub fn derive(session: &mut Session, args: Args<'_>) -> Result<Value> {
    let args = args.at_most(4)?;
    let id = from_hex(args.str(1, "keyId")?, "keyId")?;
    let public = from_hex(args.str(2, "public key")?, "public key")?;
    let ukm = args.options(3)?.str("ukm")?.unwrap_or_default();
    let ukm = from_hex(ukm, "ukm")?;
    if ukm.len() != 8 {
        return Err(PluginError::new(ErrorCode::DataInvalid, "ukm: 8 bytes"));
    }
    require_login(session)?;
    let key = find_key(session, &id)?;
    if public.len() != key.algorithm.digest().output_len() * 2 {
        return Err(PluginError::new(
            ErrorCode::DataInvalid,
            "the public key's size does not fit the key",
        ));
    }
    match session.device.derive_key(&id, &public, &ukm) {
        Ok(value) => Ok(json!(colon_hex(&value[..]))),
        // The token's 6A80: a point off the key's curve, or a zero UKM.
        Err(DriverError::Refused {
            code: Code::Sw(StatusWord::WRONG_DATA),
            ..
        }) => Err(PluginError::new(
            ErrorCode::DataInvalid,
            "the public key is no point of the key's curve, or the UKM is zero",
        )),
        Err(e) => Err(e.into()),
    }
}
