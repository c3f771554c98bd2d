//! Every error kind, from the simulator's auth, unknown instances, rate limits and faults;
//! retries stop on permanent errors.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;
use wa_simulator::{Fault, Faults, Provider as SimProvider};
use wa_unified::{ErrorKind as K, InstanceConfig, Monitor, MonitorOptions, Quotas, RetryPolicy};

use crate::harness::{options, snapshot_value, Harness, Made};

/// How a scenario makes its instance fail.
#[derive(Clone)]
enum Setup {
    WrongCredentials,
    UnknownInstance,
    Fault(Fault),
    Latency(Duration),
}

/// (scenario, setup, expected kind, requests the simulator must count)
fn scenarios(provider: SimProvider) -> Vec<(&'static str, Setup, K, u64)> {
    let retried = 3; // the first attempt and `max_retries` (2) retries
    let mut list = vec![
        (
            "wrong_credentials",
            Setup::WrongCredentials,
            K::Unauthenticated,
            1,
        ),
        (
            "status_500",
            Setup::Fault(Fault::Status { status: 500 }),
            K::Unavailable,
            retried,
        ),
        (
            "status_502",
            Setup::Fault(Fault::Status { status: 502 }),
            K::Unavailable,
            retried,
        ),
        (
            "status_503",
            Setup::Fault(Fault::Status { status: 503 }),
            K::Unavailable,
            retried,
        ),
        (
            "status_418",
            Setup::Fault(Fault::Status { status: 418 }),
            K::UnexpectedStatus,
            1,
        ),
        (
            "status_429",
            Setup::Fault(Fault::Status { status: 429 }),
            K::RateLimited,
            retried,
        ),
        ("reset", Setup::Fault(Fault::Reset), K::Unavailable, retried),
        (
            "truncated_json",
            Setup::Fault(Fault::TruncatedJson),
            K::Decode,
            1,
        ),
        ("empty_body", Setup::Fault(Fault::EmptyBody), K::Decode, 1),
        ("wrong_shape", Setup::Fault(Fault::WrongShape), K::Decode, 1),
        (
            "html_200",
            Setup::Fault(Fault::Html { status: 200 }),
            K::Decode,
            1,
        ),
        (
            "html_502",
            Setup::Fault(Fault::Html { status: 502 }),
            K::Unavailable,
            retried,
        ),
        (
            "oversized",
            Setup::Fault(Fault::Oversized {
                bytes: 20 * 1024 * 1024,
            }),
            K::Decode,
            1,
        ),
        (
            "trickle",
            Setup::Fault(Fault::Trickle {
                chunk_bytes: 1,
                interval_ms: 100,
            }),
            K::Unavailable,
            retried,
        ),
        (
            "latency",
            Setup::Latency(Duration::from_millis(1000)),
            K::Unavailable,
            retried,
        ),
    ];
    match provider {
        // Green API knows instances only by id and token: an unknown id is a 403.
        SimProvider::GreenApi => {
            list.push((
                "unknown_instance",
                Setup::UnknownInstance,
                K::Unauthenticated,
                0,
            ));
            list.push((
                "status_466",
                Setup::Fault(Fault::Status { status: 466 }),
                K::QuotaExceeded,
                1,
            ));
        }
        _ => list.push(("unknown_instance", Setup::UnknownInstance, K::NotFound, 0)),
    }
    list
}

