//! Deleting one key pair leaves every other pair's RSFs, PrKDF and PuKDF entries and public
//! key EF as they were (the client deletes entries by the key's reference, path and ID; a
//! wrong match would take a neighbour's too). Also the key files' paths
//! (`rutoken-ecp-apdu.md` §6: private keys under `…/6002`, public keys under `…/6001`).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

use rutoken_client::layout::{private_key_path, public_key_path};
use rutoken_client::transport::InProcess;
use rutoken_client::{Client, ClientConfig, PinRole};
use rutoken_sim::profile::DeviceProfile;
use rutoken_sim::token::{Fixture, Token};

/// The factory user PIN the personalised fixture keeps (`docs/assumptions.md`, `token.factory_user_pin`).
const USER_PIN: &str = "12345678";

#[test]
fn deleting_one_pair_leaves_the_others_whole() {
    let profile = DeviceProfile::default();
    let token = Token::in_memory(Fixture::Personalised, 3, profile.token.clone()).unwrap();
    let mut client = Client::new(InProcess::new(token), ClientConfig::from_profile(&profile));
    client.attach().unwrap();
    client.verify_pin(PinRole::User, USER_PIN).unwrap();
    let set = gost::ParamSet::from_name("256-A").unwrap();
    let second = client.generate_key_pair(set, "second").unwrap();
    let third = client.generate_key_pair(set, "third").unwrap();
    assert_eq!((second.reference, third.reference), (2, 3));
    let before = client.objects().unwrap();
    assert_eq!(before.keys.len(), 3);

    client.delete_key_pair(2).unwrap();

    let after = client.objects().unwrap();
    let kept: Vec<_> = before.keys.iter().filter(|k| k.reference != 2).collect();
    assert_eq!(after.keys.iter().collect::<Vec<_>>(), kept);
    // The kept pairs keep their labels, IDs and public keys from the directories.
    let third_listed = after.keys.iter().find(|k| k.reference == 3).unwrap();
    assert_eq!(third_listed.label.as_deref(), Some("third"));
    assert_eq!(third_listed.id.as_deref(), Some(third.id.as_slice()));
    assert_eq!(
        third_listed.public_key.as_deref(),
        Some(third.public_key.as_slice())
    );
    let owner = after.keys.iter().find(|k| k.reference == 1).unwrap();
    assert_eq!(owner.label.as_deref(), Some("Owner key"));
    assert!(owner.public_key.is_some());
    // The deleted pair's files are gone; the others' are there.
    assert!(!client.key_present(2).unwrap());
    assert!(client.select_path(&public_key_path(2)).unwrap().is_none());
    assert!(client.key_present(3).unwrap());
    assert!(client.select_path(&public_key_path(3)).unwrap().is_some());
    assert!(client.select_path(&private_key_path(3)).unwrap().is_some());
}

#[test]
fn key_file_paths() {
    assert_eq!(public_key_path(5), vec![0x1000, 0x1000, 0x6001, 0x0005]);
    assert_eq!(private_key_path(5), vec![0x1000, 0x1000, 0x6002, 0x0005]);
}
