//! GOST 28147-89 and VKO on the token: secret-key objects (`3F00/1000/1000/6003/00kk`),
//! generated or imported or unwrapped or derived there, and the operations that use them
//! (ECB, CFB, CNT, the MAC, the RFC 4357 key wraps). The commands are our model of the ECP
//! 2.0's, which are not public (`docs/assumptions.md`, "GOST 28147-89 and VKO"):
//! - CREATE FILE of an RSF of class `token.secret_key_class`, attribute 85
//!   `class code 00 AA 00 00`, 32 bytes; GENERATE `00 46 81 kk`; key import `00 24 01 00`;
//! - MSE SET `00 22 41 B8|B4|A6` with `80 alg`, `83 kk` (secret key), `84 kk` (private key),
//!   `87 iv`;
//! - PSO ENCIPHER `2A 84 80`, DECIPHER `2A 80 84`, CHECKSUM `2A 8E 80`, chained with CLA 10;
//! - GENERAL AUTHENTICATE `00 86 00 00 7C { 85 peer key, 81 UKM }` for VKO into an object, or
//!   `00 86 vko kk 7C { 85, 81, 82 (empty) }` answering `7C { 82 KEK }` for VKO to the host.

use gost::gost28147::{KeyWrap, MAC_LEN, WRAPPED_LEN};
use gost::{CipherParams, Vko};
use rutoken_apdu::{Command, tlv};
use zeroize::Zeroizing;

use crate::Client;
use crate::error::ClientError;
use crate::layout;
use crate::transport::Transport;

/// `…/6003`: where the token files secret-key objects.
pub const SECRET_KEY_DF: [u16; 3] = [0x1000, 0x1000, 0x6003];
/// Secret-key references the client uses (1 to this). Ours: one 255-byte directory's worth
/// would be more than a bank client holds at once.
pub const MAX_SECRET_KEY_REFERENCE: u8 = 64;
/// Bytes of a GOST 28147-89 key.
pub const SECRET_KEY_LEN: u16 = 32;
/// Data per chained piece: a multiple of the 8-byte block under the 255-byte short APDU limit.
const PIECE: usize = 248;

/// A secret key on the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretKey {
    /// `kk` of `…/6003/00kk`.
    pub reference: u8,
    /// The key's parameter set (S-box and meshing).
    pub params: CipherParams,
}

/// A GOST 28147-89 mode of encryption.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CipherMode {
    /// ECB: data a multiple of 8 bytes.
    Ecb,
    /// CFB with the IV (and key meshing where the set has it).
    Cfb([u8; 8]),
    /// Counter mode with the IV.
    Cnt([u8; 8]),
}

/// The profile name of a parameter set (`gost28147-A`).
fn code_name(params: CipherParams) -> &'static str {
    match params {
        CipherParams::Test => "gost28147-Test",
        CipherParams::CryptoProA => "gost28147-A",
        CipherParams::CryptoProB => "gost28147-B",
        CipherParams::CryptoProC => "gost28147-C",
        CipherParams::CryptoProD => "gost28147-D",
        CipherParams::Tc26Z => "gost28147-Z",
    }
}

/// The path of secret key `kk`.
pub fn secret_key_path(kk: u8) -> layout::Path {
    let mut path = SECRET_KEY_DF.to_vec();
    path.push(u16::from(kk));
    path
}

impl<T: Transport> Client<T> {
    fn secret_code(&self, params: CipherParams) -> Result<u8, ClientError> {
        let name = code_name(params);
        self.config()
            .gost28147_key_codes
            .get(name)
            .copied()
            .ok_or_else(|| ClientError::NoKeyCode { name: name.into() })
    }

    fn vko_ref(&self, vko: Vko) -> Result<u8, ClientError> {
        self.algorithm_ref(match vko {
            Vko::Gost2001 => "vko-2001",
            Vko::Gost2012_256 => "vko-2012-256",
            Vko::Gost2012_512 => "vko-2012-512",
        })
    }

    fn algorithm_ref(&self, name: &'static str) -> Result<u8, ClientError> {
        self.config()
            .symmetric_algorithm_refs
            .get(name)
            .copied()
            .ok_or_else(|| ClientError::NoKeyCode { name: name.into() })
    }

