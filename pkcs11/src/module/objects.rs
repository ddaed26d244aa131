//! Object management (PKCS#11 v2.40 §5.7): handles for the token's objects, searches,
//! attributes, session objects, creating and destroying.

use cryptoki_sys::*;

use super::session_attributes::{check_session_attribute, object_id_der};
use super::{AttributeValue, Entry, Module};
use crate::attribute::Template;
use crate::device::{DataObject, PairLabels, Role};
use crate::error::{Error, fail};
use crate::object::{Identity, Kind, SessionObject};
use crate::vendor_key::{self, VendorKeyFlags};

impl Module {
    /// Re-reads the token's objects if needed (under the slot's lock) and gives every one a
    /// handle (under the table's).
    pub(super) fn sync_objects(&self, slot: CK_SLOT_ID) -> Result<(), Error> {
        let listing = self.with_token(slot, |t| {
            if t.listing.is_none() {
                t.listing = Some(t.device.listing()?);
            }
            Ok(t.listing.clone().unwrap_or_default())
        })?;
        let mut kinds = Vec::new();
        // The data objects that keep the vendor's key attributes are not objects of their own.
        let (flags, data): (Vec<DataObject>, Vec<DataObject>) = listing
            .data
            .into_iter()
            .partition(vendor_key::is_flags_object);
        for mut k in listing.keys {
            if let Some(object) = flags
                .iter()
                .find(|o| o.label == vendor_key::label(k.reference))
            {
                k.vendor = VendorKeyFlags::from_object(object);
                k.vendor_object = Some(object.clone());
            }
            kinds.push(Kind::PrivateKey(k.clone()));
            kinds.push(Kind::PublicKey(k));
        }
        // Nor are those that keep token secret keys' attributes: they are the keys.
        let (records, data): (Vec<DataObject>, Vec<DataObject>) =
            data.into_iter().partition(crate::symmetric::is_record);
        kinds.extend(listing.certificates.into_iter().map(Kind::Certificate));
        kinds.extend(data.into_iter().map(Kind::Data));
        kinds.extend(
            records
                .iter()
                .filter_map(crate::symmetric::SecretKeyObject::from_record)
                .map(Kind::SecretKey),
        );
        let mut table = self.table();
        let mut seen = Vec::new();
        for kind in kinds {
            let Some(identity) = kind.identity() else {
                continue;
            };
            let key = (slot, identity);
            let handle = match table.handles.get(&key) {
                Some(h) => *h,
                None => {
                    let h = table.next_object;
                    table.next_object += 1;
                    table.handles.insert(key, h);
                    h
                }
            };
            seen.push(handle);
            table.objects.insert(
                handle,
                Entry {
                    slot,
                    kind,
                    session: None,
                },
            );
        }
        table
            .objects
            .retain(|h, e| e.slot != slot || e.session.is_some() || seen.contains(h));
        table
            .handles
            .retain(|(s, _), h| *s != slot || seen.contains(h));
        Ok(())
    }

    /// The handle of a token object just written.
    pub(super) fn token_object_handle(
        &self,
        slot: CK_SLOT_ID,
        kind: Kind,
    ) -> Result<CK_OBJECT_HANDLE, Error> {
        self.sync_objects(slot)?;
        let identity = kind.identity().ok_or(Error::Rv(CKR_GENERAL_ERROR))?;
        self.table()
            .handles
            .get(&(slot, identity))
            .copied()
            .ok_or(Error::Rv(CKR_DEVICE_ERROR))
    }

    /// `C_FindObjectsInit`.
    pub fn find_init(&self, handle: CK_SESSION_HANDLE, template: &Template) -> Result<(), Error> {
        let slot = {
            let mut table = self.table();
            let session = table.session(handle)?;
            if session.find.is_some() {
                return fail(CKR_OPERATION_ACTIVE);
            }
            session.slot
        };
        self.sync_objects(slot)?;
        let mut table = self.table();
        let user = table.login_of(slot) == Some(Role::User);
        let mut found: Vec<CK_OBJECT_HANDLE> = table
            .objects
            .iter()
            .filter(|(_, e)| e.slot == slot && (user || !e.kind.is_private()))
            .filter(|(_, e)| e.kind.matches(template))
            .map(|(h, _)| *h)
            .collect();
        found.sort_unstable();
        let session = table.session(handle)?;
        if session.find.is_some() {
            return fail(CKR_OPERATION_ACTIVE);
        }
        session.find = Some((found, 0));
        Ok(())
    }

