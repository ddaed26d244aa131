//! Streebog (GOST R 34.11-2012, RFC 6986) on x86-64 CPUs with AVX-512 (F, BW, VBMI) and GFNI:
//! the whole 512-bit state in one vector register, no lookup tables.
//!
//! Why this exists, and why it holds the crate's only `unsafe` block: the table approach of the
//! `streebog` crate (and of OpenSSL's gost engine) needs 8 table loads per 64-bit word of every
//! LPS, 25 LPS a block, and was measured at its floor (0.89x the engine; four scalar variants of
//! our own within ±5% of it, see `gost/README.md`). Issue #12 asks for 1.2x. Here an LPS is about
//! 25 vector instructions:
//!
//! - **S** (π bytewise, RFC 6986 §7): two `vpermi2b` look up the byte in the two 128-entry halves
//!   of π, blended by the byte's top bit. The instructions' timing does not depend on the data,
//!   unlike table loads, so secret input (keys hashed by KDFs) leaks nothing through the cache.
//! - **L∘P** (τ and the matrix A, RFC 6986 §7): with y = S(x) in the natural layout (lane i =
//!   the state's 64-bit word i), output word l, byte m is `XOR_j A_jm(y[j] byte l)`, where A_jm
//!   is the 8x8 GF(2) block of A mapping input byte j of a word to output byte m. For k = 0..7,
//!   y rotated by k lanes goes through one `vgf2p8affineqb` whose lane m holds A_{(m+k) mod 8, m};
//!   the eight results XOR to the output transposed (lane m = output byte m of every word), and
//!   one `vpermb` transposes it back.
//!
//! The CPU features are detected at run time ([`detect`]); every other CPU keeps the `streebog`
//! crate. Calling a `#[target_feature]` function needs `unsafe` (the compiler cannot know the
//! CPU has the features); everything below that call is safe code, since Rust 1.87 lets such
//! functions call the register-only intrinsics safely and this module loads and stores vectors
//! through `_mm512_set_epi64` and extracts, never through pointers. So the one `unsafe` block is
//! in [`Kernel::run`], reachable only with a [`Kernel`], which only [`detect`] makes after the
//! features were found. The crate is `#![deny(unsafe_code)]` with that one function allowed.
//!
//! N, Σ, padding and finalisation (RFC 6986 §9, stages 2 and 3) are scalar u64-limb code.

use core::arch::x86_64::{
    __m512i, _mm256_extract_epi64, _mm512_alignr_epi64, _mm512_extracti64x4_epi64,
    _mm512_gf2p8affine_epi64_epi8, _mm512_mask_blend_epi8, _mm512_movepi8_mask,
    _mm512_permutex2var_epi8, _mm512_permutexvar_epi8, _mm512_set_epi64, _mm512_setzero_si512,
    _mm512_ternarylogic_epi64, _mm512_xor_si512,
};

use zeroize::Zeroize;

