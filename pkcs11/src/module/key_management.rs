//! Key management (PKCS#11 v2.40 §5.13): key pairs generated on the token.

use cryptoki_sys::*;

use super::Module;
use crate::attribute::Template;
use crate::device::{KeySpec, PairLabels, Role};
use crate::error::{Error, fail};
use crate::mechanism;
use crate::object::Kind;
use crate::vendor_key::{self, VendorKeyFlags};

impl Module {
    /// `C_GenerateKeyPair`: returns the public and the private key's handles.
    pub fn generate_key_pair(
        &self,
        handle: CK_SESSION_HANDLE,
        mechanism: CK_MECHANISM_TYPE,
        public: &Template,
        private: &Template,
    ) -> Result<(CK_OBJECT_HANDLE, CK_OBJECT_HANDLE), Error> {
        let (slot, rw, login) = {
            let mut table = self.table();
            let (slot, rw) = table.session_slot(handle)?;
            (slot, rw, table.login_of(slot))
        };
        if mechanism::find(mechanism).is_none_or(|m| m.flags & CKF_GENERATE_KEY_PAIR == 0) {
            return fail(CKR_MECHANISM_INVALID);
        }
        if !rw {
            return fail(CKR_SESSION_READ_ONLY);
        }
        if login != Some(Role::User) {
            return fail(CKR_USER_NOT_LOGGED_IN);
        }
        for t in [public, private] {
            if t.bool(CKA_TOKEN)? == Some(false) {
                // Keys are generated in the token's RSFs; no session keys.
                return fail(CKR_TEMPLATE_INCONSISTENT);
            }
        }
        if public
            .ulong(CKA_CLASS)?
            .is_some_and(|c| c != CKO_PUBLIC_KEY)
            || private
                .ulong(CKA_CLASS)?
                .is_some_and(|c| c != CKO_PRIVATE_KEY)
        {
            return fail(CKR_TEMPLATE_INCONSISTENT);
        }
        let key_type = match (public.ulong(CKA_KEY_TYPE)?, private.ulong(CKA_KEY_TYPE)?) {
            (Some(a), Some(b)) if a != b => return fail(CKR_TEMPLATE_INCONSISTENT),
            (a, b) => a.or(b),
        };
        let pick = |kind| -> Result<Option<Vec<u8>>, Error> {
            let a = public.get(kind)?.map(<[u8]>::to_vec);
            let b = private.get(kind)?.map(<[u8]>::to_vec);
            match (a, b) {
                (Some(a), Some(b)) if a != b => fail(CKR_TEMPLATE_INCONSISTENT),
                (a, b) => Ok(a.or(b)),
            }
        };
        let params = pick(CKA_GOSTR3410_PARAMS)?;
        let hash_params = pick(CKA_GOSTR3411_PARAMS)?;
        let spec: KeySpec = mechanism::key_spec(
            mechanism,
            key_type,
            params.as_deref(),
            hash_params.as_deref(),
        )?;
        // Each half keeps its own label (the vendor's samples name them "… Public Key" and
        // "… Private Key"); a label given for one half only is both halves'.
        let (private_label, public_label) = (private.string(CKA_LABEL)?, public.string(CKA_LABEL)?);
        let label = private_label
            .clone()
            .or_else(|| public_label.clone())
            .unwrap_or_default();
        let public_label = public_label.unwrap_or_else(|| label.clone());
        let id = pick(CKA_ID)?;
        let vendor = VendorKeyFlags::from_templates(public, private)?;
        let key = self.with_token(slot, |t| {
            t.listing = None;
            let labels = PairLabels {
                private: &label,
                public: &public_label,
            };
            let mut key = t.device.generate_key_pair(spec, labels, id.as_deref())?;
            // A data object left by a deleted key of the same reference would give the new
            // key its attributes: replaced.
            let stale = t.device.listing()?.data.into_iter().filter(|d| {
                vendor_key::is_flags_object(d) && d.label == vendor_key::label(key.reference)
            });
            for object in stale.collect::<Vec<_>>() {
                t.device.delete_data_object(&object)?;
            }
            if vendor.any() {
                let object = t.device.create_data_object(&vendor.object(key.reference))?;
                key.vendor = vendor;
                key.vendor_object = Some(object);
            }
            Ok(key)
        })?;
        let public_handle = self.token_object_handle(slot, Kind::PublicKey(key.clone()))?;
        let private_handle = self.token_object_handle(slot, Kind::PrivateKey(key))?;
        Ok((public_handle, private_handle))
    }
}
