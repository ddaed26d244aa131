//! A CMS key transport (the plugin's `cmsDecrypt`) opened on the token with the seam's GOST
//! 28147-89 and VKO calls, so the recipient's private key, the KEK and the content key never
//! leave it: the default of [`Driver::open_key_transport`].

use gost::gost28147::KeyWrap;
use gost::key_transport::{ContentParams, KeyTransport, transport_choice};

use super::{CipherMode, Driver, DriverError};

/// VKO of key `kk` with the sender's ephemeral key into a KEK object, the CryptoPro unwrap of
/// the content key into another, CFB decryption of the content; both objects deleted again
/// whatever the outcome.
pub(super) fn open_on_token<D: Driver + ?Sized>(
    driver: &mut D,
    kk: u8,
    transport: &KeyTransport,
    content: &ContentParams,
    ciphertext: &[u8],
) -> Result<Vec<u8>, DriverError> {
    let ephemeral = transport
        .ephemeral
        .as_ref()
        .ok_or_else(|| DriverError::CannotExpress {
            what: "a key transport without an ephemeral key".into(),
        })?;
    let (algorithm, peer) = gost::spki::from_spki(ephemeral).map_err(|e| DriverError::Failed {
        reason: e.to_string(),
    })?;
    let (vko, _) = transport_choice(algorithm);
    let kek = driver.derive_vko(
        kk,
        vko,
        &peer.to_le_bytes(),
        &transport.ukm,
        transport.params,
    )?;
    let mut wrapped = Vec::with_capacity(gost::gost28147::WRAPPED_LEN);
    wrapped.extend_from_slice(&transport.ukm);
    wrapped.extend_from_slice(&transport.encrypted_key);
    wrapped.extend_from_slice(&transport.mac);
    let cek = driver.unwrap_secret_key(kek, KeyWrap::CryptoPro, &wrapped, content.params);
    let _ = driver.delete_secret_key(kek);
    let cek = cek?;
    let plain = driver.cipher(cek, CipherMode::Cfb(content.iv), true, ciphertext);
    let _ = driver.delete_secret_key(cek);
    plain
}
