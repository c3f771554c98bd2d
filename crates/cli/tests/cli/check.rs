//! `check` in its table, JSON and JSON-lines formats, fleet files, and bad input.

use crate::support::*;

#[tokio::test]
async fn table_format_all_connected_exits_0() {
    let instances = all_connected();
    let (_sim, targets) = serve(instances.clone()).await;
    let output = check(&targets, &[]).await;
    assert_eq!(output.code, 0, "{}", output.stderr);
    let lines: Vec<&str> = output.stdout.lines().collect();
    assert_eq!(
        cells(lines[0]),
        ["NAME", "PROVIDER", "STATE", "RAW", "PHONE", "ACTION", "DETAILS", "ERROR"]
    );
    let columns: Vec<usize> = [
        "PROVIDER", "STATE", "RAW", "PHONE", "ACTION", "DETAILS", "ERROR",
    ]
    .iter()
    .map(|h| lines[0].find(h).unwrap())
    .collect();
    for (line, instance) in lines[1..=instances.len()].iter().zip(&instances) {
        let e = instance.expected_reading().unwrap();
        let mut pairs: Vec<String> = e.details.iter().map(|(k, v)| format!("{k}={v}")).collect();
        pairs.sort();
        let details = if pairs.is_empty() {
            "-".to_owned()
        } else {
            pairs.join(" ")
        };
        assert_eq!(
            cells(line),
            [
                instance.id.as_str(),
                instance.provider.name(),
                e.state.name(),
                e.raw_state,
                e.phone.unwrap_or("-"),
                e.action.map_or("-", |a| a.name()),
                &details,
                "-"
            ]
        );
        // Every cell starts at its header's column.
        for (column, cell) in columns.iter().zip(&cells(line)[1..]) {
            assert_eq!(
                line[*column..].split("  ").next().unwrap().trim(),
                cell,
                "{line}"
            );
        }
    }
    assert_eq!(lines[instances.len() + 1], "");
    assert_eq!(lines[instances.len() + 2], summary(&instances));
}

#[tokio::test]
async fn json_format_has_every_field_and_errors_in_place_of_state() {
    let mut instances = all_connected();
    // One instance not connected, one whose value is unknown, one whose token is wrong.
    let (critical_provider, critical) = Provider::ALL
        .iter()
        .find_map(|p| reading_where(*p, |e| severity(e.state) == 2).map(|r| (*p, r)))
        .unwrap();
    let (unknown_provider, unknown) = Provider::ALL
        .iter()
        .find_map(|p| reading_where(*p, |e| e.state == ConnectionState::Unknown).map(|r| (*p, r)))
        .unwrap();
    instances.push(instance(critical_provider, 10, critical));
    instances.push(instance(unknown_provider, 11, unknown));
    let (sim, mut targets) = serve(instances.clone()).await;
    let wrong_provider = Provider::ALL[0];
    let mut wrong = instance(wrong_provider, 0, healthy(wrong_provider));
    for value in wrong.credentials.values_mut() {
        *value = "wrong-token".into();
    }
    targets.push(sim.connection_string(&wrong));
    let mut args = vec!["--format", "json"];
    args.insert(0, "check");
    let output = run(
        &args
            .iter()
            .copied()
            .chain(targets.iter().map(String::as_str))
            .collect::<Vec<_>>(),
        &[],
    )
    .await;
    assert_eq!(
        output.code, 2,
        "a critical instance beats unknown: {}",
        output.stderr
    );
    let array: Vec<Value> = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(array.len(), instances.len() + 1);
    let keys: Vec<&str> = array[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "schema_version",
            "name",
            "provider",
            "instance",
            "state",
            "raw_state",
            "required_action",
            "phone",
            "jid",
            "display_name",
            "connected_at",
            "details",
            "observed_at"
        ]
    );
    for (object, instance) in array.iter().zip(&instances) {
        let e = instance.expected_reading().unwrap();
        assert_eq!(object["provider"], instance.provider.name());
        assert_eq!(object["state"], e.state.name());
        assert_eq!(object["raw_state"], e.raw_state);
        assert_eq!(
            object["required_action"],
            serde_json::json!(e.action.map(|a| a.name()))
        );
        assert_eq!(object["phone"], serde_json::json!(e.phone));
        assert_eq!(object["jid"], serde_json::json!(e.jid));
        assert_eq!(object["display_name"], serde_json::json!(e.display_name));
        assert_eq!(object["connected_at"], serde_json::json!(e.connected_at));
    }
    let failure = array.last().unwrap();
    assert_eq!(failure["state"], "error");
    assert_eq!(failure["schema_version"], 1);
    assert_eq!(failure["error"]["kind"], "unauthenticated");
    assert_eq!(failure["error"]["temporary"], false);
    let status = wrong_provider
        .recording_for(Role::Unauthenticated)
        .unwrap()
        .status;
    let vendor = wrong_provider
        .recording_for(Role::Unauthenticated)
        .and_then(|r| r.expected_error())
        .and_then(|e| e.message);
    let said = vendor.map(|words| format!(": {words}")).unwrap_or_default();
    assert_eq!(
        failure["error"]["message"],
        format!("{wrong_provider}: unauthenticated: the credentials were rejected (HTTP {status}){said}")
    );
    assert_eq!(
        failure["error"]["vendor_message"],
        serde_json::json!(vendor)
    );
    assert_eq!(failure["error"]["http_status"], status);
    assert_eq!(failure["error"]["retry_after_seconds"], Value::Null);
    let expected = summary(&instances).replacen(
        &format!("{} instances:", instances.len()),
        &format!("{} instances:", instances.len() + 1),
        1,
    );
    assert_eq!(output.stderr.trim(), format!("{expected}, 1 error"));
}

