//! The vector kernel against a literal scalar reading of RFC 6986 §7-8 (S, P, L, LPS, g_N), and
//! whole hashes against the RustCrypto `streebog` crate and the RFC's examples. On a CPU without
//! the features the kernel tests print `skipped: ...` instead of passing silently.
#![allow(clippy::unwrap_used)]

use streebog::Digest as _;

use super::{A, C, Job, Kernel, PI, Streebog, detect, l_block};
use crate::Rng;
use crate::digest::{DigestAlgorithm, Hasher, Inner, StreebogBackend, streebog_backend};

/// The kernel, or `None` after printing why the test cannot run here.
fn kernel(test: &str) -> Option<Kernel> {
    let kernel = detect();
    if kernel.is_none() {
        println!("skipped: {test}: this CPU lacks AVX-512 F/BW/VBMI or GFNI");
    }
    kernel
}

fn random_state(rng: &mut Rng) -> [u64; 8] {
    core::array::from_fn(|_| rng.next_u64())
}

fn byte(w: u64, i: usize) -> u8 {
    w.to_le_bytes()[i]
}

/// S of RFC 6986 §7: π on each byte.
fn s_ref(x: &[u64; 8]) -> [u64; 8] {
    x.map(|w| u64::from_le_bytes(w.to_le_bytes().map(|b| PI[usize::from(b)])))
}

/// P of RFC 6986 §7 (τ, §6.3): byte i of word j goes to byte j of word i.
fn p_ref(x: &[u64; 8]) -> [u64; 8] {
    core::array::from_fn(|i| u64::from_le_bytes(core::array::from_fn(|j| byte(x[j], i))))
}

/// L of RFC 6986 §7: l on each word, bit k adding row A[63 - k] (§6.4).
fn l_ref(x: &[u64; 8]) -> [u64; 8] {
    x.map(|w| {
        (0..64)
            .filter(|k| (w >> k) & 1 == 1)
            .fold(0, |acc, k| acc ^ A[63 - k])
    })
}

fn lps_ref(x: &[u64; 8]) -> [u64; 8] {
    l_ref(&p_ref(&s_ref(x)))
}

fn xor(a: &[u64; 8], b: &[u64; 8]) -> [u64; 8] {
    core::array::from_fn(|i| a[i] ^ b[i])
}

/// g_N(h, m) of RFC 6986 §8: E(LPS(h ⊕ N), m) ⊕ h ⊕ m, K_{i+1} = LPS(K_i ⊕ C_i).
fn g_ref(h: &[u64; 8], n: &[u64; 8], m: &[u64; 8]) -> [u64; 8] {
    let mut key = lps_ref(&xor(h, n));
    let mut state = *m;
    for c in &C {
        state = lps_ref(&xor(&state, &key));
        key = lps_ref(&xor(&key, c));
    }
    xor(&xor(&state, &key), &xor(h, m))
}

/// GF2P8AFFINEQB on one byte, as the Intel SDM defines it: bit r of the result is the parity
/// of (matrix byte 7 − r) AND x.
fn affine_byte(matrix: u64, x: u8) -> u8 {
    (0..8).fold(0, |acc, r| {
        let row = byte(matrix, 7 - r);
        acc | (u8::from((row & x).count_ones() % 2 == 1) << r)
    })
}

fn vector_hasher(kernel: Kernel, alg: DigestAlgorithm) -> Hasher {
    let wide = match alg {
        DigestAlgorithm::Streebog512 => true,
        DigestAlgorithm::Streebog256 => false,
        DigestAlgorithm::Gost94CryptoPro => unreachable!("not Streebog"),
    };
    Hasher {
        inner: Inner::StreebogX86(Streebog::new(kernel, wide)),
    }
}

fn crate_digest(alg: DigestAlgorithm, data: &[u8]) -> Vec<u8> {
    match alg {
        DigestAlgorithm::Streebog256 => streebog::Streebog256::digest(data).to_vec(),
        DigestAlgorithm::Streebog512 => streebog::Streebog512::digest(data).to_vec(),
        DigestAlgorithm::Gost94CryptoPro => unreachable!("not Streebog"),
    }
}

