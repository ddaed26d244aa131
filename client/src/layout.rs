//! The token's file layout, in one place: where the key objects, the PKCS#15 application and
//! its directory files live, and the FCPs the client creates them with
//! (`rutoken-ecp-apdu.md` §3-§5, OpenSC's `rutoken_ecp.profile`). [`pkcs15`] holds the PKCS#15
//! entries written into those files.

pub mod pkcs15;

use rutoken_apdu::tlv;

use crate::error::ClientError;

/// A path from the MF, as FIDs below `3F00`.
pub type Path = Vec<u16>;

/// The MF.
pub const MF: u16 = 0x3F00;
/// The PKCS#15 application DF (§5: `3F00/5000`).
pub const PKCS15_APP: u16 = 0x5000;
/// The ODF (§5: `5000/5031`).
pub const ODF: u16 = 0x5031;
/// The PrKDF, private-key directory (§5: `5000/6002`).
pub const PRKDF: u16 = 0x6002;
/// The PuKDF, public-key directory (§5: `5000/6001`).
pub const PUKDF: u16 = 0x6001;
/// The CDF, certificate directory (§5: `5000/6004`).
pub const CDF: u16 = 0x6004;
/// The DODF, data-object directory (OpenSC `rutoken_ecp.profile`: `PKCS15-DODF`, `6006`,
/// `dodf-size` 2048).
pub const DODF: u16 = 0x6006;
/// Size of a directory file the client creates (§5: PrKDF, PuKDF, CDF are 2048 bytes).
pub const DIRECTORY_SIZE: u16 = 2048;
/// First FID of public-key EFs (§5: `5000/0200…`, OpenSC's `public-key` template).
pub const FIRST_PUBLIC_KEY_FID: u16 = 0x0200;
/// First FID of certificate EFs (§5: `5000/0300…`).
pub const FIRST_CERT_FID: u16 = 0x0300;
/// First FID of public data-object EFs (`rutoken_ecp.profile` template `data`: `0400`).
pub const FIRST_DATA_FID: u16 = 0x0400;
/// First FID of private data-object EFs (`rutoken_ecp.profile` template `privdata`: `0500`).
pub const FIRST_PRIVATE_DATA_FID: u16 = 0x0500;
/// How many FIDs of each range the client probes for a free one.
pub const FID_RANGE: u16 = 32;
/// Highest key reference the client uses and probes.
pub const MAX_KEY_REFERENCE: u8 = 8;
/// The key DFs: `3F00/1000/1000/6002` private, `…/6001` public (§4 CREATE FILE).
pub const PRIVATE_KEY_DF: [u16; 3] = [0x1000, 0x1000, 0x6002];
/// See [`PRIVATE_KEY_DF`].
pub const PUBLIC_KEY_DF: [u16; 3] = [0x1000, 0x1000, 0x6001];
/// Max data per UPDATE BINARY (§2: max_send_size 255).
pub const MAX_PIECE: usize = 255;
/// Security attributes of an EF the user writes (§5: `43 00 02 … 02`: read always, update
/// and delete by the user).
pub const USER_EF_SEC_ATTR: [u8; 15] = [0x43, 0x00, 0x02, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0];
/// Security attributes of a private data object's EF: as [`USER_EF_SEC_ATTR`] but read by the
/// user only (`rutoken_ecp.profile` template `privdata`: `READ=$PIN`; §3 byte 1 = read).
pub const PRIVATE_EF_SEC_ATTR: [u8; 15] = [0x43, 0x02, 0x02, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0];
/// Security attributes of a private-key RSF (§5: `46 00 02 02 00 00 00 02`: generate and use
/// by the user, delete by the user).
pub const PRIVATE_SEC_ATTR: [u8; 15] = [0x46, 0x00, 0x02, 0x02, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0];
/// Security attributes of a public-key RSF (§5: `46 00 02 00 00 00 00 02`).
pub const PUBLIC_SEC_ATTR: [u8; 15] = [0x46, 0x00, 0x02, 0x00, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0];
/// Attribute-85 class byte of a GOST private key RSF (§3).
pub const CLASS_PRIVATE: u8 = 0x03;
/// Attribute-85 class byte of a GOST public key RSF (§3).
pub const CLASS_PUBLIC: u8 = 0x13;

/// `3F00/1000/1000/6002/00kk`, below the MF.
pub fn private_key_path(kk: u8) -> Path {
    let [a, b, c] = PRIVATE_KEY_DF;
    vec![a, b, c, u16::from(kk)]
}

/// `3F00/1000/1000/6001/00kk`, below the MF.
pub fn public_key_path(kk: u8) -> Path {
    let [a, b, c] = PUBLIC_KEY_DF;
    vec![a, b, c, u16::from(kk)]
}

/// A file of the PKCS#15 application, below the MF.
pub fn app_path(fid: u16) -> Path {
    vec![PKCS15_APP, fid]
}

/// The path bytes as PKCS#15 writes them, from the MF: `3F 00 50 00 …`.
pub fn absolute_path_bytes(path: &[u16]) -> Vec<u8> {
    std::iter::once(MF)
        .chain(path.iter().copied())
        .flat_map(u16::to_be_bytes)
        .collect()
}

