//! The token-wide work of the vendor's extended calls: the label in the PKCS#15 TokenInfo
//! (EF `3F00/5000/5032`, where OpenSC reads it too), the PIN policy the PIN RSFs carry, the
//! user PIN's RESET RETRY COUNTER, and formatting as the bank plugin's `formatToken` does it
//! (objects deleted under the new user PIN, PINs set under the administrator's).

use rutoken_client::layout;
use rutoken_client::{ClientError, PinRole, Transport};

use super::{ClientDevice, PIN_DF, pin_text};
use crate::device::{DeviceError, Format};

/// The PKCS#15 TokenInfo EF `3F00/5000/5032` (PKCS #15 v1.1 §5.5.1, the fixture's and
/// pkcs15-init's FID), as a path below the MF.
const TOKEN_INFO: [u16; 2] = [layout::PKCS15_APP, 0x5032];
/// TokenInfo's `label [0] Label` (PKCS #15 v1.1 §6.9: context tag 0, primitive).
const LABEL_TAG: u8 = 0x80;

/// One DER TLV at the start of `bytes`: (tag, header length, value length).
fn tlv_at(bytes: &[u8]) -> Option<(u8, usize, usize)> {
    let tag = *bytes.first()?;
    let first = *bytes.get(1)? as usize;
    let (header, len) = match first {
        0..=0x7F => (2, first),
        0x81 => (3, *bytes.get(2)? as usize),
        0x82 => (4, (*bytes.get(2)? as usize) << 8 | *bytes.get(3)? as usize),
        _ => return None,
    };
    (bytes.len() >= header + len).then_some((tag, header, len))
}

fn der_len(len: usize) -> Vec<u8> {
    match len {
        0..=0x7F => vec![len as u8],
        0x80..=0xFF => vec![0x81, len as u8],
        _ => vec![0x82, (len >> 8) as u8, len as u8],
    }
}

fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    out.extend(der_len(value.len()));
    out.extend_from_slice(value);
    out
}

/// TokenInfo's members (TLVs, raw).
fn members(token_info: &[u8]) -> Option<Vec<&[u8]>> {
    let (tag, header, len) = tlv_at(token_info)?;
    if tag != 0x30 {
        return None;
    }
    let mut rest = &token_info[header..header + len];
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (_, h, l) = tlv_at(rest)?;
        out.push(&rest[..h + l]);
        rest = &rest[h + l..];
    }
    Some(out)
}

/// TokenInfo with `label` in place of its label: after version, serialNumber and
/// manufacturerID (UTF8String, tag 0C), the order PKCS #15 §6.9 gives.
pub(super) fn with_label(token_info: &[u8], label: &str) -> Option<Vec<u8>> {
    let members = members(token_info)?;
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut placed = false;
    for (i, m) in members.iter().enumerate() {
        if m[0] == LABEL_TAG {
            continue;
        }
        let after_header = i >= 2 && m[0] != 0x0C;
        if after_header && !placed {
            out.push(tlv(LABEL_TAG, label.as_bytes()));
            placed = true;
        }
        out.push(m.to_vec());
    }
    if !placed {
        out.push(tlv(LABEL_TAG, label.as_bytes()));
    }
    Some(tlv(0x30, &out.concat()))
}

/// TokenInfo's label, if it has one.
pub(super) fn label_of(token_info: &[u8]) -> Option<String> {
    members(token_info)?
        .into_iter()
        .find(|m| m[0] == LABEL_TAG)
        .and_then(|m| {
            let (_, h, l) = tlv_at(m)?;
            String::from_utf8(m[h..h + l].to_vec()).ok()
        })
}

impl<T: Transport> ClientDevice<T> {
    /// The label in TokenInfo.
    pub(super) fn read_label(&mut self) -> Result<Option<String>, DeviceError> {
        let file = self
            .client
            .read_file(&TOKEN_INFO)
            .map_err(|e| self.err(e))?;
        Ok(file.as_deref().and_then(label_of))
    }

    /// Rewrites TokenInfo with a new label (zero-padded to the file's old content: the EF's
    /// size does not change).
    pub(super) fn write_label(&mut self, label: &str) -> Result<(), DeviceError> {
        let fcp = self
            .client
            .select_path(&TOKEN_INFO)
            .map_err(|e| self.err(e))?
            .ok_or_else(|| DeviceError::Failed("the token has no PKCS#15 TokenInfo".into()))?;
        let old = self.client.read_binary(fcp.size).map_err(|e| self.err(e))?;
        let mut new = with_label(&old, label)
            .ok_or_else(|| DeviceError::Failed("the token's TokenInfo does not parse".into()))?;
        if new.len() > fcp.size {
            return Err(DeviceError::NoRoom);
        }
        new.resize(old.len().max(new.len()), 0);
        self.client.write_binary(0, &new).map_err(|e| self.err(e))
    }

