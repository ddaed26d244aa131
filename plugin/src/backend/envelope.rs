//! `cmsDecrypt` on the token: the key transport of `crate::envelope` opened with the client
//! crate's GOST 28147-89 and VKO operations (`rutoken_client::symmetric`), so the recipient's
//! private key, the KEK and the content key never leave the token.

use gost::gost28147::KeyWrap;
use gost::key_transport::{ContentParams, KeyTransport, transport_choice};
use rutoken_client::{CipherMode, Client, Transport};

use super::device_error;
use crate::device::DeviceError;

/// VKO of key `kk` with the sender's ephemeral key into a KEK object, the CryptoPro unwrap of
/// the content key into another, CFB decryption of the content; both objects deleted again
/// whatever the outcome.
pub(super) fn open_on_token<T: Transport>(
    client: &mut Client<T>,
    kk: u8,
    transport: &KeyTransport,
    content: &ContentParams,
    ciphertext: &[u8],
) -> Result<Vec<u8>, DeviceError> {
    let ephemeral = transport.ephemeral.as_ref().ok_or_else(|| {
        DeviceError::Unsupported("a key transport without an ephemeral key".into())
    })?;
    let (algorithm, peer) =
        gost::spki::from_spki(ephemeral).map_err(|e| DeviceError::Failed(e.to_string()))?;
    let (vko, _) = transport_choice(algorithm);
    let kek = client
        .derive_vko(
            kk,
            vko,
            &peer.to_le_bytes(),
            &transport.ukm,
            transport.params,
        )
        .map_err(device_error)?;
    let mut wrapped = Vec::with_capacity(gost::gost28147::WRAPPED_LEN);
    wrapped.extend_from_slice(&transport.ukm);
    wrapped.extend_from_slice(&transport.encrypted_key);
    wrapped.extend_from_slice(&transport.mac);
    let cek = client.unwrap_secret_key(kek, KeyWrap::CryptoPro, &wrapped, content.params);
    let _ = client.delete_secret_key(kek.reference);
    let cek = cek.map_err(device_error)?;
    let plain = client.decrypt(cek, CipherMode::Cfb(content.iv), ciphertext);
    let _ = client.delete_secret_key(cek.reference);
    plain.map_err(device_error)
}
