//! `wa-bench fleet`: checks a fleet of instances on the provider simulator with
//! `wa-unified`, and with a baseline of plain `reqwest` GETs (right auth, body parsed into
//! `serde_json::Value`), alternated in the same run over several rounds. Each side runs in
//! a child process of its own, so that its peak memory is its own; the simulator runs in
//! this process with its rate limits off.
//!
//! `cargo run --release -p wa-bench -- fleet`; CI runs a quick configuration
//! (`fleet --instances 300 --rounds 1 --passes 1`), asserting nothing about speed, so that
//! a broken benchmark fails there. Any failed check makes it exit with an error.

use std::process::Stdio;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand, ValueEnum};
use futures_util::StreamExt;
use serde_json::{json, Value};
use wa_simulator::{
    connection_string_at, status_request_at, Fleet, Instance, Provider, RequestLog, Simulator,
    SimulatorOptions,
};
use wa_unified::{ClientOptions, Monitor, MonitorOptions, Quotas, RetryPolicy};

#[derive(Parser)]
struct Args {
    #[command(subcommand)]
    command: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Run the fleet benchmark and print its figures.
    Fleet {
        /// Instances in the fleet, split evenly across the providers.
        #[arg(long, default_value_t = 10_000)]
        instances: usize,
        #[arg(long, default_value_t = 256)]
        concurrency: usize,
        /// Rounds; each runs both sides, in alternating order.
        #[arg(long, default_value_t = 5)]
        rounds: usize,
        /// Checks of the whole fleet per side and round, as a monitor polls repeatedly;
        /// more passes make a round long enough to measure steadily.
        #[arg(long, default_value_t = 3)]
        passes: usize,
    },
    /// How cost grows with the fleet: for each size, one pass of each side (in a process
    /// of its own, as `fleet` runs them): wall time, peak memory and checks per second,
    /// wa-unified against the baseline.
    Scaling {
        /// Fleet sizes, comma-separated.
        #[arg(long, value_delimiter = ',', default_values_t = [100, 1_000, 10_000, 100_000])]
        sizes: Vec<usize>,
        #[arg(long, default_value_t = 256)]
        concurrency: usize,
    },
    /// The shared store's cost: checks per second of a fleet with a Redis store against
    /// without, and vendor requests per instance per interval for one watcher against two
    /// sharing the store. Starts its own `redis-server` (Debian's package).
    Store {
        #[arg(long, default_value_t = 2_000)]
        instances: usize,
        /// Intervals each watcher runs for.
        #[arg(long, default_value_t = 5)]
        intervals: u32,
    },
    /// Serve the benchmark's fleet on the simulator until interrupted, for running a worker
    /// by hand (under a profiler, say).
    Serve {
        #[arg(long, default_value_t = 10_000)]
        instances: usize,
    },
    /// One side of one round (run by `fleet` as a child process).
    #[command(hide = true)]
    Worker {
        #[arg(long, value_enum)]
        side: Side,
        #[arg(long)]
        simulator: String,
        #[arg(long)]
        instances: usize,
        #[arg(long)]
        concurrency: usize,
        #[arg(long)]
        passes: usize,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Side {
    Unified,
    Baseline,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Unified => "wa-unified",
            Side::Baseline => "reqwest+Value",
        }
    }
}

/// Instance `i` of the fleet, derived from `i` alone so that the workers need not be told
/// the fleet: the providers take turns; every id is a number (which every provider
/// accepts); each serves its provider's first recording that reads `connected`.
fn member(i: usize) -> Instance {
    let provider = Provider::ALL[i % Provider::ALL.len()];
    let connected = provider
        .recordings()
        .iter()
        .find(|r| r.reading().is_some_and(|e| e.state.name() == "connected"))
        .expect("every provider has a connected recording");
    let token = format!("bench-token-{i}");
    Instance::new(provider, format!("{}", 1_100_000_000 + i), connected.name)
        .with_credentials_like(&token)
}

fn fleet(instances: usize) -> Fleet {
    Fleet {
        instances: (0..instances).map(member).collect(),
    }
}

