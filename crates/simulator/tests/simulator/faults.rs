//! Every fault, against every provider, through the generated clients.

use std::time::Duration;

use wa_client_support::is_response_too_large;
use wa_simulator::{Fault, Faults, Provider, Simulator};

use crate::support::*;

/// What a call came to, in a word or two, so that a whole matrix reads as one table.
fn outcome<T, E>(result: Result<T, wa_megaapi::Error<E>>) -> String {
    use wa_megaapi::Error;
    match result {
        Ok(_) => "ok".into(),
        Err(Error::ErrorResponse(r)) => format!("status {}", r.status().as_u16()),
        Err(Error::UnexpectedResponse(r)) => format!("status {}", r.status().as_u16()),
        Err(Error::InvalidResponsePayload(..)) => "payload".into(),
        Err(Error::ResponseBodyError(e)) if is_response_too_large(&e) => "too large".into(),
        Err(Error::ResponseBodyError(e)) if e.is_timeout() => "body timeout".into(),
        Err(Error::CommunicationError(e)) if e.is_timeout() => "timeout".into(),
        Err(Error::CommunicationError(_)) => "communication".into(),
        Err(Error::InvalidRequest(message) | Error::Custom(message)) => format!("other: {message}"),
        Err(Error::InvalidUpgrade(_)) => "upgrade".into(),
        Err(Error::ResponseBodyError(_)) => "body".into(),
    }
}

/// Sets `faults` on every provider's instance and calls each with the given client timeout;
/// returns the outcomes in the order megaapi, vzaps, hypersender, green-api. Every error's
/// `Display` and `Debug` are checked for secrets on the way.
async fn matrix(sim: &Simulator, faults: Faults, timeout: Duration) -> [String; 4] {
    for (provider, id) in [
        (Provider::MegaApi, MEGAAPI_KEY),
        (Provider::Vzaps, VZAPS_ID),
        (Provider::Hypersender, HYPERSENDER_ID),
        (Provider::GreenApi, GREEN_API_ID),
    ] {
        sim.set_faults(provider, id, faults.clone()).unwrap();
    }
    let transport = transport(timeout);
    let mega =
        wa_megaapi::Client::with_token(&sim.base_url(Provider::MegaApi), MEGAAPI_TOKEN, &transport)
            .unwrap();
    let vz = wa_vzaps::Client::with_bearer(&sim.base_url(Provider::Vzaps), VZAPS_JWT, &transport)
        .unwrap();
    let hyper = wa_hypersender::Client::with_token(
        &sim.base_url(Provider::Hypersender),
        HYPERSENDER_TOKEN,
        &transport,
    )
    .unwrap();
    let green = green_api_with(sim, timeout);

    let results = (
        mega.get_instance_status(MEGAAPI_KEY).await,
        vz.session_status(VZAPS_ID).await,
        hyper.check_instance_health(HYPERSENDER_ID).await,
        green.state_instance().await,
    );
    let texts = [
        results.0.as_ref().err().map(|e| format!("{e} {e:?}")),
        results.1.as_ref().err().map(|e| format!("{e} {e:?}")),
        results.2.as_ref().err().map(|e| format!("{e} {e:?}")),
        results.3.as_ref().err().map(|e| format!("{e} {e:?}")),
    ];
    for text in texts.iter().flatten() {
        assert_no_secret(text);
    }
    [
        outcome(results.0),
        outcome(results.1),
        outcome(results.2),
        outcome(results.3),
    ]
}

fn all(outcome: &str) -> [String; 4] {
    [
        outcome.into(),
        outcome.into(),
        outcome.into(),
        outcome.into(),
    ]
}

#[tokio::test]
async fn server_error_statuses() {
    let sim = simulator(false).await;
    for status in [500, 502, 503] {
        let faults = Faults::fault(Fault::Status { status });
        assert_eq!(
            matrix(&sim, faults, Duration::from_secs(5)).await,
            all(&format!("status {status}"))
        );
    }
}

