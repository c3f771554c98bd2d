//! End-to-end: the built `wa-status` binary against the provider simulator on 127.0.0.1,
//! for every provider in the catalog; what it must print is derived from each provider's
//! recorded responses. Every test checks that nothing the binary printed holds a secret.

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use wa_providers::{ExpectedReading, Role};
use wa_simulator::{Fleet, Instance, Provider, Simulator, Step};
use wa_unified::ConnectionState;

const BIN: &str = env!("CARGO_BIN_EXE_wa-status");

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

/// The instance of `provider` these tests use, serving `response`: a number for an id
/// (every provider accepts one), and secret credentials of its auth style.
fn instance(provider: Provider, n: usize, response: &str) -> Instance {
    let instance = Instance::new(provider, format!("{}", 1_101_000_000 + n), response);
    match provider.info().auth.style.header_pair() {
        Some(_) => instance.with_token_pair(
            format!("{provider}-cli-first-secret"),
            format!("{provider}-cli-second-secret"),
        ),
        None => instance.with_token(format!("234|{provider}-cli-secret")),
    }
}

fn secrets() -> Vec<String> {
    Provider::ALL
        .iter()
        .flat_map(|p| {
            let i = instance(*p, 0, "");
            i.secrets()
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

fn assert_no_secret(output: &Output) {
    for secret in secrets() {
        for (stream, text) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            assert!(!text.contains(&secret), "secret in {stream}: {text}");
            assert!(
                !text.contains(&secret.replace('|', "%7C")),
                "secret in {stream}: {text}"
            );
        }
    }
}

async fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(BIN);
    command.args(args).env_remove("WA_STATUS_TARGET");
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().await.unwrap();
    let output = Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    };
    assert_no_secret(&output);
    output
}

/// A recorded response of `provider` whose reading satisfies `wanted`.
fn reading_where(
    provider: Provider,
    wanted: impl Fn(&ExpectedReading) -> bool,
) -> Option<&'static str> {
    provider
        .recordings()
        .iter()
        .find(|r| r.reading().is_some_and(&wanted))
        .map(|r| r.name)
}

fn healthy(provider: Provider) -> &'static str {
    reading_where(provider, |e| e.state == ConnectionState::Connected).unwrap()
}

/// A simulator serving `instances`, and their connection strings.
async fn serve(instances: Vec<Instance>) -> (Simulator, Vec<String>) {
    let sim = Simulator::start(Fleet {
        instances: instances.clone(),
    })
    .await
    .unwrap();
    let targets = instances.iter().map(|i| sim.connection_string(i)).collect();
    (sim, targets)
}

/// One instance per provider, each serving its first connected recording.
fn all_connected() -> Vec<Instance> {
    Provider::ALL
        .iter()
        .enumerate()
        .map(|(n, p)| instance(*p, n, healthy(*p)))
        .collect()
}

async fn check(targets: &[String], extra: &[&str]) -> Output {
    let mut args = vec!["check"];
    args.extend(extra);
    args.extend(targets.iter().map(String::as_str));
    run(&args, &[]).await
}

