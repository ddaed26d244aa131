//! Constant-time k·P for the fixed base point P: a table of signed radix-2^W digit multiples.
//!
//! The scalar is recoded into digits `d_i` in `[-2^(W-1), 2^(W-1)]` with `k = sum d_i 2^(W i)`,
//! and the table holds `j · 2^(W i) · P` (j = 1..2^(W-1)) in affine form, so k·P is one mixed
//! addition per digit and no doubling. Each lookup reads every entry of its row and keeps the
//! right one with conditional selects; the sign is applied with a conditional negation; a zero
//! digit keeps the accumulator by a select. Nothing branches on or indexes by the scalar.
//!
//! No exceptional case: the additions are the complete formulas of Renes-Costello-Batina
//! (`complete.rs`), right for every accumulator, including the identity and the added point
//! itself (which `madd-2007-bl`, used here before, got wrong, excluded then by probability).

use super::limbs;
use super::point::{Affine, CurveArith, Jacobian};

/// `rows[i·2^(W-1) + j-1] = j · 2^(W i) · P`: one flat allocation, rows of 2^(W-1) points.
pub(crate) struct FixedBaseTable<const N: usize> {
    window: u32,
    rows: Vec<Affine<N>>,
}

impl<const N: usize> FixedBaseTable<N> {
    /// Builds the table for `base` and scalars below `2^scalar_bits` (public; run once per
    /// curve). `None` if a multiple hits the identity, which cannot happen for a base of prime
    /// order above 2^W.
    pub(crate) fn new(
        arith: &CurveArith<N>,
        base: &Affine<N>,
        window: u32,
        scalar_bits: u32,
    ) -> Option<Self> {
        let rows = build_rows(
            arith.lift(base),
            window,
            scalar_bits,
            |a, b| arith.add_vartime(a, b),
            |a| arith.double(a),
            |row| arith.batch_to_affine(row),
        )?;
        Some(FixedBaseTable { window, rows })
    }

    /// k·P in constant time, for any `k < 2^scalar_bits` (callers pass `0 < k < q`).
    pub(crate) fn mul(&self, arith: &CurveArith<N>, k: &[u64; N]) -> Jacobian<N> {
        let mut acc = arith.projective_identity();
        let mut digits = SignedDigits::new(k, self.window);
        for row in self.rows.chunks_exact(1usize << (self.window - 1)) {
            let (magnitude, negative) = digits.next_digit();
            // One barrier per row keeps the compiler from turning the masks into branches.
            let magnitude = std::hint::black_box(magnitude);
            // Every entry is read; the one whose mask is set is OR-ed into a zero start (two
            // operations a limb, which vectorise). A zero digit leaves (0, 0), discarded below.
            let mut entry = Affine {
                x: arith.f.zero(),
                y: arith.f.zero(),
            };
            for (j, candidate) in row.iter().enumerate() {
                let hit = limbs::eq_mask(magnitude, j as u64 + 1);
                limbs::or_masked(&mut entry.x, &candidate.x, hit);
                limbs::or_masked(&mut entry.y, &candidate.y, hit);
            }
            let neg_y = arith.f.neg(&entry.y);
            entry.y = limbs::select_mask(&entry.y, &neg_y, negative.wrapping_neg());
            let sum = arith.add_affine_complete(&acc, &entry);
            // A zero digit keeps the accumulator.
            let keep = limbs::eq_mask(magnitude, 0);
            acc.x = limbs::select_mask(&sum.x, &acc.x, keep);
            acc.y = limbs::select_mask(&sum.y, &acc.y, keep);
            acc.z = limbs::select_mask(&sum.z, &acc.z, keep);
        }
        arith.projective_to_jacobian(&acc)
    }

    /// `acc + k·P` in variable time, for public k only (verification): one table entry read
    /// by index per non-zero digit, no doubling.
    pub(crate) fn add_mul_vartime(
        &self,
        arith: &CurveArith<N>,
        mut acc: Jacobian<N>,
        k: &[u64; N],
    ) -> Jacobian<N> {
        let mut digits = SignedDigits::new(k, self.window);
        for row in self.rows.chunks_exact(1usize << (self.window - 1)) {
            let (magnitude, negative) = digits.next_digit();
            let Some(index) = magnitude.checked_sub(1) else {
                continue;
            };
            // |d| <= 2^(W-1), the row's length: always present. (Were it not, the sum would be
            // wrong and the signature refused, never wrongly accepted.)
            let Some(entry) = usize::try_from(index).ok().and_then(|i| row.get(i)) else {
                continue;
            };
            let mut entry = *entry;
            if negative == 1 {
                entry.y = arith.f.neg(&entry.y);
            }
            acc = arith.add_affine_vartime(&acc, &entry);
        }
        acc
    }
}

/// Signed-digit window of the fixed-base tables, Weierstrass and Edwards: 2^(W-1) affine
/// points per W bits of scalar. Chosen for memory, not speed (issue #12: the emulator at most
/// 10 MiB resident after a suite run, when every set's table is built): W = 7 was fastest (CPU
/// time, 512-bit sets; W = 8 loses again) but its tables took 2.9 MB for the seven sets; W = 5
/// takes a third of that and costs 12-20% of keygen and signing, which stay above 2x the gost
/// engine (gost/README.md).
pub(crate) const FIXED_WINDOW: u32 = 5;

