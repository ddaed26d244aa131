//! The loop of a tc26-512-C verification (z1·G + z2·Q in Edwards extended coordinates,
//! `edwards.rs`) on x86-64 CPUs with AVX-512 IFMA: four field elements per instruction.
//!
//! Why this exists: issue #12 asks for 2.0x OpenSSL's gost engine on every set, and 512-C
//! verification stayed at 1.83-1.91x with the best scalar code we could write (gost/README.md
//! lists what was tried); the engine's 512-C code is ECCKiila's, generated for that curve. Here:
//!
//! - **Field** GF(p), p = 2^512 - 569: ten limbs of 52 bits (the width `vpmadd52luq` /
//!   `vpmadd52huq` multiply), limb 9 holding bits 468..511, so a carry out of it has weight
//!   2^512 = 569 and the product's column 10 weight 2^520 = 569·2^8 (mod p). One 256-bit
//!   register holds the same limb of four elements ("lanes").
//! - **Points** (X : Y : Z : T) live in the four lanes of one such element. Every formula of
//!   `edwards.rs` (HWCD 2008, a = 1) is two rounds of four independent products: a doubling squares
//!   (X, Y, Z, X + Y), then multiplies (E, G, F, E) by (F, H, G, H); an addition of a table point
//!   (Z = 1) multiplies (X1, Y1, T1, X1 + Y1) by (x2, y2, d·t2, x2 + y2), then the same second
//!   round; a projective table point costs one more round for Z1·Z2.
//!
//! Variable time is fine: only public data reaches this module (verification). It is exact: all
//! inputs of a product have limbs below 2^52 (IFMA ignores higher bits), which [`normalize`]
//! guarantees with one carry pass thanks to limb 9's 44-bit width, and every bound is stated
//! where it is relied on.
//!
//! The features are detected at run time ([`detect`]); every other CPU keeps the scalar loop.
//! As in `digest/streebog_x86.rs`, the one `unsafe` block is the call into the
//! `#[target_feature]` entry point ([`Kernel::run`]), reachable only with a [`Kernel`] that
//! [`detect`] makes; below it everything is safe code: register-only intrinsics, vectors built
//! with `_mm256_set_epi64x` and read with extracts, never through pointers.

use core::arch::x86_64::{
    __m256i, _mm256_add_epi64, _mm256_and_si256, _mm256_extract_epi64, _mm256_madd52hi_epu64,
    _mm256_madd52lo_epu64, _mm256_mask_add_epi64, _mm256_mask_blend_epi64, _mm256_permutex_epi64,
    _mm256_set_epi64x, _mm256_set1_epi64x, _mm256_setzero_si256, _mm256_slli_epi64,
    _mm256_srli_epi64, _mm256_sub_epi64,
};

/// Limbs of an element (9·52 + 44 = 512 bits).
const LIMBS: usize = 10;
/// Bits of limbs 0..8 (the shift intrinsics take an `i32` count).
const RADIX: i32 = 52;
const MASK52: u64 = (1 << RADIX) - 1;
/// Bits of limb 9 (bits 468..511 of the element).
const TOP_BITS: i32 = 44;
/// p = 2^512 - 569 (tc26-512-C, RFC 7836 App. A.2), so 2^512 = 569 (mod p).
const C: u64 = 569;
/// 2^520 = 569·2^8 (mod p): the weight of product column 10.
const FOLD: u64 = C << 8;
/// 2^1040 = FOLD^2 (mod p), below 2^52 so that one IFMA low half multiplies by it.
const FOLD2: u64 = FOLD * FOLD;
/// 2^11·p = 8·(2^520 - FOLD) = 8·(sum of (2^52 - 1)·2^(52k) for k < 10, + 1 - FOLD): limbs of
/// at least 2^55 - 2^21, added before every subtraction, so a - b keeps every limb positive
/// for any b whose limbs are below 2^54 (sums of up to four normalised elements).
const BIAS: [u64; LIMBS] = {
    let mut b = [8 * MASK52; LIMBS];
    b[0] = 8 * ((1 << RADIX) - FOLD);
    b
};

type V = __m256i;
/// Four field elements, limb k of all four in `[k]`, lane i = element i.
type Fe4 = [V; LIMBS];

/// Lanes of a point: X, Y, Z, T.
const LANE_T: u8 = 0b1000;
/// `_mm256_permutex_epi64` selectors: every lane from lane 0, 1, 2 or 3.
const ALL0: i32 = 0x00;
const ALL1: i32 = 0x55;
const ALL2: i32 = 0xAA;
const ALL3: i32 = 0xFF;
/// Lanes 0, 1, 3, 0: (X, Y, T, X) from a point.
const XYTX: i32 = 0b00_11_01_00;

