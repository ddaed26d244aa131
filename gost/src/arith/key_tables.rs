//! Fixed-base tables for public keys that verify again and again, so that z1·P + z2·Q costs
//! two runs of table additions and no doubling.
//!
//! In a suite or a benchmark the same few keys verify most signatures: the test CA's (every
//! certificate it issues) and the owner's current key (every reissue document). With the
//! interleaved wNAF of `double_mul.rs` a verification is about 256 doublings and 90 additions
//! on a 256-bit set; with the signed-digit tables of `fixed_base.rs` for both P (the table
//! signing already uses) and Q, it is about 100 mixed additions. A table costs about three
//! verifications to build and 53 KB (256-bit) or 211 KB (512-bit), so it is built only for a
//! key seen for the second time, and a few are kept per parameter set, the oldest replaced.
//! Everything here is public (keys, and the scalars of verification), so it may take variable
//! time.

use std::sync::{Arc, Mutex, PoisonError};

use super::fixed_base::{FIXED_WINDOW, FixedBaseTable};
use super::point::{Affine, CurveArith};

/// Keys with a table, per parameter set: the test CA's and an owner's, with room for a
/// foreign CA and a second owner (the fixtures' keys), so a suite does not rebuild them.
const TABLES: usize = 4;
/// Keys remembered as seen once (no table yet).
const SEEN: usize = 8;

/// A table for one key.
type Entry<const N: usize> = (Affine<N>, Arc<FixedBaseTable<N>>);

struct Inner<const N: usize> {
    tables: Vec<Entry<N>>,
    /// The slot the next table replaces once `tables` is full.
    next_table: usize,
    seen: Vec<Affine<N>>,
    /// The slot the next seen key replaces once `seen` is full.
    next_seen: usize,
}

/// One parameter set's tables for its often-verifying keys.
pub(crate) struct KeyTables<const N: usize> {
    inner: Mutex<Inner<N>>,
}

