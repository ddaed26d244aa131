//! The twisted Edwards sets (tc26-256-A, tc26-512-C) computed in Edwards form, where the
//! formulas are cheaper than in the Weierstrass form: `e u^2 + v^2 = 1 + d u^2 v^2` with e = 1
//! (RFC 7836 App. A), extended coordinates (X : Y : Z : T), u = X/Z, v = Y/Z, T = XY/Z
//! (Hisil-Wong-Carter-Dawson 2008, EFD `g1p/auto-twisted-extended.html`, a = e = 1:
//! `add-2008-hwcd`, `dbl-2008-hwcd`). The addition is unified (it also doubles and handles the
//! neutral element (0, 1)), so constant-time code needs no special cases.
//!
//! The maps to and from the Weierstrass form are those of RFC 7836 / GOST R 34.10-2012:
//! x = s(1 + v)/(1 - v) + t, y = s(1 + v)/((1 - v) u); u = (x - t)/y, v = (x - t - s)/(x - t + s),
//! with s = (e - d)/4 and t = (e + d)/6.

use std::sync::OnceLock;

use super::double_mul::{var_window, wnaf};
#[cfg(target_arch = "x86_64")]
use super::edwards_x86;
use super::field::{Fe, Field, PmField};
use super::fixed_base::{FIXED_WINDOW, SignedDigits, build_rows};
use super::inverse;
use super::limbs;
use super::point::Affine;

/// wNAF window of the base point in verification (per-curve table of 512 points, built once;
/// the public key uses `double_mul::var_window`). Measured by callgrind: 11 instead of 9 saves
/// 3.5% of a 256-A and 2% of a 512-C verification (one addition in 12 bits instead of 10).
const BASE_WINDOW: u32 = 11;

/// A point in extended coordinates.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ext<const N: usize> {
    x: Fe<N>,
    y: Fe<N>,
    z: Fe<N>,
    t: Fe<N>,
}

/// An affine point with `d·u·v` precomputed (the table form).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Precomp<const N: usize> {
    x: Fe<N>,
    y: Fe<N>,
    dt: Fe<N>,
}

/// A projective point with `d·T` precomputed (the per-call table of the public key in
/// verification: one multiplication fewer per addition).
#[derive(Clone, Copy, Debug)]
struct Cached<const N: usize> {
    x: Fe<N>,
    y: Fe<N>,
    z: Fe<N>,
    dt: Fe<N>,
}

/// The Edwards form of one parameter set, with its tables.
pub(crate) struct Edwards<const N: usize> {
    f: PmField<N>,
    d: Fe<N>,
    s: Fe<N>,
    t: Fe<N>,
    /// fixed[i·2^(W-1) + j-1] = j·2^(W i)·P, W = FIXED_WINDOW (rows of 2^(W-1) points).
    fixed: Vec<Precomp<N>>,
    /// P, 3P, ..., (2^(BASE_WINDOW-1) - 1)P, built at the first verification (an emulator
    /// that only signs never needs it).
    base_odd: OnceLock<Option<Vec<Precomp<N>>>>,
    /// The base point's odd multiples in the AVX-512 IFMA kernel's form (512-C on CPUs that
    /// have it), built at the first verification there.
    #[cfg(target_arch = "x86_64")]
    base_x86: OnceLock<Option<edwards_x86::BaseTable>>,
    /// The base point in extended coordinates.
    g: Ext<N>,
}