    /// The lowest secret-key reference with no object.
    pub fn free_secret_key_reference(&mut self) -> Result<u8, ClientError> {
        for kk in 1..=MAX_SECRET_KEY_REFERENCE {
            if self.select_path(&secret_key_path(kk))?.is_none() {
                return Ok(kk);
            }
        }
        Err(ClientError::NoFreeKeySlot {
            max: MAX_SECRET_KEY_REFERENCE,
        })
    }

    /// Creates an empty secret-key object in the first free reference (update, use and
    /// delete: the user, as a private key's).
    pub fn create_secret_key_object(
        &mut self,
        params: CipherParams,
    ) -> Result<SecretKey, ClientError> {
        let code = self.secret_code(params)?;
        let kk = self.free_secret_key_reference()?;
        let class = self.config().secret_key_class;
        self.select_path(&[layout::PKCS15_APP])?;
        // A token with no PKCS#15 application files the object from the MF just the same.
        self.create_file(&layout::rsf_fcp(
            kk,
            SECRET_KEY_LEN,
            &[class, code, 0x00, 0xAA, 0x00, 0x00],
            &layout::PRIVATE_SEC_ATTR,
        )?)?;
        Ok(SecretKey {
            reference: kk,
            params,
        })
    }

    /// Generates a secret key on the token (`00 46 81 kk`); it never leaves the token.
    pub fn generate_secret_key(&mut self, params: CipherParams) -> Result<SecretKey, ClientError> {
        let key = self.create_secret_key_object(params)?;
        let generated = self.send_ok(
            "GENERATE SECRET KEY",
            &Command::new(0x00, 0x46, 0x81, key.reference),
        );
        self.or_delete(key, generated.map(|_| ()))
    }

    /// Imports a key value (`C_CreateObject` with `CKA_VALUE`) into a new secret-key object.
    pub fn import_secret_key(
        &mut self,
        params: CipherParams,
        value: &[u8; 32],
    ) -> Result<SecretKey, ClientError> {
        let key = self.create_secret_key_object(params)?;
        let imported = (|| {
            self.select_path(&secret_key_path(key.reference))?.ok_or(
                ClientError::CreatedFileMissing {
                    fid: u16::from(key.reference),
                },
            )?;
            // `80 02 len` then `A5 len value`, as GOST private keys are imported (§4).
            let mut data = vec![0x80, 0x02, 0x00, 0x20, 0xA5, 0x20];
            data.extend_from_slice(value);
            self.send_ok(
                "IMPORT SECRET KEY",
                &Command::new(0x00, 0x24, 0x01, 0x00).data(data),
            )
            .map(|_| ())
        })();
        self.or_delete(key, imported)
    }

    /// `key`, or on failure the error with the object deleted again.
    fn or_delete(
        &mut self,
        key: SecretKey,
        done: Result<(), ClientError>,
    ) -> Result<SecretKey, ClientError> {
        match done {
            Ok(()) => Ok(key),
            Err(e) => {
                // The first error is the one to report; a failed clean-up leaves an empty
                // object that the next free-reference search skips.
                let _ = self.delete_secret_key(key.reference);
                Err(e)
            }
        }
    }

    /// Deletes secret key `kk` (select its DF, `DELETE FILE`). A missing key is not an error.
    pub fn delete_secret_key(&mut self, kk: u8) -> Result<(), ClientError> {
        if self.select_path(&SECRET_KEY_DF)?.is_some() {
            self.delete_file(u16::from(kk))?;
        }
        Ok(())
    }

    fn mse(&mut self, p2: u8, crt: &[(u8, &[u8])]) -> Result<(), ClientError> {
        let mut data = Vec::new();
        for (tag, value) in crt {
            tlv::write(&mut data, u32::from(*tag), value).map_err(ClientError::Encoding)?;
        }
        self.send_ok("MSE SET", &Command::new(0x00, 0x22, 0x41, p2).data(data))
            .map(|_| ())
    }

    /// Sends `data` through a PSO in chained pieces and joins the answers.
    fn pso_stream(
        &mut self,
        operation: &'static str,
        p1: u8,
        p2: u8,
        data: &[u8],
    ) -> Result<Vec<u8>, ClientError> {
        let pieces: Vec<&[u8]> = if data.is_empty() {
            vec![&[][..]]
        } else {
            data.chunks(PIECE).collect()
        };
        let last = pieces.len() - 1;
        let mut out = Vec::with_capacity(data.len() + 8);
        for (i, piece) in pieces.into_iter().enumerate() {
            let mut cmd = Command::new(0x00, 0x2A, p1, p2).le(256).chained(i < last);
            if !piece.is_empty() {
                cmd = cmd.data(piece.to_vec());
            }
            out.extend_from_slice(&self.send_ok(operation, &cmd)?);
        }
        Ok(out)
    }

