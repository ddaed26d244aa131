//! The APDU driver's object calls the PKCS#11 module and the plugin bridge make (renaming key
//! pairs and certificates, certificates under a chosen ID, data objects, formatting), each
//! checked by listing the token again, against the emulator's personalised token in process.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

mod support;

use rutoken_client::driver::{Driver, Format, KeySpec, PairLabels, TokenKey};
use rutoken_client::{DataObject, PinRole};
use rutoken_sim::profile::DeviceProfile;
use support::{InProcessDriver as Bare, logged_in_driver};

fn generated(d: &mut Bare, label: &str) -> TokenKey {
    let param_set = gost::ParamSet::from_name("256-A").unwrap();
    d.generate_key(KeySpec {
        algorithm: gost::KeyAlgorithm::Gost2012_256,
        param_set,
        label,
        exchange: false,
    })
    .unwrap()
}

#[test]
fn key_pairs_are_renamed_and_their_spec_told() {
    let mut d = logged_in_driver(3);
    let key = generated(&mut d, "k");
    // The listing does not carry the algorithm; the driver tells it from the parameter set.
    let listed = d
        .objects()
        .unwrap()
        .keys
        .into_iter()
        .find(|k| k.reference == key.reference)
        .unwrap();
    assert_eq!(listed.algorithm, None);
    let set = gost::ParamSet::from_name("256-A").unwrap();
    assert_eq!(
        d.key_spec(&listed).unwrap(),
        Some((gost::KeyAlgorithm::Gost2012_256, set))
    );

    d.rename_key(&listed, "renamed", &[0x51]).unwrap();
    let find = |d: &mut Bare| {
        d.objects()
            .unwrap()
            .keys
            .into_iter()
            .find(|k| k.reference == key.reference)
            .unwrap()
    };
    let renamed = find(&mut d);
    assert_eq!(renamed.id.as_deref(), Some(&[0x51][..]));
    assert_eq!(renamed.label.as_deref(), Some("renamed"));
    assert_eq!(renamed.public_label.as_deref(), Some("renamed"));
    assert_eq!(renamed.public_key, key.public_key);

    let labels = PairLabels {
        private: "private half",
        public: "public half",
    };
    d.rename_key_halves(&renamed, labels, &[0x52]).unwrap();
    let halves = find(&mut d);
    assert_eq!(halves.id.as_deref(), Some(&[0x52][..]));
    assert_eq!(halves.label.as_deref(), Some("private half"));
    assert_eq!(halves.public_label.as_deref(), Some("public half"));
}

#[test]
fn certificates_go_under_a_chosen_id_and_are_renamed() {
    let mut d = logged_in_driver(3);
    let owner = d.objects().unwrap().certificates[0].clone();
    let id = d
        .install_certificate_as(&owner.der, "copy", Some(&[0x61]))
        .unwrap();
    assert_eq!(id, vec![0x61]);
    assert_eq!(d.read_certificate(&[0x61]).unwrap(), owner.der);

    let copy = d
        .objects()
        .unwrap()
        .certificates
        .into_iter()
        .find(|c| c.id == [0x61])
        .unwrap();
    d.rename_certificate(&copy, "moved", &[0x62]).unwrap();
    let certificates = d.objects().unwrap().certificates;
    assert!(certificates.iter().all(|c| c.id != [0x61]));
    let moved = certificates.iter().find(|c| c.id == [0x62]).unwrap();
    assert_eq!(moved.label, "moved");
    assert_eq!(moved.der, owner.der);
    // The fixture's own certificate is as it was.
    assert!(certificates.contains(&owner));
}

#[test]
fn data_objects_are_stored_listed_relabelled_and_deleted() {
    let mut d = logged_in_driver(3);
    let before = d.data_objects().unwrap().len();
    let stored = d
        .create_data_object(&DataObject {
            label: "settings".to_owned(),
            application: "bank".to_owned(),
            oid: None,
            private: false,
            path: Vec::new(),
            value: Some(b"limit=100".to_vec()),
        })
        .unwrap();
    let listed = d.data_objects().unwrap();
    assert_eq!(listed.len(), before + 1);
    assert!(listed.contains(&stored));
    assert_eq!(stored.value.as_deref(), Some(&b"limit=100"[..]));

    d.rename_data_object(&stored, "renamed").unwrap();
    let renamed = d
        .data_objects()
        .unwrap()
        .into_iter()
        .find(|o| o.path == stored.path)
        .unwrap();
    assert_eq!(renamed.label, "renamed");
    assert_eq!(renamed.value, stored.value);

    d.delete_data_object(&stored.path).unwrap();
    let after = d.data_objects().unwrap();
    assert_eq!(after.len(), before);
    assert!(after.iter().all(|o| o.path != stored.path));
}

#[test]
fn format_clears_the_objects_and_sets_the_pins_and_label() {
    let profile = DeviceProfile::default().token;
    let mut d = logged_in_driver(3);
    generated(&mut d, "to go");
    d.format(&Format {
        admin: &profile.factory_admin_pin,
        new_admin: None,
        user: "55556666",
        label: Some("fresh"),
    })
    .unwrap();
    // The old user PIN is gone, the new one verifies; no key or certificate is left.
    assert!(
        d.verify_pin(PinRole::User, &profile.factory_user_pin)
            .is_err()
    );
    d.verify_pin(PinRole::User, "55556666").unwrap();
    let objects = d.objects().unwrap();
    assert!(objects.keys.is_empty(), "{:?}", objects.keys);
    assert!(objects.certificates.is_empty());
    assert_eq!(d.token_label().unwrap().as_deref(), Some("fresh"));
}
