//! Any bytes as any provider's status body (the first byte picks the provider from the
//! catalog, so a new provider is fuzzed without a target of its own): a reading, or an
//! error that names the provider and is about the body (a `decode` error, or the error a
//! code in the body stands for), never one about the configuration or the transport, and
//! never a panic. The same invariants as `crates/unified/tests/robustness.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wa_unified::{decode, ConnectionState, ErrorKind, Provider};

fuzz_target!(|input: &[u8]| {
    let Some((&pick, body)) = input.split_first() else {
        return;
    };
    let provider = Provider::ALL[usize::from(pick) % Provider::ALL.len()];
    match decode(provider, "instance", body) {
        Ok(status) => {
            assert_eq!(status.provider, provider);
            assert_eq!(
                status.required_action.is_some(),
                status.state != ConnectionState::Unknown
            );
        }
        Err(error) => {
            assert_ne!(error.kind(), ErrorKind::InvalidConfig, "{error}");
            assert_eq!(error.status(), None, "{error}");
            assert_eq!(error.provider(), Some(provider));
            assert!(error.to_string().starts_with(provider.name()), "{error}");
        }
    }
});