#[tokio::test]
async fn green_api_quota_exceeded_is_its_documented_466() {
    let sim = simulator(false).await;
    sim.set_faults(
        Provider::GreenApi,
        GREEN_API_ID,
        Faults::fault(Fault::Status { status: 466 }),
    )
    .unwrap();
    match green_api(&sim).state_instance().await.unwrap_err() {
        wa_green_api::Error::ErrorResponse(response) => assert_eq!(response.status().as_u16(), 466),
        other => panic!("expected the documented 466, got {other}"),
    }
}

#[tokio::test]
async fn connection_reset_before_a_response() {
    let sim = simulator(false).await;
    assert_eq!(
        matrix(&sim, Faults::fault(Fault::Reset), Duration::from_secs(5)).await,
        all("communication")
    );
}

#[tokio::test]
async fn truncated_json_empty_body_and_wrong_shape_are_payload_errors() {
    let sim = simulator(false).await;
    for fault in [Fault::TruncatedJson, Fault::EmptyBody, Fault::WrongShape] {
        assert_eq!(
            matrix(&sim, Faults::fault(fault), Duration::from_secs(5)).await,
            all("payload")
        );
    }
}

#[tokio::test]
async fn html_pages_with_200_and_502() {
    let sim = simulator(false).await;
    let faults = Faults::fault(Fault::Html { status: 200 });
    assert_eq!(
        matrix(&sim, faults, Duration::from_secs(5)).await,
        all("payload")
    );
    let faults = Faults::fault(Fault::Html { status: 502 });
    assert_eq!(
        matrix(&sim, faults, Duration::from_secs(5)).await,
        all("status 502")
    );
}

#[tokio::test]
async fn an_oversized_body_stops_at_the_clients_cap() {
    let sim = simulator(false).await;
    let faults = Faults::fault(Fault::Oversized {
        bytes: 40 * 1024 * 1024,
    });
    assert_eq!(
        matrix(&sim, faults, Duration::from_secs(5)).await,
        all("too large")
    );
}

#[tokio::test]
async fn an_oversized_body_is_valid_json_of_the_announced_length() {
    let sim = simulator(false).await;
    sim.set_faults(
        Provider::GreenApi,
        GREEN_API_ID,
        Faults::fault(Fault::Oversized { bytes: 200_000 }),
    )
    .unwrap();
    let url = format!(
        "{}/waInstance{GREEN_API_ID}/getStateInstance/{GREEN_API_TOKEN}",
        sim.base_url(Provider::GreenApi)
    );
    let response = reqwest::get(url).await.unwrap();
    assert_eq!(response.content_length(), Some(200_000));
    let body = response.bytes().await.unwrap();
    assert_eq!(body.len(), 200_000);
    let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(value["pad"].as_str().map(str::len), Some(200_000 - 10));
}

#[tokio::test]
async fn a_trickling_body_times_out_a_short_timeout_and_arrives_under_a_long_one() {
    let sim = simulator(false).await;
    // The shortest body, Green API's 30 bytes, takes 8 chunks of 60 ms: past 250 ms.
    let slow = Faults::fault(Fault::Trickle {
        chunk_bytes: 4,
        interval_ms: 60,
    });
    assert_eq!(
        matrix(&sim, slow, Duration::from_millis(250)).await,
        all("body timeout")
    );
    // The longest, VZaps' full profile of about 600 bytes, takes 10 chunks of 60 ms.
    let steady = Faults::fault(Fault::Trickle {
        chunk_bytes: 64,
        interval_ms: 60,
    });
    assert_eq!(
        matrix(&sim, steady, Duration::from_secs(10)).await,
        all("ok")
    );
}

#[tokio::test]
async fn latency_delays_the_answer_past_a_short_timeout() {
    let sim = simulator(false).await;
    let faults = Faults::latency(Duration::from_millis(600));
    assert_eq!(
        matrix(&sim, faults.clone(), Duration::from_millis(200)).await,
        all("timeout")
    );
    assert_eq!(
        matrix(&sim, faults, Duration::from_secs(5)).await,
        all("ok")
    );
}
