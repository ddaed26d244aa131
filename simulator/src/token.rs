//! The virtual Rutoken ECP 2.0 (owner: the token issue).

pub mod profile;

pub use profile::TokenProfile;
