//! The fields of the PIN commands and key import: VERIFY, CHANGE REFERENCE DATA, RESET RETRY
//! COUNTER (ISO 7816-4 §11.5; `rutoken-ecp-apdu.md` §4) and the new value they carry.

#![deny(clippy::indexing_slicing)]

use rutoken_apdu::StatusWord;
use rutoken_apdu::codec::Reader;
use zeroize::Zeroizing;

use super::check::expect_no_data;
use crate::token::status::CardResult;

/// A PIN reference (P2 of VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER): 1 to 8, each a
/// role bit of the access conditions (1 → 01 Admin, 2 → 02 User, `rutoken-ecp-apdu.md` §3).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PinRole(u8);

impl PinRole {
    /// The role of a reference; another reference is 6A88.
    pub fn from_reference(reference: u8) -> CardResult<PinRole> {
        match reference {
            1..=8 => Ok(PinRole(reference)),
            _ => Err(StatusWord::REF_NOT_FOUND),
        }
    }

    /// The reference: the FID of the PIN object in `…/6005` too.
    pub fn reference(self) -> u8 {
        self.0
    }

    /// The role bit (`1 << (reference - 1)`).
    pub fn bit(self) -> u8 {
        1 << (self.0 - 1)
    }
}

/// VERIFY `00 20 00 ref [PIN]` (ISO 7816-4 §11.5.6). No `Debug`: it holds the PIN.
#[derive(Clone, Copy)]
pub struct Verify<'a> {
    /// Whose PIN.
    pub role: PinRole,
    /// The PIN offered; `None` asks whether the role is verified.
    pub pin: Option<&'a [u8]>,
}

impl<'a> Verify<'a> {
    /// P1 00 (6A86), then the reference (6A88).
    pub fn decode(p1: u8, p2: u8, data: &'a [u8]) -> CardResult<Verify<'a>> {
        if p1 != 0 {
            return Err(StatusWord::WRONG_P1P2);
        }
        Ok(Verify {
            role: PinRole::from_reference(p2)?,
            pin: (!data.is_empty()).then_some(data),
        })
    }
}

/// A new value in `[80 02 len16] A5 len value [A5 len value …]`, the form `card-rtecp.c`
/// sends: lengths are one plain byte (OpenSC: the card does not read BER long lengths), a long
/// value comes as several `A5` pieces, one per chained APDU; tag 80, when present, announces the
/// joined length. Checked when decoded; joined only by the handler that keeps it. No `Debug`:
/// it is a PIN or a private key.
#[derive(Clone, Copy)]
pub struct NewValue<'a> {
    data: &'a [u8],
    len: usize,
}

/// Walks the TLVs of a new value, handing each `A5` piece to `piece`; anything but the form
/// above is 6A80.
fn walk_new_value<'a>(data: &'a [u8], mut piece: impl FnMut(&'a [u8])) -> CardResult<()> {
    let mut r = Reader::new(data);
    let (mut announced, mut seen, mut total) = (None, false, 0usize);
    while r.any_left() {
        let tag = r.take_u8("tag").map_err(|_| StatusWord::WRONG_DATA)?;
        let len = r.take_u8("length").map_err(|_| StatusWord::WRONG_DATA)?;
        let field = r
            .take(usize::from(len), "value")
            .map_err(|_| StatusWord::WRONG_DATA)?;
        match (tag, field) {
            (0x80, [hi, lo]) => announced = Some(usize::from(u16::from_be_bytes([*hi, *lo]))),
            (0xA5, value) => {
                piece(value);
                total += value.len();
                seen = true;
            }
            _ => return Err(StatusWord::WRONG_DATA),
        }
    }
    if !seen || announced.is_some_and(|n| n != total) {
        return Err(StatusWord::WRONG_DATA);
    }
    Ok(())
}

impl<'a> NewValue<'a> {
    /// Checks the form (6A80) without copying the value.
    pub fn decode(data: &'a [u8]) -> CardResult<NewValue<'a>> {
        let mut len = 0;
        walk_new_value(data, |piece| len += piece.len())?;
        Ok(NewValue { data, len })
    }

    /// The joined value's length (an empty value, `A5 00`, is 0: the PIN's minimum length
    /// refuses it).
    pub fn joined_len(&self) -> usize {
        self.len
    }

    /// The value, its pieces joined, in one allocation that is zeroized when dropped.
    pub fn join(&self) -> Zeroizing<Vec<u8>> {
        let mut value = Zeroizing::new(Vec::with_capacity(self.len));
        // The form was checked when decoded: the walk cannot fail here.
        let _ = walk_new_value(self.data, |piece| value.extend_from_slice(piece));
        value
    }
}

/// CHANGE REFERENCE DATA `00 24 01 ref` of a PIN (ISO 7816-4 §11.5.7).
#[derive(Clone, Copy)]
pub struct ChangeReferenceData<'a> {
    /// Whose PIN.
    pub role: PinRole,
    /// The new PIN.
    pub value: NewValue<'a>,
}

