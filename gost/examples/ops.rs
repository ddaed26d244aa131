//! N keygens, signatures or verifications on one parameter set and nothing else, for counting
//! instructions per operation with callgrind (which is indifferent to the machine's load): run
//! it with two counts and divide the difference, e.g.
//!
//! ```sh
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/ops 256-A 2 verify
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/ops 256-A 22 verify
//! ```
//!
//! (instructions per verification = (second total - first total) / 20).

use gost::{KeyAlgorithm, ParamSet, Rng, SigningKey};

fn main() -> Result<(), gost::Error> {
    let mut args = std::env::args().skip(1);
    let param = ParamSet::from_name(&args.next().unwrap_or_else(|| "256-A".into()))?;
    let count: u32 = args.next().and_then(|s| s.parse().ok()).unwrap_or(10);
    let op = args.next().unwrap_or_else(|| "verify".into());
    let mut rng = Rng::from_seed(1);
    let digest = KeyAlgorithm::gost2012_for(param).digest().digest(b"speed");
    let key = SigningKey::generate(param, &mut rng)?;
    let public = key.verifying_key();
    let sig = key.sign_digest(&digest, &mut rng)?;
    // The first verification also builds the per-curve table, outside the counted difference.
    public.verify_digest_uncached(&digest, &sig)?;
    for _ in 0..count {
        match op.as_str() {
            "keygen" => {
                std::hint::black_box(SigningKey::generate(param, &mut rng)?);
            }
            "sign" => {
                std::hint::black_box(key.sign_digest(&digest, &mut rng)?);
            }
            _ => public.verify_digest_uncached(&digest, &sig)?,
        }
    }
    Ok(())
}