fn main() {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    match args.command {
        Task::Fleet {
            instances,
            concurrency,
            rounds,
            passes,
        } => runtime.block_on(fleet_benchmark(instances, concurrency, rounds, passes)),
        Task::Store {
            instances,
            intervals,
        } => runtime.block_on(store_benchmark(instances, intervals)),
        Task::Scaling { sizes, concurrency } => {
            runtime.block_on(scaling_benchmark(&sizes, concurrency))
        }
        Task::Serve { instances } => runtime.block_on(async {
            let options = SimulatorOptions {
                rate_limits: false,
                log: RequestLog::off(),
                ..SimulatorOptions::default()
            };
            let simulator = Simulator::start_with(fleet(instances), options)
                .await
                .expect("the simulator starts");
            println!("{}", simulator.addr());
            let _ = tokio::signal::ctrl_c().await;
        }),
        Task::Worker {
            side,
            simulator,
            instances,
            concurrency,
            passes,
        } => {
            let report = runtime.block_on(worker(side, &simulator, instances, concurrency, passes));
            println!("{report}");
        }
    }
}

async fn fleet_benchmark(instances: usize, concurrency: usize, rounds: usize, passes: usize) {
    let options = SimulatorOptions {
        rate_limits: false,
        log: RequestLog::off(),
        ..SimulatorOptions::default()
    };
    let simulator = Simulator::start_with(fleet(instances), options)
        .await
        .expect("the simulator starts");
    let address = simulator.addr().to_string();
    // wa-unified bounds the checks under way per provider: each provider gets an equal
    // share, and the baseline as many in flight as all the shares together.
    let providers = Provider::ALL.len().min(instances).max(1);
    let per_provider = (concurrency / providers).max(1);
    let concurrency = per_provider * providers;
    println!(
        "fleet benchmark: {instances} instances ({} per provider, {providers} providers), {passes} passes per side and round, {concurrency} requests in flight on each side ({per_provider} per provider for wa-unified), {rounds} rounds, simulator on {address} (rate limits off)",
        instances / providers,
    );
    println!(
        "{:<6} {:<14} {:>9} {:>10} {:>8} {:>8} {:>9} {:>11} {:>9} {:>9} {:>7} {:>9}",
        "round",
        "side",
        "requests",
        "req/s",
        "p50 ms",
        "p99 ms",
        "queue ms",
        "peak RSS",
        "B/inst",
        "CPU us",
        "errors",
        "setup ms"
    );
    let mut reports: Vec<(Side, Value)> = Vec::new();
    for round in 1..=rounds {
        let order = if round % 2 == 1 {
            [Side::Unified, Side::Baseline]
        } else {
            [Side::Baseline, Side::Unified]
        };
        for side in order {
            let report = run_worker(side, &address, instances, concurrency, passes).await;
            let number = |key: &str| report[key].as_f64().unwrap_or(f64::NAN);
            println!(
                "{round:<6} {:<14} {:>9} {:>10.0} {:>8.2} {:>8.2} {:>9.1} {:>8.1} MB {:>9.0} {:>9.1} {:>7} {:>9.1}",
                side.name(),
                number("requests"),
                number("throughput"),
                number("p50_ms"),
                number("p99_ms"),
                number("queued_p50_ms"),
                number("peak_rss_kb") / 1024.0,
                number("bytes_per_instance"),
                number("cpu_us_per_check"),
                number("errors"),
                number("setup_ms"),
            );
            reports.push((side, report));
        }
    }
    let median = |side: Side, key: &str| {
        let mut values: Vec<f64> = reports
            .iter()
            .filter(|(s, _)| *s == side)
            .filter_map(|(_, r)| r[key].as_f64())
            .collect();
        values.sort_by(f64::total_cmp);
        values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
    };
    println!("\nmedians over {rounds} rounds:");
    for side in [Side::Unified, Side::Baseline] {
        println!(
            "  {:<14} {:>8.0} req/s   p50 {:>6.2} ms   p99 {:>6.2} ms   peak RSS {:>6.1} MB   {:>6.0} B per instance   {:>5.1} us CPU per check",
            side.name(),
            median(side, "throughput"),
            median(side, "p50_ms"),
            median(side, "p99_ms"),
            median(side, "peak_rss_kb") / 1024.0,
            median(side, "bytes_per_instance"),
            median(side, "cpu_us_per_check"),
        );
    }
    let ratio = median(Side::Unified, "throughput") / median(Side::Baseline, "throughput");
    let extra_mb =
        (median(Side::Unified, "peak_rss_kb") - median(Side::Baseline, "peak_rss_kb")) / 1024.0;
    // The goals of BENCHMARKS.md: memory over the baseline grows with the fleet only by
    // each instance's configuration.
    let memory_goal = if instances <= 10_000 { 16 } else { 64 };
    println!("  throughput ratio (wa-unified / baseline): {ratio:.3} (goal: at least 0.95)");
    println!(
        "  peak memory difference (wa-unified - baseline): {extra_mb:+.1} MB (goal: under {memory_goal} MB)"
    );
    // A side whose checks fail measures nothing: the benchmark is broken, and says so.
    let failed: f64 = reports
        .iter()
        .filter_map(|(_, r)| r["errors"].as_f64())
        .sum();
    if failed > 0.0 {
        eprintln!("error: {failed} checks failed; the figures above measure failures");
        std::process::exit(1);
    }
}

