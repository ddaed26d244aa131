//! The module's function list and the three calls.
#![allow(unsafe_code, reason = "the FFI of this crate")]

use std::path::Path;

use cryptoki_sys::*;

use crate::{Attr, Error};

/// A PKCS#11 module file, loaded again after `cryptoki` loaded and initialised it.
pub struct Module {
    // Kept loaded while `list` is in use: the function pointers live in the library.
    _library: libloading::Library,
    list: CK_FUNCTION_LIST,
}

fn check(rv: CK_RV) -> Result<(), Error> {
    if rv == CKR_OK {
        Ok(())
    } else {
        Err(Error::Rv(rv))
    }
}

impl Module {
    /// Loads `path` and reads its function list (`C_GetFunctionList`). The caller initialises
    /// the module (through `cryptoki`) before calling the others.
    pub fn open(path: &Path) -> Result<Self, Error> {
        // SAFETY: loading a PKCS#11 module runs its initialisers; `cryptoki` has loaded the same
        // file already, so this only raises the loader's reference count.
        let library = unsafe { libloading::Library::new(path) }
            .map_err(|e| Error::Load(format!("{}: {e}", path.display())))?;
        // SAFETY: `C_GetFunctionList` has this signature in every PKCS#11 version (§5.2).
        let get: libloading::Symbol<'_, unsafe extern "C" fn(CK_FUNCTION_LIST_PTR_PTR) -> CK_RV> =
            unsafe { library.get(b"C_GetFunctionList\0") }
                .map_err(|e| Error::Load(format!("{}: {e}", path.display())))?;
        let mut list: CK_FUNCTION_LIST_PTR = std::ptr::null_mut();
        // SAFETY: `list` is a valid out-pointer for the call.
        check(unsafe { get(&mut list) })?;
        if list.is_null() {
            return Err(Error::Missing("C_GetFunctionList result"));
        }
        // SAFETY: the module returned a non-null pointer to its static function list, valid
        // while the library stays loaded (it does: `_library` lives as long as the copy).
        let list = unsafe { *list };
        Ok(Module {
            _library: library,
            list,
        })
    }

    /// `C_GetMechanismList`: every mechanism of the slot, as numbers.
    pub fn mechanisms(&self, slot: CK_SLOT_ID) -> Result<Vec<CK_MECHANISM_TYPE>, Error> {
        let f = self
            .list
            .C_GetMechanismList
            .ok_or(Error::Missing("C_GetMechanismList"))?;
        let mut count: CK_ULONG = 0;
        // SAFETY: a size query: null list pointer and a valid count pointer (§5.5).
        check(unsafe { f(slot, std::ptr::null_mut(), &mut count) })?;
        let mut list: Vec<CK_MECHANISM_TYPE> =
            vec![0; usize::try_from(count).map_err(|_| Error::Rv(CKR_GENERAL_ERROR))?];
        // SAFETY: `list` has room for `count` entries, as the module said.
        check(unsafe { f(slot, list.as_mut_ptr(), &mut count) })?;
        list.truncate(usize::try_from(count).unwrap_or(0));
        Ok(list)
    }

    /// `C_GenerateKeyPair` with a mechanism without parameter: the public and private key
    /// handles.
    pub fn generate_key_pair(
        &self,
        session: CK_SESSION_HANDLE,
        mechanism: CK_MECHANISM_TYPE,
        public: &[Attr],
        private: &[Attr],
    ) -> Result<(CK_OBJECT_HANDLE, CK_OBJECT_HANDLE), Error> {
        let f = self
            .list
            .C_GenerateKeyPair
            .ok_or(Error::Missing("C_GenerateKeyPair"))?;
        let mut mechanism = CK_MECHANISM {
            mechanism,
            pParameter: std::ptr::null_mut(),
            ulParameterLen: 0,
        };
        let mut public_template = template(public);
        let mut private_template = template(private);
        let (mut public_key, mut private_key) = (0, 0);
        // SAFETY: the templates point into `public` and `private`, alive for the call; the
        // module only reads them (their pointers are `*mut` by the C prototype only).
        check(unsafe {
            f(
                session,
                &mut mechanism,
                public_template.as_mut_ptr(),
                ulong(public_template.len()),
                private_template.as_mut_ptr(),
                ulong(private_template.len()),
                &mut public_key,
                &mut private_key,
            )
        })?;
        Ok((public_key, private_key))
    }

