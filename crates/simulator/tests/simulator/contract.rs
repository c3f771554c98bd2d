//! The contract between each provider's normalized document and what the simulator serves:
//! every recorded response is declared (its status, its content type, and a JSON body that
//! validates against the declared schema), except the ones whose reading is a `decode`
//! error. Those are, by the status model's definition, 2xx bodies the provider's document
//! does not describe, so each must fall outside its document; a body the document allows
//! that reads as `decode` would be a misleading error.

use serde_json::Value;
use wa_providers::wa_model::ErrorKind;
use wa_simulator::Provider;

use crate::schema::{normalized, response, validate};

/// Whether the document declares `recording` as it is: `Err` says what it does not declare.
fn declared(
    provider: Provider,
    doc: &Value,
    recording: &wa_providers::Recording,
) -> Result<(), String> {
    let status = recording.status.to_string();
    let Some(declared) = response(provider, doc, &status) else {
        return Err(format!("status {status} is not declared"));
    };
    if recording.body.is_empty() {
        return Ok(());
    }
    let media_type = recording
        .headers
        .iter()
        .find(|(name, _)| *name == "content-type")
        .map_or("application/json", |(_, value)| value)
        .split(';')
        .next()
        .unwrap_or_default()
        .trim();
    let Some(content) = declared["content"].get(media_type) else {
        return Err(format!("{media_type} is not declared for status {status}"));
    };
    if media_type != "application/json" {
        return Ok(());
    }
    let body: Value = serde_json::from_str(recording.body).map_err(|e| format!("not JSON: {e}"))?;
    // Readings must use documented values; errors and unknown states need not.
    let strict = recording
        .reading()
        .is_some_and(|e| e.state.name() != "unknown");
    validate(doc, &content["schema"], &body, strict)
}

#[test]
fn every_recording_is_declared_unless_it_reads_as_a_decode_error() {
    let mut declared_count = 0;
    let mut outside = Vec::new();
    for provider in Provider::ALL.iter().copied() {
        let doc = normalized(provider);
        for recording in provider.recordings() {
            let name = format!("{provider}/{}", recording.name);
            let decode = recording
                .expected_error()
                .is_some_and(|e| e.kind == ErrorKind::Decode);
            match (declared(provider, &doc, recording), decode) {
                (Ok(()), false) => declared_count += 1,
                (Err(problem), false) => panic!("{name}: {problem}"),
                (Ok(()), true) => {
                    panic!("{name}: the document allows this body, so it must not read as `decode`")
                }
                (Err(_), true) => outside.push(name),
            }
        }
    }
    let recorded: usize = Provider::ALL.iter().map(|p| p.recordings().len()).sum();
    assert_eq!(declared_count + outside.len(), recorded);
    // Outside the contract: exactly the recordings that read as `decode`.
    let decode: Vec<String> = Provider::ALL
        .iter()
        .flat_map(|p| p.recordings())
        .filter(|r| {
            r.expected_error()
                .is_some_and(|e| e.kind == ErrorKind::Decode)
        })
        .map(|r| format!("{}/{}", r.provider, r.name))
        .collect();
    assert_eq!(outside, decode);
}

/// What the simulator answers on its own (wrong credentials, an unknown instance, a spent
/// quota) is declared, for every provider.
#[test]
fn every_answer_the_simulator_gives_on_its_own_is_declared() {
    for provider in Provider::ALL.iter().copied() {
        let doc = normalized(provider);
        let roles: Vec<_> = provider
            .recordings()
            .iter()
            .filter(|r| r.serves.is_some())
            .collect();
        assert!(
            !roles.is_empty(),
            "{provider} serves no recording on its own"
        );
        for recording in roles {
            if let Err(problem) = declared(provider, &doc, recording) {
                panic!("{provider}/{}: {problem}", recording.name);
            }
        }
    }
}
