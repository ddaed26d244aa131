//! proptest: GOST 28147-89 round trips (ECB, CFB, CNT, both key wraps) on every S-box, a
//! single flipped bit always caught (MAC, wrapped key) or confined (CFB), multi-part = one
//! shot, and the decoders never panic.
#![allow(clippy::unwrap_used)]

use gost::gost28147::{Cfb, Cnt, Direction, KeyWrap, Mac, ecb_decrypt, ecb_encrypt, unwrap, wrap};
use gost::key_transport::{ContentParams, KeyTransport};
use gost::{CipherParams, Error};
use proptest::prelude::*;

fn params() -> impl Strategy<Value = CipherParams> {
    prop::sample::select(CipherParams::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn ecb_round_trip(p in params(), key in any::<[u8; 32]>(), blocks in prop::collection::vec(any::<[u8; 8]>(), 0..40)) {
        let plain: Vec<u8> = blocks.concat();
        let mut data = plain.clone();
        ecb_encrypt(p, &key, &mut data).unwrap();
        if !plain.is_empty() {
            prop_assert_ne!(&data, &plain);
        }
        ecb_decrypt(p, &key, &mut data).unwrap();
        prop_assert_eq!(data, plain);
    }

    #[test]
    fn ecb_refuses_partial_blocks(p in params(), key in any::<[u8; 32]>(), len in 1usize..200) {
        prop_assume!(len % 8 != 0);
        let mut data = vec![0u8; len];
        prop_assert_eq!(ecb_encrypt(p, &key, &mut data), Err(Error::NotBlockAligned { what: "ECB data", len }));
    }

    #[test]
    fn cfb_round_trip_split_and_bit_flip(
        p in params(), key in any::<[u8; 32]>(), iv in any::<[u8; 8]>(),
        plain in prop::collection::vec(any::<u8>(), 1..2600), split in 1usize..1100, bit in any::<prop::sample::Index>(),
    ) {
        let ct = Cfb::apply(p, &key, &iv, Direction::Encrypt, &plain);
        prop_assert_eq!(ct.len(), plain.len());
        let mut dec = Cfb::new(p, &key, &iv, Direction::Decrypt);
        let mut back = Vec::new();
        for chunk in ct.chunks(split) {
            back.extend(dec.update(chunk));
        }
        back.extend(dec.finish());
        prop_assert_eq!(&back, &plain);
        // CFB: a flipped ciphertext bit flips the same plaintext bit and garbles only the
        // next block.
        let i = bit.index(ct.len() * 8);
        let mut bad = ct.clone();
        bad[i / 8] ^= 1 << (i % 8);
        let garbled = Cfb::apply(p, &key, &iv, Direction::Decrypt, &bad);
        prop_assert_eq!(garbled[i / 8] ^ plain[i / 8], 1 << (i % 8));
        let block = i / 8 / 8;
        for (j, (a, b)) in garbled.iter().zip(&plain).enumerate() {
            if j / 8 != block && j / 8 != block + 1 {
                prop_assert_eq!(a, b, "byte {} outside blocks {} and {}", j, block, block + 1);
            }
        }
    }

    #[test]
    fn cnt_is_an_involution(p in params(), key in any::<[u8; 32]>(), iv in any::<[u8; 8]>(), plain in prop::collection::vec(any::<u8>(), 0..2600)) {
        let mut data = plain.clone();
        Cnt::new(p, &key, &iv).apply_keystream(&mut data);
        Cnt::new(p, &key, &iv).apply_keystream(&mut data);
        prop_assert_eq!(data, plain);
    }

    #[test]
    fn mac_catches_a_flipped_bit(p in params(), key in any::<[u8; 32]>(), data in prop::collection::vec(any::<u8>(), 1..1500), bit in any::<prop::sample::Index>(), len in 1usize..=8) {
        let mac = |d: &[u8]| {
            let mut m = Mac::new(p, &key);
            m.update(d);
            m.finalize(len).unwrap()
        };
        let i = bit.index(data.len() * 8);
        let mut bad = data.clone();
        bad[i / 8] ^= 1 << (i % 8);
        // A 1-byte MAC collides with probability 2^-8: only lengths of 4 and more must differ.
        if len >= 4 {
            prop_assert_ne!(mac(&data), mac(&bad));
        }
        prop_assert_eq!(mac(&data).len(), len);
    }

    #[test]
    fn wraps_round_trip_and_refuse_tampering(p in params(), kek in any::<[u8; 32]>(), ukm in any::<[u8; 8]>(), cek in any::<[u8; 32]>(), bit in 0usize..(44 * 8)) {
        for kind in [KeyWrap::Gost28147, KeyWrap::CryptoPro] {
            let wrapped = wrap(kind, p, &kek, &ukm, &cek);
            prop_assert_eq!(&wrapped[..8], &ukm[..]);
            prop_assert_eq!(*unwrap(kind, p, &kek, &wrapped).unwrap(), cek);
            let mut bad = wrapped;
            bad[bit / 8] ^= 1 << (bit % 8);
            prop_assert_eq!(unwrap(kind, p, &kek, &bad).unwrap_err(), Error::KeyUnwrapFailed);
        }
        // CryptoPro's wrap is the GOST one under the diversified KEK (RFC 4357 §6.3).
        let diversified = gost::gost28147::diversify(p, &kek, &ukm);
        prop_assert_eq!(wrap(KeyWrap::CryptoPro, p, &kek, &ukm, &cek), wrap(KeyWrap::Gost28147, p, &diversified, &ukm, &cek));
    }

    #[test]
    fn decoders_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = KeyTransport::from_der(&bytes);
        let _ = ContentParams::from_der(&bytes);
        let _ = CipherParams::from_der(&bytes);
        let _ = unwrap(KeyWrap::CryptoPro, CipherParams::Tc26Z, &[0; 32], &bytes);
    }
}

#[test]
fn params_by_oid_round_trip() {
    for p in CipherParams::ALL {
        assert_eq!(CipherParams::from_der(&p.to_der()).unwrap(), p);
        assert_eq!(CipherParams::from_oid(&p.oid()).unwrap(), p);
    }
    // id-GostR3410-2001-CryptoPro-A-ParamSet is a curve, not an S-box.
    let curve = const_oid::ObjectIdentifier::new_unwrap("1.2.643.2.2.35.1");
    assert!(matches!(
        CipherParams::from_oid(&curve),
        Err(Error::UnknownOid(_))
    ));
    assert!(CipherParams::from_der(&[0x06, 0x00]).is_err());
}
