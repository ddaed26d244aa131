//! Public keys that already passed the full check of [`crate::verifying_key`] (coordinates below
//! p, on the curve, and q·Q = O on the cofactor-4 sets), so that the same key parsed again costs
//! a comparison instead of a scalar multiplication. A reissue flow parses the token's new key
//! five times (the client's answer, the request it builds, the CA's two checks of the request,
//! the check of the stored certificate): the repeated subgroup checks were 15 % of an
//! in-process flow (perf, 7 Dec 2026). Only points that passed, or that this crate computed as
//! d·P for a key it made (in the subgroup by construction; the first of those five parses was
//! still a full check, 4 % of a flow, 7 Dec 2026), are kept, and a point is public data, so
//! nothing secret is kept or timed.

use std::sync::{Mutex, PoisonError};

use crate::curve::ParamSet;

/// How many points are remembered, the oldest replaced first: a handful of keys in use at once.
const SLOTS: usize = 16;

/// One remembered point: the set and the affine x and y as little-endian limbs.
type Point = (ParamSet, [u64; 8], [u64; 8]);

struct Checked {
    points: [Option<Point>; SLOTS],
    /// The slot the next point goes to.
    next: usize,
}

static CHECKED: Mutex<Checked> = Mutex::new(Checked {
    points: [None; SLOTS],
    next: 0,
});

fn with<T>(f: impl FnOnce(&mut Checked) -> T) -> T {
    // Every change below is a plain assignment: a panic elsewhere cannot leave a half-written
    // point, so a poisoned lock is still sound to use.
    f(&mut CHECKED.lock().unwrap_or_else(PoisonError::into_inner))
}

/// True when (x, y) of `param` passed the full check before.
pub(crate) fn contains(param: ParamSet, x: &[u64; 8], y: &[u64; 8]) -> bool {
    with(|c| {
        c.points
            .iter()
            .flatten()
            .any(|(p, px, py)| *p == param && px == x && py == y)
    })
}

/// Remembers a point that has just passed the full check.
pub(crate) fn insert(param: ParamSet, x: [u64; 8], y: [u64; 8]) {
    with(|c| remember(c, param, x, y))
}

/// Remembers a point this crate computed as d·P (0 < d < q), unless it is known already: such a
/// point passes the full check by construction.
pub(crate) fn insert_computed(param: ParamSet, x: [u64; 8], y: [u64; 8]) {
    with(|c| {
        let known = c
            .points
            .iter()
            .flatten()
            .any(|(p, px, py)| *p == param && *px == x && *py == y);
        if !known {
            remember(c, param, x, y);
        }
    })
}

fn remember(c: &mut Checked, param: ParamSet, x: [u64; 8], y: [u64; 8]) {
    if let Some(slot) = c.points.get_mut(c.next) {
        *slot = Some((param, x, y));
    }
    c.next = (c.next + 1) % SLOTS;
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::{Error, Rng, SigningKey, VerifyingKey};

    #[test]
    fn a_key_parsed_again_is_the_same_and_a_tampered_one_is_still_refused() {
        let key = SigningKey::generate(ParamSet::Gost256A, &mut Rng::from_seed(25)).unwrap();
        let bytes = key.verifying_key().to_le_bytes();
        let first = VerifyingKey::from_le_bytes(ParamSet::Gost256A, &bytes).unwrap();
        let again = VerifyingKey::from_le_bytes(ParamSet::Gost256A, &bytes).unwrap();
        assert_eq!(first, again);
        assert_eq!(first, key.verifying_key());
        let mut tampered = bytes.clone();
        tampered[0] ^= 1;
        for _ in 0..2 {
            assert_eq!(
                VerifyingKey::from_le_bytes(ParamSet::Gost256A, &tampered),
                Err(Error::PointNotOnCurve)
            );
        }
    }

    #[test]
    fn a_key_made_here_is_known_before_its_point_is_parsed() {
        let key = SigningKey::generate(ParamSet::Gost256A, &mut Rng::from_seed(26)).unwrap();
        let (x, y) = key.verifying_key().xy_limbs();
        assert!(contains(ParamSet::Gost256A, &x, &y));
        // The point of a key made again is not remembered twice.
        let d = key.to_le_bytes();
        let again = SigningKey::from_le_bytes(ParamSet::Gost256A, &d).unwrap();
        assert_eq!(again.verifying_key(), key.verifying_key());
        let copies = with(|c| {
            c.points
                .iter()
                .flatten()
                .filter(|(p, px, py)| *p == ParamSet::Gost256A && *px == x && *py == y)
                .count()
        });
        assert!(copies <= 1, "{copies} copies");
    }

    #[test]
    fn a_point_is_known_only_for_its_own_set_and_the_oldest_goes_first() {
        let (x, y) = ([0x5EED_0001; 8], [0x5EED_0002; 8]);
        assert!(!contains(ParamSet::Gost256A, &x, &y));
        insert(ParamSet::Gost256A, x, y);
        assert!(contains(ParamSet::Gost256A, &x, &y));
        assert!(!contains(ParamSet::Gost512C, &x, &y));
        let mut other = x;
        other[0] ^= 1;
        assert!(!contains(ParamSet::Gost256A, &other, &y));
        for i in 0..SLOTS as u64 {
            insert(ParamSet::Gost512C, [i; 8], [0x5EED_0003; 8]);
        }
        assert!(!contains(ParamSet::Gost256A, &x, &y), "pushed out");
    }
}
