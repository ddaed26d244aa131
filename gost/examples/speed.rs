//! Operations per second of keygen, sign and verify on the seven tc26 parameter sets, and
//! Streebog-256/512 throughput, timed by **process CPU time** (`/proc/self/stat`, 10 ms ticks,
//! over loops of about `SECONDS`), so that the figures stay comparable on a machine shared with
//! other work. Used by `benches/scripts/gost-vs-openssl.sh`, which times OpenSSL's gost engine
//! the same way. Falls back to wall-clock time where `/proc` is missing.
//!
//! Usage: `cargo run --release -p gost --example speed -- [SECONDS] [FILTER...]` (default 2 s;
//! a filter keeps the lines whose `operation set` contains it, e.g. `verify` or `512-C`).
//! Output lines: `keygen 256-A <ops/s>`, ..., `streebog 256 <MiB/s>`; the Streebog backend
//! (`avx512-gfni` or `portable`, see `gost::digest::streebog_backend`) and the 512-C verify
//! backend (`avx512-ifma` or `portable`, `gost::verifying_key::verify_backend`) go to stderr.

use std::time::Instant;

use gost::{DigestAlgorithm, KeyAlgorithm, ParamSet, Rng, SigningKey};

/// CPU seconds (user + system) of this process, if `/proc/self/stat` is readable.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    // USER_HZ is 100 on every Linux architecture we run on.
    Some((utime + stime) / 100.0)
}

/// Runs `op` in batches of `batch` until `budget` seconds of CPU (or wall) time have passed;
/// operations per second.
fn rate(budget: f64, batch: u32, mut op: impl FnMut()) -> f64 {
    op();
    let wall = Instant::now();
    let cpu_start = cpu_seconds();
    let mut count = 0u64;
    loop {
        for _ in 0..batch {
            op();
        }
        count += u64::from(batch);
        let elapsed = match (cpu_start, cpu_seconds()) {
            (Some(start), Some(now)) => now - start,
            _ => wall.elapsed().as_secs_f64(),
        };
        if elapsed >= budget {
            return count as f64 / elapsed;
        }
    }
}

fn main() -> Result<(), gost::Error> {
    let mut args = std::env::args().skip(1);
    let budget: f64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(2.0);
    let filters: Vec<String> = args.collect();
    let wanted = |line: &str| filters.is_empty() || filters.iter().any(|f| line.contains(f));
    let mut rng = Rng::from_seed(1);
    for param in [
        ParamSet::Gost256A,
        ParamSet::Gost256B,
        ParamSet::Gost256C,
        ParamSet::Gost256D,
        ParamSet::Gost512A,
        ParamSet::Gost512B,
        ParamSet::Gost512C,
    ] {
        let digest = KeyAlgorithm::gost2012_for(param).digest().digest(b"speed");
        let key = SigningKey::generate(param, &mut rng)?;
        let public = key.verifying_key();
        let sig = key.sign_digest(&digest, &mut rng)?;
        let name = param.name();
        if wanted(&format!("keygen {name}")) {
            let keygen = rate(budget, 50, || {
                std::hint::black_box(SigningKey::generate(param, &mut rng).is_ok());
            });
            println!("keygen {name} {keygen:.0}");
        }
        if wanted(&format!("sign {name}")) {
            let sign = rate(budget, 50, || {
                std::hint::black_box(key.sign_digest(&digest, &mut rng).is_ok());
            });
            println!("sign {name} {sign:.0}");
        }
        if wanted(&format!("verify {name}")) {
            if param == ParamSet::Gost512C {
                // On stderr, as the Streebog backend below.
                eprintln!(
                    "512-C verify backend: {}",
                    gost::verifying_key::verify_backend().name()
                );
            }
            let verify = rate(budget, 50, || {
                std::hint::black_box(public.verify_digest_uncached(&digest, &sig).is_ok());
            });
            println!("verify {name} {verify:.0}");
        }
    }
    // Streebog over 1 MiB messages (what the engine is given too), in MiB/s.
    let data: Vec<u8> = (0..1u32 << 20).map(|i| (i % 251) as u8).collect();
    if wanted("streebog 256") || wanted("streebog 512") {
        // On stderr: stdout stays `operation set value` lines for the comparison script.
        eprintln!(
            "Streebog backend: {}",
            gost::digest::streebog_backend().name()
        );
    }
    for (alg, bits) in [
        (DigestAlgorithm::Streebog256, 256),
        (DigestAlgorithm::Streebog512, 512),
    ] {
        if wanted(&format!("streebog {bits}")) {
            let mib = rate(budget, 1, || {
                std::hint::black_box(alg.digest(std::hint::black_box(&data)));
            });
            println!("streebog {bits} {mib:.1}");
        }
    }
    Ok(())
}