/// An affine table point: (x, y, d·x·y, x + y) and its negation (-x, y, -d·x·y, y - x), each
/// with limbs below 2^52.
#[derive(Clone, Copy)]
pub(super) struct Affine4 {
    pos: Fe4,
    neg: Fe4,
}

/// A projective table point: as [`Affine4`] with X, Y, d·T for x, y, d·x·y, and Z in every
/// lane of `z`.
#[derive(Clone, Copy)]
pub(super) struct Projective4 {
    pos: Fe4,
    neg: Fe4,
    z: Fe4,
}

/// The per-curve table of the base point's odd multiples, in vector form.
pub(super) struct BaseTable(Vec<Affine4>);

/// Proof that this CPU has AVX-512 F, VL and IFMA: only [`detect`] makes one.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Kernel {
    _detected: (),
}

/// The kernel if this CPU (and its OS, which must save the AVX-512 registers; the std detection
/// checks that too) supports it, unless `GOST_VERIFY_BACKEND=portable` forces the scalar code
/// (to compare both on one machine). Decided once per process.
pub(crate) fn detect() -> Option<Kernel> {
    static KERNEL: std::sync::OnceLock<Option<Kernel>> = std::sync::OnceLock::new();
    *KERNEL.get_or_init(|| {
        let forced_portable = std::env::var_os("GOST_VERIFY_BACKEND")
            .is_some_and(|v| v.eq_ignore_ascii_case("portable"));
        if forced_portable { None } else { detect_cpu() }
    })
}

/// The kernel if the CPU has the features, whatever the environment says (the tests).
pub(super) fn detect_cpu() -> Option<Kernel> {
    let detected = std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("avx512vl")
        && std::is_x86_feature_detected!("avx512ifma");
    detected.then_some(Kernel { _detected: () })
}

/// A point given as field elements below 2^512 (the scalar code's pseudo-Mersenne form).
pub(super) type Coords = [[u64; 8]; 4];

/// What the vector code is asked to do (one entry point, so one `unsafe` call).
enum Job<'a> {
    /// Table entries from their (pos, neg) lanes.
    Table {
        lanes: &'a [(Coords, Coords)],
        out: &'a mut Vec<Affine4>,
    },
    /// acc = sum over i (from the top) of 2·acc + naf1[i]·G + naf2[i]·Q, with `base` the odd
    /// multiples of G and `var` those of Q ((pos, neg, Z) lanes); `acc` holds the starting point.
    DoubleMul {
        base: &'a BaseTable,
        var: &'a [(Coords, Coords, [u64; 8])],
        naf1: &'a [i32],
        naf2: &'a [i32],
        acc: &'a mut Coords,
    },
    /// Lane-wise products, squares, sums and differences, for the tests.
    #[cfg(test)]
    Field {
        a: &'a Coords,
        b: &'a Coords,
        out: &'a mut [Coords; 4],
    },
}

impl Kernel {
    #[allow(unsafe_code)]
    fn run(self, job: Job<'_>) {
        // SAFETY: `run_job` is compiled for avx512f, avx512vl and avx512ifma; a `Kernel`
        // exists only when `detect` found all three on the CPU we are running on.
        unsafe { run_job(job) }
    }

    /// The base table from (pos, neg) lanes as [`Affine4`] describes them.
    pub(super) fn base_table(self, lanes: &[(Coords, Coords)]) -> BaseTable {
        let mut out = Vec::with_capacity(lanes.len());
        self.run(Job::Table {
            lanes,
            out: &mut out,
        });
        BaseTable(out)
    }

    /// The verification loop: `acc` in, the result out (X, Y, Z, T, each below 2^512).
    /// Digits index their table as `|d| / 2`, which the caller's wNAF windows keep in range.
    pub(super) fn double_mul(
        self,
        base: &BaseTable,
        var: &[(Coords, Coords, [u64; 8])],
        naf1: &[i32],
        naf2: &[i32],
        acc: &mut Coords,
    ) {
        self.run(Job::DoubleMul {
            base,
            var,
            naf1,
            naf2,
            acc,
        });
    }

    /// (a·b, a^2, a + b, a - b) lane-wise, for the tests.
    #[cfg(test)]
    fn field_ops(self, a: &Coords, b: &Coords) -> [Coords; 4] {
        let mut out = [[[0; 8]; 4]; 4];
        self.run(Job::Field {
            a,
            b,
            out: &mut out,
        });
        out
    }
}