impl<const N: usize> Edwards<N> {
    /// The Edwards form for the curve with Edwards coefficient `d` (e = 1) over `f`, and its
    /// base point given in Weierstrass form; [`Self::mul_base`] takes scalars below
    /// `2^scalar_bits`. `None` if the base point does not map, or `f` is not pseudo-Mersenne.
    pub(crate) fn new(
        f: &Field<N>,
        d_int: &[u64; N],
        base: &Affine<N>,
        scalar_bits: u32,
    ) -> Option<Self> {
        // Both Edwards sets have a pseudo-Mersenne p (RFC 7836 App. A); any other field is
        // refused rather than computed with the wrong reduction.
        let f = PmField::new(f)?;
        let one = f.one();
        let d = f.element(d_int);
        let s = f.mul(&f.sub(&one, &d), &f.invert(&f.element_u64(4)));
        let t = f.mul(&f.add(&one, &d), &f.invert(&f.element_u64(6)));
        let mut ed = Edwards {
            f,
            d,
            s,
            t,
            fixed: Vec::new(),
            base_odd: OnceLock::new(),
            #[cfg(target_arch = "x86_64")]
            base_x86: OnceLock::new(),
            g: Ext {
                x: one,
                y: one,
                z: one,
                t: one,
            },
        };
        ed.g = ed.edwards_from_weierstrass_vartime(base)?;
        ed.fixed = ed.build_fixed(&ed.g, scalar_bits)?;
        Some(ed)
    }

    /// The base point's odd multiples for verification, built once.
    fn base_odd(&self) -> Option<&[Precomp<N>]> {
        self.base_odd
            .get_or_init(|| {
                let twice = self.double(&self.g);
                let mut odd = vec![self.g];
                for i in 1..(1usize << (BASE_WINDOW - 2)) {
                    odd.push(self.add(&odd[i - 1], &twice));
                }
                self.batch_precomp(&odd)
            })
            .as_deref()
    }

    fn identity(&self) -> Ext<N> {
        Ext {
            x: self.f.zero(),
            y: self.f.one(),
            z: self.f.one(),
            t: self.f.zero(),
        }
    }

    /// A public Weierstrass point in Edwards form (variable-time inversion).
    fn edwards_from_weierstrass_vartime(&self, p: &Affine<N>) -> Option<Ext<N>> {
        let f = &self.f;
        let xt = f.sub(&p.x, &self.t);
        let num_v = f.sub(&xt, &self.s);
        let den_v = f.add(&xt, &self.s);
        let den = f.mul(&p.y, &den_v);
        let inv = f.element(&inverse::invert_vartime(&f.to_int(&den), f.modulus())?);
        let u = f.mul(&f.mul(&xt, &den_v), &inv);
        let v = f.mul(&f.mul(&num_v, &p.y), &inv);
        Some(Ext {
            x: u,
            y: v,
            z: f.one(),
            t: f.mul(&u, &v),
        })
    }

    /// A public Weierstrass point in extended coordinates without an inversion: with
    /// U = (x - t)(x - t + s), V = (x - t - s)·y and D = y·(x - t + s), u = U/D and v = V/D, so
    /// (U·D : V·D : D^2 : U·V) (7M). `None` when D = 0 (no affine Edwards image: y = 0, or the
    /// point maps to infinity), which no point of the prime-order subgroup hits.
    fn edwards_from_weierstrass_projective(&self, p: &Affine<N>) -> Option<Ext<N>> {
        let f = &self.f;
        let xt = f.sub(&p.x, &self.t);
        let plus = f.add(&xt, &self.s);
        let u = f.mul(&xt, &plus);
        let v = f.mul(&f.sub(&xt, &self.s), &p.y);
        let d = f.mul(&p.y, &plus);
        if bool::from(f.is_zero(&d)) {
            return None;
        }
        Some(Ext {
            x: f.mul(&u, &d),
            y: f.mul(&v, &d),
            z: f.square(&d),
            t: f.mul(&u, &v),
        })
    }

    /// The table form of a point for [`Self::add_cached`].
    fn cached(&self, p: &Ext<N>) -> Cached<N> {
        Cached {
            x: p.x,
            y: p.y,
            z: p.z,
            dt: self.f.mul(&p.t, &self.d),
        }
    }