/// The config of `made` with its credentials or its id changed, as a scenario needs.
fn broken(provider: SimProvider, made: &Made, setup: &Setup, harness: &Harness) -> InstanceConfig {
    let host = harness.sim.addr();
    let text = match (setup, provider) {
        (Setup::WrongCredentials, SimProvider::MegaApi) => {
            format!("megaapi+http://wrong-token@{host}/megaapi/{}", made.id)
        }
        (Setup::WrongCredentials, SimProvider::Vzaps) => {
            format!("vzaps+http://wrong:pair@{host}/vzaps/{}", made.id)
        }
        (Setup::WrongCredentials, SimProvider::Hypersender) => {
            format!(
                "hypersender+http://wrong@{host}/hypersender/api/whatsapp/v1/{}",
                made.id
            )
        }
        (Setup::WrongCredentials, SimProvider::GreenApi) => {
            format!("green-api+http://{}:wrong@{host}/green-api", made.id)
        }
        (Setup::UnknownInstance, SimProvider::GreenApi) => return rename_green(made, harness),
        (Setup::UnknownInstance, _) => {
            let text = connection_of(made, harness);
            return text.replace(&made.id, "missing-instance").parse().unwrap();
        }
        _ => return made.config.clone(),
    };
    text.parse().unwrap()
}

/// The config's connection string with its real credentials (the harness built it).
fn connection_of(made: &Made, harness: &Harness) -> String {
    let host = harness.sim.addr();
    let secrets = made.config.secrets();
    match &made.config {
        InstanceConfig::MegaApi(_) => {
            format!("megaapi+http://{}@{host}/megaapi/{}", secrets[0], made.id)
        }
        InstanceConfig::Vzaps(_) => format!(
            "vzaps+http://{}:{}@{host}/vzaps/{}",
            secrets[0], secrets[1], made.id
        ),
        InstanceConfig::Hypersender(_) => format!(
            "hypersender+http://{}@{host}/hypersender/api/whatsapp/v1/{}",
            secrets[0].replace('|', "%7C"),
            made.id
        ),
        other => panic!("not a path-style provider: {other:?}"),
    }
}

fn rename_green(made: &Made, harness: &Harness) -> InstanceConfig {
    let token = made.config.secrets()[0].to_owned();
    format!(
        "green-api+http://9999999999:{token}@{}/green-api",
        harness.sim.addr()
    )
    .parse()
    .unwrap()
}

async fn run(provider: SimProvider) -> BTreeMap<String, Value> {
    let harness = Harness::start().await;
    // Quotas are tested on their own (below, and in `fleet.rs`); here they would only make
    // Green API's retries wait a second each.
    harness.sim.set_rate_limits(false);
    let monitor = Monitor::new(MonitorOptions {
        quotas: Quotas::unlimited(),
        ..options()
    })
    .unwrap();
    let mut snapshot = BTreeMap::new();
    for (scenario, setup, expected, requests) in scenarios(provider) {
        let made = harness.make(provider, healthy(provider), None, false);
        match &setup {
            Setup::Fault(fault) => harness
                .sim
                .set_faults(provider, &made.id, Faults::fault(fault.clone()))
                .unwrap(),
            Setup::Latency(latency) => harness
                .sim
                .set_faults(provider, &made.id, Faults::latency(*latency))
                .unwrap(),
            _ => {}
        }
        let config = broken(provider, &made, &setup, &harness);
        let started = std::time::Instant::now();
        let error = harness
            .check(&monitor, config)
            .await
            .err()
            .unwrap_or_else(|| panic!("{provider} {scenario}: expected an error"));
        // Not a speed claim: a bound that only a hang, or a timeout not applied, breaks.
        // Three attempts of at most 500 ms each, and backoffs of at most 100 ms.
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{provider} {scenario}: took {:?}",
            started.elapsed()
        );
        if scenario == "oversized" {
            // The 20 MB body is abandoned at the client's 256 KiB cap, not read.
            assert!(
                matches!(&error, wa_unified::Error::Decode { reason, .. } if reason == "the body is larger than the client's size cap"),
                "{error:?}"
            );
        }
        assert_eq!(error.kind(), expected, "{provider} {scenario}: {error}");
        assert_eq!(error.provider().map(|p| p.name()), Some(provider.name()));
        assert_eq!(error.is_temporary(), expected.is_temporary());
        let counted = harness.sim.counters(provider, &made.id).unwrap().requests;
        assert_eq!(
            counted, requests,
            "{provider} {scenario}: requests the simulator saw"
        );
        snapshot.insert(scenario.to_owned(), snapshot_value(&Err(error)));
    }
    harness.assert_no_secret_printed();
    snapshot
}