#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn run_job(job: Job<'_>) {
    match job {
        Job::Table { lanes, out } => {
            out.extend(lanes.iter().map(|(pos, neg)| Affine4 {
                pos: load(pos),
                neg: load(neg),
            }));
        }
        Job::DoubleMul {
            base,
            var,
            naf1,
            naf2,
            acc,
        } => {
            let var: Vec<Projective4> = var
                .iter()
                .map(|(pos, neg, z)| Projective4 {
                    pos: load(pos),
                    neg: load(neg),
                    z: load(&[*z; 4]),
                })
                .collect();
            let mut p = load(acc);
            for i in (0..naf1.len().max(naf2.len())).rev() {
                p = double(&p);
                let d1 = naf1.get(i).copied().unwrap_or(0);
                if d1 != 0 {
                    let entry = &base.0[(d1.unsigned_abs() / 2) as usize];
                    p = add_affine(&p, if d1 < 0 { &entry.neg } else { &entry.pos });
                }
                let d2 = naf2.get(i).copied().unwrap_or(0);
                if d2 != 0 {
                    let entry = &var[(d2.unsigned_abs() / 2) as usize];
                    let lanes = if d2 < 0 { &entry.neg } else { &entry.pos };
                    p = add_projective(&p, lanes, &entry.z);
                }
            }
            *acc = store(&p);
        }
        #[cfg(test)]
        Job::Field { a, b, out } => {
            let (a, b) = (load(a), load(b));
            *out = [
                store(&mul(&a, &b)),
                store(&square(&a)),
                store(&normalize(add(&a, &b))),
                store(&normalize(sub(&a, &b))),
            ];
        }
    }
}

/// 2P: (X, Y, Z, X + Y) squared gives A, B, Z^2 and (X + Y)^2, then `dbl-2008-hwcd` (a = 1):
/// G = A + B, H = A - B, F = G - 2Z^2, E = (X + Y)^2 - G.
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn double(p: &Fe4) -> Fe4 {
    let xy = add(&lanes::<ALL0>(p), &lanes::<ALL1>(p));
    let sq = square(&normalize(blend(LANE_T, p, &xy)));
    let (a, b, zz, ee) = (
        lanes::<ALL0>(&sq),
        lanes::<ALL1>(&sq),
        lanes::<ALL2>(&sq),
        lanes::<ALL3>(&sq),
    );
    let g = add(&a, &b);
    finish(&sub(&ee, &g), &sub(&g, &add(&zz, &zz)), &g, &sub(&a, &b))
}

/// (X1, Y1, T1, X1 + Y1) from a point, ready for the first round of an addition.
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn addition_lanes(p: &Fe4) -> Fe4 {
    let xytx = lanes::<XYTX>(p);
    let y = lanes::<ALL1>(p);
    normalize(core::array::from_fn(|k| {
        _mm256_mask_add_epi64(xytx[k], LANE_T, xytx[k], y[k])
    }))
}

/// P + Q for a table point Q with Z = 1 (`add-2008-hwcd`, a = 1, unified): A = X1·x2,
/// B = Y1·y2, C = T1·d·t2, P = (X1 + Y1)(x2 + y2) in one round, D = Z1.
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn add_affine(p: &Fe4, q: &Fe4) -> Fe4 {
    let m = mul(&addition_lanes(p), q);
    combine(&m, &lanes::<ALL2>(p))
}

/// P + Q for a projective table point: as [`add_affine`] with D = Z1·Z2 (one more round).
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn add_projective(p: &Fe4, q: &Fe4, qz: &Fe4) -> Fe4 {
    let m = mul(&addition_lanes(p), q);
    combine(&m, &mul(&lanes::<ALL2>(p), qz))
}

/// The second round of an addition from (A, B, C, P) and D (in every lane):
/// E = P - A - B, F = D - C, G = D + C, H = B - A.
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn combine(m: &Fe4, d: &Fe4) -> Fe4 {
    let (a, b, c, pp) = (
        lanes::<ALL0>(m),
        lanes::<ALL1>(m),
        lanes::<ALL2>(m),
        lanes::<ALL3>(m),
    );
    finish(
        &sub(&pp, &add(&a, &b)),
        &sub(d, &c),
        &add(d, &c),
        &sub(&b, &a),
    )
}

/// (X3, Y3, Z3, T3) = (E·F, G·H, F·G, E·H): (E, G, F, E) times (F, H, G, H).
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn finish(e: &Fe4, f: &Fe4, g: &Fe4, h: &Fe4) -> Fe4 {
    let left = blend(0b0100, &blend(0b0010, e, g), f);
    let right = blend(0b0100, &blend(0b0001, h, f), g);
    mul(&normalize(left), &normalize(right))
}

