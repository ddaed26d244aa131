//! GOST 28147-89 on the token: secret-key objects (`…/6003/00kk`), GENERATE `46 81 kk`, key
//! import into them, MSE SET of a CT (`B8`) or CCT (`B4`) with a secret key (tag 83), and the
//! PSOs that use it: ENCIPHER `2A 84 80`, DECIPHER `2A 80 84` (ECB, CFB, CNT; the key wraps of
//! RFC 4357 §6) and COMPUTE CRYPTOGRAPHIC CHECKSUM `2A 8E 80` (the MAC). The ECP 2.0's commands
//! for these are not public: the shapes follow ISO 7816-4/-8 and the token's other commands, and
//! every one is a row of `docs/assumptions.md` ("GOST 28147-89 and VKO").

use gost::CipherParams;
use gost::gost28147::{self, Cfb, Cnt, Direction, KeyWrap, Mac, UKM_LEN, ecb_decrypt, ecb_encrypt};
use rutoken_apdu::StatusWord;
use rutoken_apdu::codec::Reader;
use rutoken_apdu::tlv;
use zeroize::Zeroizing;

use crate::token::Token;
use crate::token::access::Op;
use crate::token::fcp::CreateRequest;
use crate::token::fs::{Body, SECRET_KEY_DF};
use crate::token::key::KeyObject;
use crate::token::operand::{Crt, Piece, SymmetricTemplate};
use crate::token::secret::Secret;
use crate::token::status::CardResult;
use crate::token::symmetric::{
    Algorithm, Pso, Running, SECRET_KEY_LEN, SymmetricSe, params_of_code,
};