/// The FIDs of a PKCS#15 path below the MF (`3F00 5000 6004` → `[5000, 6004]`); a path
/// relative to the application DF (one FID, OpenSC also writes those) gets `5000` in front.
pub fn path_from_bytes(bytes: &[u8]) -> Path {
    let mut fids: Path = bytes
        .chunks_exact(2)
        .map(|c| match c {
            [hi, lo] => u16::from_be_bytes([*hi, *lo]),
            _ => 0,
        })
        .skip_while(|&f| f == MF)
        .collect();
    if fids.len() == 1 {
        fids.insert(0, PKCS15_APP);
    }
    fids
}

/// Attribute 85 of a key RSF: `class, code, 00, AA, 00, 00` (§3 "Attribute 85 written for
/// RSFs"). The code naming the algorithm and parameter set is the device profile's
/// `token.gost_key_codes` (`docs/assumptions.md`).
pub fn key_attribute(code: u8, public: bool) -> [u8; 6] {
    let class = if public { CLASS_PUBLIC } else { CLASS_PRIVATE };
    [class, code, 0x00, 0xAA, 0x00, 0x00]
}

/// The device profile's name of a key type (`gost2012-256-A`; `gost2001-A` for a GOST R
/// 34.10-2001 key on a CryptoPro curve, `token.gost_key_codes`).
pub fn key_code_name(algorithm: gost::KeyAlgorithm, param_set: gost::ParamSet) -> String {
    match (algorithm, cryptopro_letter(param_set)) {
        (gost::KeyAlgorithm::Gost2001, Some(letter)) => format!("gost2001-{letter}"),
        _ => format!("gost2012-{}", param_set.name()),
    }
}

/// The CryptoPro letter of a curve (`A` for 1.2.643.2.2.35.1, RFC 4357 §11.4), `None` for a
/// curve with no CryptoPro name.
pub fn cryptopro_letter(param_set: gost::ParamSet) -> Option<char> {
    match param_set {
        gost::ParamSet::Gost256B => Some('A'),
        gost::ParamSet::Gost256C => Some('B'),
        gost::ParamSet::Gost256D => Some('C'),
        _ => None,
    }
}

/// Sizes of a key pair's RSFs: private d, public `X‖Y` (§5: 32 / 64 for 256-bit keys).
pub fn key_sizes(param_set: gost::ParamSet) -> Result<(u16, u16), ClientError> {
    let scalar = param_set.scalar_len();
    let private = u16::try_from(scalar).map_err(|_| ClientError::TooLarge {
        what: "a private key",
        len: scalar,
    })?;
    Ok((private, private.saturating_mul(2)))
}

/// The FCP of a key RSF for CREATE FILE (§4 CREATE FILE: `82 = 10 00`).
pub fn rsf_fcp(kk: u8, size: u16, attr85: &[u8], sec: &[u8; 15]) -> Result<Vec<u8>, ClientError> {
    let mut body = Vec::new();
    let enc = ClientError::Encoding;
    tlv::write(&mut body, 0x80, &size.to_be_bytes()).map_err(enc)?;
    tlv::write(&mut body, 0x82, &[0x10, 0x00]).map_err(enc)?;
    tlv::write(&mut body, 0x83, &u16::from(kk).to_be_bytes()).map_err(enc)?;
    tlv::write(&mut body, 0x85, attr85).map_err(enc)?;
    tlv::write(&mut body, 0x86, sec).map_err(enc)?;
    tlv::encode(0x6F, &body).map_err(enc)
}

/// The FCP of a transparent EF for CREATE FILE (§4 CREATE FILE, §5 certificate rows).
pub fn ef_fcp(fid: u16, size: u16) -> Result<Vec<u8>, ClientError> {
    ef_fcp_with(fid, size, &USER_EF_SEC_ATTR)
}

/// [`ef_fcp`] with other security attributes.
pub fn ef_fcp_with(fid: u16, size: u16, sec: &[u8; 15]) -> Result<Vec<u8>, ClientError> {
    let mut body = Vec::new();
    let enc = ClientError::Encoding;
    tlv::write(&mut body, 0x80, &size.to_be_bytes()).map_err(enc)?;
    tlv::write(&mut body, 0x82, &[0x01, 0x00]).map_err(enc)?;
    tlv::write(&mut body, 0x83, &fid.to_be_bytes()).map_err(enc)?;
    tlv::write(&mut body, 0x86, sec).map_err(enc)?;
    tlv::encode(0x6F, &body).map_err(enc)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(
            absolute_path_bytes(&[PKCS15_APP, CDF]),
            vec![0x3F, 0x00, 0x50, 0x00, 0x60, 0x04]
        );
        assert_eq!(
            path_from_bytes(&[0x3F, 0x00, 0x50, 0x00, 0x60, 0x04]),
            vec![0x5000, 0x6004]
        );
        assert_eq!(path_from_bytes(&[0x60, 0x04]), vec![0x5000, 0x6004]);
        assert_eq!(private_key_path(2), vec![0x1000, 0x1000, 0x6002, 0x0002]);
    }

    #[test]
    fn fcps() {
        let fcp = ef_fcp(0x0301, 700).unwrap();
        let t = tlv::parse_one(&fcp, "FCP").unwrap();
        assert_eq!(t.tag, 0x6F);
        assert_eq!(tlv::find(t.value, 0x80).unwrap(), Some(&[0x02, 0xBC][..]));
        let rsf = rsf_fcp(1, 64, &key_attribute(0x11, true), &PUBLIC_SEC_ATTR).unwrap();
        let t = tlv::parse_one(&rsf, "FCP").unwrap();
        assert_eq!(
            tlv::find(t.value, 0x85).unwrap(),
            Some(&[0x13, 0x11, 0, 0xAA, 0, 0][..])
        );
    }
}
