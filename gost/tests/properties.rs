//! Property tests: sign/verify round trips on every parameter set, one-bit tampering is caught,
//! encodings round-trip, and the decoders never panic on arbitrary bytes.

#![allow(clippy::unwrap_used)]

use gost::spki::{from_spki_der, to_spki_der};
use gost::{KeyAlgorithm, ParamSet, Rng, Signature, SigningKey, VerifyingKey};
use proptest::prelude::*;

fn param_set() -> impl Strategy<Value = ParamSet> {
    proptest::sample::select(ParamSet::ALL.to_vec())
}

/// A key and a digest of the right length for a parameter set, from a seed.
fn key_and_digest(param: ParamSet, seed: u64) -> (SigningKey, Vec<u8>, Rng) {
    let mut rng = Rng::from_seed(seed);
    let key = SigningKey::generate(param, &mut rng).unwrap();
    let mut digest = vec![0u8; param.scalar_len()];
    rng.fill_bytes(&mut digest);
    (key, digest, rng)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn sign_then_verify(param in param_set(), seed in any::<u64>()) {
        let (key, digest, mut rng) = key_and_digest(param, seed);
        let public = key.verifying_key();
        let sig = key.sign_digest(&digest, &mut rng).unwrap();
        prop_assert!(public.verify_digest(&digest, &sig).is_ok());
        // The key survives its own encodings.
        let again = SigningKey::from_le_bytes(param, &key.to_le_bytes()).unwrap();
        prop_assert_eq!(again.verifying_key(), public.clone());
        let be: Vec<u8> = key.to_le_bytes().iter().rev().copied().collect();
        prop_assert_eq!(SigningKey::from_be_bytes(param, &be).unwrap().verifying_key(), public);
    }

    #[test]
    fn one_flipped_bit_fails(param in param_set(), seed in any::<u64>(), bit in any::<usize>(), target in 0u8..4) {
        let (key, digest, mut rng) = key_and_digest(param, seed);
        let public = key.verifying_key();
        let sig = key.sign_digest(&digest, &mut rng).unwrap();
        let len = param.scalar_len();
        let flip = |bytes: &mut Vec<u8>| {
            let i = bit % (bytes.len() * 8);
            bytes[i / 8] ^= 1 << (i % 8);
        };
        match target {
            0 => {
                let mut d = digest.clone();
                flip(&mut d);
                prop_assert!(public.verify_digest(&d, &sig).is_err());
            }
            1 | 2 => {
                let mut r = sig.r_be().to_vec();
                let mut s = sig.s_be().to_vec();
                if target == 1 { flip(&mut r) } else { flip(&mut s) }
                let bad = Signature::from_rs_be(&r, &s).unwrap();
                prop_assert!(public.verify_digest(&digest, &bad).is_err());
            }
            _ => {
                let mut q = public.to_le_bytes();
                flip(&mut q);
                // Either the point is rejected outright or the signature fails under it.
                if let Ok(other) = VerifyingKey::from_le_bytes(param, &q) {
                    prop_assert!(other.verify_digest(&digest, &sig).is_err());
                }
            }
        }
        prop_assert_eq!(sig.r_be().len(), len);
    }

    #[test]
    fn encodings_round_trip(param in param_set(), seed in any::<u64>()) {
        let (key, digest, mut rng) = key_and_digest(param, seed);
        let public = key.verifying_key();
        let sig = key.sign_digest(&digest, &mut rng).unwrap();
        prop_assert_eq!(&Signature::from_x509_bytes(&sig.to_x509_bytes()).unwrap(), &sig);
        prop_assert_eq!(&Signature::from_token_bytes(&sig.to_token_bytes()).unwrap(), &sig);
        let mut reversed = sig.to_x509_bytes();
        reversed.reverse();
        prop_assert_eq!(reversed, sig.to_token_bytes());
        prop_assert_eq!(&VerifyingKey::from_le_bytes(param, &public.to_le_bytes()).unwrap(), &public);
        prop_assert_eq!(&VerifyingKey::from_xy_be(param, &public.x_be(), &public.y_be()).unwrap(), &public);
        let alg = KeyAlgorithm::gost2012_for(param);
        prop_assert_eq!(from_spki_der(&to_spki_der(&public, alg)).unwrap(), (alg, public.clone()));
        if param.cryptopro_oid().is_some() {
            let der = to_spki_der(&public, KeyAlgorithm::Gost2001);
            prop_assert_eq!(from_spki_der(&der).unwrap(), (KeyAlgorithm::Gost2001, public));
        }
    }

    #[test]
    fn decoders_never_panic(param in param_set(), bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = Signature::from_x509_bytes(&bytes);
        let _ = Signature::from_token_bytes(&bytes);
        let _ = Signature::from_rs_be(&bytes, &bytes);
        let _ = VerifyingKey::from_le_bytes(param, &bytes);
        let _ = SigningKey::from_le_bytes(param, &bytes);
        let _ = SigningKey::from_be_bytes(param, &bytes);
        let _ = from_spki_der(&bytes);
        let _ = ParamSet::from_name(&String::from_utf8_lossy(&bytes));
        let half = bytes.len() / 2;
        let _ = VerifyingKey::from_xy_be(param, &bytes[..half], &bytes[half..]);
    }

    #[test]
    fn verify_never_panics(param in param_set(), bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let (key, digest, _) = key_and_digest(param, 1);
        let public = key.verifying_key();
        if let Ok(sig) = Signature::from_x509_bytes(&bytes) {
            prop_assert!(public.verify_digest(&digest, &sig).is_err());
        }
        prop_assert!(key.sign_digest_with_nonce(&bytes, &bytes).is_err() || bytes.len() == param.scalar_len());
    }
}

#[test]
fn spki_rejects_mismatched_and_malformed() {
    let mut rng = Rng::from_seed(3);
    let key = SigningKey::generate(ParamSet::Gost256B, &mut rng)
        .unwrap()
        .verifying_key();
    let good = to_spki_der(&key, KeyAlgorithm::Gost2012_256);
    // A 512-bit algorithm OID around a 256-bit curve.
    let mismatched = to_spki_der(&key, KeyAlgorithm::Gost2012_512);
    assert!(from_spki_der(&mismatched).is_err());
    for cut in 0..good.len() {
        assert!(from_spki_der(&good[..cut]).is_err());
    }
}

#[test]
fn names_and_oids() {
    for param in ParamSet::ALL {
        assert_eq!(ParamSet::from_name(param.name()).unwrap(), param);
        assert_eq!(ParamSet::from_oid(&param.oid()).unwrap(), param);
        assert_eq!(
            ParamSet::from_name(&param.oid().to_string()).unwrap(),
            param
        );
        if let Some(cp) = param.cryptopro_oid() {
            assert_eq!(ParamSet::from_oid(&cp).unwrap(), param);
        }
    }
    assert_eq!(
        ParamSet::from_name("CryptoPro-A").unwrap(),
        ParamSet::Gost256B
    );
    assert_eq!(ParamSet::from_name("XchB").unwrap(), ParamSet::Gost256D);
    assert_eq!(
        ParamSet::from_name("1.2.643.2.2.36.0").unwrap(),
        ParamSet::Gost256B
    );
    assert!(ParamSet::from_name("256-E").is_err());
}
