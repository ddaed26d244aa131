//! The token's part of the device profile: every guess about the real token, with its default.
//! Each field is a row of the "Token" table in `docs/assumptions.md` and a key under `token:` in
//! `profiles/rutoken-ecp2-safetouch.yaml`.

use std::collections::BTreeMap;

use serde::Deserialize;

/// `3B 8B 01 52 75 74 6F 6B 65 6E 20 45 43 50 A0` ("Rutoken ECP", T=1): `rutoken-ecp-apdu.md` §1,
/// first row of `card-rtecp.c` `rtecp_atrs` \[SRC\].
pub const ATR_ECP: [u8; 15] = [
    0x3B, 0x8B, 0x01, 0x52, 0x75, 0x74, 0x6F, 0x6B, 0x65, 0x6E, 0x20, 0x45, 0x43, 0x50, 0xA0,
];
/// `3B 8B 01 52 75 74 6F 6B 65 6E 20 44 53 20 C1` ("Rutoken DS"), the ATR the ECP 2.0 owner of
/// OpenSC issue #648 shows: `rutoken-ecp-apdu.md` §1, second row \[SRC\].
pub const ATR_DS: [u8; 15] = [
    0x3B, 0x8B, 0x01, 0x52, 0x75, 0x74, 0x6F, 0x6B, 0x65, 0x6E, 0x20, 0x44, 0x53, 0x20, 0xC1,
];

/// Which ATR the token answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum AtrVariant {
    /// [`ATR_ECP`].
    #[default]
    Ecp,
    /// [`ATR_DS`].
    Ds,
    /// The bytes of [`TokenProfile::atr`].
    Custom,
}

/// Token assumptions (ATR, serial, status words, codes of ours). Each field is a row of the
/// assumptions table in `docs/assumptions.md`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TokenProfile {
    /// Which ATR: `ecp` (default), `ds`, or `custom` (then [`TokenProfile::atr`]).
    pub atr_variant: AtrVariant,
    /// The ATR bytes used when `atr_variant` is `custom` (default: [`ATR_ECP`]).
    pub atr: Vec<u8>,
    /// The serial of fixtures made with the default seed 0, as a number: 787103443 =
    /// `00 00 00 00 2E EA 3E D3`, the device number «0787103443» of the bank's PIN dialog.
    pub default_serial: u64,
    /// The status word VERIFY answers while the *other* role is logged in (OpenSC then sends
    /// LOGOUT and retries); `null` lets both roles be logged in at once \[GUESS\].
    pub other_role_logged_in_sw: Option<u16>,
    /// Answer a wrong PIN with a plain 6300 (the host then asks the counter with an empty VERIFY)
    /// instead of 63Cx [GUESS; OpenSC handles both].
    pub wrong_pin_plain_6300: bool,
    /// A wrong PIN leaves an earlier login of the same role in place. Default false: the failed
    /// VERIFY drops it, as cards that reset the security status on a failed verification do
    /// (ISO/IEC 7816-4 leaves it to the card) \[GUESS\].
    pub wrong_pin_keeps_login: bool,
    /// Access conditions are not enforced between ERASE (`80 8A`) and INIT END (`80 84 4E 19`)
    /// (`rutoken-ecp-apdu.md` §7, [GUESS, consistent with the real flow]).
    pub relax_acl_before_init_end: bool,
    /// ERASE (`80 8A`) needs the Admin PIN first. OpenSC sends none \[TRACE\], so default false.
    pub erase_requires_admin: bool,
    /// The User PIN of the factory fixture (a public default: `rutoken-ecp-apdu.md` §9).
    pub factory_user_pin: String,
    /// The Admin (SO) PIN of the factory fixture (§9).
    pub factory_admin_pin: String,
    /// Tries of the factory User PIN [GUESS: one weak source says 10; OpenSC's profile uses 5].
    pub factory_user_pin_tries: u8,
    /// Tries of the factory Admin PIN [GUESS: 10, as OpenSC's SO PIN].
    pub factory_admin_pin_tries: u8,
    /// Minimum User PIN length of the factory fixture [GUESS: OpenSC's profile value].
    pub factory_user_pin_min_len: u8,
    /// Minimum Admin PIN length of the factory fixture [GUESS: OpenSC's profile value].
    pub factory_admin_pin_min_len: u8,
    /// Longest PIN CHANGE REFERENCE DATA accepts (OpenSC's profile max_len 32).
    pub pin_max_len: u8,
    /// Bytes of EF and RSF content the token can hold (6A84 beyond) [GUESS: 64 KiB; no public
    /// figure, `rutoken-ecp-apdu.md` §9].
    pub memory_bytes: u32,
    /// A newly created DF or EF becomes the current file ([TRACE/GUESS] §4); RSFs never do.
    pub create_selects_new_file: bool,
    /// PSO: HASH (`2A 90 80`) returns the digest when the last command carries Le; otherwise (and
    /// when false) it answers 9000 with no data [GUESS; ISO 7816-8 leaves it open].
    pub pso_hash_returns_digest: bool,
    /// Most bytes a chain of commands (CLA 0x10) may gather before its last command (PSO HASH
    /// streams and is not limited by this).
    pub max_chain_bytes: u32,
    /// Attribute-85 byte 1 of GOST key objects → algorithm and parameter set. Codes 20/30/40 are
    /// OpenSC's (2001, CryptoPro A/B/C, `pkcs15-rtecp.c`); the others are ours (`docs/assumptions.md`).
    pub gost_key_codes: BTreeMap<String, u8>,
    /// RSA modulus sizes (bits) the token creates key objects for and generates: 512 to 2048 in
    /// steps of 256, the Rutoken ECP 2.0's range (`rutoken-ecp-apdu.md` §9; OpenSC also
    /// registers 256 and, since 0.24, 4096 for the whole rtecp family). An RSA object of another
    /// size is refused at CREATE FILE with 6A80 [GUESS: where the real token refuses].
    pub rsa_modulus_bits: Vec<u16>,
    /// Attribute-85 byte 0 of GOST 28147-89 secret-key objects (filed into `…/6003`, OpenSC's
    /// SKey DF). Ours: the ECP 2.0's class is not public (`docs/assumptions.md`) \[GUESS\].
    pub secret_key_class: u8,
    /// Attribute-85 byte 1 of secret-key objects → the RFC 4357 parameter set of the key
    /// (`gost28147-Test`, `-A` … `-D`, `-Z`). Ours \[GUESS\].
    pub gost28147_key_codes: BTreeMap<String, u8>,
    /// The algorithm references (tag 80 of MANAGE SECURITY ENVIRONMENT) of the symmetric
    /// operations and of VKO. Ours \[GUESS\]: the ECP 2.0's are not public.
    pub symmetric_algorithm_refs: BTreeMap<String, u8>,
}