    /// P + Q with d·T of Q precomputed (`add-2008-hwcd` with one multiplication saved): 8M,
    /// 7M without T (`with_t`, as in [`Self::double_with_t`]).
    fn add_cached(&self, p: &Ext<N>, q: &Cached<N>, with_t: bool) -> Ext<N> {
        let f = &self.f;
        let a = f.mul(&p.x, &q.x);
        let b = f.mul(&p.y, &q.y);
        let c = f.mul(&p.t, &q.dt);
        let dd = f.mul(&p.z, &q.z);
        self.finish_add(p, &q.x, &q.y, [a, b, c, dd], with_t)
    }

    /// The Weierstrass affine point (constant-time inversion); `None` for the neutral element
    /// and the 2-torsion point, which have no Weierstrass affine image here.
    fn to_weierstrass(&self, p: &Ext<N>) -> Option<Affine<N>> {
        let f = &self.f;
        let num = f.mul(&self.s, &f.add(&p.z, &p.y));
        let den = f.sub(&p.z, &p.y);
        let den_x = f.mul(&den, &p.x);
        if bool::from(f.is_zero(&den_x)) {
            return None;
        }
        let inv = f.invert(&den_x);
        let x = f.add(&f.mul(&f.mul(&num, &p.x), &inv), &self.t);
        let y = f.mul(&f.mul(&num, &p.z), &inv);
        Some(Affine {
            x: f.canonical(&x),
            y: f.canonical(&y),
        })
    }

    /// 2P (`dbl-2008-hwcd`, a = 1): 4M + 4S.
    fn double(&self, p: &Ext<N>) -> Ext<N> {
        self.double_with_t(p, true)
    }

    /// 2P; without T (3M + 4S) when the result only feeds another doubling, which never
    /// reads T. Public control flow only (`with_t` comes from public wNAF digits).
    fn double_with_t(&self, p: &Ext<N>, with_t: bool) -> Ext<N> {
        let f = &self.f;
        let a = f.square(&p.x);
        let b = f.square(&p.y);
        let c = f.double(&f.square(&p.z));
        let g = f.add(&a, &b);
        // E = (X + Y)^2 - A - B, with A + B = G already at hand: one subtraction fewer.
        let e = f.sub(&f.square(&f.add(&p.x, &p.y)), &g);
        let ff = f.sub(&g, &c);
        let h = f.sub(&a, &b);
        let t = if with_t { f.mul(&e, &h) } else { f.zero() };
        Ext {
            x: f.mul(&e, &ff),
            y: f.mul(&g, &h),
            t,
            z: f.mul(&ff, &g),
        }
    }

    /// P + Q (`add-2008-hwcd`, a = 1, unified).
    fn add(&self, p: &Ext<N>, q: &Ext<N>) -> Ext<N> {
        let f = &self.f;
        let a = f.mul(&p.x, &q.x);
        let b = f.mul(&p.y, &q.y);
        let c = f.mul(&f.mul(&p.t, &q.t), &self.d);
        let dd = f.mul(&p.z, &q.z);
        self.finish_add(p, &q.x, &q.y, [a, b, c, dd], true)
    }

    /// P + Q with Q from a table (Z = 1, d·T precomputed): 8M, unified; 7M without T.
    fn add_precomp(&self, p: &Ext<N>, q: &Precomp<N>, with_t: bool) -> Ext<N> {
        let f = &self.f;
        let a = f.mul(&p.x, &q.x);
        let b = f.mul(&p.y, &q.y);
        let c = f.mul(&p.t, &q.dt);
        self.finish_add(p, &q.x, &q.y, [a, b, c, p.z], with_t)
    }

    /// The rest of `add-2008-hwcd` from A = X1·X2, B = Y1·Y2, C = T1·d·T2 and D = Z1·Z2; T3
    /// only when `with_t` (public control flow: a constant, or from public wNAF digits).
    fn finish_add(
        &self,
        p: &Ext<N>,
        qx: &Fe<N>,
        qy: &Fe<N>,
        [a, b, c, dd]: [Fe<N>; 4],
        with_t: bool,
    ) -> Ext<N> {
        let f = &self.f;
        let e = f.sub(&f.sub(&f.mul(&f.add(&p.x, &p.y), &f.add(qx, qy)), &a), &b);
        let ff = f.sub(&dd, &c);
        let g = f.add(&dd, &c);
        let h = f.sub(&b, &a);
        let t = if with_t { f.mul(&e, &h) } else { f.zero() };
        Ext {
            x: f.mul(&e, &ff),
            y: f.mul(&g, &h),
            t,
            z: f.mul(&ff, &g),
        }
    }