    /// `C_FindObjects`: up to `max` more handles.
    pub fn find(
        &self,
        handle: CK_SESSION_HANDLE,
        max: usize,
    ) -> Result<Vec<CK_OBJECT_HANDLE>, Error> {
        let mut table = self.table();
        let (found, at) = table
            .session(handle)?
            .find
            .as_mut()
            .ok_or(Error::Rv(CKR_OPERATION_NOT_INITIALIZED))?;
        let end = (*at + max).min(found.len());
        let out = found[*at..end].to_vec();
        *at = end;
        Ok(out)
    }

    /// `C_FindObjectsFinal`.
    pub fn find_final(&self, handle: CK_SESSION_HANDLE) -> Result<(), Error> {
        if self.table().session(handle)?.find.take().is_none() {
            return fail(CKR_OPERATION_NOT_INITIALIZED);
        }
        Ok(())
    }

    /// `C_GetAttributeValue`: one answer per requested type.
    pub fn attributes(
        &self,
        handle: CK_SESSION_HANDLE,
        object: CK_OBJECT_HANDLE,
        kinds: &[CK_ATTRIBUTE_TYPE],
    ) -> Result<Vec<AttributeValue>, Error> {
        let mut table = self.table();
        let entry = table.visible(handle, object)?;
        Ok(kinds.iter().map(|k| entry.kind.attribute(*k)).collect())
    }

    /// `C_GetObjectSize`: the bytes of its attribute values (an estimate, as the spec allows).
    pub fn object_size(
        &self,
        handle: CK_SESSION_HANDLE,
        object: CK_OBJECT_HANDLE,
    ) -> Result<CK_ULONG, Error> {
        let mut table = self.table();
        let entry = table.visible(handle, object)?;
        let size: usize = [CKA_LABEL, CKA_ID, CKA_VALUE, CKA_SUBJECT]
            .iter()
            .filter_map(|k| entry.kind.attribute(*k).ok())
            .map(|v| v.len())
            .sum();
        Ok(size as CK_ULONG)
    }

    /// `C_SetAttributeValue`: session objects take new values (in read-only sessions too,
    /// PKCS#11 §6.7.1); token keys and certificates take a new `CKA_LABEL` and `CKA_ID`, token
    /// data objects a new `CKA_LABEL` (their PKCS#15 entries are rewritten).
    pub fn set_attributes(
        &self,
        handle: CK_SESSION_HANDLE,
        object: CK_OBJECT_HANDLE,
        template: &Template,
    ) -> Result<(), Error> {
        let mut table = self.table();
        table.visible(handle, object)?;
        let Some(entry) = table.objects.get_mut(&object) else {
            return fail(CKR_OBJECT_HANDLE_INVALID);
        };
        if let Kind::SecretKey(k) = &mut entry.kind {
            return super::secret_keys::set_secret_key_attributes(k, template);
        }
        if !matches!(entry.kind, Kind::Session(_)) {
            drop(table);
            return self.rename(handle, object, template);
        }
        let Kind::Session(s) = &mut entry.kind else {
            return fail(CKR_ATTRIBUTE_READ_ONLY);
        };
        if s.attributes
            .iter()
            .any(|(t, v)| *t == CKA_MODIFIABLE && v.as_slice() == [0])
        {
            return fail(CKR_ACTION_PROHIBITED);
        }
        for a in &template.0 {
            check_session_attribute(s.class, a)?;
            if matches!(
                a.kind,
                CKA_CLASS
                    | CKA_TOKEN
                    | CKA_PRIVATE
                    | CKA_CERTIFICATE_TYPE
                    | CKA_MODIFIABLE
                    | CKA_COPYABLE
            ) {
                return fail(CKR_ATTRIBUTE_READ_ONLY);
            }
        }
        for a in &template.0 {
            match s.attributes.iter_mut().find(|(t, _)| *t == a.kind) {
                Some((_, v)) => *v = a.value.clone(),
                None => s.attributes.push((a.kind, a.value.clone())),
            }
        }
        Ok(())
    }

