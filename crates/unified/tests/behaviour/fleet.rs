//! A fleet of every provider, with the simulator's rate limits on: the client's quotas
//! keep it at zero 429s. The same fleet without them gets 429s, which shows the first test
//! can fail.

use std::collections::BTreeMap;

use futures_util::StreamExt;
use wa_unified::{Instance, Monitor, MonitorOptions, Provider, Quota, Quotas, RetryPolicy};

use crate::errors::healthy;
use crate::harness::{instance, options, Harness};

/// The fleet, and how many 429s it causes when the client keeps no quota. Each provider
/// brings instances serving its demo responses in turn:
/// - without a quota, 10 instances;
/// - with a quota of R per short window (a second or two), 5 instances each listed R + 1
///   times when counted per instance, or R + 1 instances on one credential: one request
///   too many per quota, which the client's limiter delays past the window;
/// - with a quota over a long window (a minute), R instances on each of two credentials:
///   the quota is never exceeded, so the client must not wait.
fn fleet(harness: &Harness, monitor: &Monitor) -> (Vec<Instance>, BTreeMap<String, usize>, u64) {
    let mut instances = Vec::new();
    let mut expected: BTreeMap<String, usize> = BTreeMap::new();
    let mut over_quota = 0;
    for provider in Provider::ALL.iter().copied() {
        // Its demo's responses, or, for a provider without demo instances, its healthy one.
        let mut demo: Vec<&str> = provider.info().demo.iter().map(|d| d.response).collect();
        if demo.is_empty() {
            demo.push(healthy(provider));
        }
        let mut turn = 0;
        let mut next = |harness: &Harness| {
            let response = demo[turn % demo.len()];
            turn += 1;
            harness.make(provider, response)
        };
        let mut count = |made: &crate::harness::Made, times: usize| {
            let state = made.instance.expected_reading().unwrap().state;
            *expected.entry(state.name().to_owned()).or_default() += times;
        };
        match Quota::documented(provider) {
            None => {
                for _ in 0..10 {
                    let made = next(harness);
                    count(&made, 1);
                    instances.push(monitor.instance(made.config).unwrap());
                }
            }
            Some(quota) if quota.per.as_secs() <= 2 => {
                let per_instance = provider.info().quota.map(|q| q.per)
                    == Some(wa_providers::QuotaScope::Instance);
                if per_instance {
                    for _ in 0..5 {
                        let made = next(harness);
                        count(&made, quota.requests + 1);
                        let handle = monitor.instance(made.config).unwrap();
                        for _ in 0..=quota.requests {
                            instances.push(handle.clone());
                        }
                        over_quota += 1;
                    }
                } else {
                    let shared = instance(provider, 900, healthy(provider));
                    for n in 0..=quota.requests {
                        let mut member = instance(provider, 900 + n + 1, demo[n % demo.len()]);
                        member.credentials = shared.credentials.clone();
                        let made = harness.add(member);
                        count(&made, 1);
                        instances.push(monitor.instance(made.config).unwrap());
                    }
                    over_quota += 1;
                }
            }
            Some(quota) => {
                for credential in 0..2 {
                    let shared = instance(provider, 800 + credential * 100, healthy(provider));
                    for n in 0..quota.requests.min(10) {
                        let mut member =
                            instance(provider, 801 + credential * 100 + n, demo[n % demo.len()]);
                        member.credentials = shared.credentials.clone();
                        let made = harness.add(member);
                        count(&made, 1);
                        instances.push(monitor.instance(made.config).unwrap());
                    }
                }
            }
        }
    }
    (instances, expected, over_quota)
}

