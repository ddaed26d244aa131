//! The curve constants of the nine parameter sets, as big-endian hex in the RFCs' notation.
//!
//! Sources: RFC 7091 §7 (2001 test set, = GOST R 34.10-2012 App. A.1); RFC 4357 §11.4
//! (CryptoPro A, B, C = tc26-256-B, C, D); RFC 7836 App. A (tc26-256-A, tc26-512-A, B, C);
//! RFC 9215 App. E / GOST R 34.10-2012 App. A.2 (tc26-512-paramSetTest). Copied from
//! `shared/spec/gost-vectors.md` §2-3, where each was re-checked (P on the curve, q·P = O).
//! The twisted Edwards sets (tc26-256-A, tc26-512-C) are given by RFC 7836 in both forms; we
//! compute in the Weierstrass form (a, b, x, y) and keep e, d, u, v for the unit test that
//! re-derives the Weierstrass form from them.

use crate::arith::field::Reduction;
use crate::arith::limbs::{hex, sub_small};

/// One parameter set's constants (integers, little-endian limbs).
pub(crate) struct CurveConsts<const N: usize> {
    pub(crate) p: [u64; N],
    pub(crate) a: [u64; N],
    pub(crate) b: [u64; N],
    /// The order q of the base point (the subgroup order).
    pub(crate) q: [u64; N],
    pub(crate) x: [u64; N],
    pub(crate) y: [u64; N],
    /// m / q.
    pub(crate) cofactor: u64,
    pub(crate) reduction: Reduction,
    pub(crate) a_is_minus_3: bool,
}

/// Twisted Edwards form `e u^2 + v^2 = 1 + d u^2 v^2` with base point (u, v) (RFC 7836 App. A).
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) struct EdwardsConsts<const N: usize> {
    pub(crate) e: [u64; N],
    pub(crate) d: [u64; N],
    pub(crate) u: [u64; N],
    pub(crate) v: [u64; N],
}

const P_2_256_617: [u64; 4] =
    hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97");
const P_2_512_569: [u64; 8] = hex(
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\
     FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
);

/// id-GostR3410-2001-TestParamSet, RFC 7091 §7 (example curve, m = q).
pub(crate) const GOST_256_TEST: CurveConsts<4> = CurveConsts {
    p: hex("8000000000000000000000000000000000000000000000000000000000000431"),
    a: hex("7"),
    b: hex("5FBFF498AA938CE739B8E022FBAFEF40563F6E6A3472FC2A514C0CE9DAE23B7E"),
    q: hex("8000000000000000000000000000000150FE8A1892976154C59CFC193ACCF5B3"),
    x: hex("2"),
    y: hex("08E2A8A0E65147D4BD6316030E16D19C85C97F0A9CA267122B96ABBCEA7E8FC8"),
    cofactor: 1,
    reduction: Reduction::Montgomery,
    a_is_minus_3: false,
};

/// id-tc26-gost-3410-2012-256-paramSetA, RFC 7836 App. A.2 (Weierstrass form, m = 4q).
pub(crate) const GOST_256_A: CurveConsts<4> = CurveConsts {
    p: P_2_256_617,
    a: hex("C2173F1513981673AF4892C23035A27CE25E2013BF95AA33B22C656F277E7335"),
    b: hex("295F9BAE7428ED9CCC20E7C359A9D41A22FCCD9108E17BF7BA9337A6F8AE9513"),
    q: hex("400000000000000000000000000000000FD8CDDFC87B6635C115AF556C360C67"),
    x: hex("91E38443A5E82C0D880923425712B2BB658B9196932E02C78B2582FE742DAA28"),
    y: hex("32879423AB1A0375895786C4BB46E9565FDE0B5344766740AF268ADB32322E5C"),
    cofactor: 4,
    reduction: Reduction::PseudoMersenne,
    a_is_minus_3: false,
};

/// tc26-256-paramSetA in twisted Edwards form, RFC 7836 App. A.2.
pub(crate) const GOST_256_A_EDWARDS: EdwardsConsts<4> = EdwardsConsts {
    e: hex("1"),
    d: hex("0605F6B7C183FA81578BC39CFAD518132B9DF62897009AF7E522C32D6DC7BFFB"),
    u: hex("D"),
    v: hex("60CA1E32AA475B348488C38FAB07649CE7EF8DBE87F22E81F92B2592DBA300E7"),
};

