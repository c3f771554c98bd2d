//! What every test of the binary shares: the binary, the simulator fleets they serve, the
//! provider recordings they expect, and the check that nothing printed holds a secret.

#![allow(dead_code)]

pub use std::collections::BTreeMap;
pub use std::process::Stdio;
pub use std::time::Duration;

pub use serde_json::Value;
pub use tokio::process::Command;
pub use wa_providers::{ExpectedReading, Role};
pub use wa_simulator::{Fleet, Instance, Provider, Simulator, Step};
pub use wa_unified::ConnectionState;

pub const BIN: &str = env!("CARGO_BIN_EXE_wa-status");

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The instance of `provider` these tests use, serving `response`: a number for an id
/// (every provider accepts one), and secret credentials of the provider's first set, the
/// same for every instance of a provider (so that they share its quota), except where the
/// vendor knows an instance by its credential.
pub fn instance(provider: Provider, n: usize, response: &str) -> Instance {
    let secret = match provider.info().instance.named_by {
        Some(_) => format!("234|{provider}-cli-secret-{n}"),
        None => format!("234|{provider}-cli-secret"),
    };
    Instance::new(provider, format!("{}", 1_101_000_000 + n), response)
        .with_credentials_like(&secret)
}

/// Every secret [`instance`] gives, for the numbers the tests use.
pub fn secrets() -> Vec<String> {
    Provider::ALL
        .iter()
        .flat_map(|p| (0..=64).map(move |n| instance(*p, n, "")))
        .flat_map(|i| {
            i.secrets()
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

pub fn assert_no_secret(output: &Output) {
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

/// A file of this test process, in a folder of its own, holding `text`; its path.
pub fn scratch_file(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("wa-status-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// A quota folder of its own for one run: runs of these tests share no quota with each
/// other (one test that shares them on purpose sets its own).
pub fn private_quota_dir() -> String {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::env::temp_dir()
        .join(format!("wa-status-cli-quotas-{}-{run}", std::process::id()))
        .display()
        .to_string()
}

pub async fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env_remove("WA_STATUS_TARGET")
        .env("WA_STATUS_QUOTA_DIR", private_quota_dir());
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
pub fn reading_where(
    provider: Provider,
    wanted: impl Fn(&ExpectedReading) -> bool,
) -> Option<&'static str> {
    provider
        .recordings()
        .iter()
        .find(|r| r.reading().is_some_and(&wanted))
        .map(|r| r.name)
}

pub fn healthy(provider: Provider) -> &'static str {
    reading_where(provider, |e| e.state == ConnectionState::Connected).unwrap()
}

/// A simulator serving `instances`, and their connection strings.
pub async fn serve(instances: Vec<Instance>) -> (Simulator, Vec<String>) {
    let sim = Simulator::start(Fleet {
        instances: instances.clone(),
    })
    .await
    .unwrap();
    let targets = instances.iter().map(|i| sim.connection_string(i)).collect();
    (sim, targets)
}

/// One instance per provider, each serving its first connected recording.
pub fn all_connected() -> Vec<Instance> {
    Provider::ALL
        .iter()
        .enumerate()
        .map(|(n, p)| instance(*p, n, healthy(*p)))
        .collect()
}

pub async fn check(targets: &[String], extra: &[&str]) -> Output {
    let mut args = vec!["check"];
    args.extend(extra);
    args.extend(targets.iter().map(String::as_str));
    run(&args, &[]).await
}

/// Cells of a table row: the columns are separated by at least two spaces.
pub fn cells(line: &str) -> Vec<String> {
    line.split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The monitoring-plugin severity of a state: 0 ok, 1 warning, 2 critical, 3 unknown.
pub fn severity(state: ConnectionState) -> u8 {
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
pub fn counts(instances: &[Instance]) -> Vec<(&'static str, usize)> {
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

pub fn summary(instances: &[Instance]) -> String {
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

/// A provider without a quota (so that polls every 200 ms are never held back), with a
/// connected and a disconnected recording.
pub fn watchable() -> (Provider, &'static str, &'static str) {
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

/// Starts the exporter on a free port for `targets`; returns the child and its base URL.
pub async fn exporter(interval: &str, targets: &[&str]) -> (tokio::process::Child, String) {
    exporter_on("127.0.0.1:0", interval, targets).await
}

/// Starts the exporter on `listen` for `targets`; returns the child and its base URL.
pub async fn exporter_on(
    listen: &str,
    interval: &str,
    targets: &[&str],
) -> (tokio::process::Child, String) {
    let mut args = vec!["--listen", listen, "--interval", interval];
    args.extend(targets);
    let mut child = spawn_exporter(&args);
    let (banner, url) = wa_tests::listening_url(&mut child).await;
    assert!(
        banner.starts_with("wa-status exporter listening on http://127.0.0.1:"),
        "{banner}"
    );
    (child, url)
}

/// Spawns `wa-status exporter ARGS` with a quota folder of its own, its output piped and
/// killed when dropped.
pub fn spawn_exporter<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> tokio::process::Child {
    Command::new(BIN)
        .arg("exporter")
        .args(["--quota-dir", &private_quota_dir()])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

/// The Python of the tests that use Python packages: `WA_STATUS_PYTHON` (`.ci/run` sets its
/// virtual environment's), else `python3`.
pub fn python() -> String {
    std::env::var("WA_STATUS_PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// Runs `command` with `input` on its standard input; its output.
pub async fn output_with_stdin(command: &mut Command, input: &[u8]) -> std::process::Output {
    use tokio::io::AsyncWriteExt;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input).await.unwrap();
    drop(stdin);
    child.wait_with_output().await.unwrap()
}

/// Scrapes until every one of `series` appears (the poll has landed), at most 5 seconds.
pub async fn scrape_until(url: &str, series: &[&str]) -> String {
    let http = wa_tests::http_client();
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

pub fn labels(instance: &Instance) -> String {
    format!(r#"name="{}",provider="{}""#, instance.id, instance.provider)
}

/// `name{labels} value` lines of the text format, labels sorted by name.
pub fn parse_metrics(text: &str) -> BTreeMap<String, f64> {
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
