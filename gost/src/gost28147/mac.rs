//! The GOST 28147-89 MAC ("imitovstavka", GOST 28147-89 §5; RFC 5830 §8): a CBC-MAC whose
//! block transform is the first 16 rounds of the cipher, with CryptoPro key meshing (RFC 4357
//! §2.3.2) where the parameter set has it. `CKM_GOST28147_MAC` (4 bytes), OpenSSL's `gost-mac`
//! (4 bytes by default, 1 to 8 with `size`), and the MAC of the RFC 4357 key wraps (IV = UKM).
//!
//! `magma` has no 16-round entry point, so the rounds are written here over the crate's own
//! S-box tables (`magma::Sbox::SBOX`); `tests/gost28147_vectors.rs` checks them against
//! CryptoPro's MAC vectors, and a unit test below checks that 32 of these rounds in the
//! cipher's key order are `magma`'s encryption. Like `magma`, the S-box is a table lookup
//! indexed by secret data (not constant time on CPUs with data caches).

use zeroize::{Zeroize, Zeroizing};

use super::block::{Gost28147, sbox_table};
use super::meshing::{MESHING_INTERVAL, meshed_key};
use super::modes::BLOCK_LEN;
use super::params::CipherParams;
use crate::Error;

/// The MAC length of `CKM_GOST28147_MAC` and of the key wraps (GOST 28147-89 §5: 32 bits).
pub const MAC_LEN: usize = 4;

/// The 16-round transform of one parameter set and key: the S-box expanded to four tables of
/// 256 words (two nibbles each), and the key words K1..K8.
struct Rounds {
    table: Zeroizing<Vec<[u32; 256]>>,
    key: Zeroizing<[u32; 8]>,
}

impl Rounds {
    fn new(params: CipherParams, key: &[u8; 32]) -> Self {
        let sbox = sbox_table(params);
        let mut table = Zeroizing::new(vec![[0u32; 256]; 4]);
        for (i, t) in table.iter_mut().enumerate() {
            for (byte, entry) in t.iter_mut().enumerate() {
                let low = sbox[2 * i][byte & 15];
                let high = sbox[2 * i + 1][byte >> 4];
                *entry = u32::from(low | (high << 4)) << (8 * i);
            }
        }
        let mut words = Zeroizing::new([0u32; 8]);
        for (w, chunk) in words.iter_mut().zip(key.chunks_exact(4)) {
            *w = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        }
        Rounds { table, key: words }
    }

    /// f(x) of GOST 28147-89 §2.1: S-box substitution, then a rotation by 11.
    fn f(&self, x: u32) -> u32 {
        let t = &self.table;
        let [b0, b1, b2, b3] = x.to_le_bytes();
        (t[0][usize::from(b0)]
            | t[1][usize::from(b1)]
            | t[2][usize::from(b2)]
            | t[3][usize::from(b3)])
        .rotate_left(11)
    }

    /// One round: N2 ^= f(N1 + K), then the halves swap.
    fn round(&self, n1: u32, n2: u32, k: u32) -> (u32, u32) {
        (n2 ^ self.f(n1.wrapping_add(k)), n1)
    }

    /// The 16-round transform of §5 (K1..K8 twice), on a block in 28147 byte order.
    fn mac_transform(&self, block: &mut [u8; 8]) {
        let mut n1 = u32::from_le_bytes([block[0], block[1], block[2], block[3]]);
        let mut n2 = u32::from_le_bytes([block[4], block[5], block[6], block[7]]);
        for _ in 0..2 {
            for &k in self.key.iter() {
                (n1, n2) = self.round(n1, n2, k);
            }
        }
        // §5: no final swap; N1 then N2.
        block[..4].copy_from_slice(&n1.to_le_bytes());
        block[4..].copy_from_slice(&n2.to_le_bytes());
        n1.zeroize();
        n2.zeroize();
    }
}

/// A GOST 28147-89 MAC computation (multi-part).
pub struct Mac {
    params: CipherParams,
    rounds: Rounds,
    /// The key, kept for meshing (K' = D_K(C)).
    cipher: Gost28147,
    state: Zeroizing<[u8; 8]>,
    partial: Zeroizing<Vec<u8>>,
    blocks: u64,
    under_key: usize,
}

impl Mac {
    /// A MAC with a zero initial state (`CKM_GOST28147_MAC` without parameter, `gost-mac`).
    pub fn new(params: CipherParams, key: &[u8; 32]) -> Self {
        Self::with_iv(params, key, &[0; 8])
    }

