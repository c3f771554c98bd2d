//! The shared store on a real `redis-server` each test starts on 127.0.0.1: two exporters and
//! a `check` that share one token's quota, a `check --max-age` answered from the store, a
//! store killed mid-run, and a store that holds no credential.

use wa_providers::QuotaScope;
use wa_tests::RedisServer;

use crate::support::*;

/// The provider whose quota is per token (every instance on it shares one quota).
fn per_token() -> Provider {
    Provider::ALL
        .iter()
        .copied()
        .find(|p| {
            p.info()
                .quota
                .is_some_and(|q| q.per == QuotaScope::Credential)
        })
        .expect("a provider with a quota per token")
}

/// A provider with no quota.
fn quota_free() -> Provider {
    Provider::ALL
        .iter()
        .copied()
        .find(|p| p.info().quota.is_none())
        .expect("a provider without a quota")
}

/// Every key and value in the store holds none of `instances`' secrets.
fn assert_no_secret_stored(redis: &RedisServer, instances: &[Instance]) {
    let stored = redis.dump();
    assert!(!stored.is_empty(), "nothing was stored");
    for (key, value) in &stored {
        for instance in instances {
            for secret in instance.secrets() {
                for form in [secret.to_owned(), secret.replace('|', "%7C")] {
                    assert!(!key.contains(&form), "a secret in the key {key}");
                    assert!(!value.contains(&form), "a secret in the value of {key}");
                }
            }
        }
        assert!(key.starts_with("wa-status:"), "{key}");
    }
}

/// Starts an exporter on a free port with `extra` arguments; its child and base URL.
async fn exporter_with(extra: &[&str], targets: &[String]) -> (tokio::process::Child, String) {
    let quota_dir = private_quota_dir();
    let mut child = Command::new(BIN)
        .args([
            "exporter",
            "--listen",
            "127.0.0.1:0",
            "--quota-dir",
            &quota_dir,
        ])
        .args(extra)
        .args(targets)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let (_banner, url) = wa_tests::listening_url(&mut child).await;
    (child, url)
}

