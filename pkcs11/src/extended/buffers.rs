//! The buffers the extended calls hand out (`C_EX_CreateCSR`, `C_EX_PKCS7Sign`,
//! `C_EX_GetCertificateInfoText`, `C_EX_PKCS7Verify*`) and `C_EX_FreeBuffer`, which takes them
//! back. The module keeps every buffer it gave until it is freed, by address: freeing one it
//! did not give (or twice) is `CKR_ARGUMENTS_BAD`, not a crash as `free` would make it.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use cryptoki_sys::*;

use crate::error::{Error, fail};

/// Buffers given out, by address. A buffer's bytes live on the heap: moving the `Vec` into
/// the map keeps its address.
static BUFFERS: Mutex<Option<HashMap<usize, Vec<u8>>>> = Mutex::new(None);

/// Hands out `data` (with a NUL after it when `nul`: the text calls' C strings): its address
/// and length (without the NUL).
pub(super) fn give(mut data: Vec<u8>, nul: bool) -> (*mut u8, CK_ULONG) {
    let len = data.len();
    if nul || data.is_empty() {
        // An empty buffer still needs an address of its own.
        data.push(0);
    }
    let ptr = data.as_mut_ptr();
    BUFFERS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get_or_insert_with(HashMap::new)
        .insert(ptr as usize, data);
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
        let (p, n) = give(b"abc".to_vec(), true);
        assert_eq!(n, 3);
        assert!(take_back(p).is_ok());
        assert_eq!(take_back(p), fail(CKR_ARGUMENTS_BAD));
        let mut local = [0u8; 4];
        assert_eq!(take_back(local.as_mut_ptr()), fail(CKR_ARGUMENTS_BAD));
        let (e1, _) = give(Vec::new(), false);
        let (e2, _) = give(Vec::new(), false);
        assert_ne!(e1, e2, "empty buffers get addresses of their own");
        assert!(take_back(e1).is_ok() && take_back(e2).is_ok());
    }
}