/// Feeds `data` in random pieces (empty ones included), cloning the hasher halfway as the token
/// does between chained APDUs.
fn hash_in_pieces(mut hasher: Hasher, data: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut rest = data;
    while !rest.is_empty() {
        let limit = if rng.next_u64().is_multiple_of(4) {
            300
        } else {
            70
        };
        let take = usize::try_from(rng.next_u64() % limit)
            .unwrap()
            .min(rest.len());
        let (piece, tail) = rest.split_at(take);
        hasher.update(piece);
        if rng.next_u64().is_multiple_of(8) {
            hasher = hasher.clone();
        }
        rest = tail;
    }
    hasher.finalize()
}

#[test]
fn backend_is_named() {
    let backend = streebog_backend();
    println!("Streebog backend of this process: {}", backend.name());
    let forced =
        std::env::var("GOST_STREEBOG_BACKEND").is_ok_and(|v| v.eq_ignore_ascii_case("portable"));
    let expected = if detect().is_some() && !forced {
        StreebogBackend::Avx512Gfni
    } else {
        StreebogBackend::Portable
    };
    assert_eq!(backend, expected);
    // Every new Streebog hasher follows it.
    let hasher = DigestAlgorithm::Streebog256.hasher();
    assert_eq!(
        matches!(hasher.inner, Inner::StreebogX86(_)),
        backend == StreebogBackend::Avx512Gfni
    );
}

/// The 8x8 blocks, read back through the instruction's bit order, rebuild every row of A: the
/// convention is right before any vector code runs (and on any CPU).
#[test]
fn l_blocks_rebuild_a() {
    for j in 0..8 {
        for k in 0..8 {
            let row =
                u64::from_le_bytes(core::array::from_fn(|m| affine_byte(l_block(j, m), 1 << k)));
            assert_eq!(row, A[63 - 8 * j - k], "input bit {}", 8 * j + k);
        }
    }
}

/// The reference itself: LPS of zero (π(0) = 0xfc everywhere) is a known constant chain, and
/// l_ref is linear and reproduces the rows.
#[test]
fn scalar_reference_sanity() {
    for k in 0..64 {
        assert_eq!(l_ref(&[1 << k, 0, 0, 0, 0, 0, 0, 0])[0], A[63 - k]);
    }
    let x = [0x0123_4567_89ab_cdef; 8];
    assert_eq!(p_ref(&p_ref(&x)), x);
    assert_eq!(s_ref(&[0; 8]), [0xfcfc_fcfc_fcfc_fcfc; 8]);
}

#[test]
fn s_lps_and_g_match_the_scalar_reference() {
    let Some(kernel) = kernel("s_lps_and_g_match_the_scalar_reference") else {
        return;
    };
    let mut rng = Rng::from_seed(0x5eed_5b0c);
    // All 256 byte values through S at every position.
    for b in 0..=255u8 {
        let mut x = [u64::from_le_bytes([b; 8]); 8];
        let expected = s_ref(&x);
        kernel.run(Job::S(&mut x));
        assert_eq!(x, expected, "S of byte {b:#04x}");
    }
    for _ in 0..2000 {
        let x = random_state(&mut rng);
        let mut got = x;
        kernel.run(Job::S(&mut got));
        assert_eq!(got, s_ref(&x));
        let mut got = x;
        kernel.run(Job::Lps(&mut got));
        assert_eq!(got, lps_ref(&x), "LPS of {x:x?}");
    }
    // Single bits isolate each 8x8 block of L∘P.
    for bit in 0..512 {
        let mut x = [0u64; 8];
        x[bit / 64] = 1 << (bit % 64);
        let mut got = x;
        kernel.run(Job::Lps(&mut got));
        assert_eq!(got, lps_ref(&x), "LPS of bit {bit}");
    }
    for _ in 0..200 {
        let (h, n, m) = (
            random_state(&mut rng),
            random_state(&mut rng),
            random_state(&mut rng),
        );
        let mut got = h;
        kernel.run(Job::G {
            h: &mut got,
            n: &n,
            m: &m,
        });
        assert_eq!(got, g_ref(&h, &n, &m));
    }
}

