//! The RSA side of GENERATE KEY (46), PSO: COMPUTE DIGITAL SIGNATURE (2A 9E 9A), PSO: DECIPHER
//! (2A 80 86) and key import (24 01 00), for key objects of class 23/33 (`rutoken-ecp-apdu.md`
//! §3, §4; layouts and byte orders in [`crate::token::rsa`]). The card does raw RSA only: OpenSC
//! pads and unpads on the host (`card-rtecp.c` registers `SC_ALGORITHM_RSA_RAW | PAD_NONE`).

use crate::token::Token;
use crate::token::access::Op;
use crate::token::fs::{Body, Node, PRIVATE_KEY_DF, PUBLIC_KEY_DF};
use crate::token::key::{CLASS_RSA_PRIVATE, CLASS_RSA_PUBLIC};
use crate::token::operand::Decipher;
use crate::token::rsa::{self, RsaPrivate};
use crate::token::secret::Secret;
use crate::token::status::{self, CardResult};
use rutoken_apdu::StatusWord;

impl Token {
    /// The private key object `…/6002/00kk`, any algorithm (MSE only checks that it exists).
    pub(crate) fn private_key_node(&self, reference: u8) -> CardResult<&Node> {
        let node = self
            .system_object(&PRIVATE_KEY_DF, u16::from(reference))
            .ok_or(StatusWord::REF_NOT_FOUND)?;
        match &node.body {
            Body::Key(key) if key.is_private() => Ok(node),
            _ => Err(StatusWord::REF_NOT_FOUND),
        }
    }

    /// True when `…/6002/00kk` is an RSA key object.
    pub(crate) fn is_rsa_reference(&self, reference: u8) -> bool {
        matches!(
            self.private_key_node(reference).map(|n| &n.body),
            Ok(Body::Key(key)) if key.is_rsa()
        )
    }