fn healthy(provider: SimProvider) -> &'static str {
    match provider {
        SimProvider::MegaApi => "connected",
        SimProvider::Vzaps => "true",
        SimProvider::Hypersender => "WORKING",
        SimProvider::GreenApi => "authorized",
    }
}

#[tokio::test]
async fn megaapi_errors() {
    let snapshot = run(SimProvider::MegaApi).await;
    insta::assert_json_snapshot!("megaapi_errors", snapshot);
}

#[tokio::test]
async fn vzaps_errors() {
    let snapshot = run(SimProvider::Vzaps).await;
    insta::assert_json_snapshot!("vzaps_errors", snapshot);
}

#[tokio::test]
async fn hypersender_errors() {
    let snapshot = run(SimProvider::Hypersender).await;
    insta::assert_json_snapshot!("hypersender_errors", snapshot);
}

#[tokio::test]
async fn green_api_errors() {
    let snapshot = run(SimProvider::GreenApi).await;
    insta::assert_json_snapshot!("green_api_errors", snapshot);
}

/// The simulator's own rate limits, with the client's quotas off: the 429 comes back as
/// `rate_limited` with the wait the server asked for, and a wait longer than the retry
/// policy accepts is not retried.
#[tokio::test]
async fn server_rate_limits_come_back_with_their_wait() {
    let harness = Harness::start().await;
    let monitor = Monitor::new(MonitorOptions {
        quotas: Quotas::unlimited(),
        retry: RetryPolicy::none(),
        ..options()
    })
    .unwrap();

    let green = harness.make(SimProvider::GreenApi, "authorized", None, false);
    harness.check(&monitor, green.config.clone()).await.unwrap();
    let error = harness
        .check(&monitor, green.config.clone())
        .await
        .unwrap_err();
    assert_eq!(
        (error.kind(), error.retry_after()),
        (K::RateLimited, Some(Duration::from_secs(1)))
    );

    let hyper = harness.make(SimProvider::Hypersender, "WORKING", None, false);
    for _ in 0..10 {
        harness.check(&monitor, hyper.config.clone()).await.unwrap();
    }
    let error = harness
        .check(&monitor, hyper.config.clone())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), K::RateLimited);
    let wait = error.retry_after().unwrap();
    assert!(
        (Duration::from_secs(59)..=Duration::from_secs(60)).contains(&wait),
        "{wait:?}"
    );
    assert_eq!(
        harness
            .sim
            .counters(SimProvider::Hypersender, &hyper.id)
            .unwrap()
            .rate_limited,
        1
    );
    harness.assert_no_secret_printed();
}

/// With the default retry policy, a 429 whose `Retry-After` is short is waited out and
/// retried: Green API's 1-second window passes and the second check succeeds.
#[tokio::test]
async fn a_short_retry_after_is_waited_out() {
    let harness = Harness::start().await;
    let monitor = Monitor::new(MonitorOptions {
        quotas: Quotas::unlimited(),
        ..options()
    })
    .unwrap();
    let green = harness.make(SimProvider::GreenApi, "authorized", None, false);
    harness.check(&monitor, green.config.clone()).await.unwrap();
    let status = harness.check(&monitor, green.config.clone()).await.unwrap();
    assert_eq!(status.raw_state, "authorized");
    let counters = harness
        .sim
        .counters(SimProvider::GreenApi, &green.id)
        .unwrap();
    assert_eq!((counters.requests, counters.rate_limited), (3, 1));
}

/// (The error for a provider whose feature is off is tested in `monitor.rs`, in the
/// single-feature build CI runs.)
#[tokio::test]
async fn an_unknown_scheme_is_a_permanent_invalid_config_error() {
    let error = "waha://x@host/i".parse::<InstanceConfig>().unwrap_err();
    assert_eq!(error.kind(), K::InvalidConfig);
    assert_eq!(error.provider(), None);
    assert!(!error.is_temporary());
}