#[test]
fn rfc6986_examples_on_the_vector_path() {
    let Some(kernel) = kernel("rfc6986_examples_on_the_vector_path") else {
        return;
    };
    // RFC 6986 §10.1 M1 and the §10.2 M2, byte-reversed into wire order (as tests/digest_vectors).
    let m1 = b"012345678901234567890123456789012345678901234567890123456789012";
    let m2 = hex_literal::hex!(
        "d1e520e2e5f2f0e82c20d1f2f0e8e1eee6e820e2edf3f6e82c20e2e5fef2fa20f120eceef0ff20f1f2f0e5ebe0ece820ede020f5f0e0e1f0fbff20efebfaeafb20c8e3eef0e5e2fb"
    );
    let cases: [(DigestAlgorithm, &[u8], &[u8]); 4] = [
        (
            DigestAlgorithm::Streebog512,
            m1,
            &hex_literal::hex!(
                "1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48"
            ),
        ),
        (
            DigestAlgorithm::Streebog512,
            &m2,
            &hex_literal::hex!(
                "1e88e62226bfca6f9994f1f2d51569e0daf8475a3b0fe61a5300eee46d961376035fe83549ada2b8620fcd7c496ce5b33f0cb9dddc2b6460143b03dabac9fb28"
            ),
        ),
        (
            DigestAlgorithm::Streebog256,
            m1,
            &hex_literal::hex!("9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500"),
        ),
        (
            DigestAlgorithm::Streebog256,
            &m2,
            &hex_literal::hex!("9dd2fe4e90409e5da87f53976d7405b0c0cac628fc669a741d50063c557e8f50"),
        ),
    ];
    for (alg, msg, expected) in cases {
        let mut hasher = vector_hasher(kernel, alg);
        assert_eq!(hasher.algorithm(), alg);
        hasher.update(msg);
        assert_eq!(hasher.finalize(), expected, "{alg:?}");
    }
}

#[test]
fn vector_path_matches_the_streebog_crate() {
    let Some(kernel) = kernel("vector_path_matches_the_streebog_crate") else {
        return;
    };
    let mut rng = Rng::from_seed(0x5b0c_2012);
    let mut data = vec![0u8; 1 << 20];
    rng.fill_bytes(&mut data);
    let mut lengths: Vec<usize> = (0..=200).collect();
    lengths.extend((0..300).map(|_| usize::try_from(rng.next_u64() % 1000).unwrap()));
    lengths.push(1 << 20);
    for alg in [DigestAlgorithm::Streebog256, DigestAlgorithm::Streebog512] {
        for &len in &lengths {
            let msg = &data[..len];
            let expected = crate_digest(alg, msg);
            let mut one_shot = vector_hasher(kernel, alg);
            one_shot.update(msg);
            assert_eq!(
                one_shot.finalize(),
                expected,
                "{alg:?}, {len} bytes at once"
            );
            let pieces = hash_in_pieces(vector_hasher(kernel, alg), msg, &mut rng);
            assert_eq!(pieces, expected, "{alg:?}, {len} bytes in pieces");
            // The portable hasher gives the same (the fallback is wired the same way).
            let portable = hash_in_pieces(alg.portable_hasher(), msg, &mut rng);
            assert_eq!(portable, expected, "{alg:?}, {len} bytes, portable");
        }
    }
}

/// N and Σ carry across limbs: all-ones blocks make Σ carry on the second block.
#[test]
fn sigma_carries_match_the_crate() {
    let Some(kernel) = kernel("sigma_carries_match_the_crate") else {
        return;
    };
    let data = [0xffu8; 64 * 5 + 17];
    for alg in [DigestAlgorithm::Streebog256, DigestAlgorithm::Streebog512] {
        let mut hasher = vector_hasher(kernel, alg);
        hasher.update(&data);
        assert_eq!(hasher.finalize(), crate_digest(alg, &data));
    }
}