    /// The modulus size of an RSA key object, from its size (6985 when it matches none of the
    /// profile's sizes, which CREATE FILE already refused).
    fn rsa_bits(&self, node: &Node) -> CardResult<u16> {
        let allowed = &self.profile.rsa_modulus_bits;
        match &node.body {
            Body::Key(key) if key.class == CLASS_RSA_PRIVATE => {
                rsa::bits_of_private(node.size, allowed)
            }
            Body::Key(key) if key.class == CLASS_RSA_PUBLIC => {
                rsa::bits_of_public(node.size, allowed)
            }
            _ => None,
        }
        .ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)
    }

    /// CREATE FILE of an RSA key object: its size must be that of one of the profile's modulus
    /// sizes (`pkcs15-rtecp.c` sizes: private n/16·5+8, public n/16·3), else 6A80.
    pub(crate) fn check_rsa_object_size(&self, class: u8, size: u16) -> CardResult<()> {
        let allowed = &self.profile.rsa_modulus_bits;
        let bits = if class == CLASS_RSA_PRIVATE {
            rsa::bits_of_private(size, allowed)
        } else {
            rsa::bits_of_public(size, allowed)
        };
        bits.map(|_| ()).ok_or(StatusWord::WRONG_DATA)
    }

    /// GENERATE KEY `00 46 80 kk [A6 06 94 04 e]` for an RSA pair: fills `…/6002/00kk` and
    /// `…/6001/00kk` (created before, same size class) and answers the modulus little-endian.
    pub(crate) fn generate_rsa(
        &mut self,
        reference: u8,
        data: &[u8],
        le: Option<usize>,
        out: &mut Vec<u8>,
    ) -> CardResult {
        let e = rsa::requested_exponent(data)?;
        let node = self.private_key_node(reference)?;
        if !self.acl_ok(&node.sec, Op::Bit1) {
            return Err(StatusWord::SECURITY_NOT_SATISFIED);
        }
        let bits = self.rsa_bits(node)?;
        let public = self
            .system_object(&PUBLIC_KEY_DF, u16::from(reference))
            .ok_or(StatusWord::REF_NOT_FOUND)?;
        if !matches!(&public.body, Body::Key(k) if k.class == CLASS_RSA_PUBLIC)
            || self.rsa_bits(public)? != bits
        {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        let modulus_len = usize::from(bits / 8);
        if matches!(le, Some(le) if le < modulus_len) {
            // 6Cxx with xx = 00 for 256 bytes (ISO 7816-3 §12.1.3: Le 00 is 256).
            return Err(status::wrong_le(modulus_len));
        }
        let key = RsaPrivate::generate(self.rng(), bits, e)?;
        let modulus = key.modulus_le()?;
        let public = key.public_object()?;
        self.set_key_material(&PRIVATE_KEY_DF, reference, key.to_object()?)?;
        self.set_key_material(&PUBLIC_KEY_DF, reference, Secret::new(public))?;
        out.extend_from_slice(&modulus);
        Ok(StatusWord::OK)
    }

    /// PSO: COMPUTE DIGITAL SIGNATURE or PSO: DECIPHER with the RSA key the MSE chose (B6 or
    /// B8), under its "use" condition: the raw private operation on the command data (a
    /// little-endian integer below n, as `rtecp_cipher` sends it), answered as n/8 bytes
    /// little-endian.
    pub(crate) fn rsa_private_operation(
        &mut self,
        input: &[u8],
        le: Option<usize>,
        out: &mut Vec<u8>,
        reference: u8,
    ) -> CardResult {
        let node = self.private_key_node(reference)?;
        if !matches!(&node.body, Body::Key(k) if k.is_rsa()) {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        }
        if !self.acl_ok(&node.sec, Op::Bit2) {
            return Err(StatusWord::SECURITY_NOT_SATISFIED);
        }
        let bits = self.rsa_bits(node)?;
        let Body::Key(key) = &node.body else {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        };
        let material = key
            .material
            .as_ref()
            .ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)?
            .clone();
        let modulus_len = usize::from(bits / 8);
        if matches!(le, Some(le) if le < modulus_len) {
            return Err(status::wrong_le(modulus_len));
        }
        // An empty input or one longer than n/8 bytes: `private_op` answers 6700.
        let private = RsaPrivate::from_object(material.expose(), bits)
            .map_err(|_| StatusWord::CONDITIONS_NOT_SATISFIED)?;
        let result = private.private_op(input, self.rng())?;
        out.extend_from_slice(&result);
        Ok(StatusWord::OK)
    }

    /// PSO: DECIPHER `00 2A 80 86` (RSA only; a GOST key is 6A81): the ciphertext arrives
    /// byte-reversed without a padding-indicator byte, 256-byte inputs chained (`rtecp_cipher`).
    pub(crate) fn decipher(&mut self, decipher: Decipher<'_>, out: &mut Vec<u8>) -> CardResult {
        let reference = self
            .session
            .se_decipher_key
            .ok_or(StatusWord::CONDITIONS_NOT_SATISFIED)?;
        if !self.is_rsa_reference(reference) {
            return Err(StatusWord::FUNC_NOT_SUPPORTED);
        }
        self.rsa_private_operation(decipher.input, decipher.le, out, reference)
    }

    /// CHANGE REFERENCE DATA P2=00 into the current RSA key object under its update condition
    /// (`rtecp_store_key`): a private object takes `p ‖ 0⁴ ‖ q ‖ 0⁴ ‖ iqmp ‖ dmp1 ‖ dmq1`, a public
    /// one `n ‖ e`, all little-endian; inconsistent values are 6A80, a wrong length 6700.
    pub(crate) fn import_rsa(&mut self, value: &[u8]) -> CardResult {
        let node = self
            .current_file()
            .map_err(|_| StatusWord::CONDITIONS_NOT_SATISFIED)?;
        let Body::Key(key) = &node.body else {
            return Err(StatusWord::CONDITIONS_NOT_SATISFIED);
        };
        if !self.acl_ok(&node.sec, Op::Bit1) {
            return Err(StatusWord::SECURITY_NOT_SATISFIED);
        }
        let bits = self.rsa_bits(node)?;
        if key.is_private() {
            RsaPrivate::from_object(value, bits)?;
        } else {
            rsa::check_public_object(value, bits)?;
        }
        if let Body::Key(key) = &mut self.current_file_mut()?.body {
            key.material = Some(Secret::new(value.to_vec()));
        }
        Ok(StatusWord::OK)
    }

    /// True when the current file is an RSA key object (key import goes to [`Self::import_rsa`]).
    pub(crate) fn current_is_rsa_key(&self) -> bool {
        matches!(self.current_file().map(|n| &n.body), Ok(Body::Key(k)) if k.is_rsa())
    }
}