    /// `C_SignInit` and a one-part `C_Sign` with a mechanism without parameter. The call blocks
    /// while the token waits for a press on the SafeTouch.
    pub fn sign(
        &self,
        session: CK_SESSION_HANDLE,
        mechanism: CK_MECHANISM_TYPE,
        key: CK_OBJECT_HANDLE,
        data: &[u8],
    ) -> Result<Vec<u8>, Error> {
        let init = self.list.C_SignInit.ok_or(Error::Missing("C_SignInit"))?;
        let sign = self.list.C_Sign.ok_or(Error::Missing("C_Sign"))?;
        let mut mechanism = CK_MECHANISM {
            mechanism,
            pParameter: std::ptr::null_mut(),
            ulParameterLen: 0,
        };
        // SAFETY: a valid mechanism structure for the call.
        check(unsafe { init(session, &mut mechanism, key) })?;
        // The largest GOST signature is 128 bytes (512-bit keys); one call, no size query, so
        // the token signs (and the SafeTouch asks) once.
        let mut signature = vec![0u8; 256];
        let mut len = ulong(signature.len());
        let mut input = data.to_vec();
        // SAFETY: `input` and `signature` are valid for their lengths during the call.
        check(unsafe {
            sign(
                session,
                input.as_mut_ptr(),
                ulong(input.len()),
                signature.as_mut_ptr(),
                &mut len,
            )
        })?;
        signature.truncate(usize::try_from(len).unwrap_or(0));
        Ok(signature)
    }
}

impl Module {
    /// `C_GetAttributeValue` of one byte-string attribute (`CKA_ID`, `CKA_VALUE`) of an object
    /// given by its raw handle (as `C_GenerateKeyPair` returns it).
    pub fn attribute(
        &self,
        session: CK_SESSION_HANDLE,
        object: CK_OBJECT_HANDLE,
        kind: CK_ATTRIBUTE_TYPE,
    ) -> Result<Vec<u8>, Error> {
        let f = self
            .list
            .C_GetAttributeValue
            .ok_or(Error::Missing("C_GetAttributeValue"))?;
        let mut attribute = CK_ATTRIBUTE {
            type_: kind,
            pValue: std::ptr::null_mut(),
            ulValueLen: 0,
        };
        // SAFETY: a size query: one attribute with a null value pointer (§5.7).
        check(unsafe { f(session, object, &mut attribute, 1) })?;
        let mut value = vec![0u8; usize::try_from(attribute.ulValueLen).unwrap_or(0)];
        attribute.pValue = value.as_mut_ptr().cast();
        // SAFETY: `value` has the room the module asked for.
        check(unsafe { f(session, object, &mut attribute, 1) })?;
        value.truncate(usize::try_from(attribute.ulValueLen).unwrap_or(0));
        Ok(value)
    }
}

fn ulong(n: usize) -> CK_ULONG {
    CK_ULONG::try_from(n).unwrap_or(CK_ULONG::MAX)
}

/// `CK_ATTRIBUTE`s pointing into `attrs` (which must outlive their use).
fn template(attrs: &[Attr]) -> Vec<CK_ATTRIBUTE> {
    attrs
        .iter()
        .map(|a| CK_ATTRIBUTE {
            type_: a.kind,
            pValue: a.value.as_ptr().cast_mut().cast(),
            ulValueLen: ulong(a.value.len()),
        })
        .collect()
}
