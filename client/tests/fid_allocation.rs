//! `free_app_fid` over a token whose every FID is taken (a scripted transport that answers
//! every SELECT with an FCP): it tries exactly the `FID_RANGE` FIDs from the first, in order,
//! and names that range in its refusal.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

use rutoken_client::layout::{FID_RANGE, FIRST_CERT_FID, PKCS15_APP};
use rutoken_client::{Client, ClientConfig, ClientError, Transport, TransportError};

/// Answers every SELECT by path with an FCP of a 16-byte EF, and records the FIDs asked for.
struct AllTaken {
    selected: Vec<u16>,
}

impl Transport for AllTaken {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        // 00 A4 08 00 Lc path… Le: the last FID of the path is the file.
        assert_eq!(
            command[..4],
            [0x00, 0xA4, 0x08, 0x00],
            "only SELECT by path"
        );
        let lc = usize::from(command[4]);
        let path = &command[5..5 + lc];
        assert_eq!(path[..2], PKCS15_APP.to_be_bytes());
        self.selected
            .push(u16::from_be_bytes([path[lc - 2], path[lc - 1]]));
        Ok(vec![0x62, 0x04, 0x80, 0x02, 0x00, 0x10, 0x90, 0x00])
    }
    fn atr(&mut self) -> Result<Vec<u8>, TransportError> {
        Ok(vec![0x3B])
    }
}

#[test]
fn a_full_range_is_tried_in_order_and_named() {
    let mut client = Client::new(
        AllTaken {
            selected: Vec::new(),
        },
        ClientConfig::default(),
    );
    let last = FIRST_CERT_FID + FID_RANGE - 1;
    match client.free_app_fid("a certificate", FIRST_CERT_FID) {
        Err(ClientError::NoFreeFile {
            first, last: named, ..
        }) => {
            assert_eq!((first, named), (FIRST_CERT_FID, last));
        }
        other => panic!("expected NoFreeFile, got {other:?}"),
    }
    let expected: Vec<u16> = (FIRST_CERT_FID..=last).collect();
    assert_eq!(client.transport().selected, expected);
    assert_eq!(expected.len(), usize::from(FID_RANGE));
}
