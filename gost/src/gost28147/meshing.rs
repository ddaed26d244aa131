//! CryptoPro key meshing (RFC 4357 §2.3.2): after every 1024 bytes the key becomes K' =
//! D_K(C) for a fixed 32-byte C, and the mode's register IV becomes E_K'(IV).

use zeroize::Zeroizing;

use super::block::Gost28147;

/// Bytes processed under one key before meshing (RFC 4357 §2.3.2).
pub(crate) const MESHING_INTERVAL: usize = 1024;

/// C of RFC 4357 §2.3.2 (the CryptoPro key-meshing constant).
const MESHING_CONSTANT: [u8; 32] = [
    0x69, 0x00, 0x72, 0x22, 0x64, 0xC9, 0x04, 0x23, 0x8D, 0x3A, 0xDB, 0x96, 0x46, 0xE9, 0x2A, 0xC4,
    0x18, 0xFE, 0xAC, 0x94, 0x00, 0xED, 0x07, 0x12, 0xC0, 0x86, 0xDC, 0xC2, 0xEF, 0x4C, 0xA9, 0x2B,
];

/// K' = D_K(C): C decrypted block by block (ECB) under the current key.
pub(crate) fn meshed_key(cipher: &Gost28147) -> Zeroizing<[u8; 32]> {
    let mut key = Zeroizing::new(MESHING_CONSTANT);
    for chunk in key.chunks_exact_mut(8) {
        let mut block = [0u8; 8];
        block.copy_from_slice(chunk);
        cipher.decrypt(&mut block);
        chunk.copy_from_slice(&block);
    }
    key
}

/// The meshed cipher, and the register `iv` re-encrypted under it (`None`: the MAC, whose
/// state CryptoPro leaves as it is, as the gost engine does).
pub(crate) fn mesh(cipher: &Gost28147, iv: Option<&mut [u8; 8]>) -> Gost28147 {
    let next = Gost28147::new(cipher.params(), &meshed_key(cipher));
    if let Some(iv) = iv {
        next.encrypt(iv);
    }
    next
}
