//! Reading files over a scripted transport that holds one EF, so every command the client
//! sends can be checked (`rutoken-ecp-apdu.md` §4): READ BINARY asks each chunk for what is
//! left of the file's size, offsets stop at 15 bits, and both templates a SELECT can answer
//! (FCP `62`, FCI `6F`) parse.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

use rutoken_client::{Client, ClientConfig, ClientError, Fcp, Transport, TransportError};

/// One EF that answers READ BINARY (`00 B0 P1 P2 Le`) from its bytes, exactly `Le` of them
/// (fewer at its end, with `6282`), and records every command.
struct OneFile {
    bytes: Vec<u8>,
    sent: Vec<Vec<u8>>,
}

impl Transport for OneFile {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.sent.push(command.to_vec());
        assert_eq!(command[..2], [0x00, 0xB0], "only READ BINARY is expected");
        let offset = usize::from(u16::from_be_bytes([command[2], command[3]]));
        let le = match command[4] {
            0 => 256,
            n => usize::from(n),
        };
        let start = offset.min(self.bytes.len());
        let end = (offset + le).min(self.bytes.len());
        let mut answer = self.bytes[start..end].to_vec();
        answer.extend_from_slice(if end - start < le {
            &[0x62, 0x82]
        } else {
            &[0x90, 0x00]
        });
        Ok(answer)
    }
    fn atr(&mut self) -> Result<Vec<u8>, TransportError> {
        Ok(vec![0x3B])
    }
}

fn client(bytes: Vec<u8>) -> Client<OneFile> {
    Client::new(
        OneFile {
            bytes,
            sent: Vec::new(),
        },
        ClientConfig::default(),
    )
}

#[test]
fn each_chunk_asks_for_what_is_left() {
    let file: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
    let mut c = client(file.clone());
    // The EF is longer than the size asked for (a certificate EF's padding): only that many
    // bytes come back, and the second READ BINARY asks for the 44 left, not a whole chunk.
    assert_eq!(c.read_binary(300).unwrap(), file[..300]);
    let sent = &c.transport().sent;
    assert_eq!(
        *sent,
        vec![
            vec![0x00, 0xB0, 0x00, 0x00, 0x00],
            vec![0x00, 0xB0, 0x01, 0x00, 44]
        ]
    );
}

#[test]
fn offsets_past_15_bits_are_refused_before_sending() {
    // 0x8000 is the first offset P1's 7 bits cannot carry (§4: `off_hi(7 bits) off_lo`).
    let mut c = client(vec![0x55; 0x8100]);
    match c.read_binary(0x8100) {
        Err(ClientError::TooLarge { len, .. }) => assert_eq!(len, 0x8000),
        other => panic!("expected TooLarge, got {other:?}"),
    }
    let sent = &c.transport().sent;
    assert_eq!(
        sent.len(),
        0x80,
        "128 chunks of 256 bytes, then the refusal"
    );
    assert!(sent.iter().all(|command| command[2] < 0x80));
}

#[test]
fn fcp_and_fci_templates_parse() {
    // 80 02 01 2C: 300 bytes; 82 01 01: a transparent EF; 85 02 …: proprietary.
    let body = [
        0x80, 0x02, 0x01, 0x2C, 0x82, 0x01, 0x01, 0x85, 0x02, 0x02, 0x11,
    ];
    for tag in [0x62, 0x6F] {
        let mut template = vec![tag, u8::try_from(body.len()).unwrap()];
        template.extend_from_slice(&body);
        let fcp = Fcp::parse(&template).unwrap();
        assert_eq!(fcp.size, 300, "template {tag:#04x}");
        assert_eq!(fcp.descriptor, [0x01]);
        assert_eq!(fcp.proprietary, [0x02, 0x11]);
    }
    let mut other = vec![0x64, u8::try_from(body.len()).unwrap()];
    other.extend_from_slice(&body);
    assert!(matches!(
        Fcp::parse(&other),
        Err(ClientError::NotAnFcp { tag: 0x64 })
    ));
}
