//! A real token's start state against a scenario's: the objects the scenario's fixture holds
//! when the emulator builds it (the scenarios count keys and certificates from there). A token
//! that holds others — after a first reissue, say — makes the scenario a skip, not a failure.

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use rutoken_client::{Client, ClientConfig, ClientError};
use rutoken_sim::profile::DeviceProfile;

use crate::scenario::FixtureName;
use crate::target::emulator;

/// Key pairs and certificates on a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectCount {
    /// Key pairs.
    pub keys: usize,
    /// Certificates.
    pub certificates: usize,
}

impl std::fmt::Display for ObjectCount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plural = |n: usize, one: &str, many: &str| {
            if n == 1 {
                format!("1 {one}")
            } else {
                format!("{n} {many}")
            }
        };
        write!(
            f,
            "{} and {}",
            plural(self.keys, "key pair", "key pairs"),
            plural(self.certificates, "certificate", "certificates")
        )
    }
}

/// What the emulator's fixture holds, listed by the same client (built once per fixture; the
/// counts do not depend on the seed).
pub fn fixture_objects(fixture: FixtureName) -> Result<ObjectCount, ClientError> {
    static COUNTS: OnceLock<Mutex<BTreeMap<u8, ObjectCount>>> = OnceLock::new();
    let key = match fixture {
        FixtureName::Factory => 0,
        FixtureName::Personalised => 1,
    };
    let counts = COUNTS.get_or_init(Mutex::default);
    if let Some(c) = counts
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
    {
        return Ok(*c);
    }
    let profile = DeviceProfile::default();
    let mut target = emulator::open(fixture, 0, &profile)?;
    let mut client = Client::new(&mut *target, ClientConfig::from_profile(&profile));
    let objects = client.objects()?;
    let count = ObjectCount {
        keys: objects.keys.len(),
        certificates: objects.certificates.len(),
    };
    counts
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(key, count);
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_personalised_fixture_holds_one_key_and_its_certificate() {
        let c = fixture_objects(FixtureName::Personalised);
        assert_eq!(
            c,
            Ok(ObjectCount {
                keys: 1,
                certificates: 1
            })
        );
        let three = ObjectCount {
            keys: 3,
            certificates: 2,
        };
        assert_eq!(three.to_string(), "3 key pairs and 2 certificates");
    }
}
