//! Key pairs: the two RSFs, GENERATE KEY, their PKCS#15 entries, and deletion
//! (`rutoken-ecp-apdu.md` §3-§5).

use rutoken_apdu::Command;

use crate::Client;
use crate::error::ClientError;
use crate::layout::{self, pkcs15};
use crate::transport::Transport;

/// A key pair the client generated (or found with its public key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPair {
    /// `kk` of `…/6002/00kk`.
    pub reference: u8,
    /// The PKCS#15 ID shared with its certificate ([`pkcs15::object_id`]).
    pub id: Vec<u8>,
    /// The parameter set.
    pub param_set: gost::ParamSet,
    /// `LE(x) ‖ LE(y)`, as GENERATE KEY answers it.
    pub public_key: Vec<u8>,
}

impl KeyPair {
    /// The public key as a `gost` key.
    pub fn verifying_key(&self) -> Result<gost::VerifyingKey, ClientError> {
        gost::VerifyingKey::from_le_bytes(self.param_set, &self.public_key)
            .map_err(ClientError::BadPublicKey)
    }
}

impl<T: Transport> Client<T> {
    /// The lowest key reference whose private RSF does not exist.
    pub fn free_key_reference(&mut self) -> Result<u8, ClientError> {
        for kk in 1..=layout::MAX_KEY_REFERENCE {
            if self.select_path(&layout::private_key_path(kk))?.is_none() {
                return Ok(kk);
            }
        }
        Err(ClientError::NoFreeKeySlot {
            max: layout::MAX_KEY_REFERENCE,
        })
    }

    /// Whether the private RSF of key `kk` exists.
    pub fn key_present(&mut self, kk: u8) -> Result<bool, ClientError> {
        Ok(self.select_path(&layout::private_key_path(kk))?.is_some())
    }

    /// Creates both RSFs of key `kk` while `5000` is current (the token files them by class,
    /// §4 CREATE FILE).
    fn create_key_objects(
        &mut self,
        kk: u8,
        algorithm: gost::KeyAlgorithm,
        param_set: gost::ParamSet,
    ) -> Result<(), ClientError> {
        let (private_size, public_size) = layout::key_sizes(param_set)?;
        let name = layout::key_code_name(algorithm, param_set);
        let code = *self
            .config()
            .key_codes
            .get(&name)
            .ok_or(ClientError::NoKeyCode { name })?;
        self.select_path(&[layout::PKCS15_APP])?;
        self.create_file(&layout::rsf_fcp(
            kk,
            private_size,
            &layout::key_attribute(code, false),
            &layout::PRIVATE_SEC_ATTR,
        )?)?;
        self.create_file(&layout::rsf_fcp(
            kk,
            public_size,
            &layout::key_attribute(code, true),
            &layout::PUBLIC_SEC_ATTR,
        )?)
    }

    /// Generates a key pair in the first free key reference: the two RSFs, `GENERATE KEY
    /// 00 46 80 kk 00`, then (on a token with a PKCS#15 application) the public key EF and the
    /// PrKDF and PuKDF entries, all under the ID OpenSC would give the pair.
    pub fn generate_key_pair(
        &mut self,
        param_set: gost::ParamSet,
        label: &str,
    ) -> Result<KeyPair, ClientError> {
        self.generate_key_pair_of(
            gost::KeyAlgorithm::gost2012_for(param_set),
            param_set,
            label,
        )
    }

    /// [`Client::generate_key_pair`] for any GOST algorithm: a GOST R 34.10-2001 key
    /// (`KeyAlgorithm::Gost2001` on a CryptoPro curve, `cryptopro-a|b|c`) takes the profile's
    /// `gost2001-*` attribute-85 code (OpenSC's 20/30/40, trace 11_kpg2001); its RSFs, public
    /// key (64 bytes) and PKCS#15 entries are laid out like a 2012-256 key's, the parameter
    /// number counting the CryptoPro letter. The token hashes for it with GOST R 34.11-94.
    pub fn generate_key_pair_of(
        &mut self,
        algorithm: gost::KeyAlgorithm,
        param_set: gost::ParamSet,
        label: &str,
    ) -> Result<KeyPair, ClientError> {
        self.generate_key_pair_for(algorithm, param_set, label, false)
    }

