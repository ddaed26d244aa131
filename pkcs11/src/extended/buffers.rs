//! The buffers the extended calls hand out (`C_EX_CreateCSR`, `C_EX_PKCS7Sign`,
//! `C_EX_GetCertificateInfoText`, `C_EX_PKCS7Verify*`) and `C_EX_FreeBuffer`, which takes them
//! back. The module keeps every buffer it gave until it is freed, by address: freeing one it
//! did not give (or twice) is `CKR_ARGUMENTS_BAD`, not a crash as `free` would make it.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use cryptoki_sys::*;

use crate::error::{Error, fail};

/// Buffers given out, by address. A buffer's bytes live on the heap: moving the `Vec` into
/// the map keeps its address. Kept as 8-byte words so that a buffer holding C structures
/// (`C_EX_PKCS7Verify`'s `CK_VENDOR_BUFFER` array) is aligned for them.
static BUFFERS: Mutex<Option<HashMap<usize, Vec<u64>>>> = Mutex::new(None);

/// Hands out `data`, a NUL after it (the text calls' C strings): its address and length
/// (without the NUL).
pub(super) fn give(data: Vec<u8>) -> (*mut u8, CK_ULONG) {
    let len = data.len();
    // Room for the NUL (or, empty, for an address of its own): zero-filled words.
    let mut words = vec![0u64; len / 8 + 1];
    for (word, chunk) in words.iter_mut().zip(data.chunks(8)) {
        let mut bytes = [0u8; 8];
        bytes[..chunk.len()].copy_from_slice(chunk);
        *word = u64::from_ne_bytes(bytes);
    }
    let ptr = words.as_mut_ptr() as *mut u8;
    BUFFERS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get_or_insert_with(HashMap::new)
        .insert(ptr as usize, words);
    (ptr, len as CK_ULONG)
}

/// Takes a buffer back (`C_EX_FreeBuffer`).
pub(super) fn take_back(ptr: *mut u8) -> Result<(), Error> {
    let freed = BUFFERS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .as_mut()
        .and_then(|m| m.remove(&(ptr as usize)));
    match freed {
        Some(mut data) => {
            // Signed documents and certificate requests: wiped before the memory goes.
            data.iter_mut().for_each(|b| *b = 0);
            Ok(())
        }
        None => fail(CKR_ARGUMENTS_BAD),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buffer_is_freed_once_and_a_stranger_never() {
        let (p, n) = give(b"abc".to_vec());
        assert_eq!(n, 3);
        assert!(take_back(p).is_ok());
        assert_eq!(take_back(p), fail(CKR_ARGUMENTS_BAD));
        let mut local = [0u8; 4];
        assert_eq!(take_back(local.as_mut_ptr()), fail(CKR_ARGUMENTS_BAD));
        let (e1, _) = give(Vec::new());
        let (e2, _) = give(Vec::new());
        assert_ne!(e1, e2, "empty buffers get addresses of their own");
        assert!(take_back(e1).is_ok() && take_back(e2).is_ok());
    }
}
