//! Hostile input: arbitrary bytes and arbitrary JSON fed to every provider's decode and map
//! path. Never a panic; always a status or a `decode` error; unknown values are kept.

use proptest::prelude::*;
use serde_json::{json, Value};
use wa_unified::{decode, ConnectionState, ErrorKind, InstanceStatus};

type Decode = fn(&str, &[u8]) -> Result<InstanceStatus, wa_unified::Error>;

const DECODERS: [(&str, Decode); 4] = [
    ("megaapi", decode::megaapi),
    ("vzaps", decode::vzaps),
    ("hypersender", decode::hypersender),
    ("green-api", decode::green_api),
];

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

/// The invariants of any result: a status is consistent, an error is a `decode` error
/// that names the provider.
fn check(
    provider: &str,
    result: Result<InstanceStatus, wa_unified::Error>,
) -> Result<(), TestCaseError> {
    match result {
        Ok(status) => {
            prop_assert_eq!(status.provider.name(), provider);
            prop_assert_eq!(status.required_action, status.state.required_action());
            prop_assert_eq!(status.instance.as_str(), "instance-1");
        }
        Err(error) => {
            prop_assert_eq!(error.kind(), ErrorKind::Decode);
            prop_assert_eq!(error.provider().map(|p| p.name()), Some(provider));
            prop_assert!(error.to_string().starts_with(provider));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        for (provider, decode) in DECODERS {
            check(provider, decode("instance-1", &bytes))?;
        }
    }

    #[test]
    fn arbitrary_json_never_panics(value in json_value()) {
        let bytes = serde_json::to_vec(&value).unwrap();
        for (provider, decode) in DECODERS {
            check(provider, decode("instance-1", &bytes))?;
        }
    }

    #[test]
    fn any_hypersender_status_is_kept_verbatim(status in ".{0,40}") {
        let body = json!({"instance_id": "x", "status": status}).to_string();
        let result = decode::hypersender("instance-1", body.as_bytes()).unwrap();
        prop_assert_eq!(&result.raw_state, &status);
        let known = ["WORKING", "STARTING", "SCAN_QR_CODE", "STOPPED", "FAILED", "PENDING"];
        if !known.contains(&status.as_str()) {
            prop_assert_eq!(result.state, ConnectionState::Unknown);
            prop_assert_eq!(result.required_action, None);
        }
    }

    #[test]
    fn any_green_api_state_is_kept_verbatim(state in ".{0,40}") {
        let body = json!({"stateInstance": state}).to_string();
        let result = decode::green_api("instance-1", body.as_bytes()).unwrap();
        prop_assert_eq!(&result.raw_state, &state);
        let known = ["authorized", "notAuthorized", "starting", "sleepMode", "yellowCard", "blocked"];
        if !known.contains(&state.as_str()) {
            prop_assert_eq!(result.state, ConnectionState::Unknown);
        }
    }

    #[test]
    fn any_megaapi_status_without_user_is_disconnected(status in ".{0,40}") {
        let body = json!({"error": false, "message": "", "instance": {"key": "k", "status": status}}).to_string();
        let result = decode::megaapi("instance-1", body.as_bytes()).unwrap();
        prop_assert_eq!(result.state, ConnectionState::Disconnected);
        prop_assert_eq!(&result.raw_state, &status);
    }

    #[test]
    fn any_phone_keeps_its_digits(digits in "[0-9]{1,15}") {
        let body = json!({"code": 200, "success": true, "data": {"connected": true, "phone": digits}}).to_string();
        let result = decode::vzaps("instance-1", body.as_bytes()).unwrap();
        prop_assert_eq!(result.account.phone, Some(format!("+{digits}")));
    }
}

#[test]
fn excerpts_in_decode_errors_are_short() {
    let long = format!("{{\"status\": {}}}", "9".repeat(5000));
    let error = decode::hypersender("instance-1", long.as_bytes()).unwrap_err();
    let wa_unified::Error::Decode { excerpt, .. } = &error else {
        panic!("expected a decode error, got {error:?}");
    };
    assert_eq!(excerpt.chars().count(), wa_unified::EXCERPT_CHARS + 1);
    assert!(error.to_string().len() < 400, "{error}");
}