/// Every lane from the lanes `SEL` picks (`_mm256_permutex_epi64`'s selector).
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn lanes<const SEL: i32>(a: &Fe4) -> Fe4 {
    a.map(|v| _mm256_permutex_epi64::<SEL>(v))
}

/// `a` with the lanes in `mask` taken from `b`.
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn blend(mask: u8, a: &Fe4, b: &Fe4) -> Fe4 {
    core::array::from_fn(|k| _mm256_mask_blend_epi64(mask, a[k], b[k]))
}

#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn splat(v: u64) -> V {
    _mm256_set1_epi64x(v.cast_signed())
}

/// a + b limb by limb (not normalised).
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn add(a: &Fe4, b: &Fe4) -> Fe4 {
    core::array::from_fn(|k| _mm256_add_epi64(a[k], b[k]))
}

/// a - b + 2^11·p limb by limb (not normalised): b's limbs must be below 2^54 ([`BIAS`]), a's
/// below 2^62.
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn sub(a: &Fe4, b: &Fe4) -> Fe4 {
    core::array::from_fn(|k| _mm256_sub_epi64(_mm256_add_epi64(a[k], splat(BIAS[k])), b[k]))
}

/// The same value mod p with limbs 0..8 below 2^52 and limb 9 below 2^44 + 2^12, from limbs
/// below 2^63: limb 9's bits from 44 up fold into limb 0 as ·569 (weight 2^512), then one carry
/// pass 0 → 9, whose last carry (below 2^12) limb 9 absorbs. Every limb then fits IFMA's
/// 52-bit inputs; nothing wraps round to limb 0 again, which is why limb 9 is narrower.
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn normalize(mut z: Fe4) -> Fe4 {
    let mask = splat(MASK52);
    let over = _mm256_srli_epi64::<TOP_BITS>(z[9]);
    z[9] = _mm256_and_si256(z[9], splat((1 << TOP_BITS) - 1));
    // over < 2^20, so over·569 < 2^30 fits the 52-bit low half exactly.
    z[0] = _mm256_madd52lo_epu64(z[0], over, splat(C));
    for k in 0..LIMBS - 1 {
        let carry = _mm256_srli_epi64::<RADIX>(z[k]);
        z[k] = _mm256_and_si256(z[k], mask);
        z[k + 1] = _mm256_add_epi64(z[k + 1], carry);
    }
    z
}

/// a·b mod p, lane-wise, for limbs below 2^52; the result is normalised.
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn mul(a: &Fe4, b: &Fe4) -> Fe4 {
    let mut z = [_mm256_setzero_si256(); 2 * LIMBS];
    for i in 0..LIMBS {
        for j in 0..LIMBS {
            z[i + j] = _mm256_madd52lo_epu64(z[i + j], a[i], b[j]);
            z[i + j + 1] = _mm256_madd52hi_epu64(z[i + j + 1], a[i], b[j]);
        }
    }
    reduce(z)
}

/// a^2 mod p, lane-wise, for limbs below 2^52: the cross products once, doubled, then the
/// squares (55 products instead of 100).
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn square(a: &Fe4) -> Fe4 {
    let mut z = [_mm256_setzero_si256(); 2 * LIMBS];
    for i in 0..LIMBS {
        for j in i + 1..LIMBS {
            z[i + j] = _mm256_madd52lo_epu64(z[i + j], a[i], a[j]);
            z[i + j + 1] = _mm256_madd52hi_epu64(z[i + j + 1], a[i], a[j]);
        }
    }
    for (k, col) in z.iter_mut().enumerate() {
        *col = _mm256_slli_epi64::<1>(*col);
        let i = k / 2;
        *col = if k % 2 == 0 {
            _mm256_madd52lo_epu64(*col, a[i], a[i])
        } else {
            _mm256_madd52hi_epu64(*col, a[i], a[i])
        };
    }
    reduce(z)
}

