//! The fields of the security commands: MANAGE SECURITY ENVIRONMENT, the PSOs, GENERAL
//! AUTHENTICATE and GENERATE (ISO 7816-4 §11.5, ISO 7816-8 §5).

#![deny(clippy::indexing_slicing)]

use rutoken_apdu::StatusWord;
use rutoken_apdu::codec::Reader;
use rutoken_apdu::tlv;

use super::check::expect_no_data;
use crate::token::status::CardResult;

// ---- MANAGE SECURITY ENVIRONMENT ----------------------------------------------------------

/// What an asymmetric key is chosen for (MSE SET P2).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum KeyUse {
    /// `B6` (DST): PSO: COMPUTE DIGITAL SIGNATURE and PSO: HASH.
    Sign,
    /// `B8` (CT) with a private key: PSO: DECIPHER (RSA).
    Decipher,
}

/// Which symmetric template an MSE SET carries (P2).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SymmetricTemplate {
    /// `A6` (KAT): a VKO key agreement.
    Agreement,
    /// `B4` (CCT): the MAC.
    Checksum,
    /// `B8` (CT) naming a secret key (tag 83): encipher and decipher.
    Cipher,
}

/// The pieces of a symmetric control reference template (ISO 7816-4 §11.5.11).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Crt {
    /// 80: the algorithm reference (the profile's `symmetric_algorithm_refs`).
    pub algorithm: u8,
    /// 83: a secret key reference.
    pub secret: Option<u8>,
    /// 84: a private key reference.
    pub private: Option<u8>,
    /// 87: the IV or UKM.
    pub iv: Option<[u8; 8]>,
}

/// The TLVs of a symmetric CRT, the algorithm still optional: an unknown tag, a reference
/// that is not one byte or an IV that is not eight is 6A80.
fn parse_crt(data: &[u8]) -> CardResult<(Option<u8>, Crt)> {
    let mut crt = Crt {
        algorithm: 0,
        secret: None,
        private: None,
        iv: None,
    };
    let mut algorithm = None;
    let mut r = Reader::new(data);
    while r.any_left() {
        let t = tlv::read(&mut r, "control reference").map_err(|_| StatusWord::WRONG_DATA)?;
        match (t.tag, t.value) {
            (0x80, [a]) => algorithm = Some(*a),
            (0x83, [k]) => crt.secret = Some(*k),
            (0x84, [k]) => crt.private = Some(*k),
            (0x87, iv) => crt.iv = Some(iv.try_into().map_err(|_| StatusWord::WRONG_DATA)?),
            _ => return Err(StatusWord::WRONG_DATA),
        }
    }
    Ok((algorithm, crt))
}

/// MANAGE SECURITY ENVIRONMENT `22` SET (ISO 7816-4 §11.5.11).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ManageSecurityEnvironment {
    /// `41 B6|B8 … 84 01 kk`: a private key for signing or deciphering.
    Asymmetric {
        /// Signing or deciphering.
        usage: KeyUse,
        /// Tag 84: the key reference.
        key_ref: u8,
    },
    /// A GOST 28147-89 or VKO environment (`commands/symmetric.rs`).
    Symmetric {
        /// KAT, CCT or CT.
        template: SymmetricTemplate,
        /// Its references, algorithm and IV.
        crt: Crt,
    },
}

impl ManageSecurityEnvironment {
    /// A CCT (`B4`), a KAT (`A6`), or a CT whose CRT names a secret key (tag 83) is symmetric:
    /// P1 41, 81 or C1 (6A86), the CRT (6A80) with an algorithm (6A80). Any other is
    /// asymmetric: `41 B6|B8` (6A86), a CRT of tag 84 (one byte, the key) and tags 80, 81, 83
    /// accepted and ignored (6A80), the key present (6A80).
    pub fn decode(p1: u8, p2: u8, data: &[u8]) -> CardResult<ManageSecurityEnvironment> {
        let template = match p2 {
            0xA6 => Some(SymmetricTemplate::Agreement),
            0xB4 => Some(SymmetricTemplate::Checksum),
            0xB8 if parse_crt(data).is_ok_and(|(_, c)| c.secret.is_some()) => {
                Some(SymmetricTemplate::Cipher)
            }
            _ => None,
        };
        if let Some(template) = template {
            if !matches!(p1, 0x41 | 0x81 | 0xC1) {
                return Err(StatusWord::WRONG_P1P2);
            }
            let (algorithm, crt) = parse_crt(data)?;
            let algorithm = algorithm.ok_or(StatusWord::WRONG_DATA)?;
            return Ok(ManageSecurityEnvironment::Symmetric {
                template,
                crt: Crt { algorithm, ..crt },
            });
        }
        let usage = match (p1, p2) {
            (0x41, 0xB6) => KeyUse::Sign,
            (0x41, 0xB8) => KeyUse::Decipher,
            _ => return Err(StatusWord::WRONG_P1P2),
        };
        let mut r = Reader::new(data);
        let mut key_ref = None;
        while r.any_left() {
            let t = tlv::read(&mut r, "control reference").map_err(|_| StatusWord::WRONG_DATA)?;
            match (t.tag, t.value) {
                (0x84, [kk]) => key_ref = Some(*kk),
                (0x80 | 0x81 | 0x83, _) => {}
                _ => return Err(StatusWord::WRONG_DATA),
            }
        }
        Ok(ManageSecurityEnvironment::Asymmetric {
            usage,
            key_ref: key_ref.ok_or(StatusWord::WRONG_DATA)?,
        })
    }
}

