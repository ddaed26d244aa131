//! The modes of GOST 28147-89 that PKCS#11 and CMS use: ECB (`CKM_GOST28147_ECB`, through
//! RustCrypto's `ecb`), CFB with CryptoPro key meshing (`CKM_GOST28147`, CMS content
//! encryption; through `cfb-mode`) and the counter mode ("gammirovanie", GOST 28147-89 §3;
//! OpenSSL's `gost89-cnt`). Meshing, where the parameter set has it, happens every 1024 bytes
//! (RFC 4357 §2.3.2), exactly where the gost engine does it.

use cfb_mode::cipher::{Array, BlockModeDecrypt, BlockModeEncrypt, InnerIvInit};
use ecb::cipher::common::InnerInit;
use zeroize::Zeroizing;

use super::block::Gost28147;
use super::meshing::{MESHING_INTERVAL, mesh};
use super::params::CipherParams;
use crate::Error;

/// The block size of GOST 28147-89 in bytes.
pub const BLOCK_LEN: usize = 8;

fn check_aligned(what: &'static str, len: usize) -> Result<(), Error> {
    if len.is_multiple_of(BLOCK_LEN) {
        Ok(())
    } else {
        Err(Error::NotBlockAligned { what, len })
    }
}

/// ECB encryption in place (GOST 28147-89 §2); `data` must be a multiple of 8 bytes.
pub fn ecb_encrypt(params: CipherParams, key: &[u8; 32], data: &mut [u8]) -> Result<(), Error> {
    check_aligned("ECB data", data.len())?;
    let (blocks, _) = Array::slice_as_chunks_mut(data);
    ecb::Encryptor::inner_init(Gost28147::new(params, key)).encrypt_blocks(blocks);
    Ok(())
}

/// ECB decryption in place; `data` must be a multiple of 8 bytes.
pub fn ecb_decrypt(params: CipherParams, key: &[u8; 32], data: &mut [u8]) -> Result<(), Error> {
    check_aligned("ECB data", data.len())?;
    let (blocks, _) = Array::slice_as_chunks_mut(data);
    ecb::Decryptor::inner_init(Gost28147::new(params, key)).decrypt_blocks(blocks);
    Ok(())
}

/// Which way a stream mode runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Plaintext in, ciphertext out.
    Encrypt,
    /// Ciphertext in, plaintext out.
    Decrypt,
}

/// CFB (GOST 28147-89 §4, "gammirovanie s obratnoy svyazyu") with CryptoPro key meshing when
/// the parameter set has it: `CKM_GOST28147` with the IV as mechanism parameter, and CMS's
/// id-Gost28147-89 content encryption (RFC 4490 §5.1).
///
/// Multi-part: [`Cfb::update`] returns the output of every whole block received so far and keeps
/// up to 7 bytes back; [`Cfb::finish`] returns the rest (a final partial block is allowed).
pub struct Cfb {
    cipher: Gost28147,
    direction: Direction,
    /// The feedback register: the IV, then the last ciphertext block.
    register: Zeroizing<[u8; 8]>,
    /// Bytes processed under the current key (meshing at 1024).
    under_key: usize,
    /// Input not yet processed (less than a block).
    pending: Zeroizing<Vec<u8>>,
}

impl Cfb {
    /// A CFB stream for a key and an 8-byte IV.
    pub fn new(params: CipherParams, key: &[u8; 32], iv: &[u8; 8], direction: Direction) -> Self {
        Cfb {
            cipher: Gost28147::new(params, key),
            direction,
            register: Zeroizing::new(*iv),
            under_key: 0,
            pending: Zeroizing::new(Vec::with_capacity(BLOCK_LEN)),
        }
    }

    /// Feeds data; returns the output for the whole blocks so far (its length is a multiple of
    /// 8, up to 7 bytes are held back for [`Cfb::update`] or [`Cfb::finish`]).
    pub fn update(&mut self, data: &[u8]) -> Vec<u8> {
        self.pending.extend_from_slice(data);
        let whole = self.pending.len() - self.pending.len() % BLOCK_LEN;
        let mut out: Vec<u8> = self.pending.drain(..whole).collect();
        self.blocks(&mut out);
        out
    }

    /// The output for the held-back bytes (fewer than 8; the last, partial, block).
    pub fn finish(mut self) -> Vec<u8> {
        let mut out = std::mem::take(&mut *self.pending);
        if !out.is_empty() {
            self.mesh_if_due();
            self.run(&mut out);
        }
        out
    }

    /// Encrypts or decrypts a whole message in one call (any length).
    pub fn apply(
        params: CipherParams,
        key: &[u8; 32],
        iv: &[u8; 8],
        direction: Direction,
        data: &[u8],
    ) -> Vec<u8> {
        let mut cfb = Cfb::new(params, key, iv, direction);
        let mut out = cfb.update(data);
        out.extend(cfb.finish());
        out
    }