/// π, the nonlinear bijection of RFC 6986 §6.2 (GOST R 34.11-2012 §5.2), π(0) first.
pub(super) const PI: [u8; 256] = [
    252, 238, 221, 17, 207, 110, 49, 22, 251, 196, 250, 218, 35, 197, 4, 77, //
    233, 119, 240, 219, 147, 46, 153, 186, 23, 54, 241, 187, 20, 205, 95, 193, //
    249, 24, 101, 90, 226, 92, 239, 33, 129, 28, 60, 66, 139, 1, 142, 79, //
    5, 132, 2, 174, 227, 106, 143, 160, 6, 11, 237, 152, 127, 212, 211, 31, //
    235, 52, 44, 81, 234, 200, 72, 171, 242, 42, 104, 162, 253, 58, 206, 204, //
    181, 112, 14, 86, 8, 12, 118, 18, 191, 114, 19, 71, 156, 183, 93, 135, //
    21, 161, 150, 41, 16, 123, 154, 199, 243, 145, 120, 111, 157, 158, 178, 177, //
    50, 117, 25, 61, 255, 53, 138, 126, 109, 84, 198, 128, 195, 189, 13, 87, //
    223, 245, 36, 169, 62, 168, 67, 201, 215, 121, 214, 246, 124, 34, 185, 3, //
    224, 15, 236, 222, 122, 148, 176, 188, 220, 232, 40, 80, 78, 51, 10, 74, //
    167, 151, 96, 115, 30, 0, 98, 68, 26, 184, 56, 130, 100, 159, 38, 65, //
    173, 69, 70, 146, 39, 94, 85, 47, 140, 163, 165, 125, 105, 213, 149, 59, //
    7, 88, 179, 64, 134, 172, 29, 247, 48, 55, 107, 228, 136, 217, 231, 137, //
    225, 27, 131, 73, 76, 63, 248, 254, 141, 83, 170, 144, 202, 216, 133, 97, //
    32, 113, 103, 164, 45, 43, 9, 91, 203, 155, 37, 208, 190, 229, 108, 82, //
    89, 166, 116, 210, 230, 244, 180, 192, 209, 102, 175, 194, 57, 75, 99, 182, //
];

/// The matrix A of the linear map l, RFC 6986 §6.4 (GOST R 34.11-2012 §5.4), in the printed
/// order: l(b) of a 64-bit word b is the XOR of `A[63 - k]` over the bits k (value 2^k) set in b.
pub(super) const A: [u64; 64] = [
    0x8e20faa72ba0b470,
    0x47107ddd9b505a38,
    0xad08b0e0c3282d1c,
    0xd8045870ef14980e,
    0x6c022c38f90a4c07,
    0x3601161cf205268d,
    0x1b8e0b0e798c13c8,
    0x83478b07b2468764,
    0xa011d380818e8f40,
    0x5086e740ce47c920,
    0x2843fd2067adea10,
    0x14aff010bdd87508,
    0x0ad97808d06cb404,
    0x05e23c0468365a02,
    0x8c711e02341b2d01,
    0x46b60f011a83988e,
    0x90dab52a387ae76f,
    0x486dd4151c3dfdb9,
    0x24b86a840e90f0d2,
    0x125c354207487869,
    0x092e94218d243cba,
    0x8a174a9ec8121e5d,
    0x4585254f64090fa0,
    0xaccc9ca9328a8950,
    0x9d4df05d5f661451,
    0xc0a878a0a1330aa6,
    0x60543c50de970553,
    0x302a1e286fc58ca7,
    0x18150f14b9ec46dd,
    0x0c84890ad27623e0,
    0x0642ca05693b9f70,
    0x0321658cba93c138,
    0x86275df09ce8aaa8,
    0x439da0784e745554,
    0xafc0503c273aa42a,
    0xd960281e9d1d5215,
    0xe230140fc0802984,
    0x71180a8960409a42,
    0xb60c05ca30204d21,
    0x5b068c651810a89e,
    0x456c34887a3805b9,
    0xac361a443d1c8cd2,
    0x561b0d22900e4669,
    0x2b838811480723ba,
    0x9bcf4486248d9f5d,
    0xc3e9224312c8c1a0,
    0xeffa11af0964ee50,
    0xf97d86d98a327728,
    0xe4fa2054a80b329c,
    0x727d102a548b194e,
    0x39b008152acb8227,
    0x9258048415eb419d,
    0x492c024284fbaec0,
    0xaa16012142f35760,
    0x550b8e9e21f7a530,
    0xa48b474f9ef5dc18,
    0x70a6a56e2440598e,
    0x3853dc371220a247,
    0x1ca76e95091051ad,
    0x0edd37c48a08a6d8,
    0x07e095624504536c,
    0x8d70c431ac02a736,
    0xc83862965601dd1b,
    0x641c314b2b8ee083,
];

