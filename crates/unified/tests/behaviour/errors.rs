//! Every error kind, from the simulator's auth, unknown instances, rate limits and faults,
//! for every provider; retries stop on permanent errors. The kind each provider gives for
//! wrong credentials and an unknown instance is its recordings' (a provider may answer a
//! wrong id with 403, `unauthenticated`).

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Value};
use wa_providers::{Expect, Role};
use wa_simulator::{Fault, Faults};
use wa_unified::{
    ErrorKind as K, InstanceConfig, Monitor, MonitorOptions, Provider, Quota, Quotas, RetryPolicy,
};

use crate::harness::{options, Harness, Made};

/// How a scenario makes its instance fail.
#[derive(Clone)]
enum Setup {
    WrongCredentials,
    UnknownInstance,
    Fault(Fault),
    Latency(Duration),
}

/// The kind a provider's recording for `role` gives.
fn kind_for(provider: Provider, role: Role) -> K {
    match provider.recording_for(role).map(|r| &r.expect) {
        Some(Expect::Error(e)) => e.kind,
        other => panic!("{provider} has no error recording for {role:?}: {other:?}"),
    }
}

/// The kind of an HTTP status for `provider`: its manifest's own, or the status model's.
fn kind_of_status(provider: Provider, status: u16, default: K) -> K {
    provider
        .info()
        .errors
        .statuses
        .iter()
        .find(|(s, _)| *s == status)
        .map_or(default, |(_, kind)| *kind)
}

/// (scenario, setup, expected kind); the simulator must count 1 request for a permanent
/// error, 3 (the first attempt and 2 retries) for a temporary one, none for an unknown
/// instance.
fn scenarios(provider: Provider) -> Vec<(&'static str, Setup, K)> {
    let status = |s: u16| Setup::Fault(Fault::Status { status: s });
    let mut scenarios = vec![(
        "wrong_credentials",
        Setup::WrongCredentials,
        kind_for(provider, Role::Unauthenticated),
    )];
    // A vendor that knows the instance by its credential has no unknown instance to answer
    // for: it is a wrong credential.
    if provider.info().instance.named_by.is_none() {
        scenarios.push((
            "unknown_instance",
            Setup::UnknownInstance,
            kind_for(provider, Role::UnknownInstance),
        ));
    }
    scenarios.extend([
        ("status_500", status(500), K::Unavailable),
        ("status_502", status(502), K::Unavailable),
        ("status_503", status(503), K::Unavailable),
        ("status_418", status(418), K::UnexpectedStatus),
        ("status_429", status(429), K::RateLimited),
        (
            "status_466",
            status(466),
            kind_of_status(provider, 466, K::UnexpectedStatus),
        ),
        ("reset", Setup::Fault(Fault::Reset), K::Unavailable),
        (
            "truncated_json",
            Setup::Fault(Fault::TruncatedJson),
            K::Decode,
        ),
        ("empty_body", Setup::Fault(Fault::EmptyBody), K::Decode),
        ("wrong_shape", Setup::Fault(Fault::WrongShape), K::Decode),
        (
            "html_200",
            Setup::Fault(Fault::Html { status: 200 }),
            K::Decode,
        ),
        (
            "html_502",
            Setup::Fault(Fault::Html { status: 502 }),
            K::Unavailable,
        ),
        (
            "oversized",
            Setup::Fault(Fault::Oversized {
                bytes: 20 * 1024 * 1024,
            }),
            K::Decode,
        ),
        (
            "trickle",
            Setup::Fault(Fault::Trickle {
                chunk_bytes: 1,
                interval_ms: 100,
            }),
            K::Unavailable,
        ),
        (
            "latency",
            Setup::Latency(Duration::from_millis(1000)),
            K::Unavailable,
        ),
    ]);
    scenarios
}