/// id-tc26-gost-3410-2012-256-paramSetB = id-GostR3410-2001-CryptoPro-A-ParamSet,
/// RFC 4357 §11.4 (m = q).
pub(crate) const GOST_256_B: CurveConsts<4> = CurveConsts {
    p: P_2_256_617,
    a: sub_small(P_2_256_617, 3),
    b: hex("A6"),
    q: hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893"),
    x: hex("1"),
    y: hex("8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E14"),
    cofactor: 1,
    reduction: Reduction::PseudoMersenne,
    a_is_minus_3: true,
};

const P_256_C: [u64; 4] = hex("8000000000000000000000000000000000000000000000000000000000000C99");

/// id-tc26-gost-3410-2012-256-paramSetC = CryptoPro-B, RFC 4357 §11.4 (m = q).
pub(crate) const GOST_256_C: CurveConsts<4> = CurveConsts {
    p: P_256_C,
    a: sub_small(P_256_C, 3),
    b: hex("3E1AF419A269A5F866A7D3C25C3DF80AE979259373FF2B182F49D4CE7E1BBC8B"),
    q: hex("800000000000000000000000000000015F700CFFF1A624E5E497161BCC8A198F"),
    x: hex("1"),
    y: hex("3FA8124359F96680B83D1C3EB2C070E5C545C9858D03ECFB744BF8D717717EFC"),
    cofactor: 1,
    reduction: Reduction::Montgomery,
    a_is_minus_3: true,
};

const P_256_D: [u64; 4] = hex("9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D759B");

/// id-tc26-gost-3410-2012-256-paramSetD = CryptoPro-C, RFC 4357 §11.4 (m = q).
pub(crate) const GOST_256_D: CurveConsts<4> = CurveConsts {
    p: P_256_D,
    a: sub_small(P_256_D, 3),
    b: hex("805A"),
    q: hex("9B9F605F5A858107AB1EC85E6B41C8AA582CA3511EDDFB74F02F3A6598980BB9"),
    x: hex("0"),
    y: hex("41ECE55743711A8C3CBF3783CD08C0EE4D4DC440D4641A8F366E550DFDB3BB67"),
    cofactor: 1,
    reduction: Reduction::Montgomery,
    a_is_minus_3: true,
};

/// id-tc26-gost-3410-2012-512-paramSetTest, RFC 9215 App. E = GOST R 34.10-2012 App. A.2.
pub(crate) const GOST_512_TEST: CurveConsts<8> = CurveConsts {
    p: hex(
        "4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15D\
         F1D852741AF4704A0458047E80E4546D35B8336FAC224DD81664BBF528BE6373",
    ),
    a: hex("7"),
    b: hex(
        "1CFF0806A31116DA29D8CFA54E57EB748BC5F377E49400FDD788B649ECA1AC43\
         61834013B2AD7322480A89CA58E0CF74BC9E540C2ADD6897FAD0A3084F302ADC",
    ),
    q: hex(
        "4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15D\
         A82F2D7ECB1DBAC719905C5EECC423F1D86E25EDBE23C595D644AAF187E6E6DF",
    ),
    x: hex(
        "24D19CC64572EE30F396BF6EBBFD7A6C5213B3B3D7057CC825F91093A68CD762\
         FD60611262CD838DC6B60AA7EEE804E28BC849977FAC33B4B530F1B120248A9A",
    ),
    y: hex(
        "2BB312A43BD2CE6E0D020613C857ACDDCFBF061E91E5F2C3F32447C259F39B2C\
         83AB156D77F1496BF7EB3351E1EE4E43DC1A18B91B24640B6DBB92CB1ADD371E",
    ),
    cofactor: 1,
    reduction: Reduction::Montgomery,
    a_is_minus_3: false,
};

