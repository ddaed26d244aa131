//! One file per group of commands, each an `impl Token` block ("Implements INS xx …, see …").

mod admin;
mod binary;
mod create;
mod crypto;
mod hash;
mod pin;
mod rsa;
mod select;