impl<'a> ChangeReferenceData<'a> {
    /// P1 01 (6A86), the new value (6A80), then the reference (6A88).
    pub fn decode(p1: u8, p2: u8, data: &'a [u8]) -> CardResult<ChangeReferenceData<'a>> {
        if p1 != 0x01 {
            return Err(StatusWord::WRONG_P1P2);
        }
        let value = NewValue::decode(data)?;
        Ok(ChangeReferenceData {
            role: PinRole::from_reference(p2)?,
            value,
        })
    }
}

/// Key import, CHANGE REFERENCE DATA `00 24 01 00` into the current key object (its row names
/// P2 00).
#[derive(Clone, Copy)]
pub struct ImportKey<'a> {
    /// The key, in the layout of the current object's kind.
    pub value: NewValue<'a>,
}

impl<'a> ImportKey<'a> {
    /// P1 01 (6A86), then the value (6A80).
    pub fn decode(p1: u8, data: &'a [u8]) -> CardResult<ImportKey<'a>> {
        if p1 != 0x01 {
            return Err(StatusWord::WRONG_P1P2);
        }
        Ok(ImportKey {
            value: NewValue::decode(data)?,
        })
    }
}

/// RESET RETRY COUNTER `00 2C 03 ref` (ISO 7816-4 §11.5.10).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ResetRetryCounter {
    /// Whose PIN.
    pub role: PinRole,
}

impl ResetRetryCounter {
    /// P1 03 (6A86), no data (6700), then the reference (6A88).
    pub fn decode(p1: u8, p2: u8, data: &[u8]) -> CardResult<ResetRetryCounter> {
        if p1 != 0x03 {
            return Err(StatusWord::WRONG_P1P2);
        }
        expect_no_data(data)?;
        Ok(ResetRetryCounter {
            role: PinRole::from_reference(p2)?,
        })
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn value(data: &[u8]) -> CardResult<Vec<u8>> {
        NewValue::decode(data).map(|v| {
            assert_eq!(v.joined_len(), v.join().len());
            v.join().to_vec()
        })
    }

    #[test]
    fn new_value_forms() {
        // The form OpenSC and the client send.
        assert_eq!(
            value(&[0x80, 2, 0, 4, 0xA5, 4, 1, 2, 3, 4]),
            Ok(vec![1, 2, 3, 4])
        );
        // Without the length announcement.
        assert_eq!(value(&[0xA5, 2, 7, 8]), Ok(vec![7, 8]));
        // A chained long value: one A5 piece per APDU, joined; plain one-byte lengths over 127.
        let mut data = vec![0x80, 2, 0x01, 0x2C, 0xA5, 200];
        data.extend([0x11; 200]);
        data.extend([0xA5, 100]);
        data.extend([0x22; 100]);
        let joined = value(&data).unwrap();
        assert_eq!(joined.len(), 300);
        assert_eq!((joined[199], joined[200]), (0x11, 0x22));
        // Tag 80 disagreeing with the joined length, no A5, a truncated or unknown TLV: 6A80.
        for bad in [
            &[0x80, 2, 0, 5, 0xA5, 4, 1, 2, 3, 4][..],
            &[0x80, 2, 0, 4],
            &[0xA5, 4, 1, 2],
            &[0xA5],
            &[0x81, 1, 0, 0xA5, 1, 1],
        ] {
            assert_eq!(value(bad), Err(StatusWord::WRONG_DATA), "{bad:02X?}");
        }
    }

    #[test]
    fn pin_commands_check_p1_then_data_then_reference() {
        assert_eq!(PinRole::from_reference(2).map(PinRole::bit), Ok(2));
        assert_eq!(PinRole::from_reference(8).map(PinRole::bit), Ok(0x80));
        for bad in [0, 9, 0xFF] {
            assert_eq!(PinRole::from_reference(bad), Err(StatusWord::REF_NOT_FOUND));
        }
        let v = Verify::decode(0, 2, &[]).unwrap();
        assert_eq!((v.role.reference(), v.pin), (2, None));
        assert_eq!(
            Verify::decode(0, 1, b"1234").unwrap().pin,
            Some(&b"1234"[..])
        );
        assert!(matches!(
            Verify::decode(1, 0, &[]),
            Err(StatusWord::WRONG_P1P2)
        ));
        assert!(matches!(
            Verify::decode(0, 0, &[]),
            Err(StatusWord::REF_NOT_FOUND)
        ));
        let change = |p1, p2, data| ChangeReferenceData::decode(p1, p2, data).err();
        assert_eq!(change(0, 0, &[1]), Some(StatusWord::WRONG_P1P2));
        assert_eq!(change(1, 0, &[1]), Some(StatusWord::WRONG_DATA));
        assert_eq!(change(1, 0, &[0xA5, 1, 1]), Some(StatusWord::REF_NOT_FOUND));
        assert_eq!(change(1, 2, &[0xA5, 1, 1]), None);
        let reset = |p1, p2, data| ResetRetryCounter::decode(p1, p2, data);
        assert_eq!(reset(1, 0, &[1]), Err(StatusWord::WRONG_P1P2));
        assert_eq!(reset(3, 0, &[1]), Err(StatusWord::WRONG_LENGTH));
        assert_eq!(reset(3, 0, &[]), Err(StatusWord::REF_NOT_FOUND));
    }
}
