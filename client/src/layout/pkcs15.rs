//! PKCS#15 directory entries (PKCS#15 v1.1 §6), in the shapes OpenSC 0.23's pkcs15-init writes
//! for a Rutoken ECP (`rutoken-ecp-apdu.md` §5, traces 06_genkey and 14_storecert; the
//! simulator's personalised fixture writes the same), and the object ID rule.

use rutoken_apdu::{ApduError, tlv};
use sha1::{Digest, Sha1};

/// Object flags `private, modifiable` (BIT STRING `06 C0`, PKCS#15 `CommonObjectFlags`).
const FLAGS_PRIVATE: [u8; 4] = [0x03, 0x02, 0x06, 0xC0];
/// Object flags `modifiable` (`06 40`).
const FLAGS_MODIFIABLE: [u8; 4] = [0x03, 0x02, 0x06, 0x40];
/// The user PIN's authId (its AODF entry's ID `02`).
const AUTH_ID_USER: [u8; 3] = [0x04, 0x01, 0x02];
/// Private-key usage as trace 06_genkey writes it (BIT STRING `05 20`: PKCS#15 `KeyUsageFlags`
/// bit 2, `sign`).
const PRIVATE_USAGE_SIGN: [u8; 4] = [0x03, 0x02, 0x05, 0x20];
/// Private-key usage of a key that also agrees keys: `sign` and `derive` (bit 8, PKCS#15 v1.1
/// §6.1.9 `KeyUsageFlags`): the Rutoken Plugin's `KEY_SPEC_SIGN_AND_EXCHANGE` (our choice of
/// encoding, `docs/assumptions.md`).
const PRIVATE_USAGE_SIGN_DERIVE: [u8; 5] = [0x03, 0x03, 0x07, 0x20, 0x80];
/// Private-key access flags `sensitive, alwaysSensitive, neverExtractable, local` as trace
/// 06_genkey writes them.
const PRIVATE_ACCESS: [u8; 4] = [0x03, 0x02, 0x03, 0xB8];
/// Public-key usage `verify`, `native FALSE`, key reference 0, as trace 06_genkey writes them.
const PUBLIC_USAGE: [u8; 10] = [0x03, 0x02, 0x01, 0x02, 0x01, 0x01, 0x00, 0x02, 0x01, 0x00];
/// ODF choice tags (PKCS#15 v1.1 §6.2, `PKCS15Objects`).
pub const ODF_PRIVATE_KEYS: u32 = 0xA0;
/// See [`ODF_PRIVATE_KEYS`].
pub const ODF_PUBLIC_KEYS: u32 = 0xA1;
/// See [`ODF_PRIVATE_KEYS`].
pub const ODF_CERTIFICATES: u32 = 0xA4;
/// See [`ODF_PRIVATE_KEYS`] (`dataObjects [7]`).
pub const ODF_DATA_OBJECTS: u32 = 0xA7;
/// Choice tag of an opaque data object in a DODF (`opaqueDO`, a SEQUENCE; OpenSC
/// `pkcs15-data.c`).
pub const DATA_OBJECT_TAG: u32 = 0x30;
/// Choice tag of a GOST R 34.10 key in a PrKDF or PuKDF (OpenSC `privateGOSTR3410Key [4]`,
/// `publicGOSTR3410Key [4]`).
pub const GOST_KEY_TAG: u32 = 0xA4;
/// Choice tag of an X.509 certificate in a CDF (`x509Certificate`, a SEQUENCE).
pub const X509_CERTIFICATE_TAG: u32 = 0x30;

/// The PKCS#15 ID of a GOST key pair and of its certificate, as OpenSC's pkcs15-init computes
/// it: `select_intrinsic_id` switches GOST keys to the RFC 2459 style, the SHA-1 of
/// `sc_pkcs15_encode_pubkey`, which for GOST is the DER OCTET STRING of the public key bytes
/// (`LE(x) ‖ LE(y)` exactly as GENERATE KEY answers them, `card-rtecp.c` copies them as they
/// are).
pub fn object_id(public_key: &[u8]) -> Result<[u8; 20], ApduError> {
    let encoded = tlv::encode(0x04, public_key)?;
    Ok(Sha1::digest(&encoded).into())
}