    fn set_cipher(&mut self, key: SecretKey, mode: CipherMode) -> Result<(), ClientError> {
        let (name, iv) = match mode {
            CipherMode::Ecb => ("gost28147-ecb", None),
            CipherMode::Cfb(iv) => ("gost28147-cfb", Some(iv)),
            CipherMode::Cnt(iv) => ("gost28147-cnt", Some(iv)),
        };
        let alg = [self.algorithm_ref(name)?];
        let kk = [key.reference];
        match iv {
            Some(iv) => self.mse(0xB8, &[(0x80, &alg), (0x83, &kk), (0x87, &iv)]),
            None => self.mse(0xB8, &[(0x80, &alg), (0x83, &kk)]),
        }
    }

    /// Encrypts `data` on the token (ECB needs whole blocks; the token answers 6700 otherwise).
    pub fn encrypt(
        &mut self,
        key: SecretKey,
        mode: CipherMode,
        data: &[u8],
    ) -> Result<Vec<u8>, ClientError> {
        self.set_cipher(key, mode)?;
        self.pso_stream("PSO: ENCIPHER", 0x84, 0x80, data)
    }

    /// Decrypts `data` on the token.
    pub fn decrypt(
        &mut self,
        key: SecretKey,
        mode: CipherMode,
        data: &[u8],
    ) -> Result<Vec<u8>, ClientError> {
        self.set_cipher(key, mode)?;
        self.pso_stream("PSO: DECIPHER", 0x80, 0x84, data)
    }

    /// The 4-byte GOST 28147-89 MAC of `data` (initial state `iv`, zero when `None`).
    pub fn mac(
        &mut self,
        key: SecretKey,
        iv: Option<[u8; 8]>,
        data: &[u8],
    ) -> Result<[u8; MAC_LEN], ClientError> {
        let alg = [self.algorithm_ref("gost28147-mac")?];
        let kk = [key.reference];
        match iv {
            Some(iv) => self.mse(0xB4, &[(0x80, &alg), (0x83, &kk), (0x87, &iv)])?,
            None => self.mse(0xB4, &[(0x80, &alg), (0x83, &kk)])?,
        }
        let mac = self.pso_stream("PSO: COMPUTE CRYPTOGRAPHIC CHECKSUM", 0x8E, 0x80, data)?;
        mac.as_slice()
            .try_into()
            .map_err(|_| ClientError::WrongAnswerLength {
                operation: "PSO: COMPUTE CRYPTOGRAPHIC CHECKSUM",
                expected: MAC_LEN,
                actual: mac.len(),
            })
    }

    fn set_wrap(
        &mut self,
        kek: SecretKey,
        kind: KeyWrap,
        ukm: Option<[u8; 8]>,
    ) -> Result<(), ClientError> {
        let alg = [self.algorithm_ref(match kind {
            KeyWrap::Gost28147 => "gost28147-key-wrap",
            KeyWrap::CryptoPro => "cryptopro-key-wrap",
        })?];
        let kk = [kek.reference];
        match ukm {
            Some(ukm) => self.mse(0xB8, &[(0x80, &alg), (0x83, &kk), (0x87, &ukm)]),
            None => self.mse(0xB8, &[(0x80, &alg), (0x83, &kk)]),
        }
    }

    /// Wraps secret key `key` under `kek` (RFC 4357 §6.1 or §6.3): `UKM ‖ CEK_ENC ‖ CEK_MAC`.
    /// Without a UKM the token draws one.
    pub fn wrap_secret_key(
        &mut self,
        kek: SecretKey,
        kind: KeyWrap,
        ukm: Option<[u8; 8]>,
        key: SecretKey,
    ) -> Result<Vec<u8>, ClientError> {
        self.set_wrap(kek, kind, ukm)?;
        let wrapped = self.send_ok(
            "PSO: ENCIPHER (key wrap)",
            &Command::new(0x00, 0x2A, 0x84, 0x80)
                .data(vec![0x83, 0x01, key.reference])
                .le(256),
        )?;
        if wrapped.len() != WRAPPED_LEN {
            return Err(ClientError::WrongAnswerLength {
                operation: "PSO: ENCIPHER (key wrap)",
                expected: WRAPPED_LEN,
                actual: wrapped.len(),
            });
        }
        Ok(wrapped)
    }