async fn run_worker(
    side: Side,
    simulator: &str,
    instances: usize,
    concurrency: usize,
    passes: usize,
) -> Value {
    let executable = std::env::current_exe().expect("the benchmark's own path");
    let side_name = match side {
        Side::Unified => "unified",
        Side::Baseline => "baseline",
    };
    let output = tokio::process::Command::new(executable)
        .args(["worker", "--side", side_name, "--simulator", simulator])
        .args([
            "--instances",
            &instances.to_string(),
            "--concurrency",
            &concurrency.to_string(),
            "--passes",
            &passes.to_string(),
        ])
        .stderr(Stdio::inherit())
        .output()
        .await
        .expect("the worker runs");
    if !output.status.success() {
        eprintln!(
            "error: the {} worker failed ({}); its messages are above",
            side.name(),
            output.status
        );
        std::process::exit(1);
    }
    let text = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("worker output {text:?}: {e}"))
}

/// The worker's peak resident memory, in kB (`VmHWM`).
fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse().ok())
        })
        .unwrap_or(0)
}

async fn worker(
    side: Side,
    simulator: &str,
    instances: usize,
    concurrency: usize,
    passes: usize,
) -> Value {
    let Measured {
        mut latencies,
        mut queued,
        errors,
        setup,
        checking,
        cpu,
    } = match side {
        Side::Unified => unified(simulator, instances, concurrency, passes).await,
        Side::Baseline => baseline(simulator, instances, concurrency, passes).await,
    };
    let seconds = checking.as_secs_f64();
    latencies.sort_unstable();
    queued.sort_unstable();
    let percentile = |values: &[Duration], p: f64| {
        let index = ((values.len() as f64 * p).ceil() as usize).saturating_sub(1);
        values.get(index).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let peak_rss_kb = peak_rss_kb();
    json!({
        "side": side.name(),
        "requests": latencies.len(),
        "errors": errors,
        "seconds": seconds,
        "setup_ms": setup.as_secs_f64() * 1000.0,
        "throughput": latencies.len() as f64 / seconds,
        "p50_ms": percentile(&latencies, 0.50),
        "p99_ms": percentile(&latencies, 0.99),
        "queued_p50_ms": percentile(&queued, 0.50),
        "peak_rss_kb": peak_rss_kb,
        "bytes_per_instance": peak_rss_kb as f64 * 1024.0 / instances.max(1) as f64,
        "cpu_us_per_check": cpu.as_secs_f64() * 1e6 / latencies.len().max(1) as f64,
    })
}

/// What one side measured: each check's latency, the failures, the time to set the fleet
/// up (parsing configs, building clients or requests) and the time to check it.
struct Measured {
    latencies: Vec<Duration>,
    /// Each check's wait for its turn, from the start of checking.
    queued: Vec<Duration>,
    errors: usize,
    setup: Duration,
    checking: Duration,
    /// The process's CPU time (user and system) while checking.
    cpu: Duration,
}

/// This process's CPU time so far, user and system, from `/proc/self/stat` (in clock
/// ticks of 10 ms: fine over a pass of thousands of checks).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i).and_then(|f| f.parse::<u64>().ok()))
        .sum();
    Duration::from_millis(ticks * 10)
}

/// The fleet through `wa-unified`: connection strings, one monitor, `check_all`.
async fn unified(simulator: &str, instances: usize, concurrency: usize, passes: usize) -> Measured {
    let setup = Instant::now();
    let monitor = Monitor::new(MonitorOptions {
        client: ClientOptions::default(),
        retry: RetryPolicy::none(),
        quotas: Quotas::unlimited(),
        ..MonitorOptions::default()
    })
    .expect("a monitor");
    let handles: Vec<_> = (0..instances)
        .map(|i| {
            let text = connection_string_at(simulator, &member(i));
            monitor
                .instance(text.parse().expect("a valid connection string"))
                .expect("an instance")
        })
        .collect();
    let setup = setup.elapsed();
    let checking = Instant::now();
    let cpu = cpu_time();
    let mut latencies = Vec::with_capacity(instances * passes);
    let mut queued = Vec::with_capacity(instances * passes);
    let mut errors = 0;
    // `check_all` bounds the checks under way per provider; the baseline bounds its
    // requests for the whole fleet, at `concurrency` rounded down to a multiple of the
    // providers (see `fleet_benchmark`), so both sides have as many in flight. Every pass
    // goes into one run, as the baseline's do into one stream.
    let per_provider = concurrency / Provider::ALL.len().min(instances).max(1);
    let fleet: Vec<_> = (0..passes).flat_map(|_| handles.iter().cloned()).collect();
    let mut results = monitor.check_all(fleet, per_provider);
    while let Some(checked) = results.next().await {
        latencies.push(checked.elapsed);
        queued.push(checked.queued);
        if checked.result.is_err() {
            errors += 1;
        }
    }
    Measured {
        latencies,
        queued,
        errors,
        setup,
        checking: checking.elapsed(),
        cpu: cpu_time() - cpu,
    }
}

