//! Completing the emulator's personalised token with the owner's certificate, when the token's
//! fixture does not carry one yet: the PKI fixture's `owner-current` key (GOST 2012-256, set B)
//! and certificate (serial `010101D1010201B6`, «УЦ НотариПро (ТЕСТ)») go onto the token as key
//! reference 1 through ordinary APDUs (delete, create, key import, certificate install), before
//! the scenario's client connects. Nothing of it reaches the scenario's transcript.

use crate::client::{Client, ClientConfig, ClientError};
use crate::scenario::step::Algorithm;

use super::{Target, TargetError};

/// The personalised fixture's user PIN (the token's `fixture/pkcs15.rs`; rutoken-ecp-apdu.md §9).
const FIXTURE_USER_PIN: &str = "12345678";
/// The owner key's reference (the fixture's key `…/6002/0001`).
const OWNER_KEY: u8 = 1;

/// Puts the owner's certificate and key on the token unless it lists a certificate already.
/// Returns whether it did.
pub fn complete(target: &mut dyn Target, config: &ClientConfig) -> Result<bool, TargetError> {
    let failed =
        |e: ClientError| TargetError::Transport(format!("completing the personalised token: {e}"));
    let owner = rutoken_pki::fixtures::owner_current()
        .map_err(|e| TargetError::Transport(format!("the PKI fixture owner-current: {e}")))?;
    target.connect()?;
    let mut client = Client::new(target, config);
    if !client
        .list_objects()
        .map_err(failed)?
        .certificates
        .is_empty()
    {
        return Ok(false);
    }
    match client.verify(0x02, FIXTURE_USER_PIN).map_err(failed)? {
        crate::client::PinStatus::Ok => {}
        s => {
            return Err(TargetError::Transport(format!(
                "completing the personalised token: user PIN {s}"
            )));
        }
    }
    client.delete_key(OWNER_KEY).map_err(failed)?;
    // owner-current's key is on paramset 256-B (fixtures/README.md).
    client
        .create_key_objects(OWNER_KEY, Algorithm::Gost2012_256, "B")
        .map_err(failed)?;
    client
        .import_private_key(OWNER_KEY, &owner.key.key.to_le_bytes())
        .map_err(failed)?;
    let label = "Owner certificate";
    client
        .install_certificate(owner.cert.to_der(), label, &[OWNER_KEY], &mut |_, _| {
            Ok(true)
        })
        .map_err(failed)?;
    client.logout().map_err(failed)?;
    drop(client);
    target.power_cycle()?;
    Ok(true)
}
