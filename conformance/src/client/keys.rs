//! Key pairs: the two RSFs, GENERATE KEY and DELETE FILE (rutoken-ecp-apdu.md §3-§4).

use crate::apdu::Command;
use crate::scenario::step::Algorithm;
use crate::tlv;

use super::{Client, ClientError};

/// Highest key reference the client uses and probes.
pub const MAX_KEY_REFERENCE: u8 = 8;
/// The key DFs: `3F00/1000/1000/6002` private, `…/6001` public (§4 CREATE FILE).
pub const PRIVATE_KEY_DF: [u16; 3] = [0x1000, 0x1000, 0x6002];
/// See [`PRIVATE_KEY_DF`].
pub const PUBLIC_KEY_DF: [u16; 3] = [0x1000, 0x1000, 0x6001];
/// Security attributes of a private-key RSF (§5: `46 00 02 02 00 00 00 02`: generate and use
/// by the user, delete by the user).
pub const PRIVATE_SEC_ATTR: [u8; 15] = [0x46, 0x00, 0x02, 0x02, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0];
/// Security attributes of a public-key RSF (§5: `46 00 02 00 00 00 00 02`).
pub const PUBLIC_SEC_ATTR: [u8; 15] = [0x46, 0x00, 0x02, 0x00, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0];

/// `…/6002/00kk`.
pub fn private_key_path(kk: u8) -> [u16; 4] {
    [
        PRIVATE_KEY_DF[0],
        PRIVATE_KEY_DF[1],
        PRIVATE_KEY_DF[2],
        u16::from(kk),
    ]
}

/// `…/6001/00kk`.
pub fn public_key_path(kk: u8) -> [u16; 4] {
    [
        PUBLIC_KEY_DF[0],
        PUBLIC_KEY_DF[1],
        PUBLIC_KEY_DF[2],
        u16::from(kk),
    ]
}

/// Attribute 85 of a key RSF: `class, code, 00, AA, 00, 00` (rutoken-ecp-apdu.md §3
/// "Attribute 85 written for RSFs": class 03 private, 13 public). The code naming the algorithm
/// and parameter set is the device profile's `token.gost_key_codes` (`docs/assumptions.md`;
/// OpenSC writes 20/30/40 for 2001 keys, the codes for 2012 keys are not public).
pub fn key_attribute(code: u8, public: bool) -> Vec<u8> {
    vec![
        if public { 0x13 } else { 0x03 },
        code,
        0x00,
        0xAA,
        0x00,
        0x00,
    ]
}

/// The profile name of a key spec, as in `token.gost_key_codes` (`gost2012-256-A`).
pub fn key_code_name(algorithm: Algorithm, param_set: &str) -> String {
    match algorithm {
        Algorithm::Gost2012_256 => format!("gost2012-256-{param_set}"),
        Algorithm::Gost2012_512 => format!("gost2012-512-{param_set}"),
    }
}

/// Sizes of the RSFs: private d, public `X‖Y` (§5: 32 / 64 for 256-bit keys).
pub fn key_sizes(algorithm: Algorithm) -> (u16, u16) {
    match algorithm {
        Algorithm::Gost2012_256 => (32, 64),
        Algorithm::Gost2012_512 => (64, 128),
    }
}

fn rsf_fcp(kk: u8, size: u16, attr85: &[u8], sec: &[u8; 15]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend(tlv::encode(0x80, &size.to_be_bytes()));
    body.extend(tlv::encode(0x82, &[0x10, 0x00]));
    body.extend(tlv::encode(0x83, &u16::from(kk).to_be_bytes()));
    body.extend(tlv::encode(0x85, attr85));
    body.extend(tlv::encode(0x86, sec));
    tlv::encode(0x6F, &body)
}

impl Client<'_> {
    /// The lowest key reference whose private RSF does not exist.
    pub fn free_key_reference(&mut self) -> Result<u8, ClientError> {
        for kk in 1..=MAX_KEY_REFERENCE {
            if self.select_path(&private_key_path(kk))?.is_none() {
                return Ok(kk);
            }
        }
        Err(ClientError::Protocol(format!(
            "all {MAX_KEY_REFERENCE} key references are used"
        )))
    }

    /// Whether the private RSF of key `kk` exists.
    pub fn key_present(&mut self, kk: u8) -> Result<bool, ClientError> {
        Ok(self.select_path(&private_key_path(kk))?.is_some())
    }

    /// Creates both RSFs of key `kk` while `5000` is current (the token files them by class,
    /// §4 CREATE FILE).
    pub fn create_key_objects(
        &mut self,
        kk: u8,
        algorithm: Algorithm,
        param_set: &str,
    ) -> Result<(), ClientError> {
        let (private_size, public_size) = key_sizes(algorithm);
        let name = key_code_name(algorithm, param_set);
        let code = *self.key_codes.get(&name).ok_or_else(|| {
            ClientError::Protocol(format!("the device profile has no key code for {name}"))
        })?;
        self.select_path(&[super::files::PKCS15_APP])?;
        let private = rsf_fcp(
            kk,
            private_size,
            &key_attribute(code, false),
            &PRIVATE_SEC_ATTR,
        );
        self.create_file(&format!("private key {kk:02X}"), &private)?;
        let public = rsf_fcp(
            kk,
            public_size,
            &key_attribute(code, true),
            &PUBLIC_SEC_ATTR,
        );
        self.create_file(&format!("public key {kk:02X}"), &public)
    }

    /// Creates the key objects, then `GENERATE KEY 00 46 80 kk 00`. Returns the public key
    /// `LE(x) ‖ LE(y)`.
    pub fn generate_key(
        &mut self,
        kk: u8,
        algorithm: Algorithm,
        param_set: &str,
    ) -> Result<Vec<u8>, ClientError> {
        self.create_key_objects(kk, algorithm, param_set)?;
        let (_, public_size) = key_sizes(algorithm);
        let q = self.send_ok(
            format!("GENERATE KEY {kk:02X}"),
            &Command::new(0x00, 0x46, 0x80, kk).le(0),
        )?;
        if q.len() != usize::from(public_size) {
            return Err(ClientError::Protocol(format!(
                "GENERATE KEY answered {} bytes, expected {public_size}",
                q.len()
            )));
        }
        Ok(q)
    }

    /// Deletes both RSFs of key `kk` (§6 list 11: select, then `DELETE FILE` in its DF).
    /// A missing RSF is not an error (a half-created pair is cleaned up too).
    pub fn delete_key(&mut self, kk: u8) -> Result<(), ClientError> {
        for df in [PUBLIC_KEY_DF, PRIVATE_KEY_DF] {
            if self.select_path(&df)?.is_none() {
                continue;
            }
            let sw = self.delete_file(u16::from(kk))?;
            if sw != 0x9000 && sw != crate::apdu::SW_FILE_NOT_FOUND {
                return Err(ClientError::Status {
                    what: format!("DELETE FILE {kk:04X}"),
                    sw,
                });
            }
        }
        Ok(())
    }
}