/// The 20 columns of a product (column k of weight 2^(52k), each below 2^57: at most ten low
/// and ten high halves of 52 bits) reduced mod p and normalised.
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn reduce(mut z: [V; 2 * LIMBS]) -> Fe4 {
    let mask = splat(MASK52);
    // Columns 10..19 to 52 bits (they are multiplied next). Column 19 holds one high half
    // plus a carry below 2^5, so its own carry `over` is 0 or 1, of weight 2^1040.
    for k in LIMBS..2 * LIMBS - 1 {
        let carry = _mm256_srli_epi64::<RADIX>(z[k]);
        z[k] = _mm256_and_si256(z[k], mask);
        z[k + 1] = _mm256_add_epi64(z[k + 1], carry);
    }
    let over = _mm256_srli_epi64::<RADIX>(z[2 * LIMBS - 1]);
    z[2 * LIMBS - 1] = _mm256_and_si256(z[2 * LIMBS - 1], mask);
    let fold = splat(FOLD);
    let mut low: Fe4 = core::array::from_fn(|k| z[k]);
    // Column 10 + k has weight 2^520·2^(52k) = FOLD·2^(52k): its product by FOLD (< 2^70)
    // goes to column k (low half) and k + 1 (high half).
    for k in 0..LIMBS {
        low[k] = _mm256_madd52lo_epu64(low[k], z[LIMBS + k], fold);
        if k + 1 < LIMBS {
            low[k + 1] = _mm256_madd52hi_epu64(low[k + 1], z[LIMBS + k], fold);
        }
    }
    // The high half of column 19's fold (< 2^18) has weight 2^520 again: times FOLD into
    // column 0 (< 2^36), and `over` times FOLD^2 (< 2^35).
    let wrap = _mm256_madd52hi_epu64(_mm256_setzero_si256(), z[2 * LIMBS - 1], fold);
    low[0] = _mm256_madd52lo_epu64(low[0], wrap, fold);
    low[0] = _mm256_madd52lo_epu64(low[0], over, splat(FOLD2));
    normalize(low)
}

/// Four elements below 2^512 (limbs of 64 bits), one per lane.
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn load(e: &Coords) -> Fe4 {
    let l = e.map(|x| to_radix52(&x));
    core::array::from_fn(|k| {
        _mm256_set_epi64x(
            l[3][k].cast_signed(),
            l[2][k].cast_signed(),
            l[1][k].cast_signed(),
            l[0][k].cast_signed(),
        )
    })
}

/// The four elements of a normalised vector, each below 2^512.
#[target_feature(enable = "avx512f,avx512vl,avx512ifma")]
fn store(v: &Fe4) -> Coords {
    let mut l = [[0u64; LIMBS]; 4];
    for (k, limb) in v.iter().enumerate() {
        l[0][k] = _mm256_extract_epi64::<0>(*limb).cast_unsigned();
        l[1][k] = _mm256_extract_epi64::<1>(*limb).cast_unsigned();
        l[2][k] = _mm256_extract_epi64::<2>(*limb).cast_unsigned();
        l[3][k] = _mm256_extract_epi64::<3>(*limb).cast_unsigned();
    }
    l.map(|x| from_radix52(&x))
}

/// Whether the kernel computes in this field: p = 2^512 - 569 only.
pub(super) fn serves(p: &[u64]) -> bool {
    p.len() == 8 && p[0] == C.wrapping_neg() && p[1..].iter().all(|&l| l == u64::MAX)
}

/// 52-bit limbs of a 512-bit integer (limb 9: its top 44 bits).
fn to_radix52(a: &[u64; 8]) -> [u64; LIMBS] {
    core::array::from_fn(|k| {
        let (word, shift) = (52 * k / 64, 52 * k % 64);
        let mut v = a[word] >> shift;
        if shift > 12 && word + 1 < 8 {
            v |= a[word + 1] << (64 - shift);
        }
        v & MASK52
    })
}

/// The integer below 2^512 congruent mod p to sum l_k·2^(52k) (limbs below 2^52).
fn from_radix52(l: &[u64; LIMBS]) -> [u64; 8] {
    let mut w = [0u64; 9];
    for (k, &limb) in l.iter().enumerate() {
        let (word, shift) = (52 * k / 64, 52 * k % 64);
        w[word] |= limb << shift;
        if shift > 12 {
            w[word + 1] |= limb >> (64 - shift);
        }
    }
    // Bits from 512 up (weight 2^512 = 569), until none are left (at most twice).
    while w[8] != 0 {
        let mut carry = u128::from(std::mem::take(&mut w[8])) * u128::from(C);
        for x in &mut w {
            let sum = u128::from(*x) + carry;
            *x = low64(sum);
            carry = sum >> 64;
        }
    }
    core::array::from_fn(|i| w[i])
}

/// The low 64 bits of a u128.
fn low64(x: u128) -> u64 {
    u64::try_from(x & u128::from(u64::MAX)).unwrap_or_default()
}

#[cfg(test)]
mod tests;