    /// A MAC whose state starts from `iv` (`CKM_GOST28147_MAC` with its 8-byte parameter; the
    /// key wraps of RFC 4357 §6 with IV = UKM).
    pub fn with_iv(params: CipherParams, key: &[u8; 32], iv: &[u8; 8]) -> Self {
        Mac {
            params,
            rounds: Rounds::new(params, key),
            cipher: Gost28147::new(params, key),
            state: Zeroizing::new(*iv),
            partial: Zeroizing::new(Vec::with_capacity(BLOCK_LEN)),
            blocks: 0,
            under_key: 0,
        }
    }

    /// Feeds data.
    pub fn update(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            let take = (BLOCK_LEN - self.partial.len()).min(data.len());
            self.partial.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.partial.len() == BLOCK_LEN {
                let mut block = [0u8; 8];
                block.copy_from_slice(&self.partial);
                self.partial.clear();
                self.absorb(&block);
            }
        }
    }

    fn absorb(&mut self, block: &[u8; 8]) {
        if self.under_key == MESHING_INTERVAL && self.params.key_meshing() {
            // RFC 4357 §2.3.2 for the MAC: the key is meshed, the state is not re-encrypted
            // (CryptoPro's and the gost engine's reading).
            let key = meshed_key(&self.cipher);
            self.rounds = Rounds::new(self.params, &key);
            self.cipher = Gost28147::new(self.params, &key);
            self.under_key = 0;
        }
        for (s, b) in self.state.iter_mut().zip(block) {
            *s ^= b;
        }
        self.rounds.mac_transform(&mut self.state);
        self.blocks += 1;
        self.under_key = self.under_key % MESHING_INTERVAL + BLOCK_LEN;
    }

    /// The first `len` bytes (1 to 8) of the final state: a last partial block is padded with
    /// zeros, and a message of one block gets a zero block after it (GOST 28147-89 §5 needs
    /// two; CryptoPro and the gost engine pad so). The empty message gives the IV's bytes.
    pub fn finalize(mut self, len: usize) -> Result<Zeroizing<Vec<u8>>, Error> {
        if !(1..=BLOCK_LEN).contains(&len) {
            return Err(Error::InvalidMacLength(len));
        }
        if !self.partial.is_empty() {
            let mut block = [0u8; 8];
            block[..self.partial.len()].copy_from_slice(&self.partial);
            self.absorb(&block);
        }
        if self.blocks == 1 {
            self.absorb(&[0; 8]);
        }
        Ok(Zeroizing::new(self.state[..len].to_vec()))
    }

    /// The 4-byte MAC of a whole message.
    pub fn compute(params: CipherParams, key: &[u8; 32], data: &[u8]) -> [u8; MAC_LEN] {
        let mut mac = Mac::new(params, key);
        mac.update(data);
        mac.finalize_4()
    }

    /// The 4-byte MAC (the length `CKM_GOST28147_MAC` and the key wraps use).
    pub fn finalize_4(self) -> [u8; MAC_LEN] {
        let mut out = [0u8; MAC_LEN];
        // 4 is in 1..=8: `finalize` cannot fail here.
        if let Ok(full) = self.finalize(MAC_LEN) {
            out.copy_from_slice(&full);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 32 rounds of our round function in the cipher's key order (K1..K8 three times, then
    /// K8..K1, GOST 28147-89 §2.1) must be `magma`'s encryption: this pins the S-box
    /// expansion, f and the byte order that the MAC shares with the cipher.
    #[test]
    fn rounds_match_the_cipher() {
        for params in CipherParams::ALL {
            for seed in 0u8..20 {
                let mut key = [0u8; 32];
                for (i, k) in (0u8..).zip(key.iter_mut()) {
                    *k = i.wrapping_mul(37) ^ seed;
                }
                let mut block = [0u8; 8];
                for (i, b) in (0u8..).zip(block.iter_mut()) {
                    *b = i * 29 + seed;
                }
                let rounds = Rounds::new(params, &key);
                let mut n1 = u32::from_le_bytes(block[..4].try_into().unwrap_or_default());
                let mut n2 = u32::from_le_bytes(block[4..].try_into().unwrap_or_default());
                let order = (0..24).map(|i| i % 8).chain((0..8).rev());
                for i in order {
                    (n1, n2) = rounds.round(n1, n2, rounds.key[i]);
                }
                let mut ours = [0u8; 8];
                // After the last round the halves are not swapped: N2 ‖ N1 in memory.
                ours[..4].copy_from_slice(&n2.to_le_bytes());
                ours[4..].copy_from_slice(&n1.to_le_bytes());
                Gost28147::new(params, &key).encrypt(&mut block);
                assert_eq!(ours, block, "{params:?} seed {seed}");
            }
        }
    }
}