    fn mesh_if_due(&mut self) {
        if self.under_key == MESHING_INTERVAL && self.cipher.params().key_meshing() {
            self.cipher = mesh(&self.cipher, Some(&mut self.register));
            self.under_key = 0;
        }
    }

    /// Whole blocks, in segments that end where the key is meshed.
    fn blocks(&mut self, data: &mut [u8]) {
        let mut rest = data;
        while !rest.is_empty() {
            self.mesh_if_due();
            let room = MESHING_INTERVAL - self.under_key % MESHING_INTERVAL;
            let (segment, tail) = rest.split_at_mut(room.min(rest.len()));
            // The next register is the segment's last ciphertext block.
            let last = segment.len() - BLOCK_LEN;
            let mut next = [0u8; 8];
            if self.direction == Direction::Decrypt {
                next.copy_from_slice(&segment[last..]);
            }
            self.run(segment);
            if self.direction == Direction::Encrypt {
                next.copy_from_slice(&segment[last..]);
            }
            *self.register = next;
            self.under_key = self.under_key % MESHING_INTERVAL + segment.len();
            rest = tail;
        }
    }

    /// `cfb-mode` over one segment, starting from the register.
    fn run(&self, segment: &mut [u8]) {
        let iv = Array::from(*self.register);
        match self.direction {
            Direction::Encrypt => {
                cfb_mode::Encryptor::inner_iv_init(self.cipher.clone(), &iv).encrypt(segment)
            }
            Direction::Decrypt => {
                cfb_mode::Decryptor::inner_iv_init(self.cipher.clone(), &iv).decrypt(segment)
            }
        }
    }
}

/// C1 and C2 of GOST 28147-89 §3.1: the counter's two halves advance by these.
const CNT_C2: u32 = 0x0101_0101;
const CNT_C1: u32 = 0x0101_0104;

/// The counter mode of GOST 28147-89 §3 (OpenSSL's `gost89-cnt`, with CryptoPro key meshing
/// where the parameter set has it). Not RustCrypto's `ctr`: none of its flavours adds C2 to one
/// half modulo 2^32 and C1 to the other modulo 2^32 − 1 after encrypting the IV first.
/// Encryption and decryption are the same operation.
pub struct Cnt {
    cipher: Gost28147,
    /// N3 ‖ N4 (little-endian halves); `None` until the IV has been encrypted.
    counter: Option<Zeroizing<[u8; 8]>>,
    iv: Zeroizing<[u8; 8]>,
    /// The current gamma block and how much of it is used.
    gamma: Zeroizing<[u8; 8]>,
    used: usize,
    under_key: usize,
}

impl Cnt {
    /// A counter-mode stream for a key and an 8-byte IV (synchronisation message S).
    pub fn new(params: CipherParams, key: &[u8; 32], iv: &[u8; 8]) -> Self {
        Cnt {
            cipher: Gost28147::new(params, key),
            counter: None,
            iv: Zeroizing::new(*iv),
            gamma: Zeroizing::new([0; 8]),
            used: BLOCK_LEN,
            under_key: 0,
        }
    }

    /// XORs the keystream into `data` (any length, any split into calls).
    pub fn apply_keystream(&mut self, data: &mut [u8]) {
        for byte in data {
            if self.used == BLOCK_LEN {
                self.next_gamma();
            }
            *byte ^= self.gamma[self.used];
            self.used += 1;
        }
    }

    fn next_gamma(&mut self) {
        if self.under_key == MESHING_INTERVAL && self.cipher.params().key_meshing() {
            let counter = self.counter.get_or_insert_with(|| self.iv.clone());
            self.cipher = mesh(&self.cipher, Some(counter));
            self.under_key = 0;
        }
        let cipher = &self.cipher;
        let counter = self.counter.get_or_insert_with(|| {
            // §3.1: the IV is encrypted once; the counter starts from E(S).
            let mut s = self.iv.clone();
            cipher.encrypt(&mut s);
            s
        });
        let n3 = u32::from_le_bytes([counter[0], counter[1], counter[2], counter[3]]);
        let n4 = u32::from_le_bytes([counter[4], counter[5], counter[6], counter[7]]);
        let n3 = n3.wrapping_add(CNT_C2);
        // Modulo 2^32 - 1: a carry out of the 32 bits adds one back.
        let (sum, carry) = n4.overflowing_add(CNT_C1);
        let n4 = sum.wrapping_add(u32::from(carry));
        counter[..4].copy_from_slice(&n3.to_le_bytes());
        counter[4..].copy_from_slice(&n4.to_le_bytes());
        *self.gamma = **counter;
        self.cipher.encrypt(&mut self.gamma);
        self.used = 0;
        self.under_key = self.under_key % MESHING_INTERVAL + BLOCK_LEN;
    }
}
