//! Quota-bound fleets, on the simulator with the providers' rate limits on, checked by the
//! built `wa-status exporter` (and `wa-status check` beside it), measured from the outside:
//! the exporter's metrics and the simulator's counts of 429 answers.
//!
//! ```text
//! cargo bench -p wa-status --bench quotas             # every scenario, about 10 minutes
//! cargo bench -p wa-status --bench quotas -- down     # one of: alone, beside, down
//! cargo bench -p wa-status --bench quotas -- --quick  # every scenario in about 70 s (CI)
//! ```
//!
//! The providers come from the catalog by their quotas: the one with a quota per token
//! (10 requests a minute today), the one with a quota per instance (1 a second), and
//! quota-free ones.
//!
//! - `alone`: 50 instances of one token of the per-token provider and 20 of the
//!   per-instance provider, for 6 minutes: when each per-instance one is first read, the
//!   oldest per-token reading over time (10 a minute allows one read of each every 300 s),
//!   and the 429s.
//! - `beside`: the same fleet for 3 minutes, with a `wa-status check` of one per-token
//!   instance every minute beside the exporter, on the same token with the host written as
//!   `localhost` instead of `127.0.0.1`: the 429s.
//! - `down`: 20 instances each of two quota-free providers checked every 10 s (timeout 10 s)
//!   while every instance of a third hangs: the oldest reading of the first two.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use wa_providers::wa_model::ConnectionState;
use wa_simulator::{Fault, Faults, Fleet, Instance, Provider, Simulator, SimulatorOptions};

const BIN: &str = env!("CARGO_BIN_EXE_wa-status");

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let wanted: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let runs = |name: &str| wanted.is_empty() || wanted.iter().any(|w| *w == name);
    // The quick mode runs every scenario for a fraction of its time: its figures say little
    // about the quotas (a minute's quota is not reached), but the benchmark cannot rot.
    let length = if args.iter().any(|a| a == "--quick") {
        Length::Quick
    } else {
        Length::Full
    };
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        if runs("alone") {
            alone(length).await;
        }
        if runs("beside") {
            beside(length).await;
        }
        if runs("down") {
            down(length).await;
        }
    });
}

/// How long the scenarios run.
#[derive(Clone, Copy)]
enum Length {
    Full,
    Quick,
}

impl Length {
    /// `full` seconds, or the quick mode's share of them.
    fn seconds(self, full: u64, quick: u64) -> Duration {
        Duration::from_secs(match self {
            Length::Full => full,
            Length::Quick => quick,
        })
    }
}

/// The provider whose quota is counted per `scope`.
fn quota_bound(scope: wa_providers::QuotaScope) -> Provider {
    Provider::ALL
        .iter()
        .copied()
        .find(|p| p.info().quota.is_some_and(|q| q.per == scope))
        .expect("a provider with such a quota")
}

/// The providers without a quota.
fn quota_free() -> Vec<Provider> {
    Provider::ALL
        .iter()
        .copied()
        .filter(|p| p.info().quota.is_none())
        .collect()
}

/// `count` instances of `name`, sharing one token when `shared` is given, else each its own.
fn instances(
    provider: Provider,
    count: usize,
    first: usize,
    shared: Option<&str>,
) -> Vec<Instance> {
    (first..first + count)
        .map(|n| {
            let token = match shared {
                Some(token) => token.to_owned(),
                None => format!("{provider}-bench-token-{n}"),
            };
            Instance::new(
                provider,
                format!("{}", 1_100_000_000 + n),
                provider
                    .first_reading(ConnectionState::Connected)
                    .unwrap()
                    .name,
            )
            .with_credentials_like(&token)
        })
        .collect()
}

async fn simulator(fleet: Vec<Instance>) -> Simulator {
    Simulator::start_with(
        Fleet { instances: fleet },
        SimulatorOptions {
            rate_limits: true,
            ..Default::default()
        },
    )
    .await
    .expect("the simulator starts")
}