impl Token {
    /// The secret-key object `…/6003/00kk`: its parameter set, its material (once generated or
    /// imported) and its security attribute.
    pub(super) fn secret_key(
        &self,
        reference: u8,
    ) -> CardResult<(CipherParams, Option<&Secret>, &[u8; 15])> {
        let node = self
            .system_object(&SECRET_KEY_DF, u16::from(reference))
            .ok_or(StatusWord::REF_NOT_FOUND)?;
        let Body::Key(key) = &node.body else {
            return Err(StatusWord::REF_NOT_FOUND);
        };
        if key.class != self.profile.secret_key_class {
            return Err(StatusWord::REF_NOT_FOUND);
        }
        let params =
            params_of_code(&self.profile, key.code).ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)?;
        Ok((params, key.material.as_ref(), &node.sec))
    }

    /// The body of a new secret-key object (CREATE FILE, attribute 85 `class code …`): a code
    /// of `token.gost28147_key_codes` and a size of 32, else 6A80.
    pub(super) fn secret_key_body(&self, req: &CreateRequest) -> CardResult<Body> {
        let code = *req.prop.get(1).ok_or(StatusWord::WRONG_DATA)?;
        params_of_code(&self.profile, code).ok_or(StatusWord::WRONG_DATA)?;
        if usize::from(req.size) != SECRET_KEY_LEN {
            return Err(StatusWord::WRONG_DATA);
        }
        Ok(Body::Key(KeyObject {
            class: self.profile.secret_key_class,
            code,
            material: None,
        }))
    }

    /// The key bytes of secret key `kk` under its "use" condition: 6982 without it, 6985 while
    /// the object is empty.
    pub(super) fn use_secret_key(
        &self,
        reference: u8,
    ) -> CardResult<(CipherParams, Zeroizing<[u8; SECRET_KEY_LEN]>)> {
        let (params, material, sec) = self.secret_key(reference)?;
        if !self.acl_ok(sec, Op::Bit2) {
            return Err(StatusWord::SECURITY_NOT_SATISFIED);
        }
        let material = material.ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)?;
        let mut key = Zeroizing::new([0u8; SECRET_KEY_LEN]);
        if material.expose().len() != SECRET_KEY_LEN {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        key.copy_from_slice(material.expose());
        Ok((params, key))
    }

    /// Fills the empty-or-not secret-key object `kk` under its "update" condition.
    pub(super) fn fill_secret_key(&mut self, reference: u8, key: &[u8]) -> CardResult<()> {
        let (_, _, sec) = self.secret_key(reference)?;
        if !self.acl_ok(sec, Op::Bit1) {
            return Err(StatusWord::SECURITY_NOT_SATISFIED);
        }
        if key.len() != SECRET_KEY_LEN {
            return Err(StatusWord::WRONG_LENGTH);
        }
        self.set_key_material(&SECRET_KEY_DF, reference, Secret::new(key.to_vec()))?;
        Ok(())
    }

    /// Implements GENERATE `00 46 81 kk` (no data, no answer): 32 random bytes into the
    /// secret-key object `…/6003/00kk`, created before. The key never leaves the token.
    pub(crate) fn generate_secret_key(&mut self, reference: u8) -> CardResult {
        let mut key = Zeroizing::new([0u8; SECRET_KEY_LEN]);
        self.rng().fill_bytes(&mut key[..]);
        self.fill_secret_key(reference, &key[..])?;
        Ok(StatusWord::OK)
    }

    /// True when the current file is a secret-key object (key import takes the key as is).
    pub(crate) fn current_is_secret_key(&self) -> bool {
        let class = self.profile.secret_key_class;
        matches!(self.current_file().map(|n| &n.body), Ok(Body::Key(k)) if k.class == class)
    }

    /// Key import (`24 01 00`, the data already unwrapped from its `A5` TLVs) into the current
    /// secret-key object: exactly 32 bytes, under its update condition.
    pub(crate) fn import_secret_key(&mut self, key: &[u8]) -> CardResult {
        let node = self.current_file()?;
        if !self.acl_ok(&node.sec, Op::Bit1) {
            return Err(StatusWord::SECURITY_NOT_SATISFIED);
        }
        if key.len() != SECRET_KEY_LEN {
            return Err(StatusWord::WRONG_LENGTH);
        }
        if let Body::Key(k) = &mut self.current_file_mut()?.body {
            k.material = Some(Secret::new(key.to_vec()));
        }
        Ok(StatusWord::OK)
    }

    /// Implements MSE SET of a CT (`B8`: 83 secret key, 80 ECB/CFB/CNT/key wrap, 87 IV or UKM),
    /// a CCT (`B4`: 83, 80 MAC, 87 optional IV) or a KAT (`A6`: 84 private key, 80 VKO, 83 the
    /// secret-key object that receives the KEK). Any MSE SET drops the stream in progress (the
    /// row's `before`).
    pub(crate) fn symmetric_mse(&mut self, template: SymmetricTemplate, crt: Crt) -> CardResult {
        let algorithm =
            Algorithm::from_ref(&self.profile, crt.algorithm).ok_or(StatusWord::WRONG_DATA)?;
        let se = match (template, algorithm) {
            (SymmetricTemplate::Agreement, Algorithm::Vko(vko)) => {
                let key_ref = crt.private.ok_or(StatusWord::WRONG_DATA)?;
                let target = crt.secret.ok_or(StatusWord::WRONG_DATA)?;
                self.private_key(key_ref)?;
                self.secret_key(target)?;
                SymmetricSe::Agreement {
                    key_ref,
                    vko,
                    target,
                }
            }
            (SymmetricTemplate::Checksum, Algorithm::Mac)
            | (
                SymmetricTemplate::Cipher,
                Algorithm::Ecb
                | Algorithm::Cfb
                | Algorithm::Cnt
                | Algorithm::KeyWrap
                | Algorithm::CryptoProKeyWrap,
            ) => {
                let key_ref = crt.secret.ok_or(StatusWord::WRONG_DATA)?;
                if crt.private.is_some() || (algorithm.needs_iv() && crt.iv.is_none()) {
                    return Err(StatusWord::WRONG_DATA);
                }
                self.secret_key(key_ref)?;
                SymmetricSe::Cipher {
                    key_ref,
                    algorithm,
                    iv: crt.iv,
                    running: None,
                }
            }
            _ => return Err(StatusWord::WRONG_DATA),
        };
        self.session.hasher = None;
        self.session.digest = None;
        self.session.se_key = None;
        self.session.se_decipher_key = None;
        self.session.symmetric = Some(se);
        Ok(StatusWord::OK)
    }

    /// One piece of a symmetric PSO. The first piece checks the key's use condition and starts
    /// the stream; every piece answers its output at once (whole blocks; CFB and CNT keep a
    /// partial block back until the last piece); the last piece ends the stream, the
    /// environment staying set for the next operation. An error ends the stream.
    /// Implements PSO: ENCIPHER `2A 84 80`, DECIPHER `2A 80 84` (the key wraps: unwrap into a
    /// secret-key object) and COMPUTE CRYPTOGRAPHIC CHECKSUM `2A 8E 80` (the 4-byte MAC on the
    /// last piece).
    pub(crate) fn symmetric_pso(
        &mut self,
        pso: Pso,
        piece: Piece<'_>,
        out: &mut Vec<u8>,
    ) -> CardResult {
        // Another streaming command (PSO: HASH) ends at any APDU that is not its own.
        self.session.hasher = None;
        let result = self.symmetric_piece(pso, piece, out);
        if result.is_err()
            && let Some(SymmetricSe::Cipher { running, .. }) = self.session.symmetric.as_mut()
        {
            *running = None;
        }
        result
    }

    fn symmetric_piece(&mut self, pso: Pso, piece: Piece<'_>, out: &mut Vec<u8>) -> CardResult {
        let Some(SymmetricSe::Cipher {
            key_ref,
            algorithm,
            iv,
            running,
        }) = self.session.symmetric.as_ref()
        else {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        };
        let (key_ref, algorithm, iv) = (*key_ref, *algorithm, *iv);
        if let Some((running_pso, _)) = running
            && *running_pso != pso
        {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        // The key's use condition holds for every piece: a logout in the middle stops it.
        let (params, key) = self.use_secret_key(key_ref)?;
        match (pso, algorithm) {
            (Pso::Encipher | Pso::Decipher, Algorithm::KeyWrap | Algorithm::CryptoProKeyWrap) => {
                if !piece.last {
                    return Err(StatusWord::CHAINING_NOT_SUPPORTED);
                }
                let kind = if algorithm == Algorithm::KeyWrap {
                    KeyWrap::Gost28147
                } else {
                    KeyWrap::CryptoPro
                };
                return if pso == Pso::Encipher {
                    self.wrap_key(kind, params, &key, iv, piece.data, out)
                } else {
                    self.unwrap_key(kind, params, &key, piece.data)
                };
            }
            (Pso::Checksum, Algorithm::Mac)
            | (Pso::Encipher | Pso::Decipher, Algorithm::Ecb | Algorithm::Cfb | Algorithm::Cnt) => {
            }
            _ => return Err(StatusWord::CONDITIONS_NOT_SATISFIED),
        }
        let direction = if pso == Pso::Decipher {
            Direction::Decrypt
        } else {
            Direction::Encrypt
        };
        let Some(SymmetricSe::Cipher { running, .. }) = self.session.symmetric.as_mut() else {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        };
        let (_, state) = running.get_or_insert_with(|| {
            let iv = iv.unwrap_or([0; 8]);
            let state = match algorithm {
                Algorithm::Cfb => Running::Cfb(Cfb::new(params, &key, &iv, direction)),
                Algorithm::Cnt => Running::Cnt(Cnt::new(params, &key, &iv)),
                Algorithm::Mac => Running::Mac(Mac::with_iv(params, &key, &iv)),
                _ => Running::Ecb {
                    key: key.clone(),
                    params,
                },
            };
            (pso, state)
        });
        match state {
            Running::Ecb { key, params } => {
                if !piece.data.len().is_multiple_of(gost28147::BLOCK_LEN) {
                    return Err(StatusWord::WRONG_LENGTH);
                }
                let mut data = piece.data.to_vec();
                let done = if direction == Direction::Encrypt {
                    ecb_encrypt(*params, key, &mut data)
                } else {
                    ecb_decrypt(*params, key, &mut data)
                };
                done.map_err(|_| StatusWord::WRONG_LENGTH)?;
                out.extend_from_slice(&data);
            }
            Running::Cfb(cfb) => out.extend_from_slice(&cfb.update(piece.data)),
            Running::Cnt(cnt) => {
                let mut data = piece.data.to_vec();
                cnt.apply_keystream(&mut data);
                out.extend_from_slice(&data);
            }
            Running::Mac(mac) => mac.update(piece.data),
        }
        if piece.last {
            match running.take() {
                Some((_, Running::Cfb(cfb))) => out.extend_from_slice(&cfb.finish()),
                Some((_, Running::Mac(mac))) => out.extend_from_slice(&mac.finalize_4()),
                _ => {}
            }
        }
        Ok(StatusWord::OK)
    }

    /// Key wrap (PSO: ENCIPHER, data `83 01 kk`): the secret key `kk` wrapped under the
    /// environment's key, `UKM ‖ CEK_ENC ‖ CEK_MAC` (44 bytes, RFC 4357 §6.1/§6.3). The UKM is
    /// tag 87 of the MSE, or 8 random bytes of the token's.
    fn wrap_key(
        &mut self,
        kind: KeyWrap,
        params: CipherParams,
        kek: &[u8; SECRET_KEY_LEN],
        ukm: Option<[u8; 8]>,
        data: &[u8],
        out: &mut Vec<u8>,
    ) -> CardResult {
        let target = match tlv::parse_one(data, "key to wrap") {
            Ok(t) if t.tag == 0x83 && t.value.len() == 1 => t.value.first().copied(),
            _ => None,
        }
        .ok_or(StatusWord::WRONG_DATA)?;
        let (_, cek) = self.use_secret_key(target)?;
        let ukm = match ukm {
            Some(u) => u,
            None => {
                let mut u = [0u8; UKM_LEN];
                self.rng().fill_bytes(&mut u);
                u
            }
        };
        out.extend_from_slice(&gost28147::wrap(kind, params, kek, &ukm, &cek));
        Ok(StatusWord::OK)
    }

    /// Key unwrap (PSO: DECIPHER, data `83 01 tt 86 2C wrapped`): checks the MAC and fills the
    /// secret-key object `tt`; a MAC that does not match is 6A80 and changes nothing.
    fn unwrap_key(
        &mut self,
        kind: KeyWrap,
        params: CipherParams,
        kek: &[u8; SECRET_KEY_LEN],
        data: &[u8],
    ) -> CardResult {
        let mut r = Reader::new(data);
        let (mut target, mut wrapped) = (None, None);
        while r.any_left() {
            let t = tlv::read(&mut r, "unwrap").map_err(|_| StatusWord::WRONG_DATA)?;
            match (t.tag, t.value) {
                (0x83, [tt]) => target = Some(*tt),
                // Its length is checked once, by `gost28147::unwrap` (6A80 too).
                (0x86, w) => wrapped = Some(w),
                _ => return Err(StatusWord::WRONG_DATA),
            }
        }
        let (target, wrapped) = target.zip(wrapped).ok_or(StatusWord::WRONG_DATA)?;
        let cek =
            gost28147::unwrap(kind, params, kek, wrapped).map_err(|_| StatusWord::WRONG_DATA)?;
        self.fill_secret_key(target, &cek[..])?;
        Ok(StatusWord::OK)
    }
}
