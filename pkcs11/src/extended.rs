//! Aktiv's extended API (`rtpkcs11.h`): `C_EX_GetFunctionListExtended` and the vendor's
//! `CK_FUNCTION_LIST_EXTENDED`, so that bank code written against `librtpkcs11ecp.so` runs on
//! this module. The calls an ECP 2.0 supports are implemented on the module's sessions and
//! objects; the others answer `CKR_FUNCTION_NOT_SUPPORTED` (docs/pkcs11.md has the table).
//!
//! Files: `types` (the vendor's structures and constants), `function_list` (the table and the
//! unsupported calls), `token_info` (extended token information, the token name), `init`
//! (formatting, unblocking), `csr` (`C_EX_CreateCSR`, `C_EX_FreeBuffer`), `cert_text`
//! (`C_EX_GetCertificateInfoText`), `pkcs7` (`C_EX_PKCS7Sign`), `verify` (`C_EX_PKCS7Verify*`);
//! helpers: `buffers` (what the module hands out), `keys` (objects by handle), `der_util`,
//! `profile` (the device profile's figures).
//!
//! The entry points are `unsafe extern "C"` functions in those files (each file allows
//! `unsafe_code` for that, every block with its SAFETY note); the state they need comes from
//! `Module` through `module/extended_support.rs`.

mod buffers;
mod cert_text;
mod csr;
mod der_util;
mod function_list;
pub(crate) mod init;
mod keys;
mod pkcs7;
mod profile;
mod token_info;
pub mod types;
mod verify;