// ---- PERFORM SECURITY OPERATION, GENERAL AUTHENTICATE, GENERATE ---------------------------

/// PSO: COMPUTE DIGITAL SIGNATURE `2A 9E 9A` (ISO 7816-8 §5.4).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Signature<'a> {
    /// The digest (GOST, as given) or the integer (RSA); `None`: the last PSO: HASH result.
    pub input: Option<&'a [u8]>,
    /// Le, when present.
    pub le: Option<usize>,
}

impl<'a> Signature<'a> {
    /// Nothing to check: the row names P1-P2, the key decides the lengths.
    pub fn decode(data: &'a [u8], le: Option<usize>) -> Signature<'a> {
        Signature {
            input: (!data.is_empty()).then_some(data),
            le,
        }
    }
}

/// PSO: DECIPHER `2A 80 86` (ISO 7816-8 §5.9) with an RSA key.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Decipher<'a> {
    /// The ciphertext, little-endian.
    pub input: &'a [u8],
    /// Le, when present.
    pub le: Option<usize>,
}

/// One piece of a streamed PSO (HASH, or a GOST 28147-89 operation).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Piece<'a> {
    /// The piece's data.
    pub data: &'a [u8],
    /// True for the piece without the chaining bit: the stream ends with it.
    pub last: bool,
    /// True when Le is present (PSO: HASH answers the digest with the last piece then).
    pub le: bool,
}

impl<'a> Piece<'a> {
    /// Nothing to check: every piece is data.
    pub fn decode(data: &'a [u8], chained: bool, le: Option<usize>) -> Piece<'a> {
        Piece {
            data,
            last: !chained,
            le: le.is_some(),
        }
    }
}

/// GENERAL AUTHENTICATE `86` for VKO (ISO 7816-4 §11.5.5), in two forms (`commands/derive.rs`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum GeneralAuthenticate<'a> {
    /// P1-P2 `00 00`, after an MSE SET KAT: the KEK goes into the KAT's target object.
    IntoObject {
        /// The dynamic authentication template, read once the environment is known to be a
        /// KAT (a malformed template after another environment is 6985, not 6A80).
        template: AuthTemplate<'a>,
    },
    /// P1 the VKO's algorithm reference, P2 the private key's reference: the KEK is answered
    /// to the host (whether P1 names a VKO is the profile's business: the handler's 6A86).
    ToHost {
        /// P1: the algorithm reference.
        algorithm: u8,
        /// P2: the private key's reference.
        key_ref: u8,
        /// The dynamic authentication template.
        template: AuthTemplate<'a>,
    },
}

impl<'a> GeneralAuthenticate<'a> {
    /// P1-P2 `00 00` is the KAT form, any other the form answered to the host.
    pub fn decode(p1: u8, p2: u8, data: &'a [u8]) -> CardResult<GeneralAuthenticate<'a>> {
        let template = AuthTemplate(data);
        Ok(if (p1, p2) == (0, 0) {
            GeneralAuthenticate::IntoObject { template }
        } else {
            GeneralAuthenticate::ToHost {
                algorithm: p1,
                key_ref: p2,
                template,
            }
        })
    }
}

/// A dynamic authentication template `7C { 85 peer public key, 81 UKM [, 82 empty] }`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct AuthTemplate<'a>(&'a [u8]);

/// What a dynamic authentication template carries.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct AuthRequest<'a> {
    /// Tag 85: the peer's public key, `LE(x) ‖ LE(y)`.
    pub peer: &'a [u8],
    /// Tag 81: the UKM.
    pub ukm: &'a [u8],
    /// True when an empty tag 82 asks for the KEK in the answer.
    pub wants_kek: bool,
}

impl<'a> AuthTemplate<'a> {
    /// The peer's public key (85), the UKM (81) and whether an empty 82 asks for the answer;
    /// another tag, a missing 85 or 81, a non-empty 82, or anything but one `7C` is 6A80.
    pub fn read(self) -> CardResult<AuthRequest<'a>> {
        let template =
            tlv::parse_one(self.0, "dynamic authentication").map_err(|_| StatusWord::WRONG_DATA)?;
        if template.tag != 0x7C {
            return Err(StatusWord::WRONG_DATA);
        }
        let (mut peer, mut ukm, mut wants_kek) = (None, None, false);
        let mut r = Reader::new(template.value);
        while r.any_left() {
            let t =
                tlv::read(&mut r, "dynamic authentication").map_err(|_| StatusWord::WRONG_DATA)?;
            match (t.tag, t.value.is_empty()) {
                (0x85, _) => peer = Some(t.value),
                (0x81, _) => ukm = Some(t.value),
                (0x82, true) => wants_kek = true,
                _ => return Err(StatusWord::WRONG_DATA),
            }
        }
        let (peer, ukm) = peer.zip(ukm).ok_or(StatusWord::WRONG_DATA)?;
        Ok(AuthRequest {
            peer,
            ukm,
            wants_kek,
        })
    }
}