/// The iteration constants C_1..C_12 of RFC 6986 §6.5 (GOST R 34.11-2012 §5.5), each as the
/// RFC prints it: 512-bit integers, most significant 64-bit word first.
const C_PRINTED: [[u64; 8]; 12] = [
    [
        0xb1085bda1ecadae9,
        0xebcb2f81c0657c1f,
        0x2f6a76432e45d016,
        0x714eb88d7585c4fc,
        0x4b7ce09192676901,
        0xa2422a08a460d315,
        0x05767436cc744d23,
        0xdd806559f2a64507,
    ],
    [
        0x6fa3b58aa99d2f1a,
        0x4fe39d460f70b5d7,
        0xf3feea720a232b98,
        0x61d55e0f16b50131,
        0x9ab5176b12d69958,
        0x5cb561c2db0aa7ca,
        0x55dda21bd7cbcd56,
        0xe679047021b19bb7,
    ],
    [
        0xf574dcac2bce2fc7,
        0x0a39fc286a3d8435,
        0x06f15e5f529c1f8b,
        0xf2ea7514b1297b7b,
        0xd3e20fe490359eb1,
        0xc1c93a376062db09,
        0xc2b6f443867adb31,
        0x991e96f50aba0ab2,
    ],
    [
        0xef1fdfb3e81566d2,
        0xf948e1a05d71e4dd,
        0x488e857e335c3c7d,
        0x9d721cad685e353f,
        0xa9d72c82ed03d675,
        0xd8b71333935203be,
        0x3453eaa193e837f1,
        0x220cbebc84e3d12e,
    ],
    [
        0x4bea6bacad474799,
        0x9a3f410c6ca92363,
        0x7f151c1f1686104a,
        0x359e35d7800fffbd,
        0xbfcd1747253af5a3,
        0xdfff00b723271a16,
        0x7a56a27ea9ea63f5,
        0x601758fd7c6cfe57,
    ],
    [
        0xae4faeae1d3ad3d9,
        0x6fa4c33b7a3039c0,
        0x2d66c4f95142a46c,
        0x187f9ab49af08ec6,
        0xcffaa6b71c9ab7b4,
        0x0af21f66c2bec6b6,
        0xbf71c57236904f35,
        0xfa68407a46647d6e,
    ],
    [
        0xf4c70e16eeaac5ec,
        0x51ac86febf240954,
        0x399ec6c7e6bf87c9,
        0xd3473e33197a93c9,
        0x0992abc52d822c37,
        0x06476983284a0504,
        0x3517454ca23c4af3,
        0x8886564d3a14d493,
    ],
    [
        0x9b1f5b424d93c9a7,
        0x03e7aa020c6e4141,
        0x4eb7f8719c36de1e,
        0x89b4443b4ddbc49a,
        0xf4892bcb929b0690,
        0x69d18d2bd1a5c42f,
        0x36acc2355951a8d9,
        0xa47f0dd4bf02e71e,
    ],
    [
        0x378f5a541631229b,
        0x944c9ad8ec165fde,
        0x3a7d3a1b25894224,
        0x3cd955b7e00d0984,
        0x800a440bdbb2ceb1,
        0x7b2b8a9aa6079c54,
        0x0e38dc92cb1f2a60,
        0x7261445183235adb,
    ],
    [
        0xabbedea680056f52,
        0x382ae548b2e4f3f3,
        0x8941e71cff8a78db,
        0x1fffe18a1b336103,
        0x9fe76702af69334b,
        0x7a1e6c303b7652f4,
        0x3698fad1153bb6c3,
        0x74b4c7fb98459ced,
    ],
    [
        0x7bcd9ed0efc889fb,
        0x3002c6cd635afe94,
        0xd8fa6bbbebab0761,
        0x2001802114846679,
        0x8a1d71efea48b9ca,
        0xefbacd1d7d476e98,
        0xdea2594ac06fd85d,
        0x6bcaa4cd81f32d1b,
    ],
    [
        0x378ee767f11631ba,
        0xd21380b00449b17a,
        0xcda43c32bcdf1d77,
        0xf82012d430219f9b,
        0x5d80ef9d1891cc86,
        0xe71da4aa88e12852,
        0xfaf417d5d9b21b99,
        0x48bc924af11bd720,
    ],
];