#[tokio::test]
async fn jsonl_format_is_one_object_per_line() {
    let instances = all_connected();
    let (_sim, targets) = serve(instances.clone()).await;
    let output = check(&targets, &["--format", "jsonl"]).await;
    assert_eq!(output.code, 0);
    let mut names: Vec<String> = output
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["name"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    names.sort_unstable();
    let mut expected: Vec<String> = instances.iter().map(|i| i.id.clone()).collect();
    expected.sort_unstable();
    assert_eq!(names, expected);
}

#[tokio::test]
async fn a_fleet_file_with_env_credentials_and_the_target_variable() {
    let instances = all_connected();
    let (sim, targets) = serve(instances.clone()).await;
    let dir = std::env::temp_dir().join(format!("wa-status-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("fleet.toml");
    let mut fleet = String::new();
    let mut env: Vec<(String, String)> = Vec::new();
    for (n, instance) in instances.iter().enumerate() {
        let provider = instance.provider;
        fleet.push_str(&format!(
            "[[instance]]\nname = \"line-{n}\"\nprovider = \"{provider}\"\nbase_url = \"{}\"\ninstance = \"{}\"\n",
            sim.base_url(provider),
            instance.id
        ));
        for (i, (key, value)) in instance.credentials.iter().enumerate() {
            fleet.push_str(&format!("{key}_env = \"CLI_TEST_{n}_{i}\"\n"));
            env.push((format!("CLI_TEST_{n}_{i}"), value.clone()));
        }
        fleet.push('\n');
    }
    std::fs::write(&path, fleet).unwrap();
    let env: Vec<(&str, &str)> = env.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let output = run(
        &[
            "check",
            "--format",
            "json",
            "--verbose",
            "--config",
            path.to_str().unwrap(),
        ],
        &env,
    )
    .await;
    assert_eq!(output.code, 0, "{}", output.stderr);
    let array: Vec<Value> = serde_json::from_str(&output.stdout).unwrap();
    for (n, (object, instance)) in array.iter().zip(&instances).enumerate() {
        assert_eq!(object["name"], format!("line-{n}"));
        assert_eq!(
            object["state"],
            instance.expected_reading().unwrap().state.name()
        );
        // --verbose logs each check, the connection string with its credentials masked.
        assert!(
            output.stderr.contains(&format!(
                " INFO checked name=line-{n} target={}+http://",
                instance.provider
            )),
            "{}",
            output.stderr
        );
    }

    let output = run(
        &["check", "--format", "jsonl"],
        &[("WA_STATUS_TARGET", &targets[0])],
    )
    .await;
    assert_eq!(output.code, 0);
    let object: Value = serde_json::from_str(output.stdout.trim()).unwrap();
    assert_eq!(
        object["raw_state"],
        instances[0].expected_reading().unwrap().raw_state
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn bad_input_gets_one_clear_line_and_exit_3() {
    let dir = std::env::temp_dir().join(format!("wa-status-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let first = Provider::ALL[0];
    let malformed = dir.join("malformed.toml");
    std::fs::write(
        &malformed,
        format!("[[instance]]\nprovider = \"{first}\"\ninstance = \"1\"\ntokn = \"x\"\n"),
    )
    .unwrap();
    let missing_env = dir.join("missing-env.toml");
    std::fs::write(
        &missing_env,
        format!("[[instance]]\nprovider = \"{first}\"\nbase_url = \"https://h\"\ninstance = \"1\"\ntoken_env = \"CLI_TEST_NOT_SET\"\n"),
    )
    .unwrap();
    let unknown_provider = dir.join("unknown-provider.toml");
    std::fs::write(
        &unknown_provider,
        "[[instance]]\nprovider = \"no-such-gateway\"\ninstance = \"u\"\n",
    )
    .unwrap();
    let keys: Vec<String> = wa_providers::FLEET_KEYS
        .iter()
        .map(|k| format!("`{k}`"))
        .collect();
    let names: Vec<String> = Provider::ALL.iter().map(|p| format!("`{p}`")).collect();
    // A provider whose connection string ends with the instance, for "instance missing".
    let (tail_provider, form) = Provider::ALL
        .iter()
        .find_map(|p| {
            p.info()
                .connection_strings
                .iter()
                .find(|f| f.tail.is_some() && f.userinfo.len() == 1)
                .map(|f| (*p, f))
        })
        .unwrap();
    let forms: Vec<&str> = tail_provider
        .info()
        .connection_strings
        .iter()
        .map(|f| f.text)
        .collect();
    let _ = form;
    let cases: Vec<(Vec<String>, String)> = vec![
        (
            vec!["check".into(), format!("{tail_provider}://234%7Cmy-secret@app.example.com")],
            format!("wa-status: error: {tail_provider}: invalid_config: connection string `{tail_provider}://***@app.example.com`: the instance is missing after the host: expected {}", forms.join(" or ")),
        ),
        (
            vec!["check".into(), "no-such-gateway://my-secret@host/x".into()],
            format!("wa-status: error: invalid_config: connection string `no-such-gateway://***@***/…`: unknown provider `no-such-gateway`: expected {}", Provider::names_sentence()),
        ),
        (
            vec!["check".into(), "--config".into(), unknown_provider.display().to_string()],
            format!("wa-status: error: {}:2:12: unknown variant `no-such-gateway`, expected one of {}", unknown_provider.display(), names.join(", ")),
        ),
        (
            vec!["check".into(), "--config".into(), missing_env.display().to_string()],
            format!("wa-status: error: {}: instance 1: {first}: invalid_config: the environment variable `CLI_TEST_NOT_SET` (from `token_env`) is not set", missing_env.display()),
        ),
        (
            vec!["check".into(), "--config".into(), malformed.display().to_string()],
            format!("wa-status: error: {}:4:1: unknown field `tokn`, expected one of {}", malformed.display(), keys.join(", ")),
        ),
        (
            vec!["check".into()],
            "wa-status: error: no target: give connection strings, --config FILE, or set WA_STATUS_TARGET".into(),
        ),
    ];
    for (args, expected) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = run(&args, &[]).await;
        assert_eq!(output.code, 3, "{args:?}");
        assert_eq!(output.stdout, "");
        assert_eq!(output.stderr, format!("{expected}\n"), "{args:?}");
        assert!(!output.stderr.contains("my-secret"));
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// The shipped JSON Schema of `check --format json`.
fn check_schema() -> Value {
    let path = format!("{}/schema/check.schema.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn the_json_schema_names_the_models_vocabulary() {
    let schema = check_schema();
    let names = |def: &str| -> Vec<String> {
        schema["$defs"][def]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    let states: Vec<String> = ConnectionState::ALL
        .iter()
        .map(|s| s.name().to_owned())
        .collect();
    assert_eq!(names("state"), states);
    let actions: Vec<String> = wa_unified::RequiredAction::ALL
        .iter()
        .map(|a| a.name().to_owned())
        .collect();
    assert_eq!(names("action"), actions);
    let kinds: Vec<String> = wa_unified::ErrorKind::ALL
        .iter()
        .map(|k| k.name().to_owned())
        .collect();
    assert_eq!(names("error_kind"), kinds);
    assert_eq!(
        schema["$defs"]["common"]["properties"]["schema_version"]["const"],
        1
    );
}

/// Validates `instance` against the schema with Python's `jsonschema` (the reference
/// validator, with formats checked); the errors it gives, one per line.
async fn schema_errors(instance: &Value) -> String {
    let program = r#"
import json, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(schema)
validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
for error in validator.iter_errors(json.load(sys.stdin)):
    print(error.json_path, error.message)
"#;
    let path = format!("{}/schema/check.schema.json", env!("CARGO_MANIFEST_DIR"));
    let output = output_with_stdin(
        Command::new(python()).args(["-c", program, &path]),
        instance.to_string().as_bytes(),
    )
    .await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test]
#[ignore = "needs Python's jsonschema (.ci/run installs it in its virtual environment)"]
async fn real_output_is_valid_against_the_shipped_json_schema() {
    // Each provider's recordings of distinct states, up to three (so that the providers'
    // quotas are not waited for), and failed checks.
    let mut instances = Vec::new();
    for provider in Provider::ALL.iter().copied() {
        let mut seen = std::collections::BTreeSet::new();
        for (n, recording) in provider.recordings().iter().enumerate() {
            let state = recording
                .reading()
                .map(|r| r.state.name())
                .unwrap_or("error");
            if seen.len() < 3 && seen.insert(state) {
                instances.push(instance(provider, 300 + n, recording.name));
            }
        }
    }
    let (sim, targets) = serve(instances.clone()).await;
    let broken = &instances[0];
    sim.set_faults(
        broken.provider,
        &broken.id,
        wa_simulator::Faults::fault(wa_simulator::Fault::WrongShape),
    )
    .unwrap();
    let mut targets = targets;
    targets.push(format!("{}+http://nobody@127.0.0.1:9/x", Provider::ALL[0]));
    let output = check(&targets, &["--format", "json", "--concurrency", "64"]).await;
    let array: Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(array.as_array().unwrap().len(), targets.len());
    assert_eq!(schema_errors(&array).await, "");
    let states: std::collections::BTreeSet<&str> = array
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["state"].as_str().unwrap())
        .collect();
    assert!(
        states.contains("error") && states.contains("connected"),
        "{states:?}"
    );
    // Each line of jsonl is one item of the array.
    let lines = check(&targets, &["--format", "jsonl", "--concurrency", "64"]).await;
    let items: Vec<Value> = lines
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(schema_errors(&Value::Array(items)).await, "");
    // And something invalid is caught, so that the check can fail.
    let mut wrong = array.clone();
    wrong[0]["state"] = Value::from("sleeping");
    assert_ne!(schema_errors(&wrong).await, "");
}

#[tokio::test]
async fn the_simulators_fleet_file_and_connection_strings_are_read_by_check() {
    // What `wa-simulator --write-fleet` writes and prints, for the sample fleet.
    let fleet = Fleet::sample();
    let sim = Simulator::start(fleet.clone()).await.unwrap();
    let path = scratch_file("simulator-fleet.toml", &sim.fleet_file(&fleet));
    let from_file = run(&["check", "--format", "json", "--config", &path], &[]).await;
    let strings: Vec<String> = fleet
        .instances
        .iter()
        .map(|i| sim.connection_string(i))
        .collect();
    let from_strings = check(&strings, &["--format", "json"]).await;
    for output in [from_file, from_strings] {
        let array: Vec<Value> = serde_json::from_str(&output.stdout).unwrap();
        assert_eq!(array.len(), fleet.instances.len());
        for (object, instance) in array.iter().zip(&fleet.instances) {
            assert_eq!(object["instance"], instance.id.as_str());
            assert_eq!(
                object["state"],
                instance.expected_reading().unwrap().state.name()
            );
        }
    }
}