async fn scrape(url: &str) -> BTreeMap<String, f64> {
    let text = wa_tests::http_client()
        .get(format!("{url}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    parse_metrics(&text)
}

/// A reading published by one `check` answers a later `check --max-age` with no request to
/// the vendor; nothing in the store is a credential.
#[tokio::test]
#[ignore = "needs redis-server (Debian's redis-server package); .ci/run runs it"]
async fn check_max_age_is_answered_from_the_store() {
    let redis = RedisServer::start();
    let provider = quota_free();
    let member = instance(provider, 1, healthy(provider));
    let (sim, targets) = serve(vec![member.clone()]).await;
    let store = redis.url();
    let args = ["check", "--format", "jsonl", "--store", &store, &targets[0]];
    let first = run(&args, &[]).await;
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(sim.total_counters().requests, 1);
    // The reading is published in the background, just after the answer.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut args = args.to_vec();
    args.extend(["--max-age", "2m"]);
    let second = run(&args, &[]).await;
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert_eq!(
        sim.total_counters().requests,
        1,
        "the vendor was asked again"
    );
    let state = |output: &Output| {
        let line: Value = serde_json::from_str(output.stdout.trim()).unwrap();
        line["state"].as_str().unwrap().to_owned()
    };
    assert_eq!(state(&second), state(&first));
    assert_eq!(
        state(&first),
        member.expected_reading().unwrap().state.name()
    );
    // Without --max-age, the vendor is asked.
    let third = run(&args[..args.len() - 2], &[]).await;
    assert_eq!(third.code, 0, "{}", third.stderr);
    assert_eq!(sim.total_counters().requests, 2);
    assert_no_secret_stored(&redis, &[member]);
}

/// Two exporters and a `check --max-age` every 5 s, all on one token of the provider with
/// a quota per token, for 2 minutes 10 seconds against the simulator with its rate limits
/// on: no 429, and each instance read about once per interval between the two exporters,
/// where either alone would read it once per interval too.
#[tokio::test]
#[ignore = "needs redis-server (Debian's redis-server package); .ci/run runs it"]
async fn two_exporters_and_a_check_share_one_token_with_no_429() {
    let redis = RedisServer::start();
    let provider = per_token();
    let quota = provider.info().quota.unwrap();
    // 4 instances read every 30 s need 8 requests a minute: within a quota of 10, but
    // not twice over.
    assert_eq!((quota.requests, quota.per_seconds), (10, 60));
    let members: Vec<Instance> = (0..4)
        .map(|n| instance(provider, 40 + n, healthy(provider)))
        .collect();
    let (sim, targets) = serve(members.clone()).await;
    let store = redis.url();
    let extra = ["--interval", "30s", "--store", &store];
    let (first, first_url) = exporter_with(&extra, &targets).await;
    let (second, second_url) = exporter_with(&extra, &targets).await;
    let run_for = Duration::from_secs(130);
    let started = std::time::Instant::now();
    let mut checks = 0;
    while started.elapsed() < run_for {
        tokio::time::sleep(Duration::from_secs(5)).await;
        let output = run(
            &[
                "check",
                "--format",
                "jsonl",
                "--store",
                &store,
                "--max-age",
                "1m",
                &targets[0],
            ],
            &[],
        )
        .await;
        assert_eq!(output.code, 0, "{}", output.stderr);
        checks += 1;
    }
    assert!(checks >= 20, "{checks} checks");
    let totals = sim.total_counters();
    assert_eq!(totals.rate_limited, 0, "429s: {totals:?}");
    // Each instance once at the start and once per 30 s after: 5 in 130 s, with one more
    // for a moment that falls on the edge. Both exporters reading would be about 9.
    for member in &members {
        let requests = sim.counters(provider, &member.id).unwrap().requests;
        assert!(
            (4..=6).contains(&requests),
            "instance {}: {requests} requests",
            member.id
        );
    }
    // Both serve every instance as connected.
    for url in [&first_url, &second_url] {
        let samples = scrape(url).await;
        for member in &members {
            let series = format!("whatsapp_instance_connected{{{}}}", labels(member));
            assert_eq!(samples.get(&series), Some(&1.0), "{url}: {series}");
        }
        assert_eq!(samples.get("wa_status_store_up"), Some(&1.0), "{url}");
        assert_eq!(
            samples.get("wa_status_store_fallbacks_total"),
            Some(&0.0),
            "{url}"
        );
    }
    drop((first, second));
    assert_no_secret_stored(&redis, &members);
}

/// The store killed while an exporter runs: checks go on within the quotas, now kept by the
/// exporter alone; it says so once in its log, and its metrics show it.
#[tokio::test]
#[ignore = "needs redis-server (Debian's redis-server package); .ci/run runs it"]
async fn a_store_killed_mid_run_is_said_once_and_the_checks_go_on() {
    let mut redis = RedisServer::start();
    // A provider with a quota per instance of one request a second: read every second,
    // each instance uses all of it, so that a quota lost in the fall would show as 429s.
    let provider = Provider::ALL
        .iter()
        .copied()
        .find(|p| {
            p.info()
                .quota
                .is_some_and(|q| q.per == QuotaScope::Instance && q.per_seconds == 1)
        })
        .expect("a provider with a quota of one a second per instance");
    let members: Vec<Instance> = (0..2)
        .map(|n| instance(provider, 60 + n, healthy(provider)))
        .collect();
    let (sim, targets) = serve(members.clone()).await;
    let store = redis.url();
    let (mut exporter, url) =
        exporter_with(&["--interval", "1s", "--store", &store], &targets).await;
    let series = format!("whatsapp_instance_connected{{{}}}", labels(&members[1]));
    scrape_until(&url, &[&series]).await;
    assert_eq!(scrape(&url).await.get("wa_status_store_up"), Some(&1.0));
    let read_at = |samples: &BTreeMap<String, f64>, member: &Instance| {
        samples[&format!(
            "whatsapp_instance_last_success_timestamp_seconds{{{}}}",
            labels(member)
        )]
    };
    redis.kill();
    let before = scrape(&url).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let samples = scrape(&url).await;
    // Every instance was read again after the store went.
    for member in &members {
        assert!(
            read_at(&samples, member) > read_at(&before, member),
            "{} was not read after the store went",
            member.id
        );
    }
    assert_eq!(samples.get("wa_status_store_up"), Some(&0.0));
    assert!(
        samples["wa_status_store_fallbacks_total"] >= 1.0,
        "{samples:?}"
    );
    // The quotas held before, and after, the store went: kept by the exporter alone.
    assert_eq!(sim.total_counters().rate_limited, 0);
    exporter.start_kill().unwrap();
    let output = exporter.wait_with_output().await.unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr.matches("the store cannot be used").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.contains(&format!("store={store}")), "{stderr}");
}
