//! vsmartcard's vpcd wire protocol (`virtualsmartcard/src/vpcd/vpcd.c`, `vpcd.h`): every message
//! is a 2-byte big-endian length and the payload. vpcd's own control messages are one byte
//! (`VPCD_CTRL_OFF` 00, `VPCD_CTRL_ON` 01, `VPCD_CTRL_RESET` 02, `VPCD_CTRL_ATR` 04); vpcd passes
//! a client's command APDU through unchanged, so any other payload — including a 1-byte one a
//! PC/SC client sent — is a command APDU, answered with the response APDU.

use std::io::Read;

/// The largest payload the 2-byte length can carry (vpcd refuses longer ones, `sendToVICC`).
pub const MAX_PAYLOAD: usize = 0xFFFF;

/// A message from vpcd.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// `00`: contacts unpowered (no answer expected).
    PowerOff,
    /// `01`: contacts powered (no answer expected).
    PowerOn,
    /// `02`: warm reset (no answer expected).
    Reset,
    /// `04`: the ATR, answered with it; vpcd's presence probe (`vicc_present`).
    GetAtr,
    /// A 1-byte payload that is none of vpcd's control codes: a PC/SC client's 1-byte command
    /// (pyscard `transmit([0x80])`). It waits for an answer like any APDU.
    OneByteApdu(u8),
    /// A zero-length message: vpcd never sends one; logged and ignored.
    Empty,
    /// A command APDU (two bytes or more).
    Apdu(Vec<u8>),
}

impl Message {
    /// The message a payload is.
    pub fn from_payload(payload: &[u8]) -> Self {
        match payload {
            [] => Message::Empty,
            [0] => Message::PowerOff,
            [1] => Message::PowerOn,
            [2] => Message::Reset,
            [4] => Message::GetAtr,
            [byte] => Message::OneByteApdu(*byte),
            _ => Message::Apdu(payload.to_vec()),
        }
    }
}

/// Reads vpcd's messages from a blocking stream through one reusable buffer: a message whose
/// length and body arrive together costs one `read`, and no allocation but the APDU's own.
#[derive(Debug)]
pub struct Reader {
    buf: Box<[u8]>,
    start: usize,
    end: usize,
}

impl Default for Reader {
    fn default() -> Self {
        Reader {
            buf: vec![0u8; MAX_PAYLOAD + 2].into_boxed_slice(),
            start: 0,
            end: 0,
        }
    }
}

impl Reader {
    /// Reads one message. `before_each_read` runs before every `read` call: the transport
    /// re-arms `TCP_QUICKACK` there (see `vpcd.rs`).
    pub fn read_message<R: Read>(
        &mut self,
        stream: &mut R,
        mut before_each_read: impl FnMut(&R),
    ) -> std::io::Result<Message> {
        self.fill(stream, 2, &mut before_each_read)?;
        let header = [self.buf[self.start], self.buf[self.start + 1]];
        let len = usize::from(u16::from_be_bytes(header));
        self.fill(stream, 2 + len, &mut before_each_read)?;
        let message = Message::from_payload(&self.buf[self.start + 2..self.start + 2 + len]);
        self.start += 2 + len;
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
        Ok(message)
    }

    /// Makes `wanted` bytes available from `start` (`wanted` ≤ the buffer).
    fn fill<R: Read>(
        &mut self,
        stream: &mut R,
        wanted: usize,
        before_each_read: &mut impl FnMut(&R),
    ) -> std::io::Result<()> {
        if self.start + wanted > self.buf.len() {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        while self.end - self.start < wanted {
            before_each_read(stream);
            let n = match stream.read(&mut self.buf[self.end..]) {
                Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            self.end += n;
        }
        Ok(())
    }
}

/// Frames an answer into `frame` (cleared first): length and payload in one buffer, so that it
/// leaves in one write (one TCP segment with `TCP_NODELAY`). `None` when the payload is longer
/// than [`MAX_PAYLOAD`].
pub fn encode_into(payload: &[u8], frame: &mut Vec<u8>) -> Option<()> {
    let len = u16::try_from(payload.len()).ok()?;
    frame.clear();
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(payload);
    Some(())
}

/// [`encode_into`] a new buffer.
pub fn encode(payload: &[u8]) -> Option<Vec<u8>> {
    let mut frame = Vec::with_capacity(payload.len() + 2);
    encode_into(payload, &mut frame)?;
    Some(frame)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse_all(bytes: &[u8]) -> Vec<std::io::Result<Message>> {
        let mut reader = Reader::default();
        let mut input = bytes;
        let mut out = Vec::new();
        loop {
            let m = reader.read_message(&mut input, |_| {});
            let stop = m.is_err();
            out.push(m);
            if stop {
                return out;
            }
        }
    }

    fn parse(bytes: &[u8]) -> std::io::Result<Message> {
        parse_all(bytes).remove(0)
    }

    #[test]
    fn control_codes_and_apdus() {
        assert_eq!(parse(&[0, 1, 0]).unwrap(), Message::PowerOff);
        assert_eq!(parse(&[0, 1, 1]).unwrap(), Message::PowerOn);
        assert_eq!(parse(&[0, 1, 2]).unwrap(), Message::Reset);
        assert_eq!(parse(&[0, 1, 4]).unwrap(), Message::GetAtr);
        assert_eq!(parse(&[0, 1, 0x80]).unwrap(), Message::OneByteApdu(0x80));
        assert_eq!(parse(&[0, 1, 3]).unwrap(), Message::OneByteApdu(3));
        assert_eq!(parse(&[0, 0]).unwrap(), Message::Empty);
        assert_eq!(
            parse(&[0, 4, 0, 0xA4, 0, 0]).unwrap(),
            Message::Apdu(vec![0, 0xA4, 0, 0])
        );
    }

    #[test]
    fn several_messages_in_one_read() {
        let got = parse_all(&[0, 1, 1, 0, 1, 4, 0, 2, 0x80, 0x10]);
        assert_eq!(got.len(), 4);
        assert_eq!(got[0].as_ref().unwrap(), &Message::PowerOn);
        assert_eq!(got[1].as_ref().unwrap(), &Message::GetAtr);
        assert_eq!(got[2].as_ref().unwrap(), &Message::Apdu(vec![0x80, 0x10]));
        assert!(got[3].is_err(), "end of input");
    }

    #[test]
    fn short_input_is_an_error_not_a_panic() {
        assert!(parse(&[0]).is_err());
        assert!(parse(&[0, 5, 1, 2]).is_err());
    }

    #[test]
    fn oversized_answers_are_refused() {
        assert!(encode(&vec![0; MAX_PAYLOAD + 1]).is_none());
        assert_eq!(encode(&[0x90, 0]).unwrap(), [0, 2, 0x90, 0]);
    }

    proptest! {
        #[test]
        fn frames_round_trip(payloads in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 2..600), 1..4)) {
            let mut bytes = Vec::new();
            for p in &payloads {
                bytes.extend(encode(p).unwrap());
            }
            let got = parse_all(&bytes);
            for (p, m) in payloads.iter().zip(&got) {
                prop_assert_eq!(m.as_ref().unwrap(), &Message::Apdu(p.clone()));
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            let _ = parse_all(&bytes);
        }
    }
}
