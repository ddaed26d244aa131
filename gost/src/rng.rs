//! The random source: the operating system's CSPRNG, or a seeded ChaCha20 for reproducible runs.

/// A random source that every crate of the workspace shares.
///
/// `Rng::from_seed(n)` gives the same bytes on every machine, which the fixtures, the seeded
/// simulator and the conformance runner's `--seed` rely on. Never use a seeded `Rng` for real keys.
pub struct Rng {
    _private: (),
}

impl Rng {
    /// The operating system's CSPRNG (`getrandom`).
    pub fn from_os() -> Self {
        todo!()
    }
    /// ChaCha20 seeded from `seed` (deterministic mode).
    pub fn from_seed(seed: u64) -> Self {
        let _ = seed;
        todo!()
    }
    /// Fills `dest` with random bytes.
    pub fn fill_bytes(&mut self, dest: &mut [u8]) {
        let _ = dest;
        todo!()
    }
    /// A `u64` of random bits.
    pub fn next_u64(&mut self) -> u64 {
        todo!()
    }
    /// An independent child source: seeded children are derived from the parent's stream, so a
    /// run that forks one per scenario stays reproducible whatever the order the children run in.
    pub fn fork(&mut self) -> Self {
        todo!()
    }
}
