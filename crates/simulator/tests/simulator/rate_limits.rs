//! The providers' documented rate limits, their counters, and switching them off.

use std::time::Duration;

use wa_providers::Role;
use wa_simulator::{Counters, Provider};

use crate::support::*;

fn with_quota() -> Vec<(Provider, wa_providers::QuotaInfo)> {
    Provider::ALL
        .iter()
        .filter_map(|p| p.info().quota.map(|q| (*p, q)))
        .collect()
}

#[tokio::test]
async fn each_quota_admits_its_requests_then_answers_429_with_the_wait() {
    let sim = simulator(true).await;
    let providers = with_quota();
    assert!(!providers.is_empty(), "no provider documents a quota");
    for (provider, quota) in providers {
        let instance = instance(provider);
        for _ in 0..quota.requests {
            assert_eq!(get(&sim, &instance).await.status, 200, "{provider}");
        }
        let answer = get(&sim, &instance).await;
        let recording = provider.recording_for(Role::RateLimited).unwrap();
        assert_eq!(
            (answer.status, answer.body.as_str()),
            (429, recording.body),
            "{provider}"
        );
        let retry_after: u64 = answer.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            (quota.per_seconds.saturating_sub(1).max(1)..=quota.per_seconds).contains(&retry_after),
            "{provider}: Retry-After {retry_after}"
        );
        assert_eq!(
            sim.counters(provider, &instance.id),
            Some(Counters {
                requests: u64::from(quota.requests) + 1,
                rate_limited: 1
            })
        );
    }
}

#[tokio::test]
async fn a_short_window_passes() {
    let sim = simulator(true).await;
    let short: Vec<_> = with_quota()
        .into_iter()
        .filter(|(_, q)| q.per_seconds <= 2)
        .collect();
    assert!(!short.is_empty(), "no provider has a short window");
    for (provider, quota) in short {
        let instance = instance(provider);
        for _ in 0..quota.requests {
            get(&sim, &instance).await;
        }
        assert_eq!(get(&sim, &instance).await.status, 429);
        tokio::time::sleep(Duration::from_millis(quota.per_seconds * 1000 + 50)).await;
        assert_eq!(get(&sim, &instance).await.status, 200, "{provider}");
    }
}

#[tokio::test]
async fn limits_switched_off_over_the_control_api_admit_everything() {
    let sim = simulator(true).await;
    let http = wa_tests::http_client();
    let response = http
        .put(format!("{}/rate-limits", sim.control_url()))
        .json(&serde_json::json!({"enabled": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let mut requests = 0;
    for (provider, quota) in with_quota() {
        let instance = instance(provider);
        for _ in 0..=quota.requests {
            assert_eq!(get(&sim, &instance).await.status, 200, "{provider}");
            requests += 1;
        }
        let counters: serde_json::Value = http
            .get(format!("{}/counters", sim.control_url()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            counters[format!("{provider}/{}", instance.id)],
            serde_json::json!({"requests": quota.requests + 1, "rate_limited": 0})
        );
    }
    assert_eq!(
        sim.total_counters(),
        Counters {
            requests,
            rate_limited: 0
        }
    );
}