    fn neg_precomp(&self, q: &Precomp<N>) -> Precomp<N> {
        Precomp {
            x: self.f.neg(&q.x),
            y: q.y,
            dt: self.f.neg(&q.dt),
        }
    }

    /// Many points to table form with one inversion (public points).
    fn batch_precomp(&self, points: &[Ext<N>]) -> Option<Vec<Precomp<N>>> {
        let f = &self.f;
        let mut prefix = Vec::with_capacity(points.len());
        let mut acc = f.one();
        for p in points {
            prefix.push(acc);
            acc = f.mul(&acc, &p.z);
        }
        let int = f.to_int(&acc);
        let mut inv = f.element(&inverse::invert_vartime(&int, f.modulus())?);
        let mut out = vec![
            Precomp {
                x: f.zero(),
                y: f.zero(),
                dt: f.zero()
            };
            points.len()
        ];
        for (k, p) in points.iter().enumerate().rev() {
            let zinv = f.mul(&inv, &prefix[k]);
            inv = f.mul(&inv, &p.z);
            let x = f.mul(&p.x, &zinv);
            let y = f.mul(&p.y, &zinv);
            out[k] = Precomp {
                x,
                y,
                dt: f.mul(&self.d, &f.mul(&x, &y)),
            };
        }
        Some(out)
    }

    /// The fixed-base table, built a row at a time (`fixed_base::build_rows`).
    fn build_fixed(&self, g: &Ext<N>, scalar_bits: u32) -> Option<Vec<Precomp<N>>> {
        build_rows(
            *g,
            FIXED_WINDOW,
            scalar_bits,
            |a, b| self.add(a, b),
            |a| self.double(a),
            |row| self.batch_precomp(row),
        )
    }

    /// k·P for the base point, constant time in k (`k < 2^scalar_bits`, callers pass
    /// `0 < k < q`), in Weierstrass affine form. Every row is
    /// scanned in full; a zero digit adds the neutral element (0, 1), which the unified
    /// addition handles, so there is no special case at all.
    pub(crate) fn mul_base(&self, k: &[u64; N]) -> Option<Affine<N>> {
        let f = &self.f;
        let mut acc = self.identity();
        let mut digits = SignedDigits::new(k, FIXED_WINDOW);
        let rows = self.fixed.chunks_exact(1usize << (FIXED_WINDOW - 1));
        for (position, row) in rows.enumerate() {
            let (magnitude, negative) = digits.next_digit();
            // Every entry is read; the one whose mask is set is OR-ed into a zero start.
            let mut entry = Precomp {
                x: f.zero(),
                y: f.zero(),
                dt: f.zero(),
            };
            // One barrier per row keeps the compiler from turning the masks into branches.
            let magnitude = std::hint::black_box(magnitude);
            for (j, candidate) in row.iter().enumerate() {
                let hit = limbs::eq_mask(magnitude, j as u64 + 1);
                limbs::or_masked(&mut entry.x, &candidate.x, hit);
                limbs::or_masked(&mut entry.y, &candidate.y, hit);
                limbs::or_masked(&mut entry.dt, &candidate.dt, hit);
            }
            // A zero digit adds the neutral element (0, 1).
            entry.y = limbs::select_mask(&entry.y, &f.one(), limbs::eq_mask(magnitude, 0));
            let neg = self.neg_precomp(&entry);
            let is_negative = negative.wrapping_neg();
            entry.x = limbs::select_mask(&entry.x, &neg.x, is_negative);
            entry.dt = limbs::select_mask(&entry.dt, &neg.dt, is_negative);
            // The first row starts the accumulator (the entry itself, T = u·v: one
            // multiplication instead of an addition to the neutral element); `position` is
            // public.
            acc = if position == 0 {
                Ext {
                    x: entry.x,
                    y: entry.y,
                    z: f.one(),
                    t: f.mul(&entry.x, &entry.y),
                }
            } else {
                self.add_precomp(&acc, &entry, true)
            };
        }
        self.to_weierstrass(&acc)
    }

