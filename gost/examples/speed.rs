//! Operations per second of keygen, sign and verify on 256-A, 256-B, 512-A and 512-C, timed by
//! **process CPU time** (`/proc/self/stat`, 10 ms ticks, over loops of about `SECONDS`), so
//! that the figures stay comparable on a machine shared with other work. Used by
//! `benches/scripts/gost-vs-openssl.sh`, which times OpenSSL's gost engine the same way.
//! Falls back to wall-clock time where `/proc` is missing.
//!
//! Usage: `cargo run --release -p gost --example speed -- [SECONDS]` (default 2).

use std::time::Instant;

use gost::{KeyAlgorithm, ParamSet, Rng, SigningKey};

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

/// Runs `op` in batches until `budget` seconds of CPU (or wall) time have passed; ops/s.
fn rate(budget: f64, mut op: impl FnMut()) -> f64 {
    op();
    let wall = Instant::now();
    let cpu_start = cpu_seconds();
    let mut count = 0u64;
    loop {
        for _ in 0..50 {
            op();
        }
        count += 50;
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
    let budget: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(2.0);
    let mut rng = Rng::from_seed(1);
    for param in [
        ParamSet::Gost256A,
        ParamSet::Gost256B,
        ParamSet::Gost512A,
        ParamSet::Gost512C,
    ] {
        let digest = KeyAlgorithm::gost2012_for(param).digest().digest(b"speed");
        let key = SigningKey::generate(param, &mut rng);
        let public = key.verifying_key();
        let sig = key.sign_digest(&digest, &mut rng)?;
        let name = param.name();
        let keygen = rate(budget, || {
            std::hint::black_box(SigningKey::generate(param, &mut rng).verifying_key());
        });
        println!("keygen {name} {keygen:.0}");
        let sign = rate(budget, || {
            std::hint::black_box(key.sign_digest(&digest, &mut rng).is_ok());
        });
        println!("sign {name} {sign:.0}");
        let verify = rate(budget, || {
            std::hint::black_box(public.verify_digest(&digest, &sig).is_ok());
        });
        println!("verify {name} {verify:.0}");
    }
    Ok(())
}