    /// A new `CKA_LABEL` or `CKA_ID` for a token key pair (both halves) or certificate, a new
    /// `CKA_LABEL` for a token data object. The handles stay: the table's identities are moved
    /// to the new ID before the re-listing.
    fn rename(
        &self,
        handle: CK_SESSION_HANDLE,
        object: CK_OBJECT_HANDLE,
        template: &Template,
    ) -> Result<(), Error> {
        let (slot, kind) = {
            let mut table = self.table();
            let (slot, rw) = table.session_slot(handle)?;
            let kind = table.visible(handle, object)?.kind.clone();
            if !rw {
                return fail(CKR_SESSION_READ_ONLY);
            }
            if table.login_of(slot) != Some(Role::User) {
                return fail(CKR_USER_NOT_LOGGED_IN);
            }
            (slot, kind)
        };
        // A data object has no CKA_ID (PKCS#11 v2.40 §4.5).
        let names: &[CK_ATTRIBUTE_TYPE] = match kind {
            Kind::Data(_) => &[CKA_LABEL],
            _ => &[CKA_LABEL, CKA_ID],
        };
        if template.0.iter().any(|a| !names.contains(&a.kind)) {
            return fail(CKR_ATTRIBUTE_READ_ONLY);
        }
        let (old_label, old_id) = match &kind {
            Kind::PrivateKey(k) => (k.label.clone(), k.id.clone()),
            Kind::PublicKey(k) => (k.public_label.clone(), k.id.clone()),
            Kind::Certificate(c) => (c.label.clone(), c.id.clone()),
            Kind::Data(d) => (d.label.clone(), Vec::new()),
            Kind::Session(_) | Kind::SecretKey(_) => return fail(CKR_ATTRIBUTE_READ_ONLY),
        };
        let label = template.string(CKA_LABEL)?.unwrap_or(old_label);
        let id = template.get(CKA_ID)?.map_or(old_id, <[u8]>::to_vec);
        let renamed: Vec<(Identity, Identity)> = match &kind {
            Kind::PrivateKey(k) | Kind::PublicKey(k) => {
                // A new label names the half it was set on; a new ID moves both.
                let labels = if matches!(kind, Kind::PublicKey(_)) {
                    PairLabels {
                        private: &k.label,
                        public: &label,
                    }
                } else {
                    PairLabels {
                        private: &label,
                        public: &k.public_label,
                    }
                };
                self.with_token(slot, |t| {
                    t.listing = None;
                    Ok(t.device.rename_key_pair(k, labels, &id)?)
                })?;
                vec![
                    (
                        Identity::PrivateKey(k.reference, k.id.clone()),
                        Identity::PrivateKey(k.reference, id.clone()),
                    ),
                    (
                        Identity::PublicKey(k.reference, k.id.clone()),
                        Identity::PublicKey(k.reference, id.clone()),
                    ),
                ]
            }
            Kind::Certificate(c) => {
                self.with_token(slot, |t| {
                    t.listing = None;
                    Ok(t.device.rename_certificate(c, &label, &id)?)
                })?;
                vec![(
                    Identity::Certificate(c.id.clone(), c.der.clone()),
                    Identity::Certificate(id.clone(), c.der.clone()),
                )]
            }
            Kind::Data(d) => {
                // The identity (the EF's path) does not change.
                self.with_token(slot, |t| {
                    t.listing = None;
                    Ok(t.device.rename_data_object(d, &label)?)
                })?;
                Vec::new()
            }
            Kind::Session(_) | Kind::SecretKey(_) => Vec::new(),
        };
        {
            let mut table = self.table();
            for (old, new) in renamed {
                if let Some(h) = table.handles.remove(&(slot, old)) {
                    table.handles.insert((slot, new), h);
                }
            }
        }
        self.sync_objects(slot)
    }

