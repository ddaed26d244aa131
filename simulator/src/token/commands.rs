//! One file per group of commands, each an `impl Token` block ("Implements INS xx …, see …").

#![deny(clippy::indexing_slicing)]

mod admin;
mod binary;
mod create;
mod crypto;
mod derive;
mod hash;
mod pin;
mod rsa;
mod select;
mod symmetric;

pub(crate) use select::MAX_DEPTH;
