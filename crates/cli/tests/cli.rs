//! End-to-end: the built `wa-status` binary against the provider simulator on 127.0.0.1.
//! Every test checks that nothing the binary printed holds a secret.

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use wa_simulator::{Account, Fleet, Instance, Provider, Simulator, Step};

const BIN: &str = env!("CARGO_BIN_EXE_wa-status");

const VZ_INSTANCE: &str = "vz-cli-secret-instance";
const VZ_CLIENT: &str = "vz-cli-secret-client";
const HS_TOKEN: &str = "234|hs-cli-secret";
const GA_TOKEN: &str = "ga-cli-secret";
const MEGA_TOKEN: &str = "mega-cli-secret";
const SECRETS: [&str; 6] = [
    VZ_INSTANCE,
    VZ_CLIENT,
    HS_TOKEN,
    "hs-cli-secret",
    GA_TOKEN,
    MEGA_TOKEN,
];

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

fn assert_no_secret(output: &Output) {
    for secret in SECRETS {
        assert!(
            !output.stdout.contains(secret),
            "secret in stdout: {}",
            output.stdout
        );
        assert!(
            !output.stderr.contains(secret),
            "secret in stderr: {}",
            output.stderr
        );
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

fn phone() -> Account {
    Account {
        phone: Some("5511988887777".into()),
        push_name: Some("Shop".into()),
        ..Account::default()
    }
}

/// A simulator with one instance per provider, in the given raw states.
async fn simulator(mega: &str, vzaps: &str, hyper: &str, green: &str) -> Simulator {
    Simulator::start(Fleet {
        instances: vec![
            Instance::new(Provider::MegaApi, "megastart-CLI1", mega)
                .with_token(MEGA_TOKEN)
                .with_account(phone()),
            Instance::new(Provider::Vzaps, "VZCLI1", vzaps)
                .with_token_pair(VZ_INSTANCE, VZ_CLIENT)
                .with_account(phone()),
            Instance::new(Provider::Hypersender, "hs-cli-1", hyper).with_token(HS_TOKEN),
            Instance::new(Provider::GreenApi, "1101000001", green).with_api_token(GA_TOKEN),
        ],
    })
    .await
    .unwrap()
}

fn targets(sim: &Simulator) -> Vec<String> {
    let host = sim.addr();
    vec![
        format!("megaapi+http://{MEGA_TOKEN}@{host}/megaapi/megastart-CLI1"),
        format!("vzaps+http://{VZ_INSTANCE}:{VZ_CLIENT}@{host}/vzaps/VZCLI1"),
        format!(
            "hypersender+http://234%7Chs-cli-secret@{host}/hypersender/api/whatsapp/v1/hs-cli-1"
        ),
        format!("green-api+http://1101000001:{GA_TOKEN}@{host}/green-api"),
    ]
}

async fn check(sim: &Simulator, extra: &[&str]) -> Output {
    let targets = targets(sim);
    let mut args = vec!["check"];
    args.extend(extra);
    args.extend(targets.iter().map(String::as_str));
    run(&args, &[]).await
}

#[tokio::test]
async fn table_format_all_connected_exits_0() {
    let sim = simulator("connected", "true", "WORKING", "authorized").await;
    let output = check(&sim, &[]).await;
    assert_eq!(output.code, 0, "{}", output.stderr);
    let lines: Vec<&str> = output.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "NAME            PROVIDER     STATE      RAW         PHONE           ACTION  ERROR"
    );
    assert_eq!(
        lines[1],
        "megastart-CLI1  megaapi      connected  connected   +5511988887777  none    -"
    );
    assert_eq!(
        lines[2],
        "VZCLI1          vzaps        connected  true        +5511988887777  none    -"
    );
    assert_eq!(
        lines[3],
        "hs-cli-1        hypersender  connected  WORKING     -               none    -"
    );
    assert_eq!(
        lines[4],
        "1101000001      green-api    connected  authorized  -               none    -"
    );
    assert_eq!(lines[5], "");
    assert_eq!(lines[6], "4 instances: 4 connected");
}

#[tokio::test]
async fn json_format_has_every_field_and_errors_in_place_of_state() {
    let sim = simulator("connected", "false", "WORKING", "authorized").await;
    sim.set_state(Provider::Hypersender, "hs-cli-1", "HIBERNATING")
        .unwrap();
    let host = sim.addr();
    let wrong = format!("green-api+http://1101000001:wrong-token@{host}/green-api");
    let mut args = vec!["check".to_owned(), "--format".into(), "json".into()];
    args.extend(targets(&sim));
    args.push(wrong);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = run(&args, &[]).await;
    assert_eq!(
        output.code, 2,
        "a disconnected instance is critical, which beats unknown"
    );
    let array: Vec<Value> = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(array.len(), 5);
    let mega = &array[0];
    let keys: Vec<&str> = mega
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
            "observed_at"
        ]
    );
    assert_eq!(
        (
            mega["state"].as_str(),
            mega["phone"].as_str(),
            mega["required_action"].as_str()
        ),
        (Some("connected"), Some("+5511988887777"), Some("none"))
    );
    assert_eq!(array[1]["state"], "disconnected");
    assert_eq!(array[1]["raw_state"], "false");
    assert_eq!(array[1]["required_action"], "scan_qr");
    assert_eq!(array[2]["state"], "unknown");
    assert_eq!(array[2]["raw_state"], "HIBERNATING");
    assert_eq!(array[2]["required_action"], Value::Null);
    assert_eq!(array[3]["state"], "connected");
    let failure = &array[4];
    assert_eq!(failure.get("state"), None);
    assert_eq!(failure["error"]["kind"], "unauthenticated");
    assert_eq!(failure["error"]["temporary"], false);
    assert_eq!(
        failure["error"]["message"],
        "green-api: the credentials were rejected (HTTP 401)"
    );
    assert_eq!(
        output.stderr.trim(),
        "5 instances: 2 connected, 1 disconnected, 1 unknown, 1 error"
    );
}