/// The config of `made` with its credentials or its id changed, as a scenario needs.
fn broken(made: &Made, setup: &Setup, harness: &Harness) -> InstanceConfig {
    let mut instance = made.instance.clone();
    match setup {
        Setup::WrongCredentials => {
            // The last credential is wrong: the others may be right.
            if let Some(value) = instance.credentials.values_mut().last() {
                *value = "wrong-token".to_owned();
            }
        }
        // Another number: every provider accepts it as an id, and none serves it.
        Setup::UnknownInstance => instance.id = "9999999999".into(),
        _ => return made.config.clone(),
    }
    harness.sim.connection_string(&instance).parse().unwrap()
}

/// The first connected recording of a provider: what a healthy instance serves.
pub fn healthy(provider: Provider) -> &'static str {
    provider
        .recordings()
        .iter()
        .find(|r| {
            r.reading()
                .is_some_and(|e| e.state == wa_unified::ConnectionState::Connected)
        })
        .map(|r| r.name)
        .expect("every provider has a connected recording")
}

async fn run(provider: Provider) -> BTreeMap<String, Value> {
    let harness = Harness::start().await;
    // Quotas are tested on their own (below, and in `fleet.rs`); here they would only make
    // retries wait.
    harness.sim.set_rate_limits(false);
    let monitor = Monitor::new(MonitorOptions {
        quotas: Quotas::unlimited(),
        ..options()
    })
    .unwrap();
    let mut snapshot = BTreeMap::new();
    for (scenario, setup, expected) in scenarios(provider) {
        let made = harness.make(provider, healthy(provider));
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
        let config = broken(&made, &setup, &harness);
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
                error.summary() == "the body is larger than the client's size cap",
                "{error:?}"
            );
        }
        assert_eq!(error.kind(), expected, "{provider} {scenario}: {error}");
        assert_eq!(error.provider(), Some(provider));
        assert_eq!(error.is_temporary(), expected.is_temporary());
        let named_by_credential = provider.info().instance.named_by.is_some();
        let requests = match (&setup, expected.is_temporary()) {
            (Setup::UnknownInstance, _) => 0,
            // The simulator finds such an instance by its credential: a wrong one is no
            // instance's request.
            (Setup::WrongCredentials, _) if named_by_credential => 0,
            (_, true) => 3,
            (_, false) => 1,
        };
        let counted = harness.sim.counters(provider, &made.id).unwrap().requests;
        assert_eq!(
            counted, requests,
            "{provider} {scenario}: requests the simulator saw"
        );
        snapshot.insert(
            scenario.to_owned(),
            json!({"error": {
                "kind": error.kind().name(),
                "temporary": error.is_temporary(),
                "retry_after_s": error.retry_after().map(|d| d.as_secs()),
            }}),
        );
    }
    harness.assert_no_secret_printed();
    snapshot
}

/// One snapshot per provider, named after it; every provider is run before the test fails.
#[tokio::test]
async fn every_error_kind_for_every_provider() {
    let mut failed = Vec::new();
    for provider in Provider::ALL.iter().copied() {
        let snapshot = run(provider).await;
        let name = format!("{}_errors", provider.name().replace('-', "_"));
        let outcome = std::panic::catch_unwind(|| insta::assert_json_snapshot!(name, snapshot));
        if outcome.is_err() {
            failed.push(provider);
        }
    }
    assert!(failed.is_empty(), "snapshots differ for {failed:?}");
}

/// The providers with a documented quota, and that quota.
fn with_quota() -> Vec<(Provider, Quota)> {
    Provider::ALL
        .iter()
        .filter_map(|p| Quota::documented(*p).map(|q| (*p, q)))
        .collect()
}

