//! Installing a certificate under an ID the caller chooses (PKCS#11 `CKA_ID`): any X.509
//! certificate is taken, bytes that are not one are refused before anything is written.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

use rutoken_client::transport::InProcess;
use rutoken_client::{Client, ClientConfig, ClientError, Installed, PinRole};
use rutoken_sim::profile::DeviceProfile;
use rutoken_sim::token::{Fixture, Token};

/// The factory user PIN the personalised fixture keeps (`docs/assumptions.md`,
/// `token.factory_user_pin`).
const USER_PIN: &str = "12345678";

#[test]
fn a_chosen_id_takes_a_certificate_and_refuses_other_bytes() {
    let profile = DeviceProfile::default();
    let token = Token::in_memory(Fixture::Personalised, 3, profile.token.clone()).unwrap();
    let mut client = Client::new(InProcess::new(token), ClientConfig::from_profile(&profile));
    client.attach().unwrap();
    client.verify_pin(PinRole::User, USER_PIN).unwrap();
    let owner = client.objects().unwrap().certificates[0].der.clone();

    // An OCTET STRING is no certificate: refused, nothing listed.
    let refused =
        client.install_certificate(&[0x04, 0x01, 0x00], "junk", Some(&[0x77]), &mut |_, _| {
            Ok(true)
        });
    assert!(matches!(refused, Err(ClientError::BadCertificate { .. })));
    assert_eq!(client.objects().unwrap().certificates.len(), 1);

    // The fixture's certificate again, under an ID of the caller's.
    let installed = client
        .install_certificate(&owner, "copy", Some(&[0x77]), &mut |_, _| Ok(true))
        .unwrap();
    assert_eq!(installed, Installed::Listed { id: vec![0x77] });
    assert_eq!(client.read_certificate(&[0x77]).unwrap(), owner);
}