    /// z1·G + z2·Q for public scalars (variable time): the AVX-512 IFMA kernel for 512-C where
    /// the CPU has it, the scalar loop otherwise. `None` if a table cannot be built.
    fn double_mul(&self, z1: &[u64; N], q: &Ext<N>, z2: &[u64; N]) -> Option<Ext<N>> {
        #[cfg(target_arch = "x86_64")]
        if let Some(kernel) =
            edwards_x86::detect().filter(|_| edwards_x86::serves(self.f.modulus()))
        {
            return self.double_mul_x86(kernel, z1, q, z2);
        }
        self.double_mul_scalar(z1, q, z2)
    }

    /// The odd multiples Q, 3Q, ..., (2^(w-1) - 1)Q of the public key, w = `var_window`.
    fn var_odd(&self, q: &Ext<N>) -> Vec<Cached<N>> {
        let twice = self.cached(&self.double(q));
        let mut odd = *q;
        let mut q_odd = vec![self.cached(q)];
        for _ in 1..(1usize << (var_window::<N>() - 2)) {
            odd = self.add_cached(&odd, &twice, true);
            q_odd.push(self.cached(&odd));
        }
        q_odd
    }

    /// [`Self::double_mul`] in scalar code: interleaved wNAF, the base point's digits from the
    /// per-curve table, the key's from [`Self::var_odd`].
    fn double_mul_scalar(&self, z1: &[u64; N], q: &Ext<N>, z2: &[u64; N]) -> Option<Ext<N>> {
        let f = &self.f;
        let q_odd = self.var_odd(q);
        let base_odd = self.base_odd()?;
        let naf1 = wnaf(z1, BASE_WINDOW);
        let naf2 = wnaf(z2, var_window::<N>());
        let mut acc = self.identity();
        for i in (0..naf1.len().max(naf2.len())).rev() {
            let d1 = naf1.get(i).copied().unwrap_or(0);
            let d2 = naf2.get(i).copied().unwrap_or(0);
            acc = self.double_with_t(&acc, d1 != 0 || d2 != 0);
            if d1 != 0 {
                let entry = base_odd[(d1.unsigned_abs() / 2) as usize];
                let entry = if d1 < 0 {
                    self.neg_precomp(&entry)
                } else {
                    entry
                };
                // T only when the key's addition follows; a doubling never reads it.
                acc = self.add_precomp(&acc, &entry, d2 != 0);
            }
            if d2 != 0 {
                let mut entry = q_odd[(d2.unsigned_abs() / 2) as usize];
                if d2 < 0 {
                    entry.x = f.neg(&entry.x);
                    entry.dt = f.neg(&entry.dt);
                }
                acc = self.add_cached(&acc, &entry, false);
            }
        }
        Some(acc)
    }

    /// The kernel's lanes of a table point (x, y, d·t): (x, y, d·t, x + y) and its negation
    /// (-x, y, -d·t, y - x); `None` unless N = 8.
    #[cfg(target_arch = "x86_64")]
    fn lanes_x86(
        &self,
        x: &Fe<N>,
        y: &Fe<N>,
        dt: &Fe<N>,
    ) -> Option<(edwards_x86::Coords, edwards_x86::Coords)> {
        let f = &self.f;
        let (nx, ndt) = (f.neg(x), f.neg(dt));
        let pos = [*x, *y, *dt, f.add(x, y)];
        let neg = [nx, *y, ndt, f.sub(y, x)];
        Some((coords8(&pos)?, coords8(&neg)?))
    }

