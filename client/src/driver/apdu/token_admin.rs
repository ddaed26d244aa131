//! The token-wide work of the vendor's extended calls: the label in the PKCS#15 TokenInfo
//! (EF `3F00/5000/5032`, where OpenSC reads it too), the PIN policy the PIN RSFs carry, the
//! user PIN's RESET RETRY COUNTER, and formatting as the bank plugin's `formatToken` does it
//! (objects deleted under the new user PIN, PINs set under the administrator's).

use rutoken_apdu::tlv::{self, Tlv};

use super::{ApduDriver, PIN_DF};
use crate::driver::{DriverError, Format, Reader};
use crate::error::ClientError;
use crate::layout;
use crate::pin::PinRole;
use crate::transport::Transport;

/// The PKCS#15 TokenInfo EF `3F00/5000/5032` (PKCS #15 v1.1 §5.5.1, the fixture's and
/// pkcs15-init's FID), as a path below the MF.
const TOKEN_INFO: [u16; 2] = [layout::PKCS15_APP, 0x5032];
/// TokenInfo's `label [0] Label` (PKCS #15 v1.1 §6.9: context tag 0, primitive).
const LABEL_TAG: u32 = 0x80;
/// DER SEQUENCE, constructed (X.690 §8.9).
const SEQUENCE: u32 = 0x30;
/// DER UTF8String (X.690, universal tag 12): TokenInfo's manufacturerID.
const UTF8_STRING: u32 = 0x0C;

/// TokenInfo's members (a SEQUENCE's children; the EF's zero padding after it ignored).
fn members(token_info: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let outer = tlv::parse_first(token_info).ok()?;
    if outer.tag != SEQUENCE {
        return None;
    }
    tlv::children(outer.value).ok()
}

/// TokenInfo with `label` in place of its label: after version, serialNumber and
/// manufacturerID (UTF8String, tag 0C), the order PKCS #15 §6.9 gives.
pub(super) fn with_label(token_info: &[u8], label: &str) -> Option<Vec<u8>> {
    let members = members(token_info)?;
    let mut body = Vec::new();
    let mut placed = false;
    for (i, m) in members.iter().enumerate() {
        if m.tag == LABEL_TAG {
            continue;
        }
        let after_header = i >= 2 && m.tag != UTF8_STRING;
        if after_header && !placed {
            tlv::write(&mut body, LABEL_TAG, label.as_bytes()).ok()?;
            placed = true;
        }
        tlv::write(&mut body, m.tag, m.value).ok()?;
    }
    if !placed {
        tlv::write(&mut body, LABEL_TAG, label.as_bytes()).ok()?;
    }
    tlv::encode(SEQUENCE, &body).ok()
}

/// TokenInfo's label, if it has one.
pub(super) fn label_of(token_info: &[u8]) -> Option<String> {
    members(token_info)?
        .into_iter()
        .find(|m| m.tag == LABEL_TAG)
        .and_then(|m| String::from_utf8(m.value.to_vec()).ok())
}

impl<T: Transport + Reader> ApduDriver<T> {
    /// The label in TokenInfo.
    pub(super) fn read_label(&mut self) -> Result<Option<String>, DriverError> {
        let file = self.client.read_file(&TOKEN_INFO)?;
        Ok(file.as_deref().and_then(label_of))
    }

    /// Rewrites TokenInfo with a new label (zero-padded to the file's old content: the EF's
    /// size does not change).
    pub(super) fn write_label(&mut self, label: &str) -> Result<(), DriverError> {
        let fcp = self
            .client
            .select_path(&TOKEN_INFO)?
            .ok_or_else(|| DriverError::Failed {
                reason: "the token has no PKCS#15 TokenInfo".into(),
            })?;
        let old = self.client.read_binary(fcp.size)?;
        let mut new = with_label(&old, label).ok_or_else(|| DriverError::Failed {
            reason: "the token's TokenInfo does not parse".into(),
        })?;
        if new.len() > fcp.size {
            return Err(DriverError::NoRoom {
                reason: "the label does not fit in the TokenInfo EF".into(),
            });
        }
        new.resize(old.len().max(new.len()), 0);
        Ok(self.client.write_binary(0, &new)?)
    }

    /// Byte `index` of attribute 85 of a PIN RSF: `01, minLen, 01, (max << 4 | left), 00, 00`
    /// (rutoken-ecp-apdu.md §3, as OpenSC's pkcs15-rtecp.c writes it).
    pub(super) fn pin_attribute(
        &mut self,
        role: PinRole,
        index: usize,
    ) -> Result<Option<u8>, DriverError> {
        let [a, b, c] = PIN_DF;
        let path = [a, b, c, u16::from(role.reference())];
        let fcp = self.client.select_path(&path)?;
        Ok(fcp.and_then(|f| f.proprietary.get(index).copied()))
    }

    /// The format (see [`Format`]). The admin PIN is verified before anything changes: a
    /// wrong one leaves the token as it was.
    pub(super) fn run_format(&mut self, format: &Format<'_>) -> Result<(), DriverError> {
        let (admin, user, new_admin) = (format.admin, format.user, format.new_admin);
        self.client.logout()?;
        self.client.verify_pin(PinRole::Admin, admin)?;
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
        .map_err(DriverError::from);
        let labelled = match (&result, format.label) {
            (Ok(()), Some(label)) => self.write_label(label),
            _ => Ok(()),
        };
        let _ = self.client.logout();
        result.and(labelled)
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn tlv(tag: u32, value: &[u8]) -> Vec<u8> {
        tlv::encode(tag, value).unwrap()
    }

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
            m[3].tag, LABEL_TAG,
            "after the manufacturer, before the flags"
        );
        assert_eq!((m[4].tag, m[4].value), (0x03, &[0x04, 0x10][..]));
    }

    #[test]
    fn a_token_info_without_a_label_gets_one_before_its_flags() {
        let mut body = vec![0x02, 0x01, 0x00];
        body.extend(tlv(0x04, &[9; 8]));
        body.extend([0x03, 0x02, 0x04, 0x10]);
        let new = with_label(&tlv(0x30, &body), "x").unwrap();
        let m = members(&new).unwrap();
        assert_eq!((m[2].tag, m[2].value), (LABEL_TAG, &b"x"[..]));
        assert!(with_label(&[0x04, 0x00], "x").is_none(), "not a SEQUENCE");
    }
}
