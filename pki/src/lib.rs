//! PKCS#10 requests, the test CA «УЦ НотариПро (ТЕСТ)» and certificates for GOST keys.
//!
//! Everything is built with RustCrypto's `x509-cert` / `der` / `spki` types (no hand-written
//! DER); GOST keys, digests and signatures come from the `gost` crate.
//!
//! - [`name`]: subjects with the Russian attributes in their string types.
//! - [`request`]: a PKCS#10 signed through a callback (token or software key); parse and
//!   verify any PKCS#10.
//! - [`reissue`]: the reissue request document in SafeTouch TLV.
//! - [`ca`]: the test CA, its checks (each failure a [`ca::Refusal`]) and its policy.
//! - [`fixtures`]: the committed test PKI, embedded, and its regeneration from a seed.
//!
//! The whole reissue of `reissue-flow.md`, with software keys standing in for the token:
//!
//! ```
//! use gost::{KeyAlgorithm, ParamSet, Rng, SigningKey};
//! use rutoken_pki::ca::{ReissueInput, TestCa};
//! use rutoken_pki::ext::RequestedExtensions;
//! use rutoken_pki::fixtures::{self, REISSUE_DATE};
//! use rutoken_pki::reissue::ReissueDocument;
//! use rutoken_pki::verify::sign_tbs;
//! use rutoken_pki::RequestInfo;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut rng = Rng::from_seed(1);
//! let current = fixtures::owner_current()?; // Иванов Иван Иванович, 010101D1010201B6
//!
//! // Step 2: a new key pair, and a PKCS#10 for the same subject signed through a callback
//! // (on a token: PSO HASH + PSO COMPUTE DIGITAL SIGNATURE, the answer turned into s ‖ r).
//! let new_key = SigningKey::generate(ParamSet::Gost256A, &mut rng)?;
//! let info = RequestInfo::new(
//!     current.cert.subject().clone(),
//!     &new_key.verifying_key(),
//!     KeyAlgorithm::Gost2012_256,
//!     &RequestedExtensions::bank_default(),
//! )?;
//! let request = info.sign_with(|cert_req_info: &[u8]| {
//!     sign_tbs(&new_key, KeyAlgorithm::Gost2012_256, cert_req_info, &mut rng)
//! })?;
//!
//! // Step 3: the reissue document, signed with the *current* key.
//! let document =
//!     ReissueDocument::for_request(REISSUE_DATE.date(), "37562", &request, &current.cert).encode()?;
//! let digest = current.key.algorithm.digest().digest(&document);
//! let signature = current.key.key.sign_digest(&digest, &mut rng)?;
//!
//! // Step 4: the CA checks and issues.
//! let mut ca = TestCa::fixture(7)?;
//! let input = ReissueInput {
//!     request: request.to_der(),
//!     document: &document,
//!     document_signature: &signature,
//!     current_certificate: current.cert.to_der(),
//! };
//! let issued = ca.issue_reissue(&input, REISSUE_DATE)?;
//! issued.verify_issued_by(ca.certificate())?;
//! assert_eq!(issued.public_key()?.1, new_key.verifying_key());
//! # Ok(())
//! # }
//! ```
#![deny(clippy::cast_possible_truncation)]
#![forbid(unsafe_code)]

pub mod ca;
pub mod cert;
pub mod encoding;
pub mod enveloped;
pub mod error;
pub mod ext;
pub mod fixtures;
pub mod key;
pub mod name;
pub mod reissue;
pub mod request;
pub mod verify;

pub use cert::Cert;
pub use error::{Error, Result};
pub use key::PrivateKey;
pub use request::{Request, RequestInfo, VerifiedRequest};
pub use x509_cert;
