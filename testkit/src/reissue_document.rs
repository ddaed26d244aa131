//! The reissue request document of the bank's instruction (`shared/seed/`: 04.02.2020, Иванов
//! Иван Иванович, 3867XXXXXXXXXX, request 37562, replacing 010101D1010201B6) in SafeTouch TLV with
//! the profile's default tags. Shared by the SafeTouch test files of the simulator and the PKCS#11
//! module.

use rutoken_sim::safetouch::encode_tlv;

/// The document as the bank client sends it through PSO: HASH.
pub fn reissue_document() -> Vec<u8> {
    encode_tlv(&[
        (0x01, b"CR"),
        (0x02, &[0x01]),
        (0x90, "04.02.2020".as_bytes()),
        (0x91, "Иванов Иван Иванович".as_bytes()),
        (0x92, "3867XXXXXXXXXX".as_bytes()),
        (0x93, b"37562"),
        (0x94, b"010101D1010201B6"),
        (0xFF, &[]),
    ])
}
