//! Known-answer tests of GOST R 34.10-2012 signing and verification.
//!
//! The examples give e (the digest as an integer), not a digest; RFC 7091 §6.1 step 2 reads the
//! wire digest little-endian, so the digest fed to the API is `LE(e)` (e < q here).
#![allow(clippy::unwrap_used)]

use gost::{Error, ParamSet, Signature, SigningKey, VerifyingKey};
use hex_literal::hex;

fn le(be: &[u8]) -> Vec<u8> {
    be.iter().rev().copied().collect()
}

struct Example {
    param: ParamSet,
    d: &'static [u8],
    qx: &'static [u8],
    qy: &'static [u8],
    e: &'static [u8],
    k: &'static [u8],
    r: &'static [u8],
    s: &'static [u8],
}

/// RFC 7091 §7 (= GOST R 34.10-2012 App. A.1), 2001 test parameter set.
const RFC7091_EXAMPLE: Example = Example {
    param: ParamSet::Gost256Test,
    d: &hex!("7A929ADE789BB9BE10ED359DD39A72C11B60961F49397EEE1D19CE9891EC3B28"),
    qx: &hex!("7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B"),
    qy: &hex!("26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA"),
    e: &hex!("2DFBC1B372D89A1188C09C52E0EEC61FCE52032AB1022E8E67ECE6672B043EE5"),
    k: &hex!("77105C9B20BCD3122823C8CF6FCC7B956DE33814E95B7FE64FED924594DCEAB3"),
    r: &hex!("41AA28D2F1AB148280CD9ED56FEDA41974053554A42767B83AD043FD39DC0493"),
    // The RFC prints s without its leading zero nibble.
    s: &hex!("01456C64BA4642A1653C235A98A60249BCD6D3F746B631DF928014F6C5BF9C40"),
};

/// GOST R 34.10-2012 App. A.2, tc26-512-paramSetTest (d, Q also in RFC 9215 D.3).
const STANDARD_A2_EXAMPLE: Example = Example {
    param: ParamSet::Gost512Test,
    d: &hex!(
        "0BA6048AADAE241BA40936D47756D7C93091A0E8514669700EE7508E508B102072E8123B2200A0563322DAD2827E2714A2636B7BFD18AADFC62967821FA18DD4"
    ),
    qx: &hex!(
        "115DC5BC96760C7B48598D8AB9E740D4C4A85A65BE33C1815B5C320C854621DD5A515856D13314AF69BC5B924C8B4DDFF75C45415C1D9DD9DD33612CD530EFE1"
    ),
    qy: &hex!(
        "37C7C90CD40B0F5621DC3AC1B751CFA0E2634FA0503B3D52639F5D7FB72AFD61EA199441D943FFE7F0C70A2759A3CDB84C114E1F9339FDF27F35ECA93677BEEC"
    ),
    e: &hex!(
        "3754F3CFACC9E0615C4F4A7C4D8DAB531B09B6F9C170C533A71D147035B0C5917184EE536593F4414339976C647C5D5A407ADEDB1D560C4FC6777D2972075B8C"
    ),
    k: &hex!(
        "0359E7F4B1410FEACC570456C6801496946312120B39D019D455986E364F365886748ED7A44B3E794434006011842286212273A6D14CF70EA3AF71BB1AE679F1"
    ),
    r: &hex!(
        "2F86FA60A081091A23DD795E1E3C689EE512A3C82EE0DCC2643C78EEA8FCACD35492558486B20F1C9EC197C90699850260C93BCBCD9C5C3317E19344E173AE36"
    ),
    s: &hex!(
        "1081B394696FFE8E6585E7A9362D26B6325F56778AADBC081C0BFBE933D52FF5823CE288E8C4F362526080DF7F70CE406A6EEB1F56919CB92A9853BDE73E5B4A"
    ),
};

fn check(ex: &Example) {
    let key = SigningKey::from_be_bytes(ex.param, ex.d).unwrap();
    let public = key.verifying_key();
    assert_eq!(public.x_be(), ex.qx, "Qx");
    assert_eq!(public.y_be(), ex.qy, "Qy");
    assert_eq!(
        public,
        VerifyingKey::from_xy_be(ex.param, ex.qx, ex.qy).unwrap()
    );

    let digest = le(ex.e);
    let sig = key.sign_digest_with_nonce(&digest, ex.k).unwrap();
    assert_eq!(sig.r_be(), ex.r, "r");
    assert_eq!(sig.s_be(), ex.s, "s");

    let expected = Signature::from_rs_be(ex.r, ex.s).unwrap();
    public.verify_digest(&digest, &expected).unwrap();
    // The big-endian reading of the same bytes is a different e: it must not verify.
    assert_eq!(
        public.verify_digest(ex.e, &expected),
        Err(Error::VerificationFailed)
    );
    // r and s swapped must not verify either.
    let swapped = Signature::from_rs_be(ex.s, ex.r).unwrap();
    assert!(public.verify_digest(&digest, &swapped).is_err());
}

#[test]
fn rfc7091_section7_example() {
    check(&RFC7091_EXAMPLE);
}

#[test]
fn standard_appendix_a2_512bit_example() {
    check(&STANDARD_A2_EXAMPLE);
}

#[test]
fn bad_inputs_get_named_errors() {
    let ex = &RFC7091_EXAMPLE;
    let key = SigningKey::from_be_bytes(ex.param, ex.d).unwrap();
    assert!(matches!(
        key.sign_digest_with_nonce(&[0; 31], ex.k),
        Err(Error::InvalidLength { .. })
    ));
    assert_eq!(
        key.sign_digest_with_nonce(&[1; 32], &[0; 32]).unwrap_err(),
        Error::NonceOutOfRange
    );
    assert_eq!(
        SigningKey::from_le_bytes(ex.param, &[0; 32]).unwrap_err(),
        Error::PrivateKeyOutOfRange
    );
    assert_eq!(
        SigningKey::from_le_bytes(ex.param, &[0xFF; 32]).unwrap_err(),
        Error::PrivateKeyOutOfRange
    );
    assert!(matches!(
        SigningKey::from_le_bytes(ex.param, &[1; 33]),
        Err(Error::InvalidLength { .. })
    ));
    let public = key.verifying_key();
    let zero_r = Signature::from_rs_be(&[0; 32], ex.s).unwrap();
    assert_eq!(
        public.verify_digest(&le(ex.e), &zero_r),
        Err(Error::SignatureOutOfRange)
    );
    let big_s = Signature::from_rs_be(ex.r, &[0xFF; 32]).unwrap();
    assert_eq!(
        public.verify_digest(&le(ex.e), &big_s),
        Err(Error::SignatureOutOfRange)
    );
    let mut off_curve = public.to_le_bytes();
    off_curve[0] ^= 1;
    assert_eq!(
        VerifyingKey::from_le_bytes(ex.param, &off_curve).unwrap_err(),
        Error::PointNotOnCurve
    );
    assert!(matches!(
        Signature::from_x509_bytes(&[0; 63]),
        Err(Error::InvalidLength { .. })
    ));
    assert_eq!(format!("{key:?}"), "SigningKey { param: Gost256Test, .. }");
}
