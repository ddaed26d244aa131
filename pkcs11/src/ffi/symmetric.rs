//! The C entry points of GOST 28147-89 and VKO (`crate::symmetric`): encryption, decryption,
//! `C_GenerateKey`, `C_WrapKey`, `C_UnwrapKey`, `C_DeriveKey`. Pointers are checked and copied
//! as in the parent module.

use cryptoki_sys::*;

use super::{bytes, entry, fail, mechanism, output, put, template, with_module};
use crate::module::derive::DeriveParams;

/// `C_EncryptInit` / `C_DecryptInit`.
///
/// # Safety
/// The caller's mechanism (see `mechanism`).
unsafe fn cipher_init(
    session: CK_SESSION_HANDLE,
    m: *mut CK_MECHANISM,
    key: CK_OBJECT_HANDLE,
    decrypt: bool,
) -> CK_RV {
    entry(|| {
        // SAFETY: the caller's mechanism.
        let (kind, parameter) = unsafe { mechanism(m) }?;
        with_module(|module| module.cipher_init(session, kind, &parameter, key, decrypt))
    })
}

/// `C_Encrypt` / `C_Decrypt`: the output is as long as the input; a length query or a short
/// buffer leaves the operation running.
///
/// # Safety
/// The caller's input and output buffers.
unsafe fn cipher_once(
    session: CK_SESSION_HANDLE,
    data: *mut CK_BYTE,
    len: CK_ULONG,
    out: *mut CK_BYTE,
    out_len: *mut CK_ULONG,
    decrypt: bool,
) -> CK_RV {
    entry(|| {
        if out_len.is_null() {
            return fail(CKR_ARGUMENTS_BAD);
        }
        // SAFETY: the caller's data.
        let data = unsafe { bytes(data, len) }?;
        let needed = with_module(|m| m.cipher_len(session, Some(data.len()), decrypt))?;
        // SAFETY: the caller's output; no data yet: only the length and room are checked.
        if !unsafe { output(out, out_len, needed, None) }? {
            return Ok(());
        }
        let result = with_module(|m| m.cipher(session, Some(data), decrypt))?;
        // SAFETY: as above, with the bytes.
        unsafe { output(out, out_len, result.len(), Some(&result)) }.map(|_| ())
    })
}

/// `C_EncryptUpdate` / `C_DecryptUpdate`: the part is kept, no output (the token runs the
/// stream at the final call). A null output buffer is a length query and keeps nothing.
///
/// # Safety
/// The caller's input and output buffers.
unsafe fn cipher_update(
    session: CK_SESSION_HANDLE,
    data: *mut CK_BYTE,
    len: CK_ULONG,
    out: *mut CK_BYTE,
    out_len: *mut CK_ULONG,
    decrypt: bool,
) -> CK_RV {
    entry(|| {
        if out_len.is_null() {
            return fail(CKR_ARGUMENTS_BAD);
        }
        // SAFETY: the caller's data.
        let data = unsafe { bytes(data, len) }?;
        with_module(|m| m.cipher_len(session, None, decrypt))?;
        if !out.is_null() {
            with_module(|m| m.cipher_update(session, data, decrypt))?;
        }
        // SAFETY: checked non-null above; a CK_ULONG by the caller's contract.
        unsafe { put(out_len, 0) }
    })
}

/// `C_EncryptFinal` / `C_DecryptFinal`.
///
/// # Safety
/// The caller's output buffer.
unsafe fn cipher_final(
    session: CK_SESSION_HANDLE,
    out: *mut CK_BYTE,
    out_len: *mut CK_ULONG,
    decrypt: bool,
) -> CK_RV {
    entry(|| {
        if out_len.is_null() {
            return fail(CKR_ARGUMENTS_BAD);
        }
        let needed = with_module(|m| m.cipher_len(session, None, decrypt))?;
        // SAFETY: the caller's output; only the length and room are checked.
        if !unsafe { output(out, out_len, needed, None) }? {
            return Ok(());
        }
        let result = with_module(|m| m.cipher(session, None, decrypt))?;
        // SAFETY: as above, with the bytes.
        unsafe { output(out, out_len, result.len(), Some(&result)) }.map(|_| ())
    })
}

/// `C_EncryptInit`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_EncryptInit(
    hSession: CK_SESSION_HANDLE,
    pMechanism: *mut CK_MECHANISM,
    hKey: CK_OBJECT_HANDLE,
) -> CK_RV {
    // SAFETY: the caller's mechanism.
    unsafe { cipher_init(hSession, pMechanism, hKey, false) }
}

