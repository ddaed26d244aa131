//! VKO GOST R 34.10-2012 against RFC 7836's examples (R 50.1.113-2016 §A.9-A.10; the values as
//! the gost engine's `test_derive.c` prints them: keys and points little-endian), both
//! directions; the key transport's round trip and negatives.
#![allow(clippy::unwrap_used)]

use gost::key_transport::{ContentParams, KeyTransport};
use gost::{CipherParams, Error, KeyAlgorithm, ParamSet, Rng, SigningKey, VerifyingKey, Vko, vko};
use hex_literal::hex;

const A_PRIV: [u8; 64] = hex!(
    "c990ecd972fce84ec4db022778f50fcac726f46708384b8d458304962d7147f8"
    "c2db41cef22c90b102f2968404f9b9be6d47c79692d81826b32b8daca43cb667"
);
const A_PUB: [u8; 128] = hex!(
    "aab0eda4abff21208d18799fb9a8556654ba783070eba10cb9abb253ec56dcf5"
    "d3ccba6192e464e6e5bcb6dea137792f2431f6c897eb1b3c0cc14327b1adc0a7"
    "914613a3074e363aedb204d38d3563971bd8758e878c9db11403721b48002d38"
    "461f92472d40ea92f9958c0ffa4c93756401b97f89fdbe0b5e46e4a4631cdb5a"
);
const B_PRIV: [u8; 64] = hex!(
    "48c859f7b6f11585887cc05ec6ef1390cfea739b1a18c0d4662293ef63b79e3b"
    "8014070b44918590b4b996acfea4edfbbbcccc8c06edd8bf5bda92a51392d0db"
);
const B_PUB: [u8; 128] = hex!(
    "192fe183b9713a077253c72c8735de2ea42a3dbc66ea317838b65fa32523cd5e"
    "fca974eda7c863f4954d1147f1f2b25c395fce1c129175e876d132e94ed5a651"
    "04883b414c9b592ec4dc84826f07d0b6d9006dda176ce48c391e3f97d102e03b"
    "b598bf132a228a45f7201aba08fc524a2d77e43a362ab022ad4028f75bde3b79"
);
const UKM: [u8; 8] = hex!("1d80603c8544c727");
const KEK_256: [u8; 32] = hex!("c9a9a77320e2cc559ed72dce6f47e2192ccea95fa648670582c054c0ef36c221");
const KEK_512: [u8; 64] = hex!(
    "79f002a96940ce7bde3259a52e015297adaad84597a0d205b50e3e1719f97bfa"
    "7ee1d2661fa9979a5aa235b558a7e6d9f88f982dd63fc35a8ec0dd5e242d3bdf"
);

fn parties() -> (SigningKey, SigningKey) {
    let a = SigningKey::from_le_bytes(ParamSet::Gost512A, &A_PRIV).unwrap();
    let b = SigningKey::from_le_bytes(ParamSet::Gost512A, &B_PRIV).unwrap();
    // The printed public keys are d·P of the printed private keys.
    assert_eq!(a.verifying_key().to_le_bytes(), A_PUB.to_vec());
    assert_eq!(b.verifying_key().to_le_bytes(), B_PUB.to_vec());
    (a, b)
}

#[test]
fn rfc7836_vko_examples_both_ways() {
    let (a, b) = parties();
    let b_pub = VerifyingKey::from_le_bytes(ParamSet::Gost512A, &B_PUB).unwrap();
    let a_pub = VerifyingKey::from_le_bytes(ParamSet::Gost512A, &A_PUB).unwrap();
    for (alg, want) in [
        (Vko::Gost2012_256, &KEK_256[..]),
        (Vko::Gost2012_512, &KEK_512[..]),
    ] {
        assert_eq!(&vko(alg, &a, &b_pub, &UKM).unwrap()[..], want, "{alg:?} A");
        assert_eq!(&vko(alg, &b, &a_pub, &UKM).unwrap()[..], want, "{alg:?} B");
        // Bit flips: of the UKM, of our key, of the peer's point (another point) all change it.
        let mut ukm = UKM;
        ukm[3] ^= 0x10;
        assert_ne!(&vko(alg, &a, &b_pub, &ukm).unwrap()[..], want);
        let mut d = A_PRIV;
        d[0] ^= 1;
        let other = SigningKey::from_le_bytes(ParamSet::Gost512A, &d).unwrap();
        assert_ne!(&vko(alg, &other, &b_pub, &UKM).unwrap()[..], want);
        assert_ne!(
            &vko(alg, &a, &other.verifying_key(), &UKM).unwrap()[..],
            want
        );
    }
}

