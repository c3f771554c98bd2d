//! Hostile input: arbitrary bytes and arbitrary JSON fed to every provider's decode and map
//! path, and every recorded body with its values replaced. Never a panic; always a status
//! or a `decode` error; raw values and phone digits are kept verbatim.

use proptest::prelude::*;
use serde_json::Value;
use wa_providers::Recording;
use wa_unified::{decode, ConnectionState, ErrorKind, InstanceStatus, Provider};

/// Any JSON value, nested a few levels.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
        prop_oneof![
            Just("WORKING"),
            Just("authorized"),
            Just("connected"),
            Just("stateInstance"),
            Just("status"),
            Just("instance"),
            Just("data"),
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("status".to_owned()),
                    Just("stateInstance".to_owned()),
                    Just("instance".to_owned()),
                    Just("user".to_owned()),
                    Just("data".to_owned()),
                    Just("connected".to_owned()),
                    Just("code".to_owned()),
                    Just("success".to_owned()),
                    "[a-z_]{1,8}",
                ],
                inner,
                0..6
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// The invariants of any result: a status is consistent (an action for every state but
/// `unknown`), an error names the provider and is a `decode` error or the error a code in
/// the body stands for (never one about the configuration or the transport).
fn check(
    provider: Provider,
    result: Result<InstanceStatus, wa_unified::Error>,
) -> Result<(), TestCaseError> {
    let provider = provider.name();
    match result {
        Ok(status) => {
            prop_assert_eq!(status.provider.name(), provider);
            prop_assert_eq!(
                status.required_action.is_some(),
                status.state != wa_unified::ConnectionState::Unknown
            );
            prop_assert_eq!(status.instance.as_str(), "instance-1");
        }
        Err(error) => {
            prop_assert!(
                !matches!(error.kind(), ErrorKind::InvalidConfig),
                "{}",
                error
            );
            prop_assert_eq!(error.status(), None);
            prop_assert_eq!(error.provider().map(|p| p.name()), Some(provider));
            prop_assert!(error.to_string().starts_with(provider));
        }
    }
    Ok(())
}

/// Every recording whose body decodes to a reading, with its body as JSON.
fn readings() -> Vec<(&'static Recording, Value)> {
    Provider::ALL
        .iter()
        .flat_map(|p| p.recordings())
        // A reading of a success body: an error answer that is a vendor's way of giving a
        // state is read from its status, not decoded.
        .filter(|r| r.reading().is_some() && (200..300).contains(&r.status))
        .filter_map(|r| serde_json::from_str(r.body).ok().map(|body| (r, body)))
        .collect()
}

/// Replaces every string of `value` equal to `from` with `to`; returns how many.
fn replace_strings(value: &mut Value, from: &str, to: &str) -> usize {
    match value {
        Value::String(text) if text == from => {
            *text = to.to_owned();
            1
        }
        Value::Array(items) => items.iter_mut().map(|v| replace_strings(v, from, to)).sum(),
        Value::Object(map) => map.values_mut().map(|v| replace_strings(v, from, to)).sum(),
        _ => 0,
    }
}

/// Replaces `from` inside every string of `value`.
fn replace_within(value: &mut Value, from: &str, to: &str) {
    match value {
        Value::String(text) => *text = text.replace(from, to),
        Value::Array(items) => items.iter_mut().for_each(|v| replace_within(v, from, to)),
        Value::Object(map) => map.values_mut().for_each(|v| replace_within(v, from, to)),
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        for provider in Provider::ALL.iter().copied() {
            check(provider, decode(provider, "instance-1", &bytes))?;
        }
    }

    #[test]
    fn arbitrary_json_never_panics(value in json_value()) {
        let bytes = serde_json::to_vec(&value).unwrap();
        for provider in Provider::ALL.iter().copied() {
            check(provider, decode(provider, "instance-1", &bytes))?;
        }
    }

    /// A recorded raw value replaced by any other string is kept verbatim; the state is
    /// `unknown`, or the recording's own where the raw value does not decide it (when an
    /// absent field decides instead).
    #[test]
    fn any_raw_value_is_kept_verbatim(raw in ".{0,40}") {
        for (recording, body) in readings() {
            let expected = recording.reading().unwrap();
            let known: Vec<&str> = recording
                .provider
                .recordings()
                .iter()
                .filter_map(|r| r.reading().map(|e| e.raw_state))
                .collect();
            let mut body = body.clone();
            if known.contains(&raw.as_str())
                || replace_strings(&mut body, expected.raw_state, &raw) != 1
            {
                continue;
            }
            let bytes = serde_json::to_vec(&body).unwrap();
            let status = decode(recording.provider, "instance-1", &bytes).unwrap();
            prop_assert_eq!(&status.raw_state, &raw);
            prop_assert!(
                status.state == ConnectionState::Unknown || status.state == expected.state,
                "{}: {} for {:?}", recording.name, status.state, raw
            );
            prop_assert_eq!(status.required_action.is_none(), status.state == ConnectionState::Unknown);
        }
    }

    /// A recorded phone's digits replaced by any digits are kept, with a `+`.
    #[test]
    fn any_phone_keeps_its_digits(digits in "[0-9]{1,15}") {
        for (recording, body) in readings() {
            let Some(phone) = recording.reading().unwrap().phone else { continue };
            let recorded = phone.trim_start_matches('+');
            // Only where the body writes the digits as they are kept (not `+1 555-555-5555`).
            if !recording.body.contains(recorded) {
                continue;
            }
            let mut body = body.clone();
            replace_within(&mut body, recorded, &digits);
            let bytes = serde_json::to_vec(&body).unwrap();
            let status = decode(recording.provider, "instance-1", &bytes).unwrap();
            prop_assert_eq!(status.account.phone, Some(format!("+{digits}")));
        }
    }
}

#[test]
fn the_properties_have_recordings_to_work_on() {
    let readings = readings();
    assert!(readings
        .iter()
        .any(|(r, _)| r.reading().unwrap().phone.is_some()));
    for provider in Provider::ALL.iter().copied() {
        assert!(
            readings.iter().any(|(r, _)| r.provider == provider),
            "{provider}"
        );
    }
}

#[test]
fn excerpts_in_decode_errors_are_short() {
    let long = format!("{{\"status\": {}}}", "9".repeat(5000));
    for provider in Provider::ALL.iter().copied() {
        let error = decode(provider, "instance-1", long.as_bytes()).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
        // The excerpt of the body: its first characters, then an ellipsis.
        let body_part = error.summary().rsplit("; body: ").next().unwrap();
        assert_eq!(
            body_part.chars().count(),
            wa_unified::EXCERPT_CHARS + 1,
            "{error}"
        );
        assert!(error.to_string().len() < 400, "{error}");
    }
}
