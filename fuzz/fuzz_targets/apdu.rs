//! Fuzzes APDU parsing and dispatch: the input is a sequence of APDUs, each prefixed by its
//! length byte, sent to one factory token. Every answer must end with a status word and no
//! input may panic. Run: `cd fuzz && cargo +nightly fuzz run apdu` (see `fuzz/README.md`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rutoken_sim::Card;
use rutoken_sim::token::{Fixture, Token, TokenProfile};

fuzz_target!(|data: &[u8]| {
    let Ok(mut token) = Token::in_memory(Fixture::Factory, 1, TokenProfile::default()) else {
        return;
    };
    let mut rest = data;
    while let [len, tail @ ..] = rest {
        let take = usize::from(*len).min(tail.len());
        let (apdu, next) = tail.split_at(take);
        let answer = token.transmit(apdu);
        assert!(answer.len() >= 2, "an answer without a status word");
        rest = next;
    }
});
