//! Signing with a key on the token: a host-computed digest, or a document hashed on the token
//! behind the SafeTouch (`MSE SET`, `PSO: HASH` chained, `PSO: COMPUTE DIGITAL SIGNATURE`;
//! safetouch.md "What it shows"), and the PKCS#10 signed that way.

use rutoken_apdu::{Command, StatusWord};
use rutoken_pki::RequestInfo;
use rutoken_pki::ext::RequestedExtensions;

use crate::error::{ClientError, Missing};
use crate::keys::KeyPair;
use crate::layout;
use crate::transport::Transport;
use crate::{Client, unexpected};

/// Max data per chained PSO: HASH piece (max_send_size 255, `rutoken-ecp-apdu.md` §2).
pub const HASH_PIECE: usize = 255;

/// Runs between the last data command and the signing command (where a scenario arranges the
/// SafeTouch press it wants).
pub type BeforeSigning<'a, T> = dyn FnMut(&mut T) -> Result<(), ClientError> + 'a;

impl<T: Transport> Client<T> {
    /// `SELECT …/6002/00kk` and `MSE SET 00 22 41 B6 03 84 01 kk` (§4 MSE SET).
    fn set_signing_key(&mut self, kk: u8) -> Result<(), ClientError> {
        self.select_path(&layout::private_key_path(kk))?
            .ok_or(ClientError::NotFound {
                what: Missing::PrivateKey,
            })?;
        self.send_ok(
            "MSE SET",
            &Command::new(0x00, 0x22, 0x41, 0xB6).data(vec![0x84, 0x01, kk]),
        )
        .map(|_| ())
    }

    /// `PSO: CDS 00 2A 9E 9A [data] 00`: the signature `r_le ‖ s_le`, or the SafeTouch's
    /// refusal as a typed error.
    fn compute_signature(&mut self, data: Vec<u8>) -> Result<Vec<u8>, ClientError> {
        let mut cmd = Command::new(0x00, 0x2A, 0x9E, 0x9A).le(256);
        cmd.data = data;
        let r = self.send(&cmd)?;
        if r.is_ok() {
            return if r.data.is_empty() {
                Err(ClientError::WrongAnswerLength {
                    operation: "PSO: COMPUTE DIGITAL SIGNATURE",
                    expected: 64,
                    actual: 0,
                })
            } else {
                Ok(r.data)
            };
        }
        Err(self
            .refusal(r.sw)
            .unwrap_or_else(|| unexpected("PSO: COMPUTE DIGITAL SIGNATURE", r.sw)))
    }

    /// The error for a SafeTouch refusal word, if `sw` is one (device profile words).
    pub fn refusal(&self, sw: StatusWord) -> Option<ClientError> {
        let words = self.config().safetouch;
        match (sw == words.reject, sw == words.timeout) {
            (true, true) => Some(ClientError::RefusedOnDevice { sw }),
            (true, false) => Some(ClientError::RejectedOnDevice { sw }),
            (false, true) => Some(ClientError::TimedOutOnDevice { sw }),
            (false, false) => None,
        }
    }

    /// Signs a digest computed on the host (wire order) with key `kk`: MSE SET, then PSO: CDS
    /// with the digest (§4). Returns `r_le ‖ s_le`.
    pub fn sign_digest(&mut self, kk: u8, digest: &[u8]) -> Result<Vec<u8>, ClientError> {
        self.set_signing_key(kk)?;
        self.compute_signature(digest.to_vec())
    }

    /// Signs `data` with key `kk`, hashed on the token so the SafeTouch shows it. Returns
    /// `r_le ‖ s_le`; Reject and the time-out are [`ClientError::RejectedOnDevice`],
    /// [`ClientError::TimedOutOnDevice`] or [`ClientError::RefusedOnDevice`].
    pub fn sign_document(&mut self, kk: u8, data: &[u8]) -> Result<Vec<u8>, ClientError> {
        self.sign_document_with(kk, data, &mut |_| Ok(()))
    }

    /// As [`Client::sign_document`], running `before_signing` on the transport between the
    /// last `PSO: HASH` and the signing command:
    /// 1. `SELECT …/6002/00kk` and `MSE SET`;
    /// 2. `PSO: HASH 00 2A 90 80`, CLA `10` on every piece but the last;
    /// 3. `before_signing`, then `PSO: CDS 00 2A 9E 9A 00`.
    pub fn sign_document_with(
        &mut self,
        kk: u8,
        data: &[u8],
        before_signing: &mut BeforeSigning<'_, T>,
    ) -> Result<Vec<u8>, ClientError> {
        self.set_signing_key(kk)?;
        let pieces: Vec<&[u8]> = if data.is_empty() {
            vec![&[][..]]
        } else {
            data.chunks(HASH_PIECE).collect()
        };
        let last = pieces.len() - 1;
        for (i, piece) in pieces.into_iter().enumerate() {
            let cmd = Command::new(0x00, 0x2A, 0x90, 0x80)
                .data(piece.to_vec())
                .chained(i < last);
            self.send_ok("PSO: HASH", &cmd)?;
        }
        before_signing(self.transport())?;
        self.compute_signature(Vec::new())
    }

    /// Builds the PKCS#10 for `key` with `subject` and `extensions` and signs it on the token
    /// (the SafeTouch shows it); `before_signing` as for [`Client::sign_document_with`].
    /// Returns the DER.
    pub fn create_pkcs10(
        &mut self,
        key: &KeyPair,
        subject: x509_cert::name::Name,
        extensions: &RequestedExtensions,
        before_signing: &mut BeforeSigning<'_, T>,
    ) -> Result<Vec<u8>, ClientError> {
        let vk = key.verifying_key()?;
        let algorithm = gost::KeyAlgorithm::gost2012_for(key.param_set);
        let info = RequestInfo::new(subject, &vk, algorithm, extensions)
            .map_err(|e| ClientError::Request(e.to_string()))?;
        // The signer's own error is kept whole (a refusal stays a refusal), not the PKI's
        // wrapping of it.
        let mut failure: Option<ClientError> = None;
        let signed = info.sign_with(|tbs: &[u8]| {
            let result = self
                .sign_document_with(key.reference, tbs, before_signing)
                .and_then(|sig| {
                    gost::Signature::from_token_bytes(&sig).map_err(ClientError::BadSignature)
                })
                .map(|s| s.to_x509_bytes());
            if let Err(e) = &result {
                failure = Some(e.clone());
            }
            result
        });
        match (signed, failure) {
            (_, Some(e)) => Err(e),
            (Ok(request), None) => Ok(request.to_der().to_vec()),
            (Err(e), None) => Err(ClientError::Request(e.to_string())),
        }
    }
}
