//! Criterion benches of the `gost` crate: key generation, signing and verification on the
//! seven tc26 parameter sets (ids `gost/{keygen,sign,verify}/{256-A,...,512-C}`), and
//! Streebog throughput (`streebog/{256,512}/1MiB`). `benches/scripts/gost-vs-openssl.sh`
//! compares these figures with OpenSSL's gost engine.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gost::{DigestAlgorithm, KeyAlgorithm, ParamSet, Rng, SigningKey};

const SETS: [ParamSet; 7] = [
    ParamSet::Gost256A,
    ParamSet::Gost256B,
    ParamSet::Gost256C,
    ParamSet::Gost256D,
    ParamSet::Gost512A,
    ParamSet::Gost512B,
    ParamSet::Gost512C,
];

fn signatures(c: &mut Criterion) {
    let mut rng = Rng::from_seed(1);
    for param in SETS {
        let name = param.name();
        let digest = KeyAlgorithm::gost2012_for(param)
            .digest()
            .digest(b"benchmark message");
        // Build the per-curve tables outside the measurement.
        let Ok(key) = SigningKey::generate(param, &mut rng) else {
            eprintln!("skipped: key generation failed on {name}");
            continue;
        };
        let public = key.verifying_key();
        let Ok(sig) = key.sign_digest(&digest, &mut rng) else {
            eprintln!("skipped: signing failed on {name}");
            continue;
        };
        c.bench_function(&format!("gost/keygen/{name}"), |b| {
            b.iter(|| SigningKey::generate(param, &mut rng))
        });
        c.bench_function(&format!("gost/sign/{name}"), |b| {
            b.iter(|| key.sign_digest(black_box(&digest), &mut rng))
        });
        c.bench_function(&format!("gost/verify/{name}"), |b| {
            b.iter(|| public.verify_digest_uncached(black_box(&digest), black_box(&sig)))
        });
    }
}

fn streebog(c: &mut Criterion) {
    let data = vec![0x5Au8; 1 << 20];
    let mut group = c.benchmark_group("streebog");
    group.throughput(Throughput::Bytes(data.len() as u64));
    for (alg, bits) in [
        (DigestAlgorithm::Streebog256, 256),
        (DigestAlgorithm::Streebog512, 512),
    ] {
        group.bench_function(format!("{bits}/1MiB"), |b| {
            b.iter(|| alg.digest(black_box(&data)))
        });
    }
    group.finish();
}

criterion_group!(benches, signatures, streebog);
criterion_main!(benches);