/// Cells of a table row: the columns are separated by at least two spaces.
fn cells(line: &str) -> Vec<String> {
    line.split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The monitoring-plugin severity of a state: 0 ok, 1 warning, 2 critical, 3 unknown.
fn severity(state: ConnectionState) -> u8 {
    match state {
        ConnectionState::Connected => 0,
        ConnectionState::Restricted
        | ConnectionState::PhoneOffline
        | ConnectionState::Starting
        | ConnectionState::Provisioning => 1,
        ConnectionState::Unknown => 3,
        _ => 2,
    }
}

/// Counts of the readings of `instances`, in the status model's order, as the summary and
/// the perfdata list them.
fn counts(instances: &[Instance]) -> Vec<(&'static str, usize)> {
    let mut by_state: BTreeMap<ConnectionState, usize> = BTreeMap::new();
    for i in instances {
        *by_state
            .entry(i.expected_reading().unwrap().state)
            .or_default() += 1;
    }
    ConnectionState::ALL
        .iter()
        .filter_map(|s| by_state.get(s).map(|n| (s.name(), *n)))
        .collect()
}

fn summary(instances: &[Instance]) -> String {
    let parts: Vec<String> = counts(instances)
        .iter()
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    let noun = if instances.len() == 1 {
        "instance"
    } else {
        "instances"
    };
    format!("{} {noun}: {}", instances.len(), parts.join(", "))
}

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
    wrong.token = wrong.token.map(|_| "wrong-token".into());
    wrong.token_pair = wrong.token_pair.map(|[a, _]| [a, "wrong".into()]);
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
    assert_eq!(failure.get("state"), None);
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

/// The plugin line `check --plugin-output` must print for `instances` and `errors` failed
/// checks, naming `problem` (the first instance not connected, and why).
fn plugin_line(instances: &[Instance], errors: usize, problem: Option<String>) -> (u8, String) {
    let total = instances.len() + errors;
    let states: Vec<ConnectionState> = instances
        .iter()
        .map(|i| i.expected_reading().unwrap().state)
        .collect();
    let connected = states
        .iter()
        .filter(|s| **s == ConnectionState::Connected)
        .count();
    let worst = states
        .iter()
        .map(|s| severity(*s))
        .chain((errors > 0).then_some(3))
        .max_by_key(|s| match s {
            0 => 0,
            1 => 1,
            3 => 2,
            _ => 3,
        })
        .unwrap();
    let word = ["OK", "WARNING", "CRITICAL", "UNKNOWN"][usize::from(worst)];
    let text = if connected == total {
        format!("{total} of {total} connected")
    } else {
        format!("{} of {total} not connected", total - connected)
    };
    let text = match problem {
        Some(problem) => format!("{text}: {problem}"),
        None => text,
    };
    let mut perfdata = vec![format!("connected={connected};;;0;{total}")];
    for (state, count) in counts(instances) {
        if state != "connected" {
            perfdata.push(format!("{state}={count};;;0;{total}"));
        }
    }
    if errors > 0 {
        perfdata.push(format!("error={errors};;;0;{total}"));
    }
    (
        worst,
        format!("WHATSAPP {word} - {text} | {}\n", perfdata.join(" ")),
    )
}

#[tokio::test]
async fn every_exit_status() {
    // Per severity, a fleet of every provider's healthy instance plus one recording of that
    // severity (the first found).
    for wanted in [0u8, 1, 2, 3] {
        let mut instances = all_connected();
        if wanted > 0 {
            let extra = Provider::ALL
                .iter()
                .find_map(|p| reading_where(*p, |e| severity(e.state) == wanted).map(|r| (*p, r)));
            let (provider, response) =
                extra.unwrap_or_else(|| panic!("no recording of severity {wanted}"));
            instances.push(instance(provider, 20, response));
        }
        let (_sim, targets) = serve(instances.clone()).await;
        let output = check(&targets, &["--plugin-output"]).await;
        let problem = instances
            .iter()
            .find(|i| i.expected_reading().unwrap().state != ConnectionState::Connected)
            .map(|i| {
                let e = i.expected_reading().unwrap();
                match e.action {
                    Some(action) => format!("{}: {} ({})", i.id, e.state, action.name()),
                    None => format!("{}: {}", i.id, e.state),
                }
            });
        let (code, line) = plugin_line(&instances, 0, problem);
        assert_eq!(code, wanted);
        assert_eq!(output.code, i32::from(code), "{line}");
        assert_eq!(output.stdout, line);
    }
    // A failed check alone is unknown, too.
    let instances = all_connected();
    let (sim, targets) = serve(instances.clone()).await;
    let broken = &instances[0];
    sim.set_faults(
        broken.provider,
        &broken.id,
        wa_simulator::Faults::fault(wa_simulator::Fault::WrongShape),
    )
    .unwrap();
    let output = check(&targets, &["--plugin-output"]).await;
    assert_eq!(output.code, 3);
    let json = check(&targets, &["--format", "json"]).await;
    let array: Vec<Value> = serde_json::from_str(&json.stdout).unwrap();
    let message = array[0]["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("{}: decode: ", broken.provider)),
        "{message}"
    );
    let (_, line) = plugin_line(
        &instances[1..],
        1,
        Some(format!("{}: {message}", broken.id)),
    );
    assert_eq!(output.stdout, line);
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
        match (&instance.token_pair, provider.info().auth.style.pair_keys()) {
            (Some([first, second]), Some([first_key, second_key])) => {
                fleet.push_str(&format!(
                    "{first_key}_env = \"CLI_TEST_{n}_A\"\n{second_key}_env = \"CLI_TEST_{n}_B\"\n"
                ));
                env.push((format!("CLI_TEST_{n}_A"), first.clone()));
                env.push((format!("CLI_TEST_{n}_B"), second.clone()));
            }
            _ => {
                fleet.push_str(&format!("token_env = \"CLI_TEST_{n}\"\n"));
                env.push((format!("CLI_TEST_{n}"), instance.token.clone().unwrap()));
            }
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
        assert!(
            output.stderr.contains(&format!(
                "wa-status: line-{n} [{}+http://",
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
            format!("wa-status: error: invalid_config: connection string `no-such-gateway://***@host/x`: unknown provider `no-such-gateway`: expected {}", Provider::names_sentence()),
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

/// A provider without a quota (so that polls every 200 ms are never held back), with a
/// connected and a disconnected recording.
fn watchable() -> (Provider, &'static str, &'static str) {
    Provider::ALL
        .iter()
        .find_map(|p| {
            if p.info().quota.is_some() {
                return None;
            }
            let down = reading_where(*p, |e| e.state == ConnectionState::Disconnected)?;
            Some((*p, healthy(*p), down))
        })
        .expect("a provider without a quota that records a disconnected instance")
}

#[tokio::test]
async fn watch_reports_a_scripted_timeline_without_the_flap() {
    let (provider, up, down) = watchable();
    let watched = instance(provider, 0, up);
    let (sim, targets) = serve(vec![watched.clone()]).await;
    // Connected, a 150 ms flap to disconnected (shorter than the 200 ms poll, so it is
    // read at most once), connected again, then disconnected for good.
    sim.set_timeline(
        provider,
        &watched.id,
        vec![
            Step::new(Duration::from_millis(800), down),
            Step::new(Duration::from_millis(950), up),
            Step::new(Duration::from_millis(1600), down),
        ],
    )
    .unwrap();
    let output = run(
        &[
            "watch",
            "--interval",
            "200ms",
            "--confirm",
            "2",
            "--duration",
            "2600ms",
            &targets[0],
        ],
        &[],
    )
    .await;
    assert_eq!(output.code, 0, "{}", output.stderr);
    let changes: Vec<(Value, Value)> = output
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|v| (v["previous"].clone(), v["state"].clone()))
        .collect();
    assert_eq!(
        changes,
        [
            (Value::Null, Value::from("connected")),
            (Value::from("connected"), Value::from("disconnected")),
        ]
    );
    let first: Value = serde_json::from_str(output.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(
        (first["name"].as_str(), first["provider"].as_str()),
        (Some(watched.id.as_str()), Some(provider.name()))
    );
    assert!(first["at"].as_str().unwrap().ends_with('Z'));
}

/// Starts the exporter on a free port for `targets`; returns the child and its base URL.
async fn exporter(interval: &str, targets: &[&str]) -> (tokio::process::Child, String) {
    let mut args = vec![
        "exporter",
        "--listen",
        "127.0.0.1:0",
        "--interval",
        interval,
    ];
    args.extend(targets);
    let mut child = Command::new(BIN)
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let banner = lines.next_line().await.unwrap().unwrap();
    assert!(
        banner.starts_with("wa-status exporter listening on http://127.0.0.1:"),
        "{banner}"
    );
    let url = banner
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .to_owned();
    (child, url)
}

/// Scrapes until every one of `series` appears (the poll has landed), at most 5 seconds.
async fn scrape_until(url: &str, series: &[&str]) -> String {
    let http = reqwest::Client::new();
    for _ in 0..50 {
        let text = http
            .get(format!("{url}/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let samples = parse_metrics(&text);
        if series.iter().all(|s| samples.contains_key(*s)) {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{series:?} never appeared");
}

fn labels(instance: &Instance) -> String {
    format!(
        r#"instance="{}",name="{}",provider="{}""#,
        instance.id, instance.id, instance.provider
    )
}

#[tokio::test]
async fn the_exporter_serves_metrics_and_a_scrape_never_calls_a_provider() {
    // Every provider: one connected instance, and one of a provider not connected.
    let mut instances = all_connected();
    let (provider, response) = Provider::ALL
        .iter()
        .find_map(|p| reading_where(*p, |e| severity(e.state) == 1).map(|r| (*p, r)))
        .unwrap();
    instances.push(instance(provider, 30, response));
    let (sim, targets) = serve(instances.clone()).await;
    // One poll at start, the next in an hour: every provider call after the first poll
    // would have to come from a scrape.
    let targets: Vec<&str> = targets.iter().map(String::as_str).collect();
    let (mut child, url) = exporter("1h", &targets).await;
    let http = reqwest::Client::new();
    assert_eq!(
        http.get(format!("{url}/healthz"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "ok\n"
    );
    let wanted: Vec<String> = instances
        .iter()
        .map(|i| {
            format!(
                "whatsapp_instance_state{{{},state=\"{}\"}}",
                labels(i),
                i.expected_reading().unwrap().state
            )
        })
        .collect();
    let wanted: Vec<&str> = wanted.iter().map(String::as_str).collect();
    let text = scrape_until(&url, &wanted).await;
    let polled = instances.len() as u64;
    assert_eq!(sim.total_counters().requests, polled);
    for _ in 0..5 {
        http.get(format!("{url}/metrics")).send().await.unwrap();
    }
    assert_eq!(
        sim.total_counters().requests,
        polled,
        "a scrape called a provider"
    );

    let samples = parse_metrics(&text);
    for instance in &instances {
        let labels = labels(instance);
        let current = instance.expected_reading().unwrap().state;
        assert_eq!(
            samples.get(&format!("whatsapp_instance_up{{{labels}}}")),
            Some(&f64::from(u8::from(current == ConnectionState::Connected)))
        );
        let one_hot: Vec<(&String, &f64)> = samples
            .iter()
            .filter(|(k, _)| k.starts_with(&format!("whatsapp_instance_state{{{labels},state=")))
            .collect();
        assert_eq!(one_hot.len(), ConnectionState::ALL.len(), "{labels}");
        let on: Vec<&String> = one_hot
            .iter()
            .filter(|(_, v)| **v == 1.0)
            .map(|(k, _)| *k)
            .collect();
        assert_eq!(
            on,
            [&format!(
                "whatsapp_instance_state{{{labels},state=\"{current}\"}}"
            )]
        );
        assert!(
            samples[&format!("whatsapp_instance_last_success_timestamp_seconds{{{labels}}}")]
                > 1.7e9
        );
        assert!(samples.contains_key(&format!(
            "whatsapp_instance_check_duration_seconds{{{labels}}}"
        )));
    }
    for secret in secrets() {
        assert!(!text.contains(&secret));
    }
    child.kill().await.unwrap();
}

#[tokio::test]
async fn the_exporter_counts_errors_by_kind() {
    let (provider, up, _) = watchable();
    let broken = instance(provider, 0, up);
    let (sim, targets) = serve(vec![broken.clone()]).await;
    sim.set_faults(
        provider,
        &broken.id,
        wa_simulator::Faults::fault(wa_simulator::Fault::EmptyBody),
    )
    .unwrap();
    let (mut child, url) = exporter("200ms", &[&targets[0]]).await;
    let labels = labels(&broken);
    let key = format!(
        r#"whatsapp_instance_check_errors_total{{instance="{}",kind="decode",name="{}",provider="{provider}"}}"#,
        broken.id, broken.id
    );
    let text = scrape_until(&url, &[&key]).await;
    let samples = parse_metrics(&text);
    assert!(samples[&key] >= 1.0);
    assert_eq!(
        samples.get(&format!("whatsapp_instance_up{{{labels}}}")),
        Some(&0.0)
    );
    child.kill().await.unwrap();
}

/// `name{labels} value` lines of the text format, labels sorted by name.
fn parse_metrics(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let value: f64 = value.parse().ok()?;
            let series = match series.split_once('{') {
                Some((name, labels)) => {
                    let mut labels: Vec<&str> = labels.trim_end_matches('}').split(',').collect();
                    labels.sort_unstable();
                    format!("{name}{{{}}}", labels.join(","))
                }
                None => series.to_owned(),
            };
            Some((series, value))
        })
        .collect()
}

#[tokio::test]
async fn the_demo_runs_on_a_fresh_machine_and_covers_every_provider() {
    let output = run(&["demo"], &[]).await;
    assert_eq!(output.code, 0, "{}", output.stderr);
    let sample = Fleet::sample().instances;
    assert!(
        output.stdout.starts_with(&format!(
            "wa-status demo: {} instances at {} providers",
            sample.len(),
            Provider::ALL.len()
        )),
        "{}",
        output.stdout
    );
    let providers: std::collections::BTreeSet<&str> = output
        .stdout
        .lines()
        .filter_map(|line| line.split_whitespace().nth(1))
        .collect();
    for provider in Provider::ALL {
        assert!(
            providers.contains(provider.name()),
            "{provider} missing from {}",
            output.stdout
        );
    }
    assert!(
        output.stdout.contains(&summary(&sample)),
        "{}",
        output.stdout
    );
}

/// The README shows the demo as it really runs (its port aside). Run with
/// `WA_UPDATE_DOCS=1` to rewrite the README's block after a change of the sample fleet.
#[tokio::test]
async fn the_readme_shows_the_demo_as_it_runs() {
    let output = run(&["demo"], &[]).await;
    assert_eq!(output.code, 0, "{}", output.stderr);
    let port = output
        .stdout
        .lines()
        .next()
        .and_then(|l| l.rsplit_once("http://127.0.0.1:"))
        .map(|(_, port)| port.to_owned())
        .unwrap();
    let shown = output
        .stdout
        .replacen(&format!("127.0.0.1:{port}"), "127.0.0.1:PORT", 1);
    let block = format!("```text\n{shown}```\n");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let begin = readme.find("<!-- BEGIN GENERATED: demo ").unwrap();
    let start = begin + readme[begin..].find("-->\n").unwrap() + 4;
    let end = readme.find("<!-- END GENERATED: demo -->").unwrap();
    if readme[start..end] == block {
        return;
    }
    if std::env::var_os("WA_UPDATE_DOCS").is_some() && std::env::var_os("CI").is_none() {
        std::fs::write(
            path,
            format!("{}{block}{}", &readme[..start], &readme[end..]),
        )
        .unwrap();
        return;
    }
    panic!(
        "README.md's demo block is stale; run `WA_UPDATE_DOCS=1 cargo test -p wa-status --test cli` and commit README.md. It should be:\n{block}"
    );
}

/// `wa-status check` on every recorded response of every provider, served by the
/// simulator and, verbatim, by a test server: the state, raw value, action, phone, JID and
/// display name a recording says, with the exit status of its state; or the error kind it
/// says, with exit status 3.
#[tokio::test]
async fn check_reads_every_recording_from_the_simulator_and_a_test_server() {
    let server = wa_tests::RecordingServer::start().await;
    let mut checked = 0;
    for provider in Provider::ALL.iter().copied() {
        for recording in provider.recordings() {
            let served = instance(provider, 0, recording.name);
            let sim = Simulator::start_with(
                Fleet {
                    instances: vec![served.clone()],
                },
                wa_simulator::SimulatorOptions {
                    rate_limits: false,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            server.respond_with(
                recording.status,
                recording.headers,
                &recording.body_for(&served.id),
            );
            let targets = [
                ("simulator", sim.connection_string(&served)),
                (
                    "test server",
                    wa_simulator::connection_string_at(&server.url()[7..], &served),
                ),
            ];
            for (source, target) in targets {
                let name = format!("{provider}/{} from the {source}", recording.name);
                let output = run(&["check", "--format", "json", &target], &[]).await;
                let array: Vec<Value> = serde_json::from_str(&output.stdout)
                    .unwrap_or_else(|e| panic!("{name}: {e}: {}", output.stdout));
                let object = &array[0];
                match (recording.reading(), &recording.expect) {
                    (Some(e), _) => {
                        assert_eq!(output.code, i32::from(severity(e.state)), "{name}");
                        assert_eq!(object["state"], e.state.name(), "{name}");
                        assert_eq!(object["raw_state"], e.raw_state, "{name}");
                        assert_eq!(
                            object["required_action"],
                            serde_json::json!(e.action.map(|a| a.name())),
                            "{name}"
                        );
                        assert_eq!(object["phone"], serde_json::json!(e.phone), "{name}");
                        assert_eq!(object["jid"], serde_json::json!(e.jid), "{name}");
                        assert_eq!(
                            object["display_name"],
                            serde_json::json!(e.display_name),
                            "{name}"
                        );
                        let details: BTreeMap<&str, &str> = e.details.iter().copied().collect();
                        assert_eq!(object["details"], serde_json::json!(details), "{name}");
                    }
                    (None, wa_providers::Expect::Error(e)) => {
                        assert_eq!(output.code, 3, "{name}");
                        let error = &object["error"];
                        assert_eq!(error["kind"], e.kind.name(), "{name}");
                        assert_eq!(
                            error["vendor_message"],
                            serde_json::json!(e.message),
                            "{name}"
                        );
                        assert_eq!(error["temporary"], e.temporary, "{name}");
                        let message = error["message"].as_str().unwrap();
                        assert!(
                            message.starts_with(&format!("{provider}: {}: ", e.kind.name())),
                            "{name}: {message}"
                        );
                        if let Some(words) = e.message {
                            assert!(
                                message.ends_with(&format!(": {words}")),
                                "{name}: {message}"
                            );
                        }
                        // The table's row and the plugin's first line carry the same message.
                        let table = run(&["check", &target], &[]).await;
                        let row = table.stdout.lines().nth(1).unwrap();
                        assert!(row.ends_with(message), "{name}: {row}");
                        let plugin = run(&["check", "--plugin-output", &target], &[]).await;
                        assert_eq!(
                            plugin.stdout.lines().next().unwrap(),
                            format!(
                                "WHATSAPP UNKNOWN - 1 of 1 not connected: {}: {} | connected=0;;;0;1 error=1;;;0;1",
                                served.id,
                                message.replace('|', "/")
                            ),
                            "{name}"
                        );
                    }
                    (None, other) => panic!("{name}: {other:?}"),
                }
                checked += 1;
            }
        }
    }
    let recorded: usize = Provider::ALL.iter().map(|p| p.recordings().len()).sum();
    assert_eq!(checked, 2 * recorded);
}