    /// Unwraps `wrapped` (44 bytes) under `kek` into a new secret-key object of `params`. A
    /// MAC that does not match is the token's 6A80 ([`ClientError::UnexpectedStatus`]) and
    /// leaves no object behind.
    pub fn unwrap_secret_key(
        &mut self,
        kek: SecretKey,
        kind: KeyWrap,
        wrapped: &[u8],
        params: CipherParams,
    ) -> Result<SecretKey, ClientError> {
        let key = self.create_secret_key_object(params)?;
        let done = (|| {
            self.set_wrap(kek, kind, None)?;
            let mut data = vec![0x83, 0x01, key.reference];
            tlv::write(&mut data, 0x86, wrapped).map_err(ClientError::Encoding)?;
            self.send_ok(
                "PSO: DECIPHER (key unwrap)",
                &Command::new(0x00, 0x2A, 0x80, 0x84).data(data),
            )
            .map(|_| ())
        })();
        self.or_delete(key, done)
    }

    /// VKO of private key `kk` with the peer's public key (`LE(x) ‖ LE(y)`) and `ukm`, into a
    /// new secret-key object of `params` (RFC 4357 §5.2, RFC 7836 §4.3.1).
    pub fn derive_vko(
        &mut self,
        kk: u8,
        vko: Vko,
        peer: &[u8],
        ukm: &[u8],
        params: CipherParams,
    ) -> Result<SecretKey, ClientError> {
        let key = self.create_secret_key_object(params)?;
        let done = (|| {
            let alg = [self.vko_ref(vko)?];
            self.mse(
                0xA6,
                &[(0x80, &alg), (0x84, &[kk]), (0x83, &[key.reference])],
            )?;
            let mut inner = Vec::new();
            tlv::write(&mut inner, 0x85, peer).map_err(ClientError::Encoding)?;
            tlv::write(&mut inner, 0x81, ukm).map_err(ClientError::Encoding)?;
            let data = tlv::encode(0x7C, &inner).map_err(ClientError::Encoding)?;
            self.send_ok(
                "GENERAL AUTHENTICATE (VKO)",
                &Command::new(0x00, 0x86, 0x00, 0x00).data(data),
            )
            .map(|_| ())
        })();
        self.or_delete(key, done)
    }

    /// VKO of private key `kk` with the peer's public key and `ukm`, answered to the host: the
    /// 32-byte GOST 28147-89 key (a non-sensitive session key; the token keeps nothing).
    pub fn derive_vko_value(
        &mut self,
        kk: u8,
        vko: Vko,
        peer: &[u8],
        ukm: &[u8],
    ) -> Result<Zeroizing<[u8; 32]>, ClientError> {
        const OPERATION: &str = "GENERAL AUTHENTICATE (VKO to the host)";
        let alg = self.vko_ref(vko)?;
        let mut inner = Vec::new();
        tlv::write(&mut inner, 0x85, peer).map_err(ClientError::Encoding)?;
        tlv::write(&mut inner, 0x81, ukm).map_err(ClientError::Encoding)?;
        // An empty 82 ("response", ISO 7816-4 §11.5.5) asks for the KEK in the answer.
        tlv::write(&mut inner, 0x82, &[]).map_err(ClientError::Encoding)?;
        let data = tlv::encode(0x7C, &inner).map_err(ClientError::Encoding)?;
        let answer = Zeroizing::new(self.send_ok(
            OPERATION,
            &Command::new(0x00, 0x86, alg, kk).data(data).le(256),
        )?);
        let malformed = |reason| ClientError::MalformedAnswer {
            operation: OPERATION,
            reason,
        };
        let template = tlv::parse_one(&answer, "dynamic authentication").map_err(malformed)?;
        let kek = tlv::parse_one(template.value, "VKO response").map_err(malformed)?;
        let mut out = Zeroizing::new([0u8; 32]);
        if template.tag != 0x7C || kek.tag != 0x82 || kek.value.len() != out.len() {
            return Err(ClientError::WrongAnswerLength {
                operation: OPERATION,
                expected: out.len() + 4,
                actual: answer.len(),
            });
        }
        out.copy_from_slice(kek.value);
        Ok(out)
    }
}