/// `C_DecryptInit`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_DecryptInit(
    hSession: CK_SESSION_HANDLE,
    pMechanism: *mut CK_MECHANISM,
    hKey: CK_OBJECT_HANDLE,
) -> CK_RV {
    // SAFETY: the caller's mechanism.
    unsafe { cipher_init(hSession, pMechanism, hKey, true) }
}

/// `C_Encrypt`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_Encrypt(
    hSession: CK_SESSION_HANDLE,
    pData: *mut CK_BYTE,
    ulDataLen: CK_ULONG,
    pEncryptedData: *mut CK_BYTE,
    pulEncryptedDataLen: *mut CK_ULONG,
) -> CK_RV {
    // SAFETY: the caller's buffers.
    unsafe {
        cipher_once(
            hSession,
            pData,
            ulDataLen,
            pEncryptedData,
            pulEncryptedDataLen,
            false,
        )
    }
}

/// `C_Decrypt`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_Decrypt(
    hSession: CK_SESSION_HANDLE,
    pEncryptedData: *mut CK_BYTE,
    ulEncryptedDataLen: CK_ULONG,
    pData: *mut CK_BYTE,
    pulDataLen: *mut CK_ULONG,
) -> CK_RV {
    // SAFETY: the caller's buffers.
    unsafe {
        cipher_once(
            hSession,
            pEncryptedData,
            ulEncryptedDataLen,
            pData,
            pulDataLen,
            true,
        )
    }
}

/// `C_EncryptUpdate`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_EncryptUpdate(
    hSession: CK_SESSION_HANDLE,
    pPart: *mut CK_BYTE,
    ulPartLen: CK_ULONG,
    pEncryptedPart: *mut CK_BYTE,
    pulEncryptedPartLen: *mut CK_ULONG,
) -> CK_RV {
    // SAFETY: the caller's buffers.
    unsafe {
        cipher_update(
            hSession,
            pPart,
            ulPartLen,
            pEncryptedPart,
            pulEncryptedPartLen,
            false,
        )
    }
}

/// `C_DecryptUpdate`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_DecryptUpdate(
    hSession: CK_SESSION_HANDLE,
    pEncryptedPart: *mut CK_BYTE,
    ulEncryptedPartLen: CK_ULONG,
    pPart: *mut CK_BYTE,
    pulPartLen: *mut CK_ULONG,
) -> CK_RV {
    // SAFETY: the caller's buffers.
    unsafe {
        cipher_update(
            hSession,
            pEncryptedPart,
            ulEncryptedPartLen,
            pPart,
            pulPartLen,
            true,
        )
    }
}

/// `C_EncryptFinal`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_EncryptFinal(
    hSession: CK_SESSION_HANDLE,
    pLastEncryptedPart: *mut CK_BYTE,
    pulLastEncryptedPartLen: *mut CK_ULONG,
) -> CK_RV {
    // SAFETY: the caller's buffer.
    unsafe { cipher_final(hSession, pLastEncryptedPart, pulLastEncryptedPartLen, false) }
}

/// `C_DecryptFinal`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_DecryptFinal(
    hSession: CK_SESSION_HANDLE,
    pLastPart: *mut CK_BYTE,
    pulLastPartLen: *mut CK_ULONG,
) -> CK_RV {
    // SAFETY: the caller's buffer.
    unsafe { cipher_final(hSession, pLastPart, pulLastPartLen, true) }
}

/// `C_GenerateKey` (`CKM_GOST28147_KEY_GEN`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_GenerateKey(
    hSession: CK_SESSION_HANDLE,
    pMechanism: *mut CK_MECHANISM,
    pTemplate: *mut CK_ATTRIBUTE,
    ulCount: CK_ULONG,
    phKey: *mut CK_OBJECT_HANDLE,
) -> CK_RV {
    entry(|| {
        if phKey.is_null() {
            return fail(CKR_ARGUMENTS_BAD);
        }
        // SAFETY: the caller's mechanism and template.
        let (kind, parameter) = unsafe { mechanism(pMechanism) }?;
        // SAFETY: as above.
        let template = unsafe { template(pTemplate, ulCount) }?;
        let key = with_module(|m| m.generate_key(hSession, kind, &parameter, &template))?;
        // SAFETY: checked non-null above.
        unsafe { put(phKey, key) }
    })
}

