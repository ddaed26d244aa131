//! vsmartcard's vpcd wire protocol (`virtualsmartcard/src/vpcd/vpcd.c`, `vpcd.h`): every message
//! is a 2-byte big-endian length and the payload. A 1-byte payload is a control code; anything
//! longer is a command APDU, answered with the response APDU.

use tokio::io::{AsyncRead, AsyncReadExt};

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
    /// A control code this client does not know: logged and ignored.
    UnknownControl(u8),
    /// A zero-length message: vpcd never sends one; logged and ignored.
    Empty,
    /// A command APDU.
    Apdu(Vec<u8>),
}

impl Message {
    fn from_payload(payload: Vec<u8>) -> Self {
        match payload.as_slice() {
            [] => Message::Empty,
            [0] => Message::PowerOff,
            [1] => Message::PowerOn,
            [2] => Message::Reset,
            [4] => Message::GetAtr,
            [code] => Message::UnknownControl(*code),
            _ => Message::Apdu(payload),
        }
    }
}

/// Reads one message. `before_each_read` runs before the header and before the body: the
/// transport re-arms `TCP_QUICKACK` there (see `vpcd.rs`).
pub async fn read_message<R: AsyncRead + Unpin>(
    reader: &mut R,
    mut before_each_read: impl FnMut(&R),
) -> std::io::Result<Message> {
    let mut header = [0u8; 2];
    before_each_read(reader);
    reader.read_exact(&mut header).await?;
    let len = usize::from(u16::from_be_bytes(header));
    let mut payload = vec![0u8; len];
    if len > 0 {
        before_each_read(reader);
        reader.read_exact(&mut payload).await?;
    }
    Ok(Message::from_payload(payload))
}

/// Frames an answer: length and payload in one buffer, so that it leaves in one write (one TCP
/// segment with `TCP_NODELAY`). `None` when the payload is longer than [`MAX_PAYLOAD`].
pub fn encode(payload: &[u8]) -> Option<Vec<u8>> {
    let len = u16::try_from(payload.len()).ok()?;
    let mut frame = Vec::with_capacity(payload.len() + 2);
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(payload);
    Some(frame)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    async fn parse(bytes: &[u8]) -> std::io::Result<Message> {
        let mut reader = bytes;
        read_message(&mut reader, |_| {}).await
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn control_codes_and_apdus() {
        block_on(async {
            assert_eq!(parse(&[0, 1, 0]).await.unwrap(), Message::PowerOff);
            assert_eq!(parse(&[0, 1, 1]).await.unwrap(), Message::PowerOn);
            assert_eq!(parse(&[0, 1, 2]).await.unwrap(), Message::Reset);
            assert_eq!(parse(&[0, 1, 4]).await.unwrap(), Message::GetAtr);
            assert_eq!(parse(&[0, 1, 9]).await.unwrap(), Message::UnknownControl(9));
            assert_eq!(parse(&[0, 0]).await.unwrap(), Message::Empty);
            assert_eq!(
                parse(&[0, 4, 0, 0xA4, 0, 0]).await.unwrap(),
                Message::Apdu(vec![0, 0xA4, 0, 0])
            );
        });
    }

    #[test]
    fn short_input_is_an_error_not_a_panic() {
        block_on(async {
            assert!(parse(&[0]).await.is_err());
            assert!(parse(&[0, 5, 1, 2]).await.is_err());
        });
    }

    #[test]
    fn oversized_answers_are_refused() {
        assert!(encode(&vec![0; MAX_PAYLOAD + 1]).is_none());
        assert_eq!(encode(&[0x90, 0]).unwrap(), [0, 2, 0x90, 0]);
    }

    proptest! {
        #[test]
        fn frames_round_trip(payload in proptest::collection::vec(any::<u8>(), 2..600)) {
            let frame = encode(&payload).unwrap();
            let message = block_on(parse(&frame)).unwrap();
            prop_assert_eq!(message, Message::Apdu(payload));
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            let _ = block_on(parse(&bytes));
        }
    }
}