/// C_1..C_12 as state words (word 0 = least significant 64 bits, the first 8 bytes in memory).
pub(super) const C: [[u64; 8]; 12] = {
    let mut out = [[0u64; 8]; 12];
    let mut i = 0;
    while i < 12 {
        let mut w = 0;
        while w < 8 {
            out[i][w] = C_PRINTED[i][7 - w];
            w += 1;
        }
        i += 1;
    }
    out
};

/// π packed into four 64-byte vectors' worth of little-endian words (entries 0-63, 64-127, ...).
const PI_WORDS: [[u64; 8]; 4] = {
    let mut out = [[0u64; 8]; 4];
    let mut i = 0;
    while i < 256 {
        out[i / 64][(i % 64) / 8] |= (PI[i] as u64) << (8 * (i % 8));
        i += 1;
    }
    out
};

/// The 8x8 GF(2) block of l taking byte `j` of an input word to byte `m` of the output word, in
/// the layout of GF2P8AFFINEQB's matrix operand: bit r of the result byte is the parity of
/// (matrix byte 7 − r) AND the input byte (Intel SDM, GF2P8AFFINEQB). Input bit 8j + k adds row
/// `A[63 − 8j − k]`, whose bit 8m + r is output bit r of byte m.
pub(super) const fn l_block(j: usize, m: usize) -> u64 {
    let mut block = 0u64;
    let mut r = 0;
    while r < 8 {
        let mut k = 0;
        while k < 8 {
            if (A[63 - 8 * j - k] >> (8 * m + r)) & 1 == 1 {
                block |= 1u64 << (8 * (7 - r) + k);
            }
            k += 1;
        }
        r += 1;
    }
    block
}

/// The matrices of the eight affine steps of L∘P: step k works on the state rotated by k lanes
/// (lane m holds word (m + k) mod 8), so its lane m holds the block from byte (m + k) mod 8 to
/// byte m.
const L_STEPS: [[u64; 8]; 8] = {
    let mut out = [[0u64; 8]; 8];
    let mut k = 0;
    while k < 8 {
        let mut m = 0;
        while m < 8 {
            out[k][m] = l_block((m + k) % 8, m);
            m += 1;
        }
        k += 1;
    }
    out
};

/// The `vpermb` index that transposes the state as an 8x8 byte matrix (byte 8l + m takes byte
/// 8m + l): the affine steps leave lane m = output byte m of every word. The same map is τ of
/// RFC 6986 §6.3.
const TRANSPOSE: [u64; 8] = {
    let mut out = [0u64; 8];
    let mut p = 0;
    while p < 64 {
        out[p / 8] |= ((8 * (p % 8) + p / 8) as u64) << (8 * (p % 8));
        p += 1;
    }
    out
};

/// Proof that this CPU has AVX-512 F/BW/VBMI and GFNI: only [`detect`] makes one.
#[derive(Clone, Copy, Debug)]
pub(super) struct Kernel {
    _detected: (),
}

/// The vector kernel if this CPU (and its OS, which must save the AVX-512 registers; the std
/// detection checks that too) supports it.
pub(super) fn detect() -> Option<Kernel> {
    let detected = std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("avx512bw")
        && std::is_x86_feature_detected!("avx512vbmi")
        && std::is_x86_feature_detected!("gfni");
    detected.then_some(Kernel { _detected: () })
}

/// h, N and Σ of RFC 6986 §9, as little-endian 64-bit words.
#[derive(Clone)]
struct Core {
    h: [u64; 8],
    n: [u64; 8],
    sigma: [u64; 8],
}