async fn states(
    monitor: &Monitor,
    instances: Vec<Instance>,
    concurrency: usize,
) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    let mut results = monitor.check_all(instances, concurrency);
    while let Some(checked) = results.next().await {
        let key = match checked.result {
            Ok(status) => status.state.name().to_owned(),
            Err(error) => format!("error:{}", error.kind()),
        };
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

#[tokio::test]
async fn a_fleet_of_every_provider_causes_no_429() {
    let harness = Harness::start().await;
    let monitor = Monitor::new(options()).unwrap();
    let (instances, expected, over_quota) = fleet(&harness, &monitor);
    let total = instances.len();
    assert!(over_quota > 0, "no provider has a short quota to exceed");
    let counts = states(&monitor, instances, 16).await;
    assert_eq!(counts, expected);
    let totals = harness.sim.total_counters();
    assert_eq!((totals.requests, totals.rate_limited), (total as u64, 0));
    harness.assert_no_secret_printed();
}

#[tokio::test]
async fn without_quotas_the_same_fleet_gets_429s() {
    let harness = Harness::start().await;
    let monitor = Monitor::new(MonitorOptions {
        quotas: Quotas::unlimited(),
        retry: RetryPolicy::none(),
        ..options()
    })
    .unwrap();
    let (instances, _, over_quota) = fleet(&harness, &monitor);
    let counts = states(&monitor, instances, 16).await;
    assert_eq!(
        counts.get("error:rate_limited").copied(),
        Some(over_quota as usize),
        "{counts:?}"
    );
    assert_eq!(harness.sim.total_counters().rate_limited, over_quota);
}

/// One monitor keeps one connection pool: checking many instances of every provider on one
/// host, one at a time (one provider after the other, one request at a time each), opens
/// one connection.
#[tokio::test]
async fn instances_on_one_host_share_a_connection() {
    let harness = Harness::start().await;
    let monitor = Monitor::new(options()).unwrap();
    let mut checks = 0;
    for provider in Provider::ALL.iter().copied() {
        let instances: Vec<_> = (0..3)
            .map(|_| {
                let made = harness.make(provider, healthy(provider));
                monitor.instance(made.config).unwrap()
            })
            .collect();
        checks += instances.len() as u64;
        let counts = states(&monitor, instances, 1).await;
        assert_eq!(counts.get("error:rate_limited"), None, "{counts:?}");
    }
    assert_eq!(harness.sim.total_counters().requests, checks);
    assert_eq!(harness.sim.connections_accepted(), 1);
}

/// `check_all` keeps at most `concurrency` checks of each provider under way, and fills
/// them: with every answer 30 ms late, the simulator sees exactly `concurrency` requests of
/// each provider at once, and a provider's slots are its own.
#[tokio::test]
async fn check_all_keeps_concurrency_checks_per_provider_in_flight() {
    let harness = Harness::start().await;
    let monitor = Monitor::new(MonitorOptions {
        quotas: Quotas::unlimited(),
        ..options()
    })
    .unwrap();
    let providers = [Provider::ALL[0], Provider::ALL[1]];
    let mut instances = Vec::new();
    for (p, provider) in providers.into_iter().enumerate() {
        for n in 0..24 {
            let member = instance(provider, 5_000 + 100 * p + n, healthy(provider)).with_faults(
                wa_simulator::Faults::latency(std::time::Duration::from_millis(30)),
            );
            instances.push(monitor.instance(harness.add(member).config).unwrap());
        }
    }
    let counts = states(&monitor, instances, 3).await;
    assert_eq!(counts.values().sum::<usize>(), 48, "{counts:?}");
    assert_eq!(counts.keys().filter(|k| k.starts_with("error")).count(), 0);
    assert_eq!(
        harness.sim.peak_in_flight(),
        vec![(providers[0], 3), (providers[1], 3)]
    );
}

/// `watch` checks each instance once per interval, and after the first round at the
/// instance's own moment of the interval: over three intervals each instance is read three
/// or four times, never twice within three quarters of an interval (0.7 here, for the
/// time a result takes to arrive).
#[tokio::test]
async fn watch_reads_each_instance_once_per_interval() {
    let harness = Harness::start().await;
    let monitor = Monitor::new(MonitorOptions {
        quotas: Quotas::unlimited(),
        ..options()
    })
    .unwrap();
    // Providers with no quota, which the simulator would enforce.
    let free: Vec<Provider> = Provider::ALL
        .iter()
        .copied()
        .filter(|p| Quota::documented(*p).is_none())
        .collect();
    let instances: Vec<Instance> = (0..12)
        .map(|n| {
            let provider = free[n % free.len()];
            monitor
                .instance(harness.make(provider, healthy(provider)).config)
                .unwrap()
        })
        .collect();
    let interval = std::time::Duration::from_millis(400);
    let start = tokio::time::Instant::now();
    let mut seen: Vec<Vec<tokio::time::Instant>> = vec![Vec::new(); instances.len()];
    let mut results = monitor.watch(instances, 2, interval);
    while start.elapsed() < interval * 3 {
        let Ok(Some(checked)) = tokio::time::timeout(interval, results.next()).await else {
            continue;
        };
        assert!(checked.result.is_ok(), "{:?}", checked.result);
        seen[checked.index].push(tokio::time::Instant::now() - checked.elapsed);
    }
    for (index, starts) in seen.iter().enumerate() {
        assert!(
            (3..=4).contains(&starts.len()),
            "instance {index}: {starts:?}"
        );
        for pair in starts.windows(2) {
            assert!(
                pair[1] - pair[0] >= interval.mul_f64(0.7),
                "{index}: {pair:?}"
            );
        }
    }
}