#[tokio::test]
async fn jsonl_format_is_one_object_per_line() {
    let sim = simulator("connected", "true", "STARTING", "authorized").await;
    let output = check(&sim, &["--format", "jsonl"]).await;
    assert_eq!(output.code, 1);
    let objects: Vec<Value> = output
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(objects.len(), 4);
    let mut names: Vec<&str> = objects
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["1101000001", "VZCLI1", "hs-cli-1", "megastart-CLI1"]
    );
}

#[tokio::test]
async fn every_exit_status() {
    let cases = [
        (("connected", "true", "WORKING", "authorized"), 0, "WHATSAPP OK - 4 of 4 connected | connected=4;;;0;4"),
        (
            ("connected", "true", "STARTING", "yellowCard"),
            1,
            "WHATSAPP WARNING - 2 of 4 not connected | connected=2;;;0;4 restricted=1;;;0;4 starting=1;;;0;4",
        ),
        (
            ("connected", "true", "STARTING", "pendingCode"),
            3,
            "WHATSAPP UNKNOWN - 2 of 4 not connected | connected=2;;;0;4 starting=1;;;0;4 unknown=1;;;0;4",
        ),
        (
            ("connected", "false", "HIBERNATING", "blocked"),
            2,
            "WHATSAPP CRITICAL - 3 of 4 not connected | connected=1;;;0;4 disconnected=1;;;0;4 banned=1;;;0;4 unknown=1;;;0;4",
        ),
    ];
    for ((mega, vzaps, hyper, green), code, line) in cases {
        let sim = simulator(mega, vzaps, hyper, green).await;
        let output = check(&sim, &["--plugin-output"]).await;
        assert_eq!(output.code, code, "{line}");
        assert_eq!(output.stdout, format!("{line}\n"));
    }
    // A failed check alone is unknown, too.
    let sim = simulator("connected", "true", "WORKING", "authorized").await;
    sim.set_faults(
        Provider::MegaApi,
        "megastart-CLI1",
        wa_simulator::Faults::fault(wa_simulator::Fault::WrongShape),
    )
    .unwrap();
    let output = check(&sim, &["--plugin-output"]).await;
    assert_eq!(output.code, 3);
    assert_eq!(
        output.stdout,
        "WHATSAPP UNKNOWN - 1 of 4 not connected | connected=3;;;0;4 error=1;;;0;4\n"
    );
}