    /// [`Self::double_mul`] on the AVX-512 IFMA kernel (same digits and tables as the scalar
    /// loop, in the kernel's lanes); `None` unless N = 8 and the tables build.
    #[cfg(target_arch = "x86_64")]
    fn double_mul_x86(
        &self,
        kernel: edwards_x86::Kernel,
        z1: &[u64; N],
        q: &Ext<N>,
        z2: &[u64; N],
    ) -> Option<Ext<N>> {
        let base = self
            .base_x86
            .get_or_init(|| {
                let lanes = self
                    .base_odd()?
                    .iter()
                    .map(|e| self.lanes_x86(&e.x, &e.y, &e.dt))
                    .collect::<Option<Vec<_>>>()?;
                Some(kernel.base_table(&lanes))
            })
            .as_ref()?;
        let var = self
            .var_odd(q)
            .iter()
            .map(|e| {
                let (pos, neg) = self.lanes_x86(&e.x, &e.y, &e.dt)?;
                Some((pos, neg, limbs8(&e.z)?))
            })
            .collect::<Option<Vec<_>>>()?;
        let id = self.identity();
        let mut acc = coords8(&[id.x, id.y, id.z, id.t])?;
        let naf1 = wnaf(z1, BASE_WINDOW);
        let naf2 = wnaf(z2, var_window::<N>());
        kernel.double_mul(base, &var, &naf1, &naf2, &mut acc);
        let [x, y, z, t] = acc.map(|c| <[u64; N]>::try_from(&c[..]).ok());
        Some(Ext {
            x: x?,
            y: y?,
            z: z?,
            t: t?,
        })
    }

    /// Whether x of z1·P + z2·Q (Weierstrass x, reduced mod q) equals r, for public values
    /// (variable time; RFC 7091 §6.2 steps 6-7).
    pub(crate) fn verify_x(
        &self,
        z1: &[u64; N],
        q_w: &Affine<N>,
        z2: &[u64; N],
        r: &[u64; N],
        order: &[u64; N],
    ) -> bool {
        let f = &self.f;
        let Some(q) = self.edwards_from_weierstrass_projective(q_w) else {
            return false;
        };
        let Some(acc) = self.double_mul(z1, &q, z2) else {
            return false;
        };
        // x_W = s(Z + Y)/(Z - Y) + t, so x_W = c exactly when c·(Z - Y) = s(Z + Y) + t(Z - Y).
        let den = f.sub(&acc.z, &acc.y);
        if bool::from(f.is_zero(&den)) {
            return false;
        }
        let rhs = f.add(
            &f.mul(&self.s, &f.add(&acc.z, &acc.y)),
            &f.mul(&self.t, &den),
        );
        let mut candidate = *r;
        while limbs::lt_vartime(&candidate, f.modulus()) {
            if bool::from(f.ct_eq(&f.mul(&f.element(&candidate), &den), &rhs)) {
                return true;
            }
            let (next, carry) = limbs::add(&candidate, order);
            if carry != 0 {
                break;
            }
            candidate = next;
        }
        false
    }

    /// The base point in Edwards affine form (u, v) as integers (for the tests).
    #[cfg(test)]
    pub(crate) fn base_uv(&self) -> ([u64; N], [u64; N]) {
        let g = &self.base_odd().expect("the base point's multiples")[0];
        (self.f.to_int(&g.x), self.f.to_int(&g.y))
    }
}

/// An element as 8 limbs (`None` unless N = 8).
#[cfg(target_arch = "x86_64")]
fn limbs8<const N: usize>(a: &[u64; N]) -> Option<[u64; 8]> {
    <[u64; 8]>::try_from(&a[..]).ok()
}

/// Four elements as 8 limbs each (`None` unless N = 8).
#[cfg(target_arch = "x86_64")]
fn coords8<const N: usize>(a: &[[u64; N]; 4]) -> Option<edwards_x86::Coords> {
    Some([
        limbs8(&a[0])?,
        limbs8(&a[1])?,
        limbs8(&a[2])?,
        limbs8(&a[3])?,
    ])
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests;
