//! Signatures that already verified in this process, so that verifying the same signature over
//! the same digest under the same key again costs a comparison instead of z1·P + z2·Q.
//!
//! The same signature verifies again across a suite (issue 25, `perf`, 7 Dec 2026): the test
//! CA checks that the owner's current certificate is its own, and that is the same certificate
//! with the same signature in every reissue scenario (one of a flow's six verifications, 4 % of
//! it). Verification is a pure function of (parameter set, Q, digest, r, s): an entry is
//! remembered only after it verified, and a hit needs all five equal, so a changed bit anywhere
//! still goes through the full verification. Everything kept is public data (a key, a digest, a
//! signature), so nothing secret is kept or timed.

use std::sync::{Mutex, PoisonError};

use crate::curve::ParamSet;

/// How many verified signatures are remembered, the oldest replaced first: a flow verifies
/// six, so a signature verified in one flow is still known two flows later.
const SLOTS: usize = 16;

/// One verified signature: the set, Q's affine x and y, the digest as the integer alpha, r and
/// s (all little-endian limbs, zero above the set's size).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Verified {
    pub(crate) param: ParamSet,
    pub(crate) x: [u64; 8],
    pub(crate) y: [u64; 8],
    pub(crate) alpha: [u64; 8],
    pub(crate) r: [u64; 8],
    pub(crate) s: [u64; 8],
}

struct Remembered {
    entries: [Option<Verified>; SLOTS],
    /// The slot the next entry goes to.
    next: usize,
}

static REMEMBERED: Mutex<Remembered> = Mutex::new(Remembered {
    entries: [None; SLOTS],
    next: 0,
});

fn with<T>(f: impl FnOnce(&mut Remembered) -> T) -> T {
    // Every change below is a plain assignment: a panic elsewhere cannot leave a half-written
    // entry, so a poisoned lock is still sound to use.
    f(&mut REMEMBERED.lock().unwrap_or_else(PoisonError::into_inner))
}

/// True when exactly this signature verified before.
pub(crate) fn contains(entry: &Verified) -> bool {
    with(|r| r.entries.iter().flatten().any(|e| e == entry))
}

/// Remembers a signature that has just verified.
pub(crate) fn insert(entry: Verified) {
    with(|r| {
        if let Some(slot) = r.entries.get_mut(r.next) {
            *slot = Some(entry);
        }
        r.next = (r.next + 1) % SLOTS;
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::{Error, Rng, Signature, SigningKey};

    fn entry(seed: u64) -> Verified {
        Verified {
            param: ParamSet::Gost256A,
            x: [seed; 8],
            y: [seed + 1; 8],
            alpha: [seed + 2; 8],
            r: [seed + 3; 8],
            s: [seed + 4; 8],
        }
    }

    #[test]
    fn a_signature_verified_again_still_verifies_and_a_changed_one_is_still_refused() {
        let key = SigningKey::generate(ParamSet::Gost256A, &mut Rng::from_seed(8)).unwrap();
        let public = key.verifying_key();
        let digest = [0x25u8; 32];
        let signature = key.sign_digest(&digest, &mut Rng::from_seed(9)).unwrap();
        for _ in 0..2 {
            assert_eq!(public.verify_digest(&digest, &signature), Ok(()));
        }
        // After the first success every variant below is asked again: each must still fail.
        let mut other_digest = digest;
        other_digest[31] ^= 1;
        let mut r = signature.r_be().to_vec();
        r[31] ^= 1;
        let other_r = Signature::from_rs_be(&r, signature.s_be()).unwrap();
        let mut s = signature.s_be().to_vec();
        s[31] ^= 1;
        let other_s = Signature::from_rs_be(signature.r_be(), &s).unwrap();
        let other_key = SigningKey::generate(ParamSet::Gost256A, &mut Rng::from_seed(10))
            .unwrap()
            .verifying_key();
        for _ in 0..2 {
            assert_eq!(
                public.verify_digest(&other_digest, &signature),
                Err(Error::VerificationFailed)
            );
            assert_eq!(
                public.verify_digest(&digest, &other_r),
                Err(Error::VerificationFailed)
            );
            assert_eq!(
                public.verify_digest(&digest, &other_s),
                Err(Error::VerificationFailed)
            );
            assert_eq!(
                other_key.verify_digest(&digest, &signature),
                Err(Error::VerificationFailed)
            );
        }
    }

    #[test]
    fn an_entry_is_known_only_whole_and_the_oldest_goes_first() {
        let first = entry(0x5EED_0100);
        assert!(!contains(&first));
        insert(first);
        assert!(contains(&first));
        let mut other_set = first;
        other_set.param = ParamSet::Gost256B;
        assert!(!contains(&other_set));
        for field in 0..5 {
            let mut changed = first;
            let limbs = match field {
                0 => &mut changed.x,
                1 => &mut changed.y,
                2 => &mut changed.alpha,
                3 => &mut changed.r,
                _ => &mut changed.s,
            };
            limbs[7] ^= 1;
            assert!(!contains(&changed), "field {field}");
        }
        for i in 0..SLOTS as u64 {
            insert(entry(0x5EED_0200 + 8 * i));
        }
        assert!(!contains(&first), "pushed out");
    }
}
