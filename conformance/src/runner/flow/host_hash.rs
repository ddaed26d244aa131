//! `sign_hash` over APDUs: the host hashes, `MSE SET` and `PSO: COMPUTE DIGITAL SIGNATURE` with
//! the digest behind the SafeTouch's hash-only screen, the signature verified on the host.

use rutoken_client::driver::PressPlan;

use crate::scenario::step::{SignHash, SignOutcome};

use super::reissue::refusal_outcome;
use super::{Flow, KeyState, StepFailure, StepResult, fail};
use crate::runner::certificate;

impl Flow<'_, '_> {
    /// Runs `sign_hash`.
    pub(super) fn sign_hash(&mut self, h: &SignHash) -> StepResult {
        let key = self.key(&h.key)?;
        let text = self.expand(&h.text)?;
        let (algorithm, public) = verifier(&key, self.current_certificate.as_deref())?;
        let digest = algorithm.digest().digest(text.as_bytes());
        let plan = PressPlan {
            press: crate::session::press(h.press),
            expected_screen: Vec::new(),
        };
        let result = self
            .driver()
            .sign_digest(&key.token_key(), &digest, Some(&plan));
        self.client.collect_screens();
        let Some(signature) = refusal_outcome(result, &h.expect)? else {
            return Ok(());
        };
        check_signature(&h.expect, &public, &digest, &signature)
    }
}

/// The key algorithm and public key a `sign_hash` signature verifies under: a generated key's
/// own, or for `current` the current certificate's.
pub fn verifier(
    key: &KeyState,
    current_certificate: Option<&[u8]>,
) -> Result<(gost::KeyAlgorithm, gost::VerifyingKey), StepFailure> {
    if let (Some(alg), Some(set), Some(q)) =
        (key.algorithm, key.param_set.as_deref(), &key.public_key)
    {
        let set = super::param_set(alg, set).map_err(|e| fail("a GOST parameter set", e))?;
        let public =
            gost::VerifyingKey::from_le_bytes(set, q).map_err(|e| fail("a GOST public key", e))?;
        return Ok((super::key_algorithm(alg, set), public));
    }
    let der = current_certificate
        .ok_or_else(|| fail("a certificate for the key (attach first)", "none"))?;
    let info = certificate::parse(der).ok_or_else(|| fail("a certificate", "unparsable DER"))?;
    gost::spki::from_spki_der(&info.spki_der).map_err(|e| fail("a GOST public key", e))
}

/// A signature the step got must verify over the digest (whatever `expect` says: a
/// signature that does not verify is never what a scenario wants).
pub fn check_signature(
    expect: &SignOutcome,
    public: &gost::VerifyingKey,
    digest: &[u8],
    signature: &gost::Signature,
) -> StepResult {
    public.verify_digest(digest, signature).map_err(|e| {
        fail(
            format!("{expect} verifying under the key's public key"),
            format!("a signature that does not verify: {e}"),
        )
    })
}