/// The exporter over `fleet` on `sim`, with its own quota folder; returns it and its URL.
async fn exporter(
    sim: &Simulator,
    fleet: &[Instance],
    interval: &str,
    quota_dir: &str,
    extra: &[&str],
) -> (tokio::process::Child, String) {
    let dir = std::env::temp_dir().join(format!("wa-quota-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("fleet-{interval}.toml"));
    let text: String = fleet.iter().map(|i| sim.fleet_file_entry(i)).collect();
    std::fs::write(&file, text).unwrap();
    let mut child = tokio::process::Command::new(BIN)
        .args([
            "exporter",
            "--listen",
            "127.0.0.1:0",
            "--interval",
            interval,
        ])
        .args(["--quota-dir", quota_dir, "--config"])
        .arg(&file)
        .args(extra)
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the exporter starts");
    let (_, url) = wa_tests::listening_url(&mut child).await;
    (child, url)
}

/// Every `name="..."` sample of `metric`, by instance name.
async fn samples(url: &str, metric: &str) -> BTreeMap<String, f64> {
    let text = wa_tests::http_client()
        .get(format!("{url}/metrics"))
        .header("accept", "text/plain")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .filter(|l| l.starts_with(&format!("{metric}{{")))
        .filter_map(|l| {
            let name = l.split("name=\"").nth(1)?.split('"').next()?.to_owned();
            let value = l.rsplit(' ').next()?.parse().ok()?;
            Some((name, value))
        })
        .collect()
}

fn quota_dir(scenario: &str) -> String {
    let dir =
        std::env::temp_dir().join(format!("wa-quota-bench-{scenario}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.display().to_string()
}

async fn alone(length: Length) {
    let (token_bound, instance_bound) = (
        quota_bound(wa_providers::QuotaScope::Credential),
        quota_bound(wa_providers::QuotaScope::Instance),
    );
    let per_token = instances(token_bound, 50, 0, Some("7|bench-shared-token"));
    let per_instance = instances(instance_bound, 20, 100, None);
    let fleet: Vec<Instance> = per_token.iter().chain(&per_instance).cloned().collect();
    let sim = simulator(fleet.clone()).await;
    let started = Instant::now();
    let (mut child, url) = exporter(&sim, &fleet, "60s", &quota_dir("alone"), &[]).await;
    let mut first_read: BTreeMap<String, f64> = BTreeMap::new();
    let mut oldest_per_token = 0.0f64;
    let run = length.seconds(360, 20);
    while started.elapsed() < run {
        let ages = samples(&url, "whatsapp_instance_reading_age_seconds").await;
        for instance in &per_instance {
            if ages.contains_key(&instance.id) {
                first_read
                    .entry(instance.id.clone())
                    .or_insert(started.elapsed().as_secs_f64());
            }
        }
        // Once every per-token instance has been read, its readings' age is the quota's.
        if per_token.iter().all(|i| ages.contains_key(&i.id)) {
            for instance in &per_token {
                oldest_per_token = oldest_per_token.max(ages[&instance.id]);
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let latest_first = first_read.values().copied().fold(0.0, f64::max);
    println!(
        "alone: 50 {token_bound} instances on one token + 20 {instance_bound}, {} s",
        run.as_secs()
    );
    println!(
        "  {instance_bound} first read: all {} within {latest_first:.1} s (goal: 5 s)",
        first_read.len()
    );
    println!("  oldest {token_bound} reading: {oldest_per_token:.0} s (goal: under 330 s; the quota allows 300)");
    println!("  429 answers: {}", sim.total_counters().rate_limited);
    child.kill().await.unwrap();
}

async fn beside(length: Length) {
    let per_token = instances(
        quota_bound(wa_providers::QuotaScope::Credential),
        50,
        0,
        Some("7|bench-shared-token"),
    );
    let per_instance = instances(
        quota_bound(wa_providers::QuotaScope::Instance),
        20,
        100,
        None,
    );
    let fleet: Vec<Instance> = per_token.iter().chain(&per_instance).cloned().collect();
    let sim = simulator(fleet.clone()).await;
    let dir = quota_dir("beside");
    let (mut child, _url) = exporter(&sim, &fleet, "60s", &dir, &[]).await;
    // `check` every minute, the host written another way.
    let target = sim
        .connection_string(&per_token[0])
        .replace("127.0.0.1", "localhost");
    let started = Instant::now();
    let (run, every) = (length.seconds(180, 20), length.seconds(60, 10));
    // A check waits for the token's quota within its deadline: the default in the full
    // run, a short one in the quick mode.
    let deadline = length.seconds(50, 8);
    let (mut checks, mut runs) = (0, 0);
    while started.elapsed() < run {
        let output = tokio::process::Command::new(BIN)
            .args(["check", "--format", "json", "--quota-dir", &dir])
            .args(["--deadline", &format!("{}s", deadline.as_secs())])
            .arg(&target)
            .output()
            .await
            .unwrap();
        checks += usize::from(output.status.code() == Some(0));
        runs += 1;
        tokio::time::sleep(every).await;
    }
    println!(
        "beside: the same fleet, {} s, and `wa-status check` every {} s on the token, host `localhost`",
        run.as_secs(),
        every.as_secs()
    );
    println!("  checks that read the instance: {checks} of {runs}");
    println!("  429 answers: {}", sim.total_counters().rate_limited);
    child.kill().await.unwrap();
}

async fn down(length: Length) {
    let free = quota_free();
    let first_free = instances(free[0], 20, 100, None);
    let second_free = instances(free[1], 20, 200, None);
    let hanging = instances(free[2], 20, 300, None);
    let fleet: Vec<Instance> = first_free
        .iter()
        .chain(&second_free)
        .chain(&hanging)
        .cloned()
        .collect();
    let sim = simulator(fleet.clone()).await;
    for instance in &hanging {
        sim.set_faults(
            instance.provider,
            &instance.id,
            Faults {
                latency_ms: 120_000,
                fault: Some(Fault::Status { status: 503 }),
            },
        )
        .unwrap();
    }
    let (mut child, url) = exporter(
        &sim,
        &fleet,
        "10s",
        &quota_dir("down"),
        &["--timeout", "10s"],
    )
    .await;
    let started = Instant::now();
    let mut oldest = 0.0f64;
    let run = length.seconds(90, 25);
    while started.elapsed() < run {
        let ages = samples(&url, "whatsapp_instance_reading_age_seconds").await;
        if started.elapsed() > Duration::from_secs(15) {
            for instance in first_free.iter().chain(&second_free) {
                oldest = oldest.max(ages.get(&instance.id).copied().unwrap_or(f64::INFINITY));
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    println!(
        "down: 20 {} + 20 {} every 10 s (timeout 10 s) while 20 {} instances hang, {} s",
        free[0],
        free[1],
        free[2],
        run.as_secs()
    );
    println!("  oldest {} or {} reading: {oldest:.1} s (goal: under 20 s, the interval plus the timeout)", free[0], free[1]);
    child.kill().await.unwrap();
}
