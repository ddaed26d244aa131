//! MSE SET (22), PSO: COMPUTE DIGITAL SIGNATURE (2A 9E 9A), GENERATE KEY (46) and key import
//! (24 01 00) for GOST R 34.10-2001 and -2012 (256 and 512) keys (`rutoken-ecp-apdu.md` §0 item
//! 3, §4). Byte orders: public keys `LE(x) ‖ LE(y)`, the digest is used as given (read as a
//! little-endian e), signatures `r_le ‖ s_le`.

use gost::SigningKey;
use subtle::ConstantTimeEq;

use crate::token::Token;
use crate::token::access::Op;
use crate::token::fs::{Body, PRIVATE_KEY_DF, PUBLIC_KEY_DF};
use crate::token::key::{KeyObject, KeySpec};
use crate::token::operand::{GenerateKey, ImportKey, KeyUse, ManageSecurityEnvironment, Signature};
use crate::token::secret::Secret;
use crate::token::status::{self, CardResult};
use rutoken_apdu::StatusWord;

impl Token {
    /// The private key object `…/6002/00kk` with its spec and access condition.
    pub(crate) fn private_key(
        &self,
        reference: u8,
    ) -> CardResult<(&KeyObject, KeySpec, &[u8; 15])> {
        let node = self
            .system_object(&PRIVATE_KEY_DF, u16::from(reference))
            .ok_or(StatusWord::REF_NOT_FOUND)?;
        let Body::Key(key) = &node.body else {
            return Err(StatusWord::REF_NOT_FOUND);
        };
        let spec = KeySpec::from_code(&self.profile, key.code)
            .ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)?;
        Ok((key, spec, &node.sec))
    }

    /// Implements MSE SET `00 22 41 B6|B8 … 84 01 kk`: chooses the key for signing (B6) or
    /// deciphering (B8: RSA keys; GOST keys do not decipher). A new SE drops any PSO: HASH (and
    /// any symmetric environment: the row's `before` did that).
    pub(crate) fn manage_security_environment(
        &mut self,
        mse: ManageSecurityEnvironment,
    ) -> CardResult {
        let (usage, key_ref) = match mse {
            // GOST 28147-89 and VKO environments (`symmetric.rs`).
            ManageSecurityEnvironment::Symmetric { template, crt } => {
                return self.symmetric_mse(template, crt);
            }
            ManageSecurityEnvironment::Asymmetric { usage, key_ref } => (usage, key_ref),
        };
        if !self.is_rsa_reference(key_ref) {
            self.private_key(key_ref)?;
        }
        self.session.hasher = None;
        self.session.digest = None;
        let sign = usage == KeyUse::Sign;
        self.session.se_key = sign.then_some(key_ref);
        self.session.se_decipher_key = (!sign).then_some(key_ref);
        Ok(StatusWord::OK)
    }

    /// Implements PSO: COMPUTE DIGITAL SIGNATURE `2A 9E 9A` with the MSE key under its "use"
    /// condition: over the data (a 32- or 64-byte digest, as given) or, with no data, over the
    /// last PSO: HASH result.
    pub(crate) fn compute_signature(
        &mut self,
        sign: Signature<'_>,
        out: &mut Vec<u8>,
    ) -> CardResult {
        let key_ref = self
            .session
            .se_key
            .ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)?;
        if self.is_rsa_reference(key_ref) {
            let input = sign.input.unwrap_or_default();
            return self.rsa_private_operation(input, sign.le, out, key_ref);
        }
        let (key, spec, sec) = self.private_key(key_ref)?;
        if !self.acl_ok(sec, Op::Bit2) {
            return Err(StatusWord::SECURITY_NOT_SATISFIED);
        }
        let d = key
            .material
            .as_ref()
            .ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)?
            .clone();
        let sig_len = 2 * spec.scalar_len();
        if matches!(sign.le, Some(le) if le < sig_len) {
            return Err(status::wrong_le(sig_len));
        }
        let digest = if let Some(given) = sign.input {
            if given.len() != spec.scalar_len() {
                return Err(StatusWord::WRONG_LENGTH);
            }
            given.to_vec()
        } else {
            let pending = self
                .session
                .digest
                .as_ref()
                .ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)?;
            if pending.len() != spec.scalar_len() {
                return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
            }
            self.session
                .digest
                .take()
                .ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)?
        };
        let signing = match self.session.signing_key.take() {
            Some(kept)
                if kept.param_set() == spec.param_set
                    && bool::from(kept.to_le_bytes().ct_eq(d.expose())) =>
            {
                kept
            }
            _ => SigningKey::from_le_bytes(spec.param_set, d.expose())
                .map_err(|_| StatusWord::CONDITIONS_NOT_SATISFIED)?,
        };
        let signature = signing.sign_digest(&digest, self.rng());
        self.session.signing_key = Some(signing);
        let signature = signature.map_err(|_| StatusWord::WRONG_DATA)?;
        out.extend_from_slice(&signature.to_token_bytes());
        Ok(StatusWord::OK)
    }

    /// Implements GENERATE KEY `00 46 80 kk`: fills `…/6002/00kk` and `…/6001/00kk` (created
    /// before with the same code) and answers `LE(x) ‖ LE(y)`: 64 bytes, or 128 for 512-bit sets.
    pub(crate) fn generate_key(
        &mut self,
        generate: GenerateKey<'_>,
        out: &mut Vec<u8>,
    ) -> CardResult {
        let (reference, data, le) = match generate {
            GenerateKey::Secret { reference } => return self.generate_secret_key(reference),
            GenerateKey::Pair {
                reference,
                data,
                le,
            } => (reference, data, le),
        };
        if self.is_rsa_reference(reference) {
            return self.generate_rsa(reference, data, le, out);
        }
        if !data.is_empty() {
            return Err(StatusWord::WRONG_LENGTH);
        }
        let (key, spec, sec) = self.private_key(reference)?;
        let code = key.code;
        if !self.acl_ok(sec, Op::Bit1) {
            return Err(StatusWord::SECURITY_NOT_SATISFIED);
        }
        match self
            .system_object(&PUBLIC_KEY_DF, u16::from(reference))
            .map(|n| &n.body)
        {
            Some(Body::Key(public)) if public.code == code => {}
            Some(Body::Key(_)) => return Err(StatusWord::CONDITIONS_NOT_SATISFIED),
            _ => return Err(StatusWord::REF_NOT_FOUND),
        }
        let public_len = 2 * spec.scalar_len();
        if matches!(le, Some(le) if le < public_len) {
            return Err(status::wrong_le(public_len));
        }
        let signing = SigningKey::generate(spec.param_set, self.rng())
            .map_err(|_| StatusWord::UNKNOWN_ERROR)?;
        let public = signing.verifying_key().to_le_bytes();
        let d = Secret::new(signing.to_le_bytes().to_vec());
        self.set_key_material(&PRIVATE_KEY_DF, reference, d)?;
        self.set_key_material(&PUBLIC_KEY_DF, reference, Secret::new(public.clone()))?;
        out.extend_from_slice(&public);
        self.session.signing_key = Some(signing);
        Ok(StatusWord::OK)
    }

    /// Puts key material (GOST or RSA) into the key object `reference` of `df`.
    pub(super) fn set_key_material(
        &mut self,
        df: &[u16],
        reference: u8,
        material: Secret,
    ) -> CardResult<()> {
        match self
            .system_object_mut(df, u16::from(reference))
            .map(|n| &mut n.body)
        {
            Some(Body::Key(key)) => {
                key.material = Some(material);
                Ok(())
            }
            _ => Err(StatusWord::REF_NOT_FOUND),
        }
    }

    /// Implements key import, CHANGE REFERENCE DATA `24 01 00 [80 02 len] A5 len d`: writes d
    /// (little-endian) into the current private key object under its update condition; a d out
    /// of range is 6A80. An RSA key object takes its own layouts ([`Token::import_rsa`]).
    pub(crate) fn import_key(&mut self, import: ImportKey<'_>) -> CardResult {
        let d = import.value.join();
        if self.current_is_rsa_key() {
            return self.import_rsa(&d);
        }
        if self.current_is_secret_key() {
            return self.import_secret_key(&d);
        }
        let node = self
            .current_file()
            .map_err(|_| StatusWord::CONDITIONS_NOT_SATISFIED)?;
        let Body::Key(key) = &node.body else {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        };
        if !key.is_private() {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        let spec = KeySpec::from_code(&self.profile, key.code)
            .ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)?;
        if !self.acl_ok(&node.sec, Op::Bit1) {
            return Err(StatusWord::SECURITY_NOT_SATISFIED);
        }
        if d.len() != spec.scalar_len() {
            return Err(StatusWord::WRONG_LENGTH);
        }
        SigningKey::from_le_bytes(spec.param_set, &d).map_err(|_| StatusWord::WRONG_DATA)?;
        if let Body::Key(key) = &mut self.current_file_mut()?.body {
            key.material = Some(Secret::new(d.to_vec()));
        }
        Ok(StatusWord::OK)
    }
}
