//! The `token:` section of the committed device profile equals the code's defaults, so the file
//! documents exactly what the emulator does.

use rutoken_sim::profile::DeviceProfile;
use rutoken_sim::token::TokenProfile;

#[test]
fn committed_profile_token_section_is_the_default() {
    let text = include_str!("../../profiles/rutoken-ecp2-safetouch.yaml");
    let profile = DeviceProfile::from_yaml(text, "profiles/rutoken-ecp2-safetouch.yaml")
        .expect("profile loads");
    assert_eq!(profile.token, TokenProfile::default());
}

#[test]
fn ds_variant_and_unknown_keys() {
    let profile = DeviceProfile::from_yaml("token:\n  atr_variant: ds\n", "inline").expect("loads");
    assert_eq!(profile.token.effective_atr()[11..14], *b"DS ");
    assert!(DeviceProfile::from_yaml("token:\n  no_such_key: 1\n", "inline").is_err());
}
