//! Criterion benches of GOST 28147-89 and VKO in the `gost` crate: throughput of ECB, CFB (with
//! CryptoPro meshing), the counter mode and the MAC over 1 MiB (`gost28147/{ecb,cfb,cnt,mac}/
//! 1MiB`, S-box param-Z), and VKO key agreements per second (`vko/{256-A,256-B,512-A,512-C}`,
//! VKO_GOSTR3410_2012_256 with an 8-byte UKM, as CMS key transport computes it).
//! `benches/scripts/gost28147-vs-openssl.sh` runs this and OpenSSL's gost engine in one run.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gost::gost28147::{Cfb, Cnt, Direction, Mac, ecb_encrypt};
use gost::{CipherParams, ParamSet, Rng, SigningKey, Vko, vko};

const KEY: [u8; 32] = [0x42; 32];
const IV: [u8; 8] = [7; 8];

fn ciphers(c: &mut Criterion) {
    // The same message the engine side hashes: byte i is i mod 251.
    let data: Vec<u8> = (0..1u32 << 20).map(|i| (i % 251) as u8).collect();
    let mut group = c.benchmark_group("gost28147");
    group.throughput(Throughput::Bytes(data.len() as u64));
    let p = CipherParams::Tc26Z;
    group.bench_function("ecb/1MiB", |b| {
        let mut buf = data.clone();
        b.iter(|| ecb_encrypt(p, &KEY, black_box(&mut buf)))
    });
    group.bench_function("cfb/1MiB", |b| {
        b.iter(|| Cfb::apply(p, &KEY, &IV, Direction::Encrypt, black_box(&data)))
    });
    group.bench_function("cnt/1MiB", |b| {
        let mut buf = data.clone();
        b.iter(|| Cnt::new(p, &KEY, &IV).apply_keystream(black_box(&mut buf)))
    });
    group.bench_function("mac/1MiB", |b| {
        b.iter(|| Mac::compute(p, &KEY, black_box(&data)))
    });
    group.finish();
}

fn agreements(c: &mut Criterion) {
    let mut rng = Rng::from_seed(1);
    for param in [
        ParamSet::Gost256A,
        ParamSet::Gost256B,
        ParamSet::Gost512A,
        ParamSet::Gost512C,
    ] {
        let (Ok(ours), Ok(theirs)) = (
            SigningKey::generate(param, &mut rng),
            SigningKey::generate(param, &mut rng),
        ) else {
            eprintln!("skipped: key generation failed on {}", param.name());
            continue;
        };
        let peer = theirs.verifying_key();
        let ukm = [0x1d, 0x80, 0x60, 0x3c, 0x85, 0x44, 0xc7, 0x27];
        c.bench_function(&format!("vko/{}", param.name()), |b| {
            b.iter(|| vko(Vko::Gost2012_256, &ours, black_box(&peer), &ukm))
        });
    }
}

criterion_group!(benches, ciphers, agreements);
criterion_main!(benches);
