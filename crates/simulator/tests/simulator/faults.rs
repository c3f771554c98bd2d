//! Every fault, against every provider, as a hand-written client sees it: the status and
//! body that replace the answer, a reset connection, truncated, empty, wrong, oversized or
//! slow bodies.

use std::time::Duration;

use serde_json::Value;
use wa_simulator::{html_page, Fault, Faults, Provider, Simulator, WRONG_SHAPE_BODY};

use crate::support::*;

/// Sets `faults` on every provider's instance and calls each with the given timeout; the
/// answers (or the error) in the order of the catalog.
async fn matrix(
    sim: &Simulator,
    faults: Faults,
    timeout: Duration,
) -> Vec<(Provider, Result<Answer, reqwest::Error>)> {
    let mut outcomes = Vec::new();
    for provider in Provider::ALL.iter().copied() {
        let instance = instance(provider);
        sim.set_faults(provider, &instance.id, faults.clone())
            .unwrap();
        outcomes.push((provider, get_within(sim, &instance, timeout).await));
    }
    outcomes
}

/// The recorded body of the instance's normal answer.
fn normal_body(provider: Provider) -> String {
    provider
        .recording(healthy(provider))
        .unwrap()
        .body_for("1101000001")
}

#[tokio::test]
async fn a_status_fault_answers_with_the_providers_body_for_that_status() {
    let sim = simulator(false).await;
    for status in [500, 502, 503, 418, 466] {
        for (provider, outcome) in matrix(
            &sim,
            Faults::fault(Fault::Status { status }),
            Duration::from_secs(5),
        )
        .await
        {
            let answer = outcome.unwrap();
            assert_eq!(answer.status, status, "{provider}");
            let recorded = provider
                .recordings()
                .iter()
                .find(|r| r.status == status && r.reading().is_none());
            let expected = match recorded {
                Some(recording) => recording.body.to_owned(),
                None => reqwest::StatusCode::from_u16(status)
                    .unwrap()
                    .canonical_reason()
                    .unwrap_or("Error")
                    .to_owned(),
            };
            assert_eq!(answer.body, expected, "{provider} {status}");
        }
    }
}

#[tokio::test]
async fn connection_reset_before_a_response() {
    let sim = simulator(false).await;
    for (provider, outcome) in
        matrix(&sim, Faults::fault(Fault::Reset), Duration::from_secs(5)).await
    {
        let error = outcome.unwrap_err();
        assert!(!error.is_timeout(), "{provider}: {error}");
        assert!(
            error.is_request() || error.is_connect(),
            "{provider}: {error:?}"
        );
    }
}

#[tokio::test]
async fn truncated_empty_and_wrong_bodies_replace_the_answer() {
    let sim = simulator(false).await;
    for (provider, outcome) in matrix(
        &sim,
        Faults::fault(Fault::TruncatedJson),
        Duration::from_secs(5),
    )
    .await
    {
        let answer = outcome.unwrap();
        let normal = normal_body(provider);
        assert_eq!(answer.status, 200);
        assert!(
            normal.starts_with(&answer.body) && answer.body.len() < normal.len(),
            "{provider}"
        );
        assert!(
            serde_json::from_str::<Value>(&answer.body).is_err(),
            "{provider}"
        );
    }
    for (provider, outcome) in matrix(
        &sim,
        Faults::fault(Fault::EmptyBody),
        Duration::from_secs(5),
    )
    .await
    {
        let answer = outcome.unwrap();
        assert_eq!(
            (answer.status, answer.body.as_str()),
            (200, ""),
            "{provider}"
        );
    }
    for (provider, outcome) in matrix(
        &sim,
        Faults::fault(Fault::WrongShape),
        Duration::from_secs(5),
    )
    .await
    {
        let answer = outcome.unwrap();
        assert_eq!(
            (answer.status, answer.body.as_str()),
            (200, WRONG_SHAPE_BODY),
            "{provider}"
        );
    }
}

#[tokio::test]
async fn html_pages_with_200_and_502() {
    let sim = simulator(false).await;
    for status in [200, 502] {
        for (provider, outcome) in matrix(
            &sim,
            Faults::fault(Fault::Html { status }),
            Duration::from_secs(5),
        )
        .await
        {
            let answer = outcome.unwrap();
            assert_eq!(
                (answer.status, answer.body),
                (status, html_page(status)),
                "{provider}"
            );
            assert_eq!(answer.headers["content-type"], "text/html; charset=utf-8");
        }
    }
}

#[tokio::test]
async fn an_oversized_body_is_valid_json_of_the_announced_length() {
    let sim = simulator(false).await;
    for (provider, outcome) in matrix(
        &sim,
        Faults::fault(Fault::Oversized { bytes: 200_000 }),
        Duration::from_secs(5),
    )
    .await
    {
        let answer = outcome.unwrap();
        assert_eq!(answer.headers["content-length"], "200000", "{provider}");
        assert_eq!(answer.body.len(), 200_000);
        let value: Value = serde_json::from_str(&answer.body).unwrap();
        assert_eq!(value["pad"].as_str().map(str::len), Some(200_000 - 10));
    }
}

#[tokio::test]
async fn a_trickling_body_times_out_a_short_timeout_and_arrives_under_a_long_one() {
    let sim = simulator(false).await;
    // Every recorded body is longer than 16 bytes: 4 chunks of 60 ms at least, past 150 ms.
    let slow = Faults::fault(Fault::Trickle {
        chunk_bytes: 4,
        interval_ms: 60,
    });
    for (provider, outcome) in matrix(&sim, slow, Duration::from_millis(150)).await {
        assert!(outcome.unwrap_err().is_timeout(), "{provider}");
    }
    let steady = Faults::fault(Fault::Trickle {
        chunk_bytes: 64,
        interval_ms: 20,
    });
    for (provider, outcome) in matrix(&sim, steady, Duration::from_secs(10)).await {
        let answer = outcome.unwrap();
        assert_eq!(answer.body, normal_body(provider), "{provider}");
    }
}

#[tokio::test]
async fn latency_delays_the_answer_past_a_short_timeout() {
    let sim = simulator(false).await;
    let faults = Faults::latency(Duration::from_millis(600));
    for (provider, outcome) in matrix(&sim, faults.clone(), Duration::from_millis(200)).await {
        assert!(outcome.unwrap_err().is_timeout(), "{provider}");
    }
    for (provider, outcome) in matrix(&sim, faults, Duration::from_secs(5)).await {
        assert_eq!(outcome.unwrap().status, 200, "{provider}");
    }
}
