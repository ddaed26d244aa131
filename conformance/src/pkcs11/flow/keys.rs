//! Key pairs and certificates through the module: `C_GenerateKeyPair` with the GOST
//! parameters, `C_DestroyObject`, `C_CreateObject` of a certificate.

use cryptoki::object::ObjectClass;
use rutoken_cryptoki_gost::Attr;
use rutoken_cryptoki_gost::sys::*;

use crate::runner::certificate;
use crate::runner::flow::{KeyState, fail, param_set};
use crate::scenario::step::{Algorithm, InstallOutcome};

use super::super::plan::{self, CKK_GOSTR3410_512};
use super::{Halt, P11Flow, P11Key, P11Result};

impl P11Flow<'_> {
    pub(super) fn generate(&mut self, name: &str, alg: Algorithm, letter: &str) -> P11Result {
        let set = param_set(alg, letter).map_err(|e| fail("a GOST parameter set", e))?;
        // CKA_GOSTR3410_PARAMS: the CryptoPro OID for 2001 keys, the TC26 OID for 2012 ones;
        // CKA_GOSTR3411_PARAMS names the digest (2001: GOST R 34.11-94 CryptoPro, 2012:
        // Streebog), as OpenSC's pkcs11-tool sends them.
        let curve = match alg {
            Algorithm::Gost2001 => set.cryptopro_oid().unwrap_or_else(|| set.oid()),
            _ => set.oid(),
        };
        let digest = match alg {
            Algorithm::Gost2001 => HASH_2001,
            Algorithm::Gost2012_256 => HASH_2012_256,
            Algorithm::Gost2012_512 => HASH_2012_512,
        };
        let key_type = match alg {
            Algorithm::Gost2012_512 => CKK_GOSTR3410_512,
            _ => CKK_GOSTR3410,
        };
        // The label as CKA_ID; modules may give the pair their own (read back below).
        let id = name.as_bytes().to_vec();
        let common = |class: CK_OBJECT_CLASS| {
            vec![
                Attr::ulong(CKA_CLASS, class),
                Attr::ulong(CKA_KEY_TYPE, key_type),
                Attr::bool(CKA_TOKEN, true),
                Attr::bytes(CKA_ID, &id),
                Attr::bytes(CKA_LABEL, name.as_bytes()),
                Attr::bytes(CKA_GOSTR3410_PARAMS, &oid_der(&curve)),
                Attr::bytes(CKA_GOSTR3411_PARAMS, digest),
            ]
        };
        let mut public = common(CKO_PUBLIC_KEY);
        public.push(Attr::bool(CKA_VERIFY, true));
        let mut private = common(CKO_PRIVATE_KEY);
        private.extend([Attr::bool(CKA_PRIVATE, true), Attr::bool(CKA_SIGN, true)]);
        let (public_key, _) = self.token.generate(plan::keygen(alg), &public, &private)?;
        // The module may give the pair an ID of its own (ours and OpenSC's: from the public
        // key, as PKCS#15 does).
        let id = self.token.raw_bytes(public_key, CKA_ID)?;
        let mut value = self.token.raw_bytes(public_key, CKA_VALUE)?;
        // Some modules wrap the point in a DER OCTET STRING (04 40 …, 04 81 80 …).
        let len = 2 * set.scalar_len();
        if value.len() > len && value[0] == 0x04 {
            value = value[value.len() - len..].to_vec();
        }
        if value.len() != len {
            return Err(fail(
                format!("a {len}-byte public key (CKA_VALUE)"),
                format!("{} bytes", value.len()),
            )
            .into());
        }
        self.keys.insert(
            name.to_owned(),
            P11Key {
                state: KeyState {
                    reference: None,
                    id: Some(id.clone()),
                    algorithm: Some(alg),
                    param_set: Some(letter.to_owned()),
                    public_key: Some(value),
                    deleted: false,
                },
                id,
            },
        );
        Ok(())
    }

    pub(super) fn delete(&mut self, key: &P11Key) -> P11Result {
        let private = self.object(key, ObjectClass::PRIVATE_KEY)?;
        let public = self.object(key, ObjectClass::PUBLIC_KEY)?;
        if private.is_none() && public.is_none() {
            return Err(fail("the key's objects", "none with its CKA_ID").into());
        }
        if private.is_none() {
            // Not logged in the private key is invisible: the token's refusal in PKCS#11.
            return Err(Halt::Fail(
                fail("the private key object", "invisible: not logged in"),
                Some(CKR_USER_NOT_LOGGED_IN),
            ));
        }
        if let Some(private) = private {
            self.token.destroy(private)?;
        }
        // A module may delete the pair with its private key (the token's two RSFs go together).
        if public.is_some()
            && let Some(public) = self.object(key, ObjectClass::PUBLIC_KEY)?
        {
            self.token.destroy(public)?;
        }
        Ok(())
    }

    pub(super) fn install(&mut self, i: &crate::scenario::step::InstallCertificate) -> P11Result {
        let key = self.key(&i.key)?;
        let der = match i.certificate.as_str() {
            "issued" => self.issued.clone(),
            "current" => self.current_certificate.clone(),
            other => return Err(fail("certificate: issued or current", other).into()),
        }
        .ok_or_else(|| fail(format!("a certificate {:?}", i.certificate), "none"))?;
        let info =
            certificate::parse(&der).ok_or_else(|| fail("a certificate", "unparsable DER"))?;
        if key.state.public_key.as_deref() != Some(info.public_key.as_slice()) {
            return match &i.expect {
                InstallOutcome::Refused => Ok(()),
                e => Err(fail(
                    e.to_string(),
                    "refused: the certificate's public key is not the key's",
                )
                .into()),
            };
        }
        let subject = rutoken_pki::Cert::parse(&der)
            .ok()
            .and_then(|c| der::Encode::to_der(c.subject()).ok())
            .unwrap_or_default();
        let label = info.subject_cn.clone().unwrap_or_default();
        let written = self
            .token
            .create_certificate(&der, &key.id, &label, &subject);
        match (written, &i.expect) {
            (Ok(()), InstallOutcome::Installed | InstallOutcome::Sw(_)) => Ok(()),
            (Err(e), InstallOutcome::Sw(_)) => Err(e.into()),
            (Ok(()), e) => Err(fail(e.to_string(), "installed").into()),
            (Err(err), e) => Err(fail(e.to_string(), err).into()),
        }
    }
}

/// DER of an OID.
fn oid_der(oid: &const_oid::ObjectIdentifier) -> Vec<u8> {
    let body = oid.as_bytes();
    let mut der = vec![0x06, u8::try_from(body.len()).unwrap_or(0x7F)];
    der.extend_from_slice(body);
    der
}

/// `CKA_GOSTR3411_PARAMS`: id-GostR3411-94-CryptoProParamSet 1.2.643.2.2.30.1 (DER).
const HASH_2001: &[u8] = &[0x06, 0x07, 0x2A, 0x85, 0x03, 0x02, 0x02, 0x1E, 0x01];

/// id-tc26-gost3411-12-256 1.2.643.7.1.1.2.2 (DER).
const HASH_2012_256: &[u8] = &[0x06, 0x08, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x02];

/// id-tc26-gost3411-12-512 1.2.643.7.1.1.2.3 (DER).
const HASH_2012_512: &[u8] = &[0x06, 0x08, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x01, 0x02, 0x03];