#[test]
fn vko_refuses_bad_input() {
    let (a, _) = parties();
    let mut rng = Rng::from_seed(7);
    let b256 = SigningKey::generate(ParamSet::Gost256A, &mut rng).unwrap();
    assert!(matches!(
        vko(Vko::Gost2012_256, &a, &b256.verifying_key(), &UKM),
        Err(Error::ParamSetMismatch(_))
    ));
    assert!(matches!(
        vko(Vko::Gost2001, &a, &a.verifying_key(), &UKM),
        Err(Error::ParamSetMismatch(_))
    ));
    assert_eq!(
        vko(Vko::Gost2012_256, &a, &a.verifying_key(), &[0; 8]).unwrap_err(),
        Error::ZeroUkm
    );
    assert!(matches!(
        vko(Vko::Gost2012_256, &a, &a.verifying_key(), &[]),
        Err(Error::InvalidLength { .. })
    ));
}

/// Every parameter set: both sides agree (a random UKM), for the three VKOs where defined.
#[test]
fn vko_agrees_on_every_parameter_set() {
    let mut rng = Rng::from_seed(2016);
    for param in [
        ParamSet::Gost256Test,
        ParamSet::Gost256A,
        ParamSet::Gost256B,
        ParamSet::Gost256C,
        ParamSet::Gost256D,
        ParamSet::Gost512Test,
        ParamSet::Gost512A,
        ParamSet::Gost512B,
        ParamSet::Gost512C,
    ] {
        let a = SigningKey::generate(param, &mut rng).unwrap();
        let b = SigningKey::generate(param, &mut rng).unwrap();
        let mut ukm = [0u8; 8];
        rng.fill_bytes(&mut ukm);
        let mut algs = vec![Vko::Gost2012_256, Vko::Gost2012_512];
        if param.scalar_len() == 32 {
            algs.push(Vko::Gost2001);
        }
        for alg in algs {
            let ab = vko(alg, &a, &b.verifying_key(), &ukm).unwrap();
            let ba = vko(alg, &b, &a.verifying_key(), &ukm).unwrap();
            assert_eq!(ab, ba, "{param:?} {alg:?}");
            assert_eq!(ab.len(), alg.output_len());
        }
    }
}

#[test]
fn key_transport_round_trip_and_negatives() {
    let mut rng = Rng::from_seed(4490);
    for (param, alg) in [
        (ParamSet::Gost256A, KeyAlgorithm::Gost2012_256),
        (ParamSet::Gost256B, KeyAlgorithm::Gost2012_256),
        (ParamSet::Gost512A, KeyAlgorithm::Gost2012_512),
        (ParamSet::Gost512C, KeyAlgorithm::Gost2012_512),
        (ParamSet::Gost256B, KeyAlgorithm::Gost2001),
    ] {
        let recipient = SigningKey::generate(param, &mut rng).unwrap();
        let mut cek = [0u8; 32];
        rng.fill_bytes(&mut cek);
        let kt = KeyTransport::seal(
            &cek,
            &gost::spki::to_spki(&recipient.verifying_key(), alg),
            &mut rng,
        )
        .unwrap();
        let der = kt.to_der().unwrap();
        let back = KeyTransport::from_der(&der).unwrap();
        assert_eq!(back, kt);
        assert_eq!(
            *back.open(&recipient, alg).unwrap(),
            cek,
            "{param:?} {alg:?}"
        );
        // Another recipient key, a flipped ciphertext bit, a flipped MAC bit, a flipped UKM bit.
        let other = SigningKey::generate(param, &mut rng).unwrap();
        assert_eq!(back.open(&other, alg).unwrap_err(), Error::KeyUnwrapFailed);
        for field in 0..3 {
            let mut bad = back.clone();
            match field {
                0 => bad.encrypted_key[5] ^= 0x40,
                1 => bad.mac[0] ^= 1,
                _ => bad.ukm[7] ^= 0x80,
            }
            assert_eq!(
                bad.open(&recipient, alg).unwrap_err(),
                Error::KeyUnwrapFailed
            );
        }
        // Damaged DER never panics and is an error.
        for cut in [0, 1, der.len() / 2, der.len() - 1] {
            assert!(KeyTransport::from_der(&der[..cut]).is_err());
        }
    }
}

#[test]
fn content_params_round_trip() {
    let p = ContentParams {
        iv: hex!("0102030405060708"),
        params: CipherParams::Tc26Z,
    };
    assert_eq!(ContentParams::from_der(&p.to_der().unwrap()).unwrap(), p);
    assert!(ContentParams::from_der(&[0x30, 0x03, 0x04, 0x01, 0x00]).is_err());
}
