//! What a scrape of the exporter costs at fleet sizes: the built `wa-status exporter`
//! against the simulator serving N instances, scraped over HTTP on 127.0.0.1 as
//! Prometheus does, with and without gzip. The baseline, measured in the same run, is a
//! `/healthz` round trip on the same server.
//!
//! ```text
//! cargo bench -p wa-status --bench scrape            # 10,000 and 100,000 instances
//! cargo bench -p wa-status --bench scrape -- 1000    # other sizes
//! ```

use std::time::{Duration, Instant};

use wa_providers::wa_model::ConnectionState;
use wa_simulator::{Fleet, Instance, Provider, Simulator, SimulatorOptions};

const BIN: &str = env!("CARGO_BIN_EXE_wa-status");
const ROUNDS: usize = 7;

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![10_000, 100_000]
    } else {
        sizes
    };
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    println!(
        "| instances | series per instance | identity | identity time | gzip | gzip time | /healthz baseline |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for size in sizes {
        runtime.block_on(measure(size));
    }
}

async fn measure(size: usize) {
    // Every provider in turn, each instance with its own token (quotas are per token).
    let instances: Vec<Instance> = (0..size)
        .map(|n| {
            let provider = Provider::ALL[n % Provider::ALL.len()];
            Instance::new(
                provider,
                format!("{}", 1_100_000_000 + n),
                provider
                    .first_reading(ConnectionState::Connected)
                    .unwrap()
                    .name,
            )
            .with_credentials_like(&format!("bench-token-{n}"))
        })
        .collect();
    let sim = Simulator::start_with(
        Fleet {
            instances: instances.clone(),
        },
        SimulatorOptions {
            rate_limits: false,
            log: wa_simulator::RequestLog::off(),
            ..Default::default()
        },
    )
    .await
    .expect("the simulator starts");
    let dir = std::env::temp_dir().join(format!("wa-status-scrape-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fleet = dir.join("fleet.toml");
    let text: String = instances.iter().map(|i| sim.fleet_file_entry(i)).collect();
    std::fs::write(&fleet, text).unwrap();
    let mut child = tokio::process::Command::new(BIN)
        .args(["exporter", "--listen", "127.0.0.1:0", "--interval", "1h"])
        .args(["--concurrency", "256", "--config"])
        .arg(&fleet)
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the exporter starts");
    let (_, url) = wa_tests::listening_url(&mut child).await;
    let http = wa_tests::http_client();
    // Wait for the first poll of the whole fleet.
    let started = Instant::now();
    loop {
        let text = http
            .get(format!("{url}/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if text
            .lines()
            .any(|l| l == format!("wa_status_checks_total {size}"))
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "the first checks never ended"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let timed = |path: &'static str, gzip: bool| {
        let http = http.clone();
        let url = url.clone();
        async move {
            let mut times = Vec::new();
            let mut size = 0;
            let mut body = Vec::new();
            for _ in 0..ROUNDS {
                let request = http.get(format!("{url}{path}"));
                let request = if gzip {
                    request.header("accept-encoding", "gzip")
                } else {
                    request
                };
                let start = Instant::now();
                let bytes = request.send().await.unwrap().bytes().await.unwrap();
                times.push(start.elapsed());
                size = bytes.len();
                body = bytes.to_vec();
            }
            times.sort();
            (times[ROUNDS / 2], size, body)
        }
    };
    let (identity_time, identity_size, body) = timed("/metrics", false).await;
    let (gzip_time, gzip_size, _) = timed("/metrics", true).await;
    let (health_time, _, _) = timed("/healthz", false).await;
    let text = String::from_utf8(body).unwrap();
    let per_instance = text
        .lines()
        .filter(|l| !l.starts_with('#') && l.contains("name=\""))
        .count() as f64
        / size as f64;
    println!(
        "| {size} | {per_instance:.1} | {} | {} | {} | {} | {} |",
        megabytes(identity_size),
        millis(identity_time),
        megabytes(gzip_size),
        millis(gzip_time),
        millis(health_time),
    );
    child.kill().await.unwrap();
    std::fs::remove_dir_all(dir).unwrap();
}

fn megabytes(bytes: usize) -> String {
    format!("{:.2} MB", bytes as f64 / 1_000_000.0)
}

fn millis(time: Duration) -> String {
    format!("{:.1} ms", time.as_secs_f64() * 1000.0)
}