/// The simulator's own rate limits, with the client's quotas off: the request past the
/// quota comes back as `rate_limited` with the wait the server asked for (at most the
/// window), and a wait longer than the retry policy accepts is not retried.
#[tokio::test]
async fn server_rate_limits_come_back_with_their_wait() {
    let harness = Harness::start().await;
    let monitor = Monitor::new(MonitorOptions {
        quotas: Quotas::unlimited(),
        retry: RetryPolicy::none(),
        ..options()
    })
    .unwrap();
    let providers = with_quota();
    assert!(!providers.is_empty(), "no provider documents a quota");
    for (provider, quota) in providers {
        let made = harness.make(provider, healthy(provider));
        for _ in 0..quota.requests {
            harness.check(&monitor, made.config.clone()).await.unwrap();
        }
        let error = harness
            .check(&monitor, made.config.clone())
            .await
            .unwrap_err();
        assert_eq!(error.kind(), K::RateLimited, "{provider}");
        let wait = error.retry_after().unwrap();
        let window = quota.per;
        assert!(
            window.saturating_sub(Duration::from_secs(1)) <= wait && wait <= window,
            "{provider}: {wait:?} for a window of {window:?}"
        );
        let counters = harness.sim.counters(provider, &made.id).unwrap();
        assert_eq!(
            (counters.requests, counters.rate_limited),
            (quota.requests as u64 + 1, 1),
            "{provider}"
        );
    }
    harness.assert_no_secret_printed();
}

/// With the default retry policy, a 429 whose `Retry-After` is short is waited out and
/// retried: a short window passes and the second check succeeds.
#[tokio::test]
async fn a_short_retry_after_is_waited_out() {
    let harness = Harness::start().await;
    let monitor = Monitor::new(MonitorOptions {
        quotas: Quotas::unlimited(),
        ..options()
    })
    .unwrap();
    let short: Vec<_> = with_quota()
        .into_iter()
        .filter(|(_, quota)| quota.per <= options().retry.max_retry_after)
        .collect();
    assert!(
        !short.is_empty(),
        "no provider has a window short enough to wait out"
    );
    for (provider, quota) in short {
        let made = harness.make(provider, healthy(provider));
        for _ in 0..quota.requests {
            harness.check(&monitor, made.config.clone()).await.unwrap();
        }
        let status = harness.check(&monitor, made.config.clone()).await.unwrap();
        assert_eq!(status.state, wa_unified::ConnectionState::Connected);
        let counters = harness.sim.counters(provider, &made.id).unwrap();
        assert_eq!(
            (counters.requests, counters.rate_limited),
            (quota.requests as u64 + 2, 1),
            "{provider}"
        );
    }
}

/// (The error for a provider whose feature is off is tested in `monitor.rs`, in the
/// single-feature builds CI runs.)
#[tokio::test]
async fn an_unknown_scheme_is_a_permanent_invalid_config_error() {
    let error = "no-such-gateway://x@host/i"
        .parse::<InstanceConfig>()
        .unwrap_err();
    assert_eq!(error.kind(), K::InvalidConfig);
    assert_eq!(error.provider(), None);
    assert!(!error.is_temporary());
}

/// A provider whose key is optional: a server that runs without one is read without one
/// (its keyless connection-string form), and a server that has one refuses a keyless
/// request as `unauthenticated`.
#[tokio::test]
async fn an_optional_key_may_be_left_out_but_not_when_the_server_has_one() {
    let harness = Harness::start().await;
    let monitor = Monitor::new(MonitorOptions {
        quotas: Quotas::unlimited(),
        retry: RetryPolicy::none(),
        ..options()
    })
    .unwrap();
    let optional: Vec<Provider> = Provider::ALL
        .iter()
        .copied()
        .filter(|p| p.info().credential_sets().iter().any(Vec::is_empty))
        .collect();
    assert!(!optional.is_empty(), "no provider's key is optional");
    for provider in optional {
        let keyed = harness.make(provider, healthy(provider));
        let mut keyless = keyed.instance.clone();
        keyless.credentials.clear();
        let text = harness.sim.connection_string(&keyless);
        assert!(!text.contains('@'), "{text}");
        let config: InstanceConfig = text.parse().unwrap();
        let error = harness.check(&monitor, config.clone()).await.unwrap_err();
        assert_eq!(error.kind(), K::Unauthenticated, "{provider}");
        keyless.id = "1101999999".into();
        let made = harness.add(keyless);
        let status = harness.check(&monitor, made.config).await.unwrap();
        assert_eq!(
            status.state,
            wa_unified::ConnectionState::Connected,
            "{provider}"
        );
    }
    harness.assert_no_secret_printed();
}