/// The `params_r3410` number OpenSC writes in GOST key attributes: the parameter set's letter
/// counted from 1 (`A` = 1; the fixture's key is 256-A and writes `02 01 01`); a GOST R
/// 34.10-2001 key counts its CryptoPro letter (trace 11_kpg2001: CryptoPro A writes `02 01 01`).
pub fn gost_param_number(algorithm: gost::KeyAlgorithm, param_set: gost::ParamSet) -> u8 {
    let letter = match (algorithm, crate::layout::cryptopro_letter(param_set)) {
        (gost::KeyAlgorithm::Gost2001, Some(letter)) => Some(letter),
        _ => param_set.name().chars().last(),
    };
    match letter {
        Some('B') => 2,
        Some('C') => 3,
        Some('D') => 4,
        _ => 1,
    }
}

fn gost_params(algorithm: gost::KeyAlgorithm, param_set: gost::ParamSet) -> [u8; 9] {
    [
        0x02,
        0x01,
        gost_param_number(algorithm, param_set),
        0x02,
        0x01,
        0x00,
        0x02,
        0x01,
        0x00,
    ]
}

fn path_object(path: &[u8]) -> Result<Vec<u8>, ApduError> {
    tlv::encode(0x30, &tlv::encode(0x04, path)?)
}

fn common_attributes(label: &str, flags: &[u8], auth_id: &[u8]) -> Result<Vec<u8>, ApduError> {
    let mut body = tlv::encode(0x0C, label.as_bytes())?;
    body.extend_from_slice(flags);
    body.extend_from_slice(auth_id);
    tlv::encode(0x30, &body)
}

/// A PrKDF entry for the private key `kk` at `path` (from the MF); `derive` adds the `derive`
/// usage (a key made for key agreement too).
pub fn private_key_entry(
    label: &str,
    id: &[u8],
    kk: u8,
    path: &[u8],
    algorithm: gost::KeyAlgorithm,
    param_set: gost::ParamSet,
    derive: bool,
) -> Result<Vec<u8>, ApduError> {
    let common = common_attributes(label, &FLAGS_PRIVATE, &AUTH_ID_USER)?;
    let mut key = tlv::encode(0x04, id)?;
    if derive {
        key.extend_from_slice(&PRIVATE_USAGE_SIGN_DERIVE);
    } else {
        key.extend_from_slice(&PRIVATE_USAGE_SIGN);
    }
    key.extend_from_slice(&PRIVATE_ACCESS);
    tlv::write(&mut key, 0x02, &[kk])?;
    let typed = [
        path_object(path)?,
        gost_params(algorithm, param_set).to_vec(),
    ]
    .concat();
    let typed = tlv::encode(0xA1, &tlv::encode(0x30, &typed)?)?;
    tlv::encode(
        GOST_KEY_TAG,
        &[common, tlv::encode(0x30, &key)?, typed].concat(),
    )
}

/// A PuKDF entry for a public key stored in the EF at `path` (from the MF).
pub fn public_key_entry(
    label: &str,
    id: &[u8],
    path: &[u8],
    algorithm: gost::KeyAlgorithm,
    param_set: gost::ParamSet,
) -> Result<Vec<u8>, ApduError> {
    let common = common_attributes(label, &FLAGS_MODIFIABLE, &[])?;
    let mut key = tlv::encode(0x04, id)?;
    key.extend_from_slice(&PUBLIC_USAGE);
    let typed = [
        path_object(path)?,
        gost_params(algorithm, param_set).to_vec(),
    ]
    .concat();
    let typed = tlv::encode(0xA1, &tlv::encode(0x30, &typed)?)?;
    tlv::encode(
        GOST_KEY_TAG,
        &[common, tlv::encode(0x30, &key)?, typed].concat(),
    )
}

/// A CDF entry (x509Certificate) for the certificate at `path` (from the MF).
pub fn certificate_entry(label: &str, id: &[u8], path: &[u8]) -> Result<Vec<u8>, ApduError> {
    let common = common_attributes(label, &FLAGS_MODIFIABLE, &[])?;
    let cert = tlv::encode(0x30, &tlv::encode(0x04, id)?)?;
    let typed = tlv::encode(0xA1, &tlv::encode(0x30, &path_object(path)?)?)?;
    tlv::encode(X509_CERTIFICATE_TAG, &[common, cert, typed].concat())
}