/// How the baseline reaches one instance: its URL and its auth headers, prepared once as
/// the other side prepares its configs once.
struct Target {
    url: String,
    headers: Vec<(String, String)>,
}

/// The fleet as a hand-rolled client would check it: one `reqwest` client; for each check,
/// a GET with the right URL and auth, the body parsed into a `serde_json::Value`.
async fn baseline(
    simulator: &str,
    instances: usize,
    concurrency: usize,
    passes: usize,
) -> Measured {
    let setup = Instant::now();
    // The workspace builds reqwest with rustls and no crypto provider; a plain client needs
    // one installed, the same `ring` provider wa-unified's transport installs.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("a reqwest client");
    let targets: Vec<Target> = (0..instances)
        .map(|i| {
            let (url, headers) = status_request_at(simulator, &member(i));
            Target { url, headers }
        })
        .collect();
    let setup = setup.elapsed();

    let checking = Instant::now();
    let cpu = cpu_time();
    let checks = (0..passes).flat_map(|_| &targets).map(|target| {
        let client = &client;
        async move {
            let start = Instant::now();
            let queued = start - checking;
            let mut request = client.get(&target.url);
            for (name, value) in &target.headers {
                request = request.header(name, value);
            }
            let ok = match request.send().await {
                Ok(response) if response.status().is_success() => match response.bytes().await {
                    Ok(body) => serde_json::from_slice::<Value>(&body).is_ok(),
                    Err(_) => false,
                },
                _ => false,
            };
            (start.elapsed(), queued, ok)
        }
    });
    let mut latencies = Vec::with_capacity(instances * passes);
    let mut queued = Vec::with_capacity(instances * passes);
    let mut errors = 0;
    let mut results = futures_util::stream::iter(checks).buffer_unordered(concurrency);
    while let Some((elapsed, waited, ok)) = results.next().await {
        latencies.push(elapsed);
        queued.push(waited);
        if !ok {
            errors += 1;
        }
    }
    Measured {
        latencies,
        queued,
        errors,
        setup,
        checking: checking.elapsed(),
        cpu: cpu_time() - cpu,
    }
}

