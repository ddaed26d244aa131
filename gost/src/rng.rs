//! The random source: the operating system's CSPRNG, or a seeded ChaCha20 for reproducible runs.

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng as _, SeedableRng, TryCryptoRng, TryRng};

/// A random source that every crate of the workspace shares.
///
/// `Rng::from_seed(n)` gives the same bytes on every machine, which the fixtures, the seeded
/// simulator and the conformance runner's `--seed` rely on. Never use a seeded `Rng` for real keys.
pub struct Rng {
    inner: Inner,
}

enum Inner {
    Os,
    Seeded(Box<ChaCha20Rng>),
}

impl std::fmt::Debug for Rng {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The seeded state is secret-equivalent (it predicts every later byte): not shown.
        match self.inner {
            Inner::Os => f.write_str("Rng(os)"),
            Inner::Seeded(_) => f.write_str("Rng(seeded)"),
        }
    }
}

impl Rng {
    /// The operating system's CSPRNG (`getrandom`).
    pub fn from_os() -> Self {
        Rng { inner: Inner::Os }
    }
    /// ChaCha20 seeded from `seed` (deterministic mode; rand_core's `seed_from_u64` expansion).
    pub fn from_seed(seed: u64) -> Self {
        Rng {
            inner: Inner::Seeded(Box::new(ChaCha20Rng::seed_from_u64(seed))),
        }
    }
    /// Fills `dest` with random bytes.
    ///
    /// # Panics
    /// If the operating system cannot supply random bytes (no usable entropy source): carrying
    /// on with predictable "random" keys would be worse than stopping.
    pub fn fill_bytes(&mut self, dest: &mut [u8]) {
        match &mut self.inner {
            Inner::Os => {
                if let Err(err) = getrandom::fill(dest) {
                    panic!("the operating system's random source failed: {err}");
                }
            }
            Inner::Seeded(chacha) => chacha.fill_bytes(dest),
        }
    }
    /// A `u64` of random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut bytes = [0u8; 8];
        self.fill_bytes(&mut bytes);
        u64::from_le_bytes(bytes)
    }
    /// An independent child source: seeded children are derived from the parent's stream, so a
    /// run that forks one per scenario stays reproducible whatever the order the children run in.
    pub fn fork(&mut self) -> Self {
        match &mut self.inner {
            Inner::Os => Rng::from_os(),
            Inner::Seeded(chacha) => {
                let mut seed = [0u8; 32];
                chacha.fill_bytes(&mut seed);
                Rng {
                    inner: Inner::Seeded(Box::new(ChaCha20Rng::from_seed(seed))),
                }
            }
        }
    }
}

impl TryRng for Rng {
    type Error = core::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut bytes = [0u8; 4];
        self.fill_bytes(&mut bytes);
        Ok(u32::from_le_bytes(bytes))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(self.next_u64())
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        self.fill_bytes(dst);
        Ok(())
    }
}

impl TryCryptoRng for Rng {}

#[cfg(test)]
mod tests {
    use super::Rng;

    #[test]
    fn seeded_is_reproducible_and_forks_differ() {
        let mut a = Rng::from_seed(7);
        let mut b = Rng::from_seed(7);
        assert_eq!(a.next_u64(), b.next_u64());
        let mut child_a = a.fork();
        let mut child_b = b.fork();
        assert_eq!(child_a.next_u64(), child_b.next_u64());
        assert_ne!(a.next_u64(), child_a.next_u64());
        assert_ne!(Rng::from_seed(8).next_u64(), Rng::from_seed(7).next_u64());
        let mut os = Rng::from_os();
        assert_ne!(os.next_u64(), os.next_u64());
    }
}
