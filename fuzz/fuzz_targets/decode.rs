//! Any bytes as any provider's status body (the first byte picks the provider from the
//! catalog, so a new provider is fuzzed without a target of its own): a consistent reading,
//! or an error about the body that names the provider, on one line, with no HTTP status
//! (there was no answer, only a body); never a panic. The kind is not asserted: a body may
//! carry a vendor's code that a manifest maps to any kind (a recorded "only the default
//! session" answer is `invalid_config`). `.ci/run` runs this over every recorded body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wa_unified::{decode, ConnectionState, Provider};

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
            let message = error.to_string();
            assert_eq!(error.status(), None, "{message}");
            assert_eq!(error.provider(), Some(provider));
            assert!(message.starts_with(provider.name()), "{message}");
            assert!(!message.contains(['\n', '\r']), "{message}");
        }
    }
});