impl TokenProfile {
    /// The ATR the token answers.
    pub fn effective_atr(&self) -> &[u8] {
        match self.atr_variant {
            AtrVariant::Ecp => &ATR_ECP,
            AtrVariant::Ds => &ATR_DS,
            AtrVariant::Custom => &self.atr,
        }
    }
}

/// The default key codes: `gost2001-X` as OpenSC writes them (0x10 + paramset<<4), then ours:
/// low nibble 1 = GOST R 34.10-2012-256, 2 = 2012-512, high nibble = the set (A=1, B=2 …), so that
/// 2012-256 B/C/D share the high nibble of the CryptoPro curve they equal.
pub fn default_gost_key_codes() -> BTreeMap<String, u8> {
    [
        ("gost2001-A", 0x20),
        ("gost2001-B", 0x30),
        ("gost2001-C", 0x40),
        ("gost2012-256-A", 0x11),
        ("gost2012-256-B", 0x21),
        ("gost2012-256-C", 0x31),
        ("gost2012-256-D", 0x41),
        ("gost2012-512-A", 0x12),
        ("gost2012-512-B", 0x22),
        ("gost2012-512-C", 0x32),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// The default secret-key codes: `0x80 |` the last arc of the CryptoPro OID (`1.2.643.2.2.31.n`,
/// RFC 4357 §11.2: Test 0, A 1 … D 4), and 0x85 for TC26's Z set (RFC 7836) \[GUESS\].
pub fn default_gost28147_key_codes() -> BTreeMap<String, u8> {
    [
        ("gost28147-Test", 0x80),
        ("gost28147-A", 0x81),
        ("gost28147-B", 0x82),
        ("gost28147-C", 0x83),
        ("gost28147-D", 0x84),
        ("gost28147-Z", 0x85),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// The default algorithm references of the symmetric operations and of VKO \[GUESS\]: 01-06 for
/// GOST 28147-89's modes and key wraps, 11-13 for the three VKOs.
pub fn default_symmetric_algorithm_refs() -> BTreeMap<String, u8> {
    [
        ("gost28147-ecb", 0x01),
        ("gost28147-cfb", 0x02),
        ("gost28147-cnt", 0x03),
        ("gost28147-mac", 0x04),
        ("gost28147-key-wrap", 0x05),
        ("cryptopro-key-wrap", 0x06),
        ("vko-2001", 0x11),
        ("vko-2012-256", 0x12),
        ("vko-2012-512", 0x13),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

impl Default for TokenProfile {
    fn default() -> Self {
        TokenProfile {
            atr_variant: AtrVariant::Ecp,
            atr: ATR_ECP.to_vec(),
            default_serial: 787_103_443,
            other_role_logged_in_sw: Some(0x6F86),
            wrong_pin_plain_6300: false,
            wrong_pin_keeps_login: false,
            relax_acl_before_init_end: true,
            erase_requires_admin: false,
            factory_user_pin: "12345678".to_owned(),
            factory_admin_pin: "87654321".to_owned(),
            factory_user_pin_tries: 10,
            factory_admin_pin_tries: 10,
            factory_user_pin_min_len: 4,
            factory_admin_pin_min_len: 8,
            pin_max_len: 32,
            memory_bytes: 65536,
            create_selects_new_file: true,
            pso_hash_returns_digest: true,
            max_chain_bytes: 4096,
            gost_key_codes: default_gost_key_codes(),
            rsa_modulus_bits: (2..=8).map(|k| k * 256).collect(),
            secret_key_class: 0x43,
            gost28147_key_codes: default_gost28147_key_codes(),
            symmetric_algorithm_refs: default_symmetric_algorithm_refs(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_serial_is_the_device_number() {
        assert_eq!(
            format!("{:010}", TokenProfile::default().default_serial),
            "0787103443"
        );
    }

    #[test]
    fn atr_variants() {
        let mut p = TokenProfile::default();
        assert_eq!(p.effective_atr(), ATR_ECP);
        p.atr_variant = AtrVariant::Ds;
        assert_eq!(p.effective_atr(), ATR_DS);
    }
}