/// What the vector code is asked to do (one entry point, so one `unsafe` call).
enum Job<'a> {
    /// Stage 2 of RFC 6986 §9 for whole 64-byte blocks: h = g_N(h, m), N += 512, Σ += m.
    Blocks {
        core: &'a mut Core,
        blocks: &'a [[u8; 64]],
    },
    /// Stage 3: the padded last block with its length in bits, then h = g_0(h, N), g_0(h, Σ).
    Final {
        core: &'a mut Core,
        block: &'a [u8; 64],
        bits: u64,
    },
    /// S alone, for the tests.
    #[cfg(test)]
    S(&'a mut [u64; 8]),
    /// LPS alone, for the tests.
    #[cfg(test)]
    Lps(&'a mut [u64; 8]),
    /// g_N(h, m) alone, for the tests.
    #[cfg(test)]
    G {
        h: &'a mut [u64; 8],
        n: &'a [u64; 8],
        m: &'a [u64; 8],
    },
}

impl Kernel {
    #[allow(unsafe_code)]
    fn run(self, job: Job<'_>) {
        // SAFETY: `run_job` is compiled for avx512f, avx512bw, avx512vbmi and gfni; a `Kernel`
        // exists only when `detect` found all four on the CPU we are running on.
        unsafe { run_job(job) }
    }
}

/// An incremental Streebog-256 or -512 on the vector kernel (stream order in, wire order out,
/// exactly as the `streebog` crate).
#[derive(Clone)]
pub(super) struct Streebog {
    kernel: Kernel,
    core: Core,
    buffer: [u8; 64],
    /// Bytes in `buffer`, always < 64 between calls (a full block is compressed at once, so a
    /// message of whole blocks still gets the padding block of RFC 6986 §9 stage 3).
    pos: usize,
    wide: bool,
}

impl Streebog {
    /// Streebog-512 (`wide`, IV = 0^512) or -256 (IV = (00000001)^64), RFC 6986 §6.1 and §9.
    pub(super) fn new(kernel: Kernel, wide: bool) -> Self {
        let iv = if wide { 0 } else { 0x0101_0101_0101_0101 };
        Streebog {
            kernel,
            core: Core {
                h: [iv; 8],
                n: [0; 8],
                sigma: [0; 8],
            },
            buffer: [0; 64],
            pos: 0,
            wide,
        }
    }

    /// Streebog-512 (true) or -256.
    pub(super) fn is_wide(&self) -> bool {
        self.wide
    }

    pub(super) fn update(&mut self, mut data: &[u8]) {
        if self.pos > 0 {
            let take = (64 - self.pos).min(data.len());
            let (head, rest) = data.split_at(take);
            self.buffer[self.pos..self.pos + take].copy_from_slice(head);
            self.pos += take;
            data = rest;
            if self.pos < 64 {
                return;
            }
            let block = [self.buffer];
            self.kernel.run(Job::Blocks {
                core: &mut self.core,
                blocks: &block,
            });
            self.pos = 0;
        }
        let (blocks, rest) = data.as_chunks::<64>();
        if !blocks.is_empty() {
            self.kernel.run(Job::Blocks {
                core: &mut self.core,
                blocks,
            });
        }
        self.buffer[..rest.len()].copy_from_slice(rest);
        self.pos = rest.len();
    }

    /// The digest in wire order: all of h, or its most significant half (the last 32 bytes)
    /// for Streebog-256 (RFC 6986 §9 stage 3, MSB_256).
    pub(super) fn finalize(mut self) -> Vec<u8> {
        let mut block = [0u8; 64];
        block[..self.pos].copy_from_slice(&self.buffer[..self.pos]);
        block[self.pos] = 1;
        let bits = 8 * self.pos as u64;
        self.kernel.run(Job::Final {
            core: &mut self.core,
            block: &block,
            bits,
        });
        block.zeroize();
        let bytes: Vec<u8> = self.core.h.iter().flat_map(|w| w.to_le_bytes()).collect();
        if self.wide {
            bytes
        } else {
            bytes[32..].to_vec()
        }
    }
}

impl Drop for Streebog {
    fn drop(&mut self) {
        // The token may hash secrets (KDF input); leave no copy of the chaining state behind.
        self.core.h.zeroize();
        self.core.n.zeroize();
        self.core.sigma.zeroize();
        self.buffer.zeroize();
    }
}

/// A 64-byte block as little-endian words.
fn words(block: &[u8; 64]) -> [u64; 8] {
    let mut out = [0u64; 8];
    for (w, chunk) in out.iter_mut().zip(block.as_chunks::<8>().0) {
        *w = u64::from_le_bytes(*chunk);
    }
    out
}

/// a += b mod 2^512 (RFC 6986 §4.2 ⊞, on little-endian words).
fn add512(a: &mut [u64; 8], b: &[u64; 8]) {
    let mut carry = false;
    for (x, y) in a.iter_mut().zip(b) {
        let (s1, c1) = x.overflowing_add(*y);
        let (s2, c2) = s1.overflowing_add(u64::from(carry));
        *x = s2;
        carry = c1 | c2;
    }
}

#[target_feature(enable = "avx512f,avx512bw,avx512vbmi,gfni")]
fn load(w: &[u64; 8]) -> __m512i {
    _mm512_set_epi64(
        w[7].cast_signed(),
        w[6].cast_signed(),
        w[5].cast_signed(),
        w[4].cast_signed(),
        w[3].cast_signed(),
        w[2].cast_signed(),
        w[1].cast_signed(),
        w[0].cast_signed(),
    )
}

#[target_feature(enable = "avx512f,avx512bw,avx512vbmi,gfni")]
fn store(v: __m512i) -> [u64; 8] {
    let lo = _mm512_extracti64x4_epi64::<0>(v);
    let hi = _mm512_extracti64x4_epi64::<1>(v);
    [
        _mm256_extract_epi64::<0>(lo).cast_unsigned(),
        _mm256_extract_epi64::<1>(lo).cast_unsigned(),
        _mm256_extract_epi64::<2>(lo).cast_unsigned(),
        _mm256_extract_epi64::<3>(lo).cast_unsigned(),
        _mm256_extract_epi64::<0>(hi).cast_unsigned(),
        _mm256_extract_epi64::<1>(hi).cast_unsigned(),
        _mm256_extract_epi64::<2>(hi).cast_unsigned(),
        _mm256_extract_epi64::<3>(hi).cast_unsigned(),
    ]
}

/// The constants in registers, made once per job.
struct Consts {
    pi: [__m512i; 4],
    l_steps: [__m512i; 8],
    transpose: __m512i,
    c: [__m512i; 12],
}

#[target_feature(enable = "avx512f,avx512bw,avx512vbmi,gfni")]
fn consts() -> Consts {
    let mut c = [_mm512_setzero_si512(); 12];
    for (v, w) in c.iter_mut().zip(&C) {
        *v = load(w);
    }
    let mut l_steps = [_mm512_setzero_si512(); 8];
    for (v, w) in l_steps.iter_mut().zip(&L_STEPS) {
        *v = load(w);
    }
    Consts {
        pi: [
            load(&PI_WORDS[0]),
            load(&PI_WORDS[1]),
            load(&PI_WORDS[2]),
            load(&PI_WORDS[3]),
        ],
        l_steps,
        transpose: load(&TRANSPOSE),
        c,
    }
}

/// S: π on every byte. `vpermi2b` uses the low 7 bits of each index byte (bit 6 chooses the
/// second table), so one lookup covers π(0..127), one π(128..255), and the top bit picks.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi,gfni")]
fn s(k: &Consts, x: __m512i) -> __m512i {
    let low = _mm512_permutex2var_epi8(k.pi[0], x, k.pi[1]);
    let high = _mm512_permutex2var_epi8(k.pi[2], x, k.pi[3]);
    _mm512_mask_blend_epi8(_mm512_movepi8_mask(x), low, high)
}

/// L∘P (the module comment explains the eight affine steps and the final transposition).
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi,gfni")]
fn lp(k: &Consts, y: __m512i) -> __m512i {
    let t0 = _mm512_gf2p8affine_epi64_epi8::<0>(y, k.l_steps[0]);
    let t1 = _mm512_gf2p8affine_epi64_epi8::<0>(_mm512_alignr_epi64::<1>(y, y), k.l_steps[1]);
    let t2 = _mm512_gf2p8affine_epi64_epi8::<0>(_mm512_alignr_epi64::<2>(y, y), k.l_steps[2]);
    let t3 = _mm512_gf2p8affine_epi64_epi8::<0>(_mm512_alignr_epi64::<3>(y, y), k.l_steps[3]);
    let t4 = _mm512_gf2p8affine_epi64_epi8::<0>(_mm512_alignr_epi64::<4>(y, y), k.l_steps[4]);
    let t5 = _mm512_gf2p8affine_epi64_epi8::<0>(_mm512_alignr_epi64::<5>(y, y), k.l_steps[5]);
    let t6 = _mm512_gf2p8affine_epi64_epi8::<0>(_mm512_alignr_epi64::<6>(y, y), k.l_steps[6]);
    let t7 = _mm512_gf2p8affine_epi64_epi8::<0>(_mm512_alignr_epi64::<7>(y, y), k.l_steps[7]);
    // 0x96: the three-way XOR as a ternary-logic truth table.
    let a = _mm512_ternarylogic_epi64::<0x96>(t0, t1, t2);
    let b = _mm512_ternarylogic_epi64::<0x96>(t3, t4, t5);
    let c = _mm512_ternarylogic_epi64::<0x96>(t6, t7, a);
    _mm512_permutexvar_epi8(k.transpose, _mm512_xor_si512(b, c))
}

#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi,gfni")]
fn lps(k: &Consts, x: __m512i) -> __m512i {
    lp(k, s(k, x))
}

/// g_N(h, m) = E(LPS(h ⊕ N), m) ⊕ h ⊕ m (RFC 6986 §8), the key schedule K_{i+1} =
/// LPS(K_i ⊕ C_i) interleaved with the rounds so that the two chains overlap in the pipeline.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi,gfni")]
fn g(k: &Consts, h: __m512i, n: __m512i, m: __m512i) -> __m512i {
    let mut key = lps(k, _mm512_xor_si512(h, n));
    let mut state = m;
    for c in &k.c {
        state = lps(k, _mm512_xor_si512(state, key));
        key = lps(k, _mm512_xor_si512(key, *c));
    }
    _mm512_ternarylogic_epi64::<0x96>(h, m, _mm512_xor_si512(state, key))
}

#[target_feature(enable = "avx512f,avx512bw,avx512vbmi,gfni")]
fn run_job(job: Job<'_>) {
    let k = consts();
    match job {
        Job::Blocks { core, blocks } => {
            let mut h = load(&core.h);
            for block in blocks {
                let m = words(block);
                h = g(&k, h, load(&core.n), load(&m));
                add512(&mut core.n, &[512, 0, 0, 0, 0, 0, 0, 0]);
                add512(&mut core.sigma, &m);
            }
            core.h = store(h);
        }
        Job::Final { core, block, bits } => {
            let m = words(block);
            let mut h = g(&k, load(&core.h), load(&core.n), load(&m));
            add512(&mut core.n, &[bits, 0, 0, 0, 0, 0, 0, 0]);
            add512(&mut core.sigma, &m);
            let zero = _mm512_setzero_si512();
            h = g(&k, h, zero, load(&core.n));
            h = g(&k, h, zero, load(&core.sigma));
            core.h = store(h);
        }
        #[cfg(test)]
        Job::S(x) => *x = store(s(&k, load(x))),
        #[cfg(test)]
        Job::Lps(x) => *x = store(lps(&k, load(x))),
        #[cfg(test)]
        Job::G { h, n, m } => *h = store(g(&k, load(h), load(n), load(m))),
    }
}

#[cfg(test)]
mod tests;