/// id-tc26-gost-3410-2012-512-paramSetA, RFC 7836 App. A.1 (m = q).
pub(crate) const GOST_512_A: CurveConsts<8> = CurveConsts {
    p: P_2_512_569,
    a: sub_small(P_2_512_569, 3),
    b: hex(
        "E8C2505DEDFC86DDC1BD0B2B6667F1DA34B82574761CB0E879BD081CFD0B6265\
         EE3CB090F30D27614CB4574010DA90DD862EF9D4EBEE4761503190785A71C760",
    ),
    q: hex(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\
         27E69532F48D89116FF22B8D4E0560609B4B38ABFAD2B85DCACDB1411F10B275",
    ),
    x: hex("3"),
    y: hex(
        "7503CFE87A836AE3A61B8816E25450E6CE5E1C93ACF1ABC1778064FDCBEFA921\
         DF1626BE4FD036E93D75E6A50E3A41E98028FE5FC235F5B889A589CB5215F2A4",
    ),
    cofactor: 1,
    reduction: Reduction::PseudoMersenne,
    a_is_minus_3: true,
};

const P_512_B: [u64; 8] = hex(
    "8000000000000000000000000000000000000000000000000000000000000000\
     000000000000000000000000000000000000000000000000000000000000006F",
);

/// id-tc26-gost-3410-2012-512-paramSetB, RFC 7836 App. A.1 (m = q).
pub(crate) const GOST_512_B: CurveConsts<8> = CurveConsts {
    p: P_512_B,
    a: sub_small(P_512_B, 3),
    b: hex(
        "687D1B459DC841457E3E06CF6F5E2517B97C7D614AF138BCBF85DC806C4B289F\
         3E965D2DB1416D217F8B276FAD1AB69C50F78BEE1FA3106EFB8CCBC7C5140116",
    ),
    q: hex(
        "8000000000000000000000000000000000000000000000000000000000000001\
         49A1EC142565A545ACFDB77BD9D40CFA8B996712101BEA0EC6346C54374F25BD",
    ),
    x: hex("2"),
    y: hex(
        "1A8F7EDA389B094C2C071E3647A8940F3C123B697578C213BE6DD9E6C8EC7335\
         DCB228FD1EDF4A39152CBCAAF8C0398828041055F94CEEEC7E21340780FE41BD",
    ),
    cofactor: 1,
    reduction: Reduction::Montgomery,
    a_is_minus_3: true,
};

/// id-tc26-gost-3410-2012-512-paramSetC, RFC 7836 App. A.1 (Weierstrass form, m = 4q).
pub(crate) const GOST_512_C: CurveConsts<8> = CurveConsts {
    p: P_2_512_569,
    a: hex(
        "DC9203E514A721875485A529D2C722FB187BC8980EB866644DE41C68E1430645\
         46E861C0E2C9EDD92ADE71F46FCF50FF2AD97F951FDA9F2A2EB6546F39689BD3",
    ),
    b: hex(
        "B4C4EE28CEBC6C2C8AC12952CF37F16AC7EFB6A9F69F4B57FFDA2E4F0DE5ADE0\
         38CBC2FFF719D2C18DE0284B8BFEF3B52B8CC7A5F5BF0A3C8D2319A5312557E1",
    ),
    q: hex(
        "3FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\
         C98CDBA46506AB004C33A9FF5147502CC8EDA9E7A769A12694623CEF47F023ED",
    ),
    x: hex(
        "E2E31EDFC23DE7BDEBE241CE593EF5DE2295B7A9CBAEF021D385F7074CEA043A\
         A27272A7AE602BF2A7B9033DB9ED3610C6FB85487EAE97AAC5BC7928C1950148",
    ),
    y: hex(
        "F5CE40D95B5EB899ABBCCFF5911CB8577939804D6527378B8C108C3D2090FF9B\
         E18E2D33E3021ED2EF32D85822423B6304F726AA854BAE07D0396E9A9ADDC40F",
    ),
    cofactor: 4,
    reduction: Reduction::PseudoMersenne,
    a_is_minus_3: false,
};

/// tc26-512-paramSetC in twisted Edwards form, RFC 7836 App. A.1.
pub(crate) const GOST_512_C_EDWARDS: EdwardsConsts<8> = EdwardsConsts {
    e: hex("1"),
    d: hex(
        "9E4F5D8C017D8D9F13A5CF3CDF5BFE4DAB402D54198E31EBDE28A0621050439C\
         A6B39E0A515C06B304E2CE43E79E369E91A0CFC2BC2A22B4CA302DBB33EE7550",
    ),
    u: hex("12"),
    v: hex(
        "469AF79D1FB1F5E16B99592B77A01E2A0FDFB0D01794368D9A56117F7B386695\
         22DD4B650CF789EEBF068C5D139732F0905622C04B2BAAE7600303EE73001A3D",
    ),
};
