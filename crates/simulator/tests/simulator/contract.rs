//! Every recorded response whose status the provider's normalized document declares has a
//! body that validates against the declared schema; every success recording's status is
//! declared.

use serde_json::Value;
use wa_simulator::Provider;

use crate::schema::{normalized, response, response_schema, validate};

#[test]
fn every_recording_matches_its_declared_schema() {
    let mut validated = 0;
    for provider in Provider::ALL.iter().copied() {
        let doc = normalized(provider);
        for recording in provider.recordings() {
            let name = format!("{provider}/{}", recording.name);
            let status = recording.status.to_string();
            let Some(_) = response(provider, &doc, &status) else {
                assert!(
                    recording.reading().is_none(),
                    "{name}: a reading with a status ({status}) the document does not declare"
                );
                continue;
            };
            let schema = response_schema(provider, &doc, &status);
            if schema.is_null() {
                continue;
            }
            let body: Value = match serde_json::from_str(recording.body) {
                Ok(body) => body,
                // A body the vendor's schema does not allow is recorded on purpose: it must
                // not read as a state.
                Err(_) => {
                    assert!(recording.reading().is_none(), "{name}: not JSON");
                    continue;
                }
            };
            let strict = recording
                .reading()
                .is_some_and(|e| e.state.name() != "unknown");
            let result = validate(&doc, &schema, &body, strict);
            if recording.reading().is_some() {
                if let Err(problem) = result {
                    panic!("{name}: {body} does not match its schema: {problem}");
                }
                validated += 1;
            }
        }
    }
    assert!(
        validated >= Provider::ALL.len(),
        "only {validated} bodies validated"
    );
}