/// The rows `j · 2^(W i) · P` (j = 1..2^(W-1)) in one flat vector, for either point form:
/// `add` and `double` on the projective form, `convert` turns one row into the table form
/// with one inversion. Row by row: the projective temporaries of the whole table would be 1.5
/// times its size, freed into the allocator's arena where they stayed resident in the emulator.
pub(crate) fn build_rows<P: Copy, T>(
    base: P,
    window: u32,
    scalar_bits: u32,
    add: impl Fn(&P, &P) -> P,
    double: impl Fn(&P) -> P,
    convert: impl Fn(&[P]) -> Option<Vec<T>>,
) -> Option<Vec<T>> {
    let half = 1usize << (window - 1);
    let positions = digit_count(scalar_bits, window);
    let mut rows = Vec::with_capacity(positions * half);
    let mut row = Vec::with_capacity(half);
    let mut row_base = base;
    for _ in 0..positions {
        row.clear();
        let mut multiple = row_base;
        row.push(multiple);
        for _ in 1..half {
            multiple = add(&multiple, &row_base);
            row.push(multiple);
        }
        rows.extend(convert(&row)?);
        for _ in 0..window {
            row_base = double(&row_base);
        }
    }
    Some(rows)
}

/// How many signed radix-2^W digits a scalar below `2^bits` needs: enough W-bit chunks to
/// leave the top bit of the top chunk zero, so that the top digit never carries out
/// (d = chunk + carry <= 2^(W-1)).
pub(crate) fn digit_count(bits: u32, window: u32) -> usize {
    (bits as usize + 1).div_ceil(window as usize)
}

/// The signed radix-2^W digits of a scalar, least significant first, as (magnitude, sign bit),
/// computed without branches on the scalar.
pub(crate) struct SignedDigits<'a, const N: usize> {
    k: &'a [u64; N],
    window: u32,
    position: usize,
    carry: u64,
}

impl<'a, const N: usize> SignedDigits<'a, N> {
    /// The digits of k for a window of `window` bits.
    pub(crate) fn new(k: &'a [u64; N], window: u32) -> Self {
        SignedDigits {
            k,
            window,
            position: 0,
            carry: 0,
        }
    }

    /// The next digit: |d| in [0, 2^(W-1)] and 1 if d < 0.
    pub(crate) fn next_digit(&mut self) -> (u64, u64) {
        let w = self.window;
        let chunk = window_bits(self.k, self.position, w);
        self.position += w as usize;
        // d in [0, 2^W]; digits above 2^(W-1) become d - 2^W with a carry into the next.
        let d = chunk + self.carry;
        self.carry = (d + (1u64 << (w - 1)) - 1) >> w;
        let signed = d.wrapping_sub(self.carry << w); // two's complement of the signed digit
        let negative = signed >> 63;
        let mask = negative.wrapping_neg();
        ((signed ^ mask).wrapping_add(negative), negative)
    }
}

/// Bits `[start, start + w)` of k (zero beyond the top); `start` is public.
fn window_bits<const N: usize>(k: &[u64; N], start: usize, w: u32) -> u64 {
    let limb = start / 64;
    let shift = start % 64;
    if limb >= N {
        return 0;
    }
    let mut v = k[limb] >> shift;
    if shift + w as usize > 64 && limb + 1 < N {
        v |= k[limb + 1] << (64 - shift);
    }
    v & ((1u64 << w) - 1)
}

#[cfg(test)]
mod tests {
    use super::{SignedDigits, digit_count, window_bits};

    #[test]
    fn top_digit_never_carries_out() {
        // The largest scalars of 254, 256, 510 and 512 bits: after `digit_count` digits the
        // carry is spent, every magnitude fits the table, and the digits give k back (checked
        // on the low 128 bits and on the top digit's weight).
        for (bits, window) in [
            (254u32, 7u32),
            (256, 7),
            (510, 7),
            (512, 7),
            (512, 5),
            (510, 8),
        ] {
            let mut k = [u64::MAX; 8];
            for (lo, limb) in (0u32..).step_by(64).zip(k.iter_mut()) {
                if lo >= bits {
                    *limb = 0;
                } else if bits - lo < 64 {
                    *limb = (1u64 << (bits - lo)) - 1;
                }
            }
            let mut digits = SignedDigits::new(&k, window);
            let mut low: i128 = 0;
            for i in 0..digit_count(bits, window) {
                let (magnitude, negative) = digits.next_digit();
                assert!(magnitude <= 1 << (window - 1));
                let shift = window as usize * i;
                if shift < 120 {
                    let d = magnitude as i128 * if negative == 1 { -1 } else { 1 };
                    low += d << shift;
                }
            }
            assert_eq!(digits.carry, 0, "bits {bits}, window {window}");
            let mask = (1i128 << 120) - 1;
            assert_eq!(low & mask, (k[0] as i128 | ((k[1] as i128) << 64)) & mask);
        }
    }

    #[test]
    fn windows_cross_limbs() {
        let k = [0xF000_0000_0000_0000u64, 0x3];
        assert_eq!(window_bits(&k, 60, 5), 0x1F);
        assert_eq!(window_bits(&k, 62, 5), 0xF);
        assert_eq!(window_bits(&k, 126, 5), 0);
        assert_eq!(window_bits(&k, 200, 5), 0);
    }
}