/// `C_WrapKey` (`CKM_GOST28147_KEY_WRAP`): 44 bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_WrapKey(
    hSession: CK_SESSION_HANDLE,
    pMechanism: *mut CK_MECHANISM,
    hWrappingKey: CK_OBJECT_HANDLE,
    hKey: CK_OBJECT_HANDLE,
    pWrappedKey: *mut CK_BYTE,
    pulWrappedKeyLen: *mut CK_ULONG,
) -> CK_RV {
    entry(|| {
        if pulWrappedKeyLen.is_null() {
            return fail(CKR_ARGUMENTS_BAD);
        }
        // SAFETY: the caller's mechanism.
        let (kind, parameter) = unsafe { mechanism(pMechanism) }?;
        let len = gost::gost28147::WRAPPED_LEN;
        // SAFETY: the caller's output; only the length and room are checked.
        if !unsafe { output(pWrappedKey, pulWrappedKeyLen, len, None) }? {
            // A length query checks the mechanism at least.
            if kind != CKM_GOST28147_KEY_WRAP {
                return fail(CKR_MECHANISM_INVALID);
            }
            return Ok(());
        }
        let wrapped = with_module(|m| m.wrap_key(hSession, kind, &parameter, hWrappingKey, hKey))?;
        // SAFETY: as above, with the bytes.
        unsafe { output(pWrappedKey, pulWrappedKeyLen, wrapped.len(), Some(&wrapped)) }.map(|_| ())
    })
}

/// `C_UnwrapKey` (`CKM_GOST28147_KEY_WRAP`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_UnwrapKey(
    hSession: CK_SESSION_HANDLE,
    pMechanism: *mut CK_MECHANISM,
    hUnwrappingKey: CK_OBJECT_HANDLE,
    pWrappedKey: *mut CK_BYTE,
    ulWrappedKeyLen: CK_ULONG,
    pTemplate: *mut CK_ATTRIBUTE,
    ulAttributeCount: CK_ULONG,
    phKey: *mut CK_OBJECT_HANDLE,
) -> CK_RV {
    entry(|| {
        if phKey.is_null() {
            return fail(CKR_ARGUMENTS_BAD);
        }
        // SAFETY: the caller's mechanism, data and template.
        let (kind, parameter) = unsafe { mechanism(pMechanism) }?;
        // SAFETY: as above.
        let wrapped = unsafe { bytes(pWrappedKey, ulWrappedKeyLen) }?;
        // SAFETY: as above.
        let template = unsafe { template(pTemplate, ulAttributeCount) }?;
        let key = with_module(|m| {
            m.unwrap_key(
                hSession,
                kind,
                &parameter,
                hUnwrappingKey,
                wrapped,
                &template,
            )
        })?;
        // SAFETY: checked non-null above.
        unsafe { put(phKey, key) }
    })
}

/// `C_DeriveKey` (`CKM_GOSTR3410_12_DERIVE`, `CKM_GOSTR3410_DERIVE`): the parameter is a
/// `CK_GOSTR3410_DERIVE_PARAMS` whose two buffers are copied out.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_DeriveKey(
    hSession: CK_SESSION_HANDLE,
    pMechanism: *mut CK_MECHANISM,
    hBaseKey: CK_OBJECT_HANDLE,
    pTemplate: *mut CK_ATTRIBUTE,
    ulAttributeCount: CK_ULONG,
    phKey: *mut CK_OBJECT_HANDLE,
) -> CK_RV {
    entry(|| {
        if phKey.is_null() || pMechanism.is_null() {
            return fail(CKR_ARGUMENTS_BAD);
        }
        // SAFETY: non-null; the caller's CK_MECHANISM.
        let m = unsafe { pMechanism.read_unaligned() };
        if m.ulParameterLen as usize != size_of::<CK_GOSTR3410_DERIVE_PARAMS>()
            || m.pParameter.is_null()
        {
            return fail(CKR_MECHANISM_PARAM_INVALID);
        }
        // SAFETY: non-null and exactly the struct's size (checked above); read unaligned, as
        // nothing promises the caller's alignment.
        let p = unsafe { (m.pParameter as *const CK_GOSTR3410_DERIVE_PARAMS).read_unaligned() };
        // SAFETY: the struct's (pointer, length) pairs, by PKCS#11's contract.
        let public = unsafe { bytes(p.pPublicData, p.ulPublicDataLen) }?.to_vec();
        // SAFETY: as above.
        let ukm = unsafe { bytes(p.pUKM, p.ulUKMLen) }?.to_vec();
        let params = DeriveParams {
            kdf: p.kdf,
            public,
            ukm,
        };
        // SAFETY: the caller's template.
        let template = unsafe { template(pTemplate, ulAttributeCount) }?;
        let key = with_module(|module| {
            module.derive_key(hSession, m.mechanism, &params, hBaseKey, &template)
        })?;
        // SAFETY: checked non-null above.
        unsafe { put(phKey, key) }
    })
}
