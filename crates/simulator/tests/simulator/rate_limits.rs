//! The providers' documented rate limits, their counters, and switching them off.

use std::time::Duration;

use wa_simulator::{Counters, Provider};

use crate::support::*;

#[tokio::test]
async fn hypersender_allows_ten_requests_per_minute_per_token() {
    let sim = simulator(true).await;
    let client = hypersender(&sim);
    for _ in 0..10 {
        client.check_instance_health(HYPERSENDER_ID).await.unwrap();
    }
    match client
        .check_instance_health(HYPERSENDER_ID)
        .await
        .unwrap_err()
    {
        wa_hypersender::Error::ErrorResponse(response) => {
            assert_eq!(response.status().as_u16(), 429);
            let retry_after: u64 = response.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!(
                (59..=60).contains(&retry_after),
                "Retry-After: {retry_after}"
            );
            assert_eq!(
                response.into_inner().message.as_deref(),
                Some("Too many requests. Please try again later.")
            );
        }
        other => panic!("expected a 429, got {other}"),
    }
    assert_eq!(
        sim.counters(Provider::Hypersender, HYPERSENDER_ID),
        Some(Counters {
            requests: 11,
            rate_limited: 1
        })
    );
}

#[tokio::test]
async fn green_api_allows_one_request_per_second_per_instance() {
    let sim = simulator(true).await;
    let client = green_api(&sim);
    client.state_instance().await.unwrap();
    let error = client.state_instance().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    tokio::time::sleep(Duration::from_millis(1050)).await;
    client.state_instance().await.unwrap();
    assert_eq!(
        sim.counters(Provider::GreenApi, GREEN_API_ID),
        Some(Counters {
            requests: 3,
            rate_limited: 1
        })
    );
}

#[tokio::test]
async fn limits_switched_off_over_the_control_api_admit_everything() {
    let sim = simulator(true).await;
    let http = reqwest::Client::new();
    let response = http
        .put(format!("{}/rate-limits", sim.control_url()))
        .json(&serde_json::json!({"enabled": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let client = green_api(&sim);
    for _ in 0..5 {
        client.state_instance().await.unwrap();
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
        counters["green-api/1101000001"],
        serde_json::json!({"requests": 5, "rate_limited": 0})
    );
    assert_eq!(
        sim.total_counters(),
        Counters {
            requests: 5,
            rate_limited: 0
        }
    );
}