    /// [`Client::generate_key_pair_of`]; `derive` marks the pair for key agreement too (its
    /// PrKDF usage gains `derive`; every GOST key on the token can do VKO either way).
    pub fn generate_key_pair_for(
        &mut self,
        algorithm: gost::KeyAlgorithm,
        param_set: gost::ParamSet,
        label: &str,
        derive: bool,
    ) -> Result<KeyPair, ClientError> {
        if algorithm == gost::KeyAlgorithm::Gost2001
            && layout::cryptopro_letter(param_set).is_none()
        {
            return Err(ClientError::NoKeyCode {
                name: format!("gost2001-{}", param_set.name()),
            });
        }
        let kk = self.free_key_reference()?;
        self.create_key_objects(kk, algorithm, param_set)?;
        let (_, public_size) = layout::key_sizes(param_set)?;
        let public_key =
            self.send_ok("GENERATE KEY", &Command::new(0x00, 0x46, 0x80, kk).le(256))?;
        if public_key.len() != usize::from(public_size) {
            return Err(ClientError::WrongAnswerLength {
                operation: "GENERATE KEY",
                expected: usize::from(public_size),
                actual: public_key.len(),
            });
        }
        let id = pkcs15::object_id(&public_key)
            .map_err(ClientError::Encoding)?
            .to_vec();
        let pair = KeyPair {
            reference: kk,
            id,
            param_set,
            public_key,
        };
        self.register_key_pair(&pair, algorithm, label, derive)?;
        Ok(pair)
    }

    /// Writes the public key EF and the PrKDF and PuKDF entries of a key pair; a token with no
    /// PKCS#15 application (no ODF) is left alone.
    fn register_key_pair(
        &mut self,
        pair: &KeyPair,
        algorithm: gost::KeyAlgorithm,
        label: &str,
        derive: bool,
    ) -> Result<(), ClientError> {
        if self.read_file(&layout::app_path(layout::ODF))?.is_none() {
            return Ok(());
        }
        let fid = self.free_app_fid("public key", layout::FIRST_PUBLIC_KEY_FID)?;
        let content = pkcs15::public_key_file(&pair.public_key).map_err(ClientError::Encoding)?;
        self.create_app_file(fid, &content, "a public key", &mut |_, _| Ok(true))?;
        let public = pkcs15::public_key_entry(
            label,
            &pair.id,
            &layout::absolute_path_bytes(&layout::app_path(fid)),
            algorithm,
            pair.param_set,
        )
        .map_err(ClientError::Encoding)?;
        self.append_to_directory(pkcs15::ODF_PUBLIC_KEYS, &public)?;
        let private = pkcs15::private_key_entry(
            label,
            &pair.id,
            pair.reference,
            &layout::absolute_path_bytes(&layout::private_key_path(pair.reference)),
            algorithm,
            pair.param_set,
            derive,
        )
        .map_err(ClientError::Encoding)?;
        self.append_to_directory(pkcs15::ODF_PRIVATE_KEYS, &private)
    }

    /// Deletes both RSFs of key `kk` (§6 list 11: select, then `DELETE FILE` in its DF), then
    /// its PrKDF and PuKDF entries and public key EF. A missing RSF is not an error (a
    /// half-created pair is cleaned up too). Certificates stay.
    pub fn delete_key_pair(&mut self, kk: u8) -> Result<(), ClientError> {
        for df in [layout::PUBLIC_KEY_DF, layout::PRIVATE_KEY_DF] {
            if self.select_path(&df)?.is_none() {
                continue;
            }
            self.delete_file(u16::from(kk))?;
        }
        let private_path = layout::private_key_path(kk);
        let removed = self.remove_from_directory(pkcs15::ODF_PRIVATE_KEYS, &|e| {
            e.key_reference == Some(kk) || layout::path_from_bytes(&e.path) == private_path
        })?;
        for entry in removed {
            if entry.id.is_empty() {
                continue;
            }
            let public =
                self.remove_from_directory(pkcs15::ODF_PUBLIC_KEYS, &|e| e.id == entry.id)?;
            for p in public {
                self.delete_app_file(&layout::path_from_bytes(&p.path))?;
            }
        }
        Ok(())
    }
}
