//! Hash known answers, all in **wire** order (RFC 6986 §10 prints integers: the byte strings
//! here are the RFC's values byte-reversed; `shared/spec/gost-vectors.md` §1).
#![allow(clippy::unwrap_used)]

use gost::DigestAlgorithm;
use hex_literal::hex;

/// RFC 6986 §10.1 M1, byte-reversed = ASCII "0123456789" x 6 + "012" (gost-engine etalon/M1).
const M1: &[u8] = b"012345678901234567890123456789012345678901234567890123456789012";
/// RFC 6986 §10.2 M2, byte-reversed (CP1251 text, gost-engine etalon/M2).
const M2: [u8; 72] = hex!(
    "d1e520e2e5f2f0e82c20d1f2f0e8e1eee6e820e2edf3f6e82c20e2e5fef2fa20f120eceef0ff20f1f2f0e5ebe0ece820ede020f5f0e0e1f0fbff20efebfaeafb20c8e3eef0e5e2fb"
);

fn check(alg: DigestAlgorithm, msg: &[u8], expected: &[u8]) {
    assert_eq!(alg.digest(msg), expected);
    // Incremental hashing in uneven pieces gives the same answer.
    let mut hasher = alg.hasher();
    for piece in msg.chunks(7) {
        hasher.update(piece);
    }
    assert_eq!(hasher.algorithm(), alg);
    assert_eq!(hasher.finalize(), expected);
    assert_eq!(expected.len(), alg.output_len());
}

#[test]
fn m2_is_the_reversed_rfc_integer() {
    let rfc = hex!(
        "fbe2e5f0eee3c820fbeafaebef20fffbf0e1e0f0f520e0ed20e8ece0ebe5f0f2f120fff0eeec20f120faf2fee5e2202ce8f6f3ede220e8e6eee1e8f0f2d1202ce8f0f2e5e220e5d1"
    );
    let reversed: Vec<u8> = rfc.iter().rev().copied().collect();
    assert_eq!(reversed, M2);
}

#[test]
fn streebog512_rfc6986() {
    check(
        DigestAlgorithm::Streebog512,
        M1,
        &hex!(
            "1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48"
        ),
    );
    check(
        DigestAlgorithm::Streebog512,
        &M2,
        &hex!(
            "1e88e62226bfca6f9994f1f2d51569e0daf8475a3b0fe61a5300eee46d961376035fe83549ada2b8620fcd7c496ce5b33f0cb9dddc2b6460143b03dabac9fb28"
        ),
    );
}

#[test]
fn streebog256_rfc6986() {
    check(
        DigestAlgorithm::Streebog256,
        M1,
        &hex!("9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500"),
    );
    check(
        DigestAlgorithm::Streebog256,
        &M2,
        &hex!("9dd2fe4e90409e5da87f53976d7405b0c0cac628fc669a741d50063c557e8f50"),
    );
}

/// gost-engine etalon M3 (empty message) and M4 (64 zero bytes).
#[test]
fn streebog_etalon_m3_m4() {
    check(
        DigestAlgorithm::Streebog512,
        b"",
        &hex!(
            "8e945da209aa869f0455928529bcae4679e9873ab707b55315f56ceb98bef0a7362f715528356ee83cda5f2aac4c6ad2ba3a715c1bcd81cb8e9f90bf4c1c1a8a"
        ),
    );
    check(
        DigestAlgorithm::Streebog256,
        b"",
        &hex!("3f539a213e97c802cc229d474c6aa32a825a360b2a933a949fd925208d9ce1bb"),
    );
    check(
        DigestAlgorithm::Streebog512,
        &[0; 64],
        &hex!(
            "b0fd29ac1b0df441769ff3fdb8dc564df67721d6ac06fb28ceffb7bbaa7948c6c014ac999235b58cb26fb60fb112a145d7b4ade9ae566bf2611402c552d20db7"
        ),
    );
    check(
        DigestAlgorithm::Streebog256,
        &[0; 64],
        &hex!("df1fda9ce83191390537358031db2ecaa6aa54cd0eda241dc107105e13636b95"),
    );
}

/// GOST R 34.11-94 with CryptoPro parameters: the RFC 4357 / Wikipedia examples.
#[test]
fn gost94_cryptopro() {
    check(
        DigestAlgorithm::Gost94CryptoPro,
        b"",
        &hex!("981e5f3ca30c841487830f84fb433e13ac1101569b9c13584ac483234cd656c0"),
    );
    check(
        DigestAlgorithm::Gost94CryptoPro,
        b"The quick brown fox jumps over the lazy dog",
        &hex!("9004294a361a508c586fe53d1f1b02746765e71b765472786e4770d565830a76"),
    );
}
