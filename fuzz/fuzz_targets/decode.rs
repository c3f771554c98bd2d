//! Any bytes as any provider's status body (the first byte picks the provider from the
//! catalog, so a new provider is fuzzed without a target of its own): a status or a
//! `decode` error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wa_unified::{decode, ErrorKind, Provider};

fuzz_target!(|input: &[u8]| {
    let Some((&pick, body)) = input.split_first() else {
        return;
    };
    let provider = Provider::ALL[usize::from(pick) % Provider::ALL.len()];
    if let Err(error) = decode(provider, "instance", body) {
        assert_eq!(error.kind(), ErrorKind::Decode);
    }
});