    /// `C_CreateObject`: X.509 certificates (on the token: a CDF entry; or in the session)
    /// and data objects (on the token: a DODF entry and an EF; or in the session).
    pub fn create_object(
        &self,
        handle: CK_SESSION_HANDLE,
        template: &Template,
    ) -> Result<CK_OBJECT_HANDLE, Error> {
        let (slot, rw, user) = {
            let mut table = self.table();
            let (slot, rw) = table.session_slot(handle)?;
            (slot, rw, table.login_of(slot) == Some(Role::User))
        };
        let class = template
            .ulong(CKA_CLASS)?
            .ok_or(Error::Rv(CKR_TEMPLATE_INCOMPLETE))?;
        let token = template.bool(CKA_TOKEN)?.unwrap_or(false);
        let private = template.bool(CKA_PRIVATE)?.unwrap_or(false);
        if token && !rw {
            return fail(CKR_SESSION_READ_ONLY);
        }
        if private && !user {
            return fail(CKR_USER_NOT_LOGGED_IN);
        }
        match class {
            CKO_SECRET_KEY => self.create_secret_key(handle, template),
            CKO_CERTIFICATE => {
                match template.ulong(CKA_CERTIFICATE_TYPE)? {
                    Some(CKC_X_509) => {}
                    Some(_) => return fail(CKR_ATTRIBUTE_VALUE_INVALID),
                    None => return fail(CKR_TEMPLATE_INCOMPLETE),
                }
                let der = template
                    .get(CKA_VALUE)?
                    .ok_or(Error::Rv(CKR_TEMPLATE_INCOMPLETE))?
                    .to_vec();
                if <x509_cert::Certificate as der::Decode>::from_der(&der).is_err() {
                    return fail(CKR_ATTRIBUTE_VALUE_INVALID);
                }
                if private {
                    return fail(CKR_TEMPLATE_INCONSISTENT);
                }
                if token {
                    if !user {
                        return fail(CKR_USER_NOT_LOGGED_IN);
                    }
                    let label = template.string(CKA_LABEL)?.unwrap_or_default();
                    let id = template.get(CKA_ID)?.map(<[u8]>::to_vec);
                    let cert = self.with_token(slot, |t| {
                        t.listing = None;
                        Ok(t.device.install_certificate(&der, &label, id.as_deref())?)
                    })?;
                    return self.token_object_handle(slot, Kind::Certificate(cert));
                }
                self.session_object(handle, slot, CKO_CERTIFICATE, template)
            }
            CKO_DATA => {
                if !token {
                    return self.session_object(handle, slot, CKO_DATA, template);
                }
                for a in &template.0 {
                    check_session_attribute(CKO_DATA, a)?;
                }
                // A token data object is modifiable (its label), destroyable, not copyable.
                for (kind, token_value) in [
                    (CKA_MODIFIABLE, true),
                    (CKA_COPYABLE, false),
                    (CKA_DESTROYABLE, true),
                ] {
                    if template.bool(kind)?.is_some_and(|v| v != token_value) {
                        return fail(CKR_TEMPLATE_INCONSISTENT);
                    }
                }
                if !user {
                    return fail(CKR_USER_NOT_LOGGED_IN);
                }
                let object = DataObject {
                    label: template.string(CKA_LABEL)?.unwrap_or_default(),
                    application: template.string(CKA_APPLICATION)?.unwrap_or_default(),
                    oid: object_id_der(template.get(CKA_OBJECT_ID)?.unwrap_or_default())?,
                    private,
                    path: Vec::new(),
                    value: template.get(CKA_VALUE)?.unwrap_or_default().to_vec(),
                };
                let stored = self.with_token(slot, |t| {
                    t.listing = None;
                    Ok(t.device.create_data_object(&object)?)
                })?;
                self.token_object_handle(slot, Kind::Data(stored))
            }
            _ => fail(CKR_ATTRIBUTE_VALUE_INVALID),
        }
    }