impl<const N: usize> KeyTables<N> {
    /// None yet.
    pub(crate) fn new() -> Self {
        KeyTables {
            inner: Mutex::new(Inner {
                tables: Vec::new(),
                next_table: 0,
                seen: Vec::new(),
                next_seen: 0,
            }),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Inner<N>) -> T) -> T {
        // Each change below completes before anything can panic (pushes and assignments of
        // finished values), so a poisoned lock is still sound to use.
        f(&mut self.inner.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The table of `q` (a checked public key) if it has one; builds it when `q` was seen
    /// before; otherwise notes `q` as seen and returns `None` (the caller verifies without).
    pub(crate) fn for_key(
        &self,
        arith: &CurveArith<N>,
        q: &Affine<N>,
        scalar_bits: u32,
    ) -> Option<Arc<FixedBaseTable<N>>> {
        let seen_before = self.with(|inner| {
            if let Some((_, table)) = inner.tables.iter().find(|(key, _)| key == q) {
                return Err(Arc::clone(table));
            }
            if let Some(at) = inner.seen.iter().position(|key| key == q) {
                inner.seen.swap_remove(at);
                inner.next_seen = inner.next_seen.min(inner.seen.len());
                return Ok(true);
            }
            if inner.seen.len() < SEEN {
                inner.seen.push(*q);
            } else if let Some(slot) = inner.seen.get_mut(inner.next_seen) {
                *slot = *q;
                inner.next_seen = (inner.next_seen + 1) % SEEN;
            }
            Ok(false)
        });
        match seen_before {
            Err(table) => Some(table),
            Ok(false) => None,
            // Built outside the lock: other verifications go on meanwhile.
            Ok(true) => {
                let table = Arc::new(FixedBaseTable::new(arith, q, FIXED_WINDOW, scalar_bits)?);
                self.with(|inner| {
                    if inner.tables.iter().all(|(key, _)| key != q) {
                        let entry = (*q, Arc::clone(&table));
                        if inner.tables.len() < TABLES {
                            inner.tables.push(entry);
                        } else if let Some(slot) = inner.tables.get_mut(inner.next_table) {
                            *slot = entry;
                            inner.next_table = (inner.next_table + 1) % TABLES;
                        }
                    }
                });
                Some(table)
            }
        }
    }

    /// Whether `q` has a table (for tests).
    #[cfg(test)]
    pub(crate) fn has(&self, q: &Affine<N>) -> bool {
        self.with(|inner| inner.tables.iter().any(|(key, _)| key == q))
    }
}

#[cfg(test)]
mod tests {
    use crate::arith::registry::{CurveRef, curve};
    use crate::encoding::narrow;
    use crate::{Error, ParamSet, Rng, Signature, SigningKey};

    #[test]
    fn a_key_verifying_again_gets_a_table_and_the_answers_stay_the_same() {
        for param in [ParamSet::Gost256B, ParamSet::Gost512A] {
            let mut rng = Rng::from_seed(0x25);
            let key = SigningKey::generate(param, &mut rng).unwrap();
            let public = key.verifying_key();
            let len = param.scalar_len();
            // Uncached verifications: each one computes (no memory of verified signatures).
            for round in 1..=4u8 {
                let digest = vec![round; len];
                let signature = key.sign_digest(&digest, &mut rng).unwrap();
                assert_eq!(public.verify_digest_uncached(&digest, &signature), Ok(()));
                let mut other = digest.clone();
                other[0] ^= 0x80;
                assert_eq!(
                    public.verify_digest_uncached(&other, &signature),
                    Err(Error::VerificationFailed)
                );
                let mut r = signature.r_be().to_vec();
                r[len - 1] ^= 1;
                let changed = Signature::from_rs_be(&r, signature.s_be()).unwrap();
                assert_eq!(
                    public.verify_digest_uncached(&digest, &changed),
                    Err(Error::VerificationFailed)
                );
            }
            let (x, y) = public.xy_limbs();
            let has = match curve(param) {
                CurveRef::C4(c) => c.has_key_table(&narrow(&x), &narrow(&y)),
                CurveRef::C8(c) => c.has_key_table(&narrow(&x), &narrow(&y)),
            };
            assert!(has, "{param:?}: no table after twelve verifications");
        }
    }

    #[test]
    fn tables_and_wnaf_give_the_same_point() {
        let mut rng = Rng::from_seed(0x26);
        for param in [
            ParamSet::Gost256B,
            ParamSet::Gost512A,
            ParamSet::Gost256Test,
        ] {
            let key = SigningKey::generate(param, &mut rng).unwrap();
            let (x, y) = key.verifying_key().xy_limbs();
            for _ in 0..8 {
                let z1 = crate::signing_key::random_scalar(param, &mut rng);
                let z2 = crate::signing_key::random_scalar(param, &mut rng);
                let (wnaf, tables) = match curve(param) {
                    CurveRef::C4(c) => {
                        let (a, b) = c.double_mul_both_ways(
                            &narrow(&x),
                            &narrow(&y),
                            &narrow(&z1),
                            &narrow(&z2),
                        );
                        (
                            a.map(|p| (p.x.to_vec(), p.y.to_vec())),
                            b.map(|p| (p.x.to_vec(), p.y.to_vec())),
                        )
                    }
                    CurveRef::C8(c) => {
                        let (a, b) = c.double_mul_both_ways(
                            &narrow(&x),
                            &narrow(&y),
                            &narrow(&z1),
                            &narrow(&z2),
                        );
                        (
                            a.map(|p| (p.x.to_vec(), p.y.to_vec())),
                            b.map(|p| (p.x.to_vec(), p.y.to_vec())),
                        )
                    }
                };
                assert!(wnaf.is_some(), "{param:?}");
                assert_eq!(wnaf, tables, "{param:?}");
            }
        }
    }
}
