//! A fleet of 40 instances across every provider, with the simulator's rate limits on:
//! the client's quotas keep it at zero 429s. The same fleet without them gets 429s, which
//! shows the first test can fail.

use std::collections::BTreeMap;

use futures_util::StreamExt;
use wa_simulator::Provider as SimProvider;
use wa_unified::{ConnectionState, Instance, Monitor, MonitorOptions, Quotas, RetryPolicy};

use crate::harness::{options, Harness};

/// 10 MegaAPI, 10 VZaps, 10 Hypersender (two tokens of 5), and 5 Green API instances
/// listed twice: Green API allows one request per second per instance, so the second
/// reading of each must wait for the first one's window.
fn fleet(harness: &Harness, monitor: &Monitor) -> Vec<Instance> {
    let mut instances = Vec::new();
    for _ in 0..10 {
        let made = harness.make(
            SimProvider::MegaApi,
            "connected",
            Some(crate::harness::account()),
            false,
        );
        instances.push(monitor.instance(made.config).unwrap());
        let made = harness.make(SimProvider::Vzaps, "false", None, false);
        instances.push(monitor.instance(made.config).unwrap());
    }
    for token in ["234|fleet-secret-a", "234|fleet-secret-b"] {
        for _ in 0..5 {
            let made = harness.make(SimProvider::Hypersender, "SCAN_QR_CODE", None, false);
            // Re-register the instance under the shared token, as one account's instances are.
            harness
                .sim
                .upsert(
                    wa_simulator::Instance::new(SimProvider::Hypersender, &made.id, "SCAN_QR_CODE")
                        .with_token(token),
                )
                .unwrap();
            let url = format!(
                "hypersender+http://{}@{}/hypersender/api/whatsapp/v1/{}",
                token.replace('|', "%7C"),
                harness.sim.addr(),
                made.id
            );
            instances.push(monitor.instance(url.parse().unwrap()).unwrap());
        }
    }
    for _ in 0..5 {
        let made = harness.make(SimProvider::GreenApi, "yellowCard", None, false);
        let instance = monitor.instance(made.config).unwrap();
        instances.push(instance.clone());
        instances.push(instance);
    }
    instances
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
async fn a_fleet_of_forty_causes_no_429() {
    let harness = Harness::start().await;
    let monitor = Monitor::new(options()).unwrap();
    let instances = fleet(&harness, &monitor);
    assert_eq!(instances.len(), 40);
    let counts = states(&monitor, instances, 16).await;
    assert_eq!(
        counts,
        BTreeMap::from([
            (ConnectionState::Connected.name().to_owned(), 10),
            (ConnectionState::Disconnected.name().to_owned(), 10),
            (ConnectionState::AwaitingPairing.name().to_owned(), 10),
            (ConnectionState::Restricted.name().to_owned(), 10),
        ])
    );
    let totals = harness.sim.total_counters();
    assert_eq!((totals.requests, totals.rate_limited), (40, 0));
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
    let instances = fleet(&harness, &monitor);
    let counts = states(&monitor, instances, 16).await;
    assert_eq!(counts.get("error:rate_limited"), Some(&5), "{counts:?}");
    assert_eq!(harness.sim.total_counters().rate_limited, 5);
}

/// One monitor keeps one connection pool: checking many instances of every provider on one
/// host, one at a time, opens one connection.
#[tokio::test]
async fn instances_on_one_host_share_a_connection() {
    let harness = Harness::start().await;
    let monitor = Monitor::new(options()).unwrap();
    let mut instances = Vec::new();
    for _ in 0..3 {
        for (provider, state) in [
            (SimProvider::MegaApi, "connected"),
            (SimProvider::Vzaps, "true"),
            (SimProvider::Hypersender, "WORKING"),
            (SimProvider::GreenApi, "authorized"),
        ] {
            let made = harness.make(provider, state, None, false);
            instances.push(monitor.instance(made.config).unwrap());
        }
    }
    let counts = states(&monitor, instances, 1).await;
    assert_eq!(counts.get("error:rate_limited"), None, "{counts:?}");
    assert_eq!(harness.sim.total_counters().requests, 12);
    assert_eq!(harness.sim.connections_accepted(), 1);
}