    fn session_object(
        &self,
        handle: CK_SESSION_HANDLE,
        slot: CK_SLOT_ID,
        class: CK_OBJECT_CLASS,
        template: &Template,
    ) -> Result<CK_OBJECT_HANDLE, Error> {
        use crate::attribute::{bool, ulong};
        let mut attributes: Vec<(CK_ATTRIBUTE_TYPE, Vec<u8>)> = Vec::new();
        let defaults: Vec<(CK_ATTRIBUTE_TYPE, Vec<u8>)> = match class {
            CKO_DATA => vec![
                (CKA_PRIVATE, bool(false)),
                (CKA_MODIFIABLE, bool(true)),
                (CKA_COPYABLE, bool(false)),
                (CKA_DESTROYABLE, bool(true)),
                (CKA_LABEL, Vec::new()),
                (CKA_APPLICATION, Vec::new()),
                (CKA_OBJECT_ID, Vec::new()),
                (CKA_VALUE, Vec::new()),
            ],
            _ => vec![
                (CKA_PRIVATE, bool(false)),
                (CKA_MODIFIABLE, bool(true)),
                (CKA_COPYABLE, bool(false)),
                (CKA_DESTROYABLE, bool(true)),
                (CKA_LABEL, Vec::new()),
                (CKA_ID, Vec::new()),
                (CKA_TRUSTED, bool(false)),
                (
                    CKA_CERTIFICATE_CATEGORY,
                    ulong(CK_CERTIFICATE_CATEGORY_UNSPECIFIED),
                ),
                (CKA_SUBJECT, Vec::new()),
                (CKA_ISSUER, Vec::new()),
                (CKA_SERIAL_NUMBER, Vec::new()),
            ],
        };
        for a in &template.0 {
            check_session_attribute(class, a)?;
            match attributes.iter_mut().find(|(t, _)| *t == a.kind) {
                Some((_, v)) => *v = a.value.clone(),
                None => attributes.push((a.kind, a.value.clone())),
            }
        }
        for (t, v) in defaults {
            if !attributes.iter().any(|(k, _)| *k == t) {
                attributes.push((t, v));
            }
        }
        if !attributes.iter().any(|(k, _)| *k == CKA_TOKEN) {
            attributes.push((CKA_TOKEN, bool(false)));
        }
        let mut table = self.table();
        // The session may have closed while the template was checked.
        table.session(handle)?;
        let object = table.next_object;
        table.next_object += 1;
        table.objects.insert(
            object,
            Entry {
                slot,
                kind: Kind::Session(SessionObject { class, attributes }),
                session: Some(handle),
            },
        );
        Ok(object)
    }

    /// `C_DestroyObject`. A key pair lives in two RSFs and two directory entries: destroying
    /// either half deletes the pair.
    pub fn destroy_object(
        &self,
        handle: CK_SESSION_HANDLE,
        object: CK_OBJECT_HANDLE,
    ) -> Result<(), Error> {
        let (slot, rw, kind) = {
            let mut table = self.table();
            let rw = table.session(handle)?.rw;
            let e = table.visible(handle, object)?;
            let (slot, kind) = (e.slot, e.kind.clone());
            if let Kind::Session(_) = kind {
                table.objects.remove(&object);
                return Ok(());
            }
            if let Kind::SecretKey(k) = &kind
                && !k.token
            {
                table.objects.remove(&object);
                drop(table);
                return self.delete_secret_keys(slot, &[k.key]);
            }
            (slot, rw, kind)
        };
        if !rw {
            return fail(CKR_SESSION_READ_ONLY);
        }
        self.with_token(slot, |t| {
            t.listing = None;
            match &kind {
                Kind::PrivateKey(k) | Kind::PublicKey(k) => {
                    t.device.delete_key_pair(k)?;
                    if let Some(object) = &k.vendor_object {
                        t.device.delete_data_object(object)?;
                    }
                }
                Kind::Certificate(c) => t.device.delete_certificate(c)?,
                Kind::Data(d) => t.device.delete_data_object(d)?,
                Kind::SecretKey(k) => {
                    super::encryption::symmetric_of(t.device.as_mut())?.delete_secret_key(k.key)?;
                    if let Some(record) = &k.record {
                        t.device.delete_data_object(record)?;
                    }
                }
                Kind::Session(_) => {}
            }
            Ok(())
        })?;
        self.sync_objects(slot)
    }
}