/// `wa-bench store`: see [`Task::Store`].
async fn store_benchmark(instances: usize, intervals: u32) {
    let options = SimulatorOptions {
        rate_limits: false,
        log: RequestLog::off(),
        ..SimulatorOptions::default()
    };
    let simulator = Simulator::start_with(fleet(instances), options)
        .await
        .expect("the simulator starts");
    let address = simulator.addr().to_string();
    let redis = wa_tests::RedisServer::start();
    // Each run its own prefix: a run finds no reading or lease of the one before.
    let monitor = |store: bool, prefix: &str| {
        Monitor::new(MonitorOptions {
            retry: RetryPolicy::none(),
            quotas: Quotas::unlimited(),
            store: store.then(|| wa_unified::Store::new(&redis.url(), prefix).unwrap()),
            ..MonitorOptions::default()
        })
        .expect("a monitor")
    };
    let handles = |monitor: &Monitor| -> Vec<wa_unified::Instance> {
        (0..instances)
            .map(|i| {
                let text = connection_string_at(&address, &member(i));
                monitor
                    .instance(text.parse().expect("a valid connection string"))
                    .expect("an instance")
            })
            .collect()
    };
    println!(
        "store benchmark: {instances} instances on the simulator (rate limits off), a redis-server of its own on {}",
        redis.url()
    );
    // Checks per second, each side twice, alternated.
    let mut rates: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for round in 0..4 {
        let with_store = round % 2 == 1;
        let monitor = monitor(with_store, &format!("wa-bench-{round}"));
        let fleet = handles(&monitor);
        let started = Instant::now();
        let mut failed = 0;
        let mut results = monitor.check_all(fleet, 16);
        while let Some(checked) = results.next().await {
            failed += usize::from(checked.result.is_err());
        }
        let seconds = started.elapsed().as_secs_f64();
        if failed > 0 {
            eprintln!("error: {failed} checks failed");
            std::process::exit(1);
        }
        rates[usize::from(with_store)].push(instances as f64 / seconds);
    }
    let best = |rates: &[f64]| rates.iter().copied().fold(0.0, f64::max);
    let (without, with) = (best(&rates[0]), best(&rates[1]));
    println!(
        "check_all, concurrency 16 per provider: {without:.0} checks/s without a store, {with:.0} with (each reading published): {:+.1} us per check",
        (1e6 / with) - (1e6 / without)
    );
    // Watchers: one alone, then two on the store, each for `intervals` intervals.
    let interval = Duration::from_secs(2);
    for watchers in [1usize, 2] {
        simulator.reset_counters();
        let prefix = format!("wa-bench-watch-{watchers}");
        let monitors: Vec<Monitor> = (0..watchers).map(|_| monitor(true, &prefix)).collect();
        let mut streams: Vec<_> = monitors
            .iter()
            .map(|m| m.watch(handles(m), 16, interval))
            .collect();
        let until = tokio::time::Instant::now() + interval * intervals;
        let mut readings = 0usize;
        loop {
            let next = futures_util::future::select_all(streams.iter_mut().map(|s| s.next()));
            match tokio::time::timeout_at(until, next).await {
                Ok((Some(_), _, _)) => readings += 1,
                Ok((None, _, _)) | Err(_) => break,
            }
        }
        drop(streams);
        let requests = simulator.total_counters().requests as f64;
        println!(
            "{watchers} watcher(s), {intervals} intervals of {} s: {:.2} vendor requests per instance per interval, {readings} readings reported",
            interval.as_secs(),
            requests / instances as f64 / f64::from(intervals)
        );
    }
}

/// `wa-bench scaling`: see [`Task::Scaling`].
async fn scaling_benchmark(sizes: &[usize], concurrency: usize) {
    let providers = Provider::ALL.len();
    let per_provider = (concurrency / providers).max(1);
    let concurrency = per_provider * providers;
    println!(
        "scaling: one pass of each side per size, {concurrency} requests in flight on each side ({per_provider} per provider for wa-unified), simulator rate limits off"
    );
    println!(
        "{:>9} {:>14} {:>9} {:>10} {:>11} {:>9} {:>14} {:>9} {:>10} {:>11} {:>7} {:>9}",
        "instances",
        "side",
        "wall s",
        "checks/s",
        "peak RSS",
        "B/inst",
        "side",
        "wall s",
        "checks/s",
        "peak RSS",
        "ratio",
        "+MB"
    );
    for &instances in sizes {
        let options = SimulatorOptions {
            rate_limits: false,
            log: RequestLog::off(),
            ..SimulatorOptions::default()
        };
        let simulator = Simulator::start_with(fleet(instances), options)
            .await
            .expect("the simulator starts");
        let address = simulator.addr().to_string();
        let unified = run_worker(Side::Unified, &address, instances, concurrency, 1).await;
        let baseline = run_worker(Side::Baseline, &address, instances, concurrency, 1).await;
        let number = |report: &Value, key: &str| report[key].as_f64().unwrap_or(f64::NAN);
        for report in [&unified, &baseline] {
            if number(report, "errors") > 0.0 {
                eprintln!("error: checks failed at {instances} instances");
                std::process::exit(1);
            }
        }
        let wall = |report: &Value| number(report, "seconds") + number(report, "setup_ms") / 1000.0;
        println!(
            "{instances:>9} {:>14} {:>9.2} {:>10.0} {:>8.1} MB {:>9.0} {:>14} {:>9.2} {:>10.0} {:>8.1} MB {:>7.3} {:>+9.1}",
            Side::Unified.name(),
            wall(&unified),
            number(&unified, "throughput"),
            number(&unified, "peak_rss_kb") / 1024.0,
            number(&unified, "bytes_per_instance"),
            Side::Baseline.name(),
            wall(&baseline),
            number(&baseline, "throughput"),
            number(&baseline, "peak_rss_kb") / 1024.0,
            number(&unified, "throughput") / number(&baseline, "throughput"),
            (number(&unified, "peak_rss_kb") - number(&baseline, "peak_rss_kb")) / 1024.0,
        );
    }
}