    /// Attribute 85 of a PIN RSF: `01, minLen, 01, (max << 4 | left), 00, 00`
    /// (rutoken-ecp-apdu.md §3, as OpenSC's pkcs15-rtecp.c writes it).
    pub(super) fn pin_min_len(&mut self, role: PinRole) -> Result<Option<u8>, DeviceError> {
        let [a, b, c] = PIN_DF;
        let path = [a, b, c, u16::from(role.reference())];
        let fcp = self.client.select_path(&path).map_err(|e| self.err(e))?;
        Ok(fcp.and_then(|f| f.proprietary.get(1).copied()))
    }

    /// `C_EX_InitToken`'s format (see [`crate::device::Device::format`]). The admin PIN is
    /// verified before anything changes: a wrong one leaves the token as it was.
    pub(super) fn run_format(&mut self, format: &Format<'_>) -> Result<(), DeviceError> {
        let admin = pin_text(format.admin)?;
        let user = pin_text(format.user)?;
        let new_admin = format.new_admin.map(pin_text).transpose()?;
        self.client.logout().map_err(|e| self.err(e))?;
        self.client
            .verify_pin(PinRole::Admin, admin)
            .map_err(|e| self.err(e))?;
        let result = (|| -> Result<(), ClientError> {
            if let Some(new_admin) = new_admin {
                self.client.change_pin(PinRole::Admin, admin, new_admin)?;
            }
            // The objects go under the new user PIN (the token deletes them only under the
            // user's; plugin/src/backend/edit.rs `clear`, the same order).
            self.client.reset_retry_counter(PinRole::User)?;
            self.client.set_pin(PinRole::User, user)?;
            self.client.logout()?;
            self.client.verify_pin(PinRole::User, user)?;
            let objects = self.client.objects()?;
            // Certificates are deleted by ID, and two may share one (an old and a reissued
            // certificate of one key): each ID until none is left.
            let mut ids: Vec<&[u8]> = objects.certificates.iter().map(|c| &c.id[..]).collect();
            ids.dedup();
            for id in ids {
                for _ in 0..objects.certificates.len() {
                    match self.client.delete_certificate(id) {
                        Ok(()) => {}
                        Err(ClientError::NotFound { .. }) => break,
                        Err(e) => return Err(e),
                    }
                }
            }
            for key in &objects.keys {
                self.client.delete_key_pair(key.reference)?;
            }
            for data in self.client.data_objects()? {
                self.client.delete_data_object(&data.path)?;
            }
            Ok(())
        })()
        .map_err(|e| self.err(e));
        let labelled = match (&result, format.label) {
            (Ok(()), Some(label)) => self.write_label(label),
            _ => Ok(()),
        };
        let _ = self.client.logout();
        result.and(labelled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The simulator fixture's TokenInfo: version, serial, manufacturer, label, flags, time.
    fn fixture() -> Vec<u8> {
        let mut body = vec![0x02, 0x01, 0x00];
        body.extend(tlv(0x04, &[1, 2, 3, 4, 5, 6, 7, 8]));
        body.extend(tlv(0x0C, b"Aktiv Co."));
        body.extend(tlv(0x80, b"Rutoken ECP"));
        body.extend([0x03, 0x02, 0x04, 0x10]);
        tlv(0x30, &body)
    }

    #[test]
    fn a_label_is_replaced_in_place_and_read_back() {
        let mut padded = fixture();
        padded.resize(128, 0);
        assert_eq!(label_of(&padded).as_deref(), Some("Rutoken ECP"));
        let new = with_label(&padded, "Банк-клиент").unwrap();
        assert_eq!(label_of(&new).as_deref(), Some("Банк-клиент"));
        let m = members(&new).unwrap();
        assert_eq!(m.len(), 5, "no member lost or doubled");
        assert_eq!(
            m[3][0], LABEL_TAG,
            "after the manufacturer, before the flags"
        );
        assert_eq!(m[4], &[0x03, 0x02, 0x04, 0x10][..]);
    }

    #[test]
    fn a_token_info_without_a_label_gets_one_before_its_flags() {
        let mut body = vec![0x02, 0x01, 0x00];
        body.extend(tlv(0x04, &[9; 8]));
        body.extend([0x03, 0x02, 0x04, 0x10]);
        let new = with_label(&tlv(0x30, &body), "x").unwrap();
        let m = members(&new).unwrap();
        assert_eq!(m[2], &[0x80, 0x01, b'x'][..]);
        assert!(with_label(&[0x04, 0x00], "x").is_none(), "not a SEQUENCE");
    }
}