#[tokio::test]
async fn a_fleet_file_with_env_credentials_and_the_target_variable() {
    let sim = simulator("connected", "true", "PENDING", "authorized").await;
    let dir = std::env::temp_dir().join(format!("wa-status-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("fleet.toml");
    let host = sim.addr();
    std::fs::write(
        &path,
        format!(
            r#"
[[instance]]
name = "support-line"
provider = "hypersender"
base_url = "http://{host}/hypersender/api/whatsapp/v1"
instance = "hs-cli-1"
token_env = "CLI_TEST_HS_TOKEN"

[[instance]]
name = "sales"
provider = "green-api"
api_url = "http://{host}/green-api"
id_instance = 1101000001
api_token_env = "CLI_TEST_GA_TOKEN"
"#
        ),
    )
    .unwrap();
    let output = run(
        &[
            "check",
            "--format",
            "json",
            "--verbose",
            "--config",
            path.to_str().unwrap(),
        ],
        &[
            ("CLI_TEST_HS_TOKEN", HS_TOKEN),
            ("CLI_TEST_GA_TOKEN", GA_TOKEN),
        ],
    )
    .await;
    assert_eq!(output.code, 1, "{}", output.stderr);
    let array: Vec<Value> = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(
        (array[0]["name"].as_str(), array[0]["state"].as_str()),
        (Some("support-line"), Some("provisioning"))
    );
    assert_eq!(
        (array[1]["name"].as_str(), array[1]["state"].as_str()),
        (Some("sales"), Some("connected"))
    );
    assert!(
        output
            .stderr
            .contains("wa-status: support-line [hypersender+http://***@"),
        "{}",
        output.stderr
    );

    let target = format!("green-api+http://1101000001:{GA_TOKEN}@{host}/green-api");
    let output = run(
        &["check", "--format", "jsonl"],
        &[("WA_STATUS_TARGET", &target)],
    )
    .await;
    assert_eq!(output.code, 0);
    let object: Value = serde_json::from_str(output.stdout.trim()).unwrap();
    assert_eq!(object["raw_state"], "authorized");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn bad_input_gets_one_clear_line_and_exit_3() {
    let dir = std::env::temp_dir().join(format!("wa-status-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let malformed = dir.join("malformed.toml");
    std::fs::write(
        &malformed,
        "[[instance]]\nprovider = \"megaapi\"\ninstance = \"k\"\ntokn = \"x\"\n",
    )
    .unwrap();
    let missing_env = dir.join("missing-env.toml");
    std::fs::write(
        &missing_env,
        "[[instance]]\nprovider = \"hypersender\"\ninstance = \"u\"\ntoken_env = \"CLI_TEST_NOT_SET\"\n",
    )
    .unwrap();
    let unknown_provider = dir.join("unknown-provider.toml");
    std::fs::write(
        &unknown_provider,
        "[[instance]]\nprovider = \"waha\"\ninstance = \"u\"\n",
    )
    .unwrap();
    let cases: Vec<(Vec<String>, String)> = vec![
        (
            vec!["check".into(), "hypersender://234%7Chs-cli-secret@app.hypersender.com".into()],
            "wa-status: error: hypersender: invalid configuration: connection string `hypersender://***@app.hypersender.com`: the instance is missing after the host: expected hypersender://TOKEN@HOST[/BASE]/INSTANCE".into(),
        ),
        (
            vec!["check".into(), format!("waha://{MEGA_TOKEN}@host/x")],
            "wa-status: error: invalid configuration: connection string `waha://***@host/x`: unknown provider `waha`: expected megaapi, vzaps, hypersender or green-api".into(),
        ),
        (
            vec!["check".into(), "--config".into(), unknown_provider.display().to_string()],
            format!("wa-status: error: {}:2:12: unknown variant `waha`, expected one of `megaapi`, `vzaps`, `hypersender`, `green-api`", unknown_provider.display()),
        ),
        (
            vec!["check".into(), "--config".into(), missing_env.display().to_string()],
            format!("wa-status: error: {}: instance 1: hypersender: invalid configuration: the environment variable `CLI_TEST_NOT_SET` (from `token_env`) is not set", missing_env.display()),
        ),
        (
            vec!["check".into(), "--config".into(), malformed.display().to_string()],
            format!("wa-status: error: {}:4:1: unknown field `tokn`, expected one of `name`, `provider`, `api_url`, `base_url`, `id_instance`, `instance`, `instance_id`, `instance_key`, `api_token`, `token`, `api_token_env`, `token_env`, `instance_token`, `instance_token_env`, `client_token`, `client_token_env`", malformed.display()),
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
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn watch_reports_a_scripted_timeline_without_the_flap() {
    let sim = simulator("connected", "true", "WORKING", "authorized").await;
    // Connected, a 150 ms flap to disconnected (shorter than the 200 ms poll, so it is
    // read at most once), connected again, then disconnected for good.
    sim.set_timeline(
        Provider::Vzaps,
        "VZCLI1",
        vec![
            Step::new(Duration::from_millis(800), "false"),
            Step::new(Duration::from_millis(950), "true"),
            Step::new(Duration::from_millis(1600), "false"),
        ],
    )
    .unwrap();
    let target = format!(
        "vzaps+http://{VZ_INSTANCE}:{VZ_CLIENT}@{}/vzaps/VZCLI1",
        sim.addr()
    );
    let output = run(
        &[
            "watch",
            "--interval",
            "200ms",
            "--confirm",
            "2",
            "--duration",
            "2600ms",
            &target,
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
        (Some("VZCLI1"), Some("vzaps"))
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

#[tokio::test]
async fn the_exporter_serves_metrics_and_a_scrape_never_calls_a_provider() {
    let sim = simulator("connected", "true", "WORKING", "sleepMode").await;
    let targets = targets(&sim);
    // One poll at start, the next in an hour: every provider call after the first poll
    // would have to come from a scrape.
    let (mut child, url) = exporter("1h", &[&targets[1], &targets[3]]).await;
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

    let ga = r#"instance="1101000001",name="1101000001",provider="green-api""#;
    let vz = r#"instance="VZCLI1",name="VZCLI1",provider="vzaps""#;
    let text = scrape_until(
        &url,
        &[
            &format!("whatsapp_instance_state{{{ga},state=\"phone_offline\"}}"),
            &format!("whatsapp_instance_state{{{vz},state=\"connected\"}}"),
        ],
    )
    .await;
    assert_eq!(sim.total_counters().requests, 2);
    for _ in 0..5 {
        http.get(format!("{url}/metrics")).send().await.unwrap();
    }
    assert_eq!(
        sim.total_counters().requests,
        2,
        "a scrape called a provider"
    );

    let samples = parse_metrics(&text);
    assert_eq!(
        samples.get(&format!("whatsapp_instance_up{{{vz}}}")),
        Some(&1.0)
    );
    assert_eq!(
        samples.get(&format!("whatsapp_instance_up{{{ga}}}")),
        Some(&0.0)
    );
    for (labels, current) in [(ga, "phone_offline"), (vz, "connected")] {
        let one_hot: Vec<(&String, &f64)> = samples
            .iter()
            .filter(|(k, _)| k.starts_with(&format!("whatsapp_instance_state{{{labels},state=")))
            .collect();
        assert_eq!(one_hot.len(), 11, "{labels}");
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
    }
    assert!(samples[&format!("whatsapp_instance_last_success_timestamp_seconds{{{vz}}}")] > 1.7e9);
    assert!(samples.contains_key(&format!("whatsapp_instance_check_duration_seconds{{{vz}}}")));
    for secret in SECRETS {
        assert!(!text.contains(secret));
    }
    child.kill().await.unwrap();
}

#[tokio::test]
async fn the_exporter_counts_errors_by_kind() {
    let sim = simulator("connected", "true", "WORKING", "authorized").await;
    sim.set_faults(
        Provider::Vzaps,
        "VZCLI1",
        wa_simulator::Faults::fault(wa_simulator::Fault::EmptyBody),
    )
    .unwrap();
    let targets = targets(&sim);
    let (mut child, url) = exporter("200ms", &[&targets[1]]).await;
    let key = r#"whatsapp_instance_check_errors_total{instance="VZCLI1",kind="decode",name="VZCLI1",provider="vzaps"}"#;
    let text = scrape_until(&url, &[key]).await;
    let samples = parse_metrics(&text);
    assert!(samples[key] >= 1.0);
    assert_eq!(
        samples.get(r#"whatsapp_instance_up{instance="VZCLI1",name="VZCLI1",provider="vzaps"}"#),
        Some(&0.0)
    );
    child.kill().await.unwrap();
}

/// `name{labels} value` lines of the text format, labels sorted by name.
fn parse_metrics(text: &str) -> std::collections::BTreeMap<String, f64> {
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
    assert!(
        output
            .stdout
            .starts_with("wa-status demo: 11 instances at 4 providers"),
        "{}",
        output.stdout
    );
    let providers: std::collections::BTreeSet<&str> = output
        .stdout
        .lines()
        .filter_map(|line| line.split_whitespace().nth(1))
        .collect();
    for provider in ["megaapi", "vzaps", "hypersender", "green-api"] {
        assert!(
            providers.contains(provider),
            "{provider} missing from {}",
            output.stdout
        );
    }
    assert!(output.stdout.contains("11 instances: 4 connected, 1 restricted, 1 phone_offline, 1 starting, 1 awaiting_pairing, 2 disconnected, 1 failed"));
}