/// GENERATE `46` (ISO 7816-8 §5.1).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum GenerateKey<'a> {
    /// `46 80 kk`: a key pair into `…/6002/00kk` and `…/6001/00kk`.
    Pair {
        /// The key reference.
        reference: u8,
        /// An RSA key's `A6 06 94 04 e` (the exponent); a GOST key takes none. Which it is,
        /// the key object says, so it is read by the handler.
        data: &'a [u8],
        /// Le, when present.
        le: Option<usize>,
    },
    /// `46 81 kk`, no data: a GOST 28147-89 key into `…/6003/00kk`.
    Secret {
        /// The secret key's reference.
        reference: u8,
    },
}

impl<'a> GenerateKey<'a> {
    /// P1 81 with no data (6700), or P1 80 (any other P1 is 6A86).
    pub fn decode(
        p1: u8,
        p2: u8,
        data: &'a [u8],
        le: Option<usize>,
    ) -> CardResult<GenerateKey<'a>> {
        match p1 {
            0x81 => {
                expect_no_data(data)?;
                Ok(GenerateKey::Secret { reference: p2 })
            }
            0x80 => Ok(GenerateKey::Pair {
                reference: p2,
                data,
                le,
            }),
            _ => Err(StatusWord::WRONG_P1P2),
        }
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn security_environments() {
        use ManageSecurityEnvironment as Mse;
        assert_eq!(
            Mse::decode(0x41, 0xB6, &[0x84, 1, 2, 0x80, 1, 0x99]),
            Ok(Mse::Asymmetric {
                usage: KeyUse::Sign,
                key_ref: 2
            })
        );
        // A CT naming a secret key is symmetric; without tag 83 it is asymmetric.
        let Ok(Mse::Symmetric { template, crt }) =
            Mse::decode(0x81, 0xB8, &[0x80, 1, 0x31, 0x83, 1, 4])
        else {
            panic!("symmetric");
        };
        assert_eq!(
            (template, crt.algorithm, crt.secret),
            (SymmetricTemplate::Cipher, 0x31, Some(4))
        );
        assert_eq!(
            Mse::decode(0x81, 0xB8, &[0x84, 1, 1]),
            Err(StatusWord::WRONG_P1P2)
        );
        assert_eq!(Mse::decode(0x41, 0xB6, &[]), Err(StatusWord::WRONG_DATA));
        assert_eq!(
            Mse::decode(0x41, 0xB6, &[0x87, 1, 1]),
            Err(StatusWord::WRONG_DATA)
        );
        assert_eq!(Mse::decode(0x00, 0xA6, &[]), Err(StatusWord::WRONG_P1P2));
        assert_eq!(
            Mse::decode(0x41, 0xA6, &[0x84, 1, 1]),
            Err(StatusWord::WRONG_DATA)
        );
        assert_eq!(
            Mse::decode(0x41, 0xB4, &[0x80, 1, 1, 0x87, 2, 0, 0]),
            Err(StatusWord::WRONG_DATA)
        );
    }

    #[test]
    fn generate_and_authenticate() {
        assert_eq!(
            GenerateKey::decode(0x81, 3, &[1], None),
            Err(StatusWord::WRONG_LENGTH)
        );
        assert_eq!(
            GenerateKey::decode(0x82, 3, &[], None),
            Err(StatusWord::WRONG_P1P2)
        );
        assert_eq!(
            GenerateKey::decode(0x81, 3, &[], None),
            Ok(GenerateKey::Secret { reference: 3 })
        );
        let t = AuthTemplate(&[0x7C, 6, 0x85, 1, 9, 0x81, 1, 7]);
        let request = AuthRequest {
            peer: &[9],
            ukm: &[7],
            wants_kek: false,
        };
        assert_eq!(t.read(), Ok(request));
        let asks = AuthTemplate(&[0x7C, 8, 0x85, 1, 9, 0x81, 1, 7, 0x82, 0]);
        let asking = AuthRequest {
            wants_kek: true,
            ..request
        };
        assert_eq!(asks.read(), Ok(asking));
        assert_eq!(
            AuthTemplate(&[0x7C, 3, 0x85, 1, 9]).read(),
            Err(StatusWord::WRONG_DATA)
        );
        assert_eq!(
            AuthTemplate(&[0x7C, 9, 0x85, 1, 9, 0x81, 1, 7, 0x82, 1, 0]).read(),
            Err(StatusWord::WRONG_DATA)
        );
        assert_eq!(
            GeneralAuthenticate::decode(0, 0, &[]),
            Ok(GeneralAuthenticate::IntoObject {
                template: AuthTemplate(&[])
            })
        );
        assert_eq!(
            GeneralAuthenticate::decode(0x12, 1, &[]),
            Ok(GeneralAuthenticate::ToHost {
                algorithm: 0x12,
                key_ref: 1,
                template: AuthTemplate(&[])
            })
        );
    }
}