/// A DODF entry (opaqueDO, PKCS#15 v1.1 §6.7; OpenSC `sc_pkcs15_encode_dodf_entry`): common
/// attributes (label; a private object carries the flags `private, modifiable` and the user
/// PIN's authId, as pkcs15-init writes them), `CommonDataObjectAttributes` (applicationName,
/// applicationOID — `oid` is its DER, `06 len body`, as PKCS#11's `CKA_OBJECT_ID` holds it),
/// then `[1] { Path }` of the EF holding the value.
pub fn data_object_entry(
    label: &str,
    application: &str,
    oid: Option<&[u8]>,
    path: &[u8],
    private: bool,
) -> Result<Vec<u8>, ApduError> {
    let common = if private {
        common_attributes(label, &FLAGS_PRIVATE, &AUTH_ID_USER)?
    } else {
        common_attributes(label, &FLAGS_MODIFIABLE, &[])?
    };
    let mut class = Vec::new();
    if !application.is_empty() {
        tlv::write(&mut class, 0x0C, application.as_bytes())?;
    }
    if let Some(oid) = oid {
        // One whole TLV (the caller checks it is an OBJECT IDENTIFIER).
        tlv::parse_one(oid, "applicationOID")?;
        class.extend_from_slice(oid);
    }
    let typed = tlv::encode(0xA1, &path_object(path)?)?;
    tlv::encode(
        DATA_OBJECT_TAG,
        &[common, tlv::encode(0x30, &class)?, typed].concat(),
    )
}

/// An ODF entry pointing to a directory file at `path` (from the MF).
pub fn odf_entry(tag: u32, path: &[u8]) -> Result<Vec<u8>, ApduError> {
    tlv::encode(tag, &path_object(path)?)
}

/// The public key EF's content: the key as a DER OCTET STRING (the fixture's `5000/0200`).
pub fn public_key_file(public_key: &[u8]) -> Result<Vec<u8>, ApduError> {
    tlv::encode(0x04, public_key)
}

/// What the client reads from a PrKDF, PuKDF or CDF entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entry {
    /// The choice tag (`A4` GOST key, `30` certificate).
    pub tag: u32,
    /// The label (common object attributes).
    pub label: String,
    /// The iD (first OCTET STRING of the class attributes).
    pub id: Vec<u8>,
    /// The key reference (PrKDF entries).
    pub key_reference: Option<u8>,
    /// The path bytes, from the MF or relative to the application.
    pub path: Vec<u8>,
    /// Whether the common object flags say `private` (a DODF entry's value needs a login).
    pub private: bool,
    /// A DODF entry's applicationName.
    pub application: String,
    /// A DODF entry's applicationOID, DER (`06 len body`).
    pub oid: Option<Vec<u8>>,
    /// A key entry's usage includes `derive` (`KeyUsageFlags` bit 8).
    pub derive: bool,
}

/// Reads one entry; `value` is the content of its choice tag.
pub fn parse_entry(tag: u32, value: &[u8]) -> Result<Entry, ApduError> {
    let parts = tlv::children(value)?;
    let mut entry = Entry {
        tag,
        ..Entry::default()
    };
    if let Some(common) = parts.first() {
        if let Some(label) = tlv::find(common.value, 0x0C)? {
            entry.label = String::from_utf8_lossy(label).into_owned();
        }
        // CommonObjectFlags: BIT STRING, bit 0 (the first byte's top bit) is `private`.
        if let Some(flags) = tlv::find(common.value, 0x03)? {
            entry.private = flags.get(1).is_some_and(|b| b & 0x80 != 0);
        }
    }
    if let Some(class) = parts.get(1) {
        let mut usage_read = false;
        for t in tlv::iter(class.value) {
            let t = t?;
            match t.tag {
                // The first BIT STRING of a key's class attributes is its usage: bit 8 is the
                // second content byte's top bit (after the unused-bits count).
                0x03 if !usage_read => {
                    usage_read = true;
                    entry.derive = t.value.get(2).is_some_and(|b| b & 0x80 != 0);
                }
                0x04 if entry.id.is_empty() => entry.id = t.value.to_vec(),
                0x02 => entry.key_reference = t.value.last().copied(),
                0x0C => entry.application = String::from_utf8_lossy(t.value).into_owned(),
                0x06 => entry.oid = Some(tlv::encode(0x06, t.value)?),
                _ => {}
            }
        }
    }
    let typed = parts
        .iter()
        .find(|p| p.tag == 0xA1)
        .ok_or(ApduError::MissingData {
            what: "PKCS#15 typed attributes [1]",
            needed: 1,
            available: 0,
        })?;
    let inner = tlv::find(typed.value, 0x30)?.ok_or(ApduError::MissingData {
        what: "PKCS#15 typed attributes",
        needed: 1,
        available: 0,
    })?;
    // Certificates and keys nest the Path in their typed attributes' SEQUENCE; a data
    // object's typed attributes are the Path itself (OpenSC `c_asn1_type_data_attr`).
    let path = match tlv::find(inner, 0x30)? {
        Some(path) => path,
        None if tlv::find(inner, 0x04)?.is_some() => inner,
        None => {
            return Err(ApduError::MissingData {
                what: "PKCS#15 Path",
                needed: 1,
                available: 0,
            });
        }
    };
    entry.path = tlv::find(path, 0x04)?
        .ok_or(ApduError::MissingData {
            what: "PKCS#15 path OCTET STRING",
            needed: 1,
            available: 0,
        })?
        .to_vec();
    Ok(entry)
}

/// Every entry of a directory file (up to its padding).
pub fn parse_directory(bytes: &[u8]) -> Result<Vec<Entry>, ApduError> {
    tlv::iter(bytes)
        .map(|t| t.and_then(|t| parse_entry(t.tag, t.value)))
        .collect()
}

/// The ODF entry's path for `tag`, if there is one.
pub fn odf_path(odf: &[u8], tag: u32) -> Result<Option<Vec<u8>>, ApduError> {
    let Some(entry) = tlv::find(odf, tag)? else {
        return Ok(None);
    };
    let Some(path) = tlv::find(entry, 0x30)? else {
        return Ok(None);
    };
    Ok(tlv::find(path, 0x04)?.map(<[u8]>::to_vec))
}

/// The directory file's used part without the entries `remove` selects, zero-padded to the
/// old used length (so one UPDATE BINARY from offset 0 rewrites it).
pub fn without_entries(
    bytes: &[u8],
    remove: &dyn Fn(&Entry) -> bool,
) -> Result<(Vec<u8>, usize), ApduError> {
    let mut kept = Vec::new();
    let mut used = 0;
    let mut removed = 0;
    for t in tlv::iter(bytes) {
        let t = t?;
        used += t.encoded_len;
        let entry = parse_entry(t.tag, t.value)?;
        if remove(&entry) {
            removed += 1;
        } else {
            tlv::write(&mut kept, t.tag, t.value)?;
        }
    }
    kept.resize(used, 0);
    Ok((kept, removed))
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    const Q: [u8; 64] = [0x5A; 64];

    #[test]
    fn the_id_is_the_sha1_of_the_octet_string() {
        // SHA-1 of 04 40 5A…5A, computed independently with `printf` and `sha1sum`:
        // (printf '\x04\x40'; head -c 64 /dev/zero | tr '\0' 'Z') | sha1sum
        let id = object_id(&Q).unwrap();
        assert_eq!(hex(&id), EXPECTED_ID);
        assert_ne!(object_id(&[0x5B; 64]).unwrap(), id);
    }

    /// See `the_id_is_the_sha1_of_the_octet_string`.
    const EXPECTED_ID: &str = "f6d11d8a1cbf13f67f6504ac0a5f33dba1123d5d";

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn gost2001_keys_count_their_cryptopro_letter() {
        // Trace 11_kpg2001: a 2001 key on CryptoPro A (tc26 256-B's curve) writes `02 01 01`;
        // the same curve as a 2012 key is 256-B, `02 01 02`.
        let curve = gost::ParamSet::from_name("cryptopro-a").unwrap();
        assert_eq!(gost_param_number(gost::KeyAlgorithm::Gost2001, curve), 1);
        assert_eq!(
            gost_param_number(gost::KeyAlgorithm::Gost2012_256, curve),
            2
        );
        let c = gost::ParamSet::from_name("cryptopro-c").unwrap();
        assert_eq!(gost_param_number(gost::KeyAlgorithm::Gost2001, c), 3);
    }

    #[test]
    fn data_object_entries_round_trip() {
        // id-data 1.2.840.113549.1.7.1, DER.
        let oid = [
            0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01,
        ];
        let path = [0x3F, 0x00, 0x50, 0x00, 0x04, 0x00];
        let e = data_object_entry("заметка", "app", Some(&oid), &path, true).unwrap();
        // The shape OpenSC's DODF decoder reads: SEQUENCE { common, class SEQUENCE, [1] Path }.
        let t = tlv::parse_one(&e, "DODF entry").unwrap();
        assert_eq!(t.tag, DATA_OBJECT_TAG);
        let parts = tlv::children(t.value).unwrap();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[2].value, path_object(&path).unwrap());
        let parsed = parse_entry(t.tag, t.value).unwrap();
        assert_eq!(parsed.label, "заметка");
        assert_eq!(parsed.application, "app");
        assert_eq!(parsed.oid.as_deref(), Some(&oid[..]));
        assert_eq!(parsed.path, path.to_vec());
        assert!(parsed.private);
        let public = data_object_entry("", "", None, &path, false).unwrap();
        let t = tlv::parse_one(&public, "DODF entry").unwrap();
        let parsed = parse_entry(t.tag, t.value).unwrap();
        assert!(!parsed.private && parsed.oid.is_none() && parsed.application.is_empty());
        assert!(data_object_entry("x", "", Some(&[0x06, 0x05, 0x2A]), &path, false).is_err());
    }

    #[test]
    fn entries_round_trip() {
        let id = object_id(&Q).unwrap();
        let p = [0x3F, 0x00, 0x10, 0x00, 0x10, 0x00, 0x60, 0x02, 0x00, 0x02];
        let set = gost::ParamSet::from_name("256-A").unwrap();
        let alg = gost::KeyAlgorithm::Gost2012_256;
        let e = private_key_entry("Ключ", &id, 2, &p, alg, set, false).unwrap();
        let t = tlv::parse_one(&e, "PrKDF entry").unwrap();
        let parsed = parse_entry(t.tag, t.value).unwrap();
        assert_eq!(parsed.tag, GOST_KEY_TAG);
        assert_eq!(parsed.label, "Ключ");
        assert_eq!(parsed.id, id.to_vec());
        assert_eq!(parsed.key_reference, Some(2));
        assert_eq!(parsed.path, p.to_vec());
        assert!(!parsed.derive);
        let exchange = private_key_entry("Ключ", &id, 2, &p, alg, set, true).unwrap();
        let t = tlv::parse_one(&exchange, "PrKDF entry").unwrap();
        let parsed = parse_entry(t.tag, t.value).unwrap();
        assert!(parsed.derive);
        assert_eq!((parsed.key_reference, parsed.id), (Some(2), id.to_vec()));

        let c = certificate_entry("Иванов", &id, &[0x3F, 0x00, 0x50, 0x00, 0x03, 0x01]).unwrap();
        let pk =
            public_key_entry("Ключ", &id, &[0x3F, 0x00, 0x50, 0x00, 0x02, 0x01], alg, set).unwrap();
        let mut dir = [c.clone(), pk].concat();
        dir.resize(300, 0);
        let all = parse_directory(&dir).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].label, "Иванов");
        assert_eq!(all[1].path, vec![0x3F, 0x00, 0x50, 0x00, 0x02, 0x01]);

        let (rest, removed) = without_entries(&dir, &|e| e.tag == X509_CERTIFICATE_TAG).unwrap();
        assert_eq!(removed, 1);
        let left = parse_directory(&rest).unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].tag, GOST_KEY_TAG);
        assert_eq!(rest.len(), tlv::used_len(&dir).unwrap());
    }

    #[test]
    fn odf_paths() {
        let odf = [
            odf_entry(ODF_PRIVATE_KEYS, &[0x3F, 0x00, 0x50, 0x00, 0x60, 0x02]).unwrap(),
            odf_entry(ODF_CERTIFICATES, &[0x60, 0x04]).unwrap(),
        ]
        .concat();
        assert_eq!(
            odf_path(&odf, ODF_CERTIFICATES).unwrap(),
            Some(vec![0x60, 0x04])
        );
        assert_eq!(odf_path(&odf, ODF_PUBLIC_KEYS).unwrap(), None);
    }
}
