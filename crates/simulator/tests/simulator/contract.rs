//! Every body the simulator serves for a documented case validates against the provider's
//! normalized schema (and decodes with the generated client: see `states.rs` and
//! `auth.rs`, which decode the same cases).

use serde_json::Value;
use wa_simulator::{Instance, Provider, Simulator, GREEN_API_NULL_STATE};

use crate::schema::{normalized, response_schema, validate};
use crate::support::*;

/// Fetches a raw body with the right credentials.
async fn fetch(
    sim: &Simulator,
    provider: Provider,
    id: &str,
    bearer: Option<&str>,
) -> (u16, Value) {
    let url = match provider {
        Provider::MegaApi => format!("{}/rest/instance/{id}", sim.base_url(provider)),
        Provider::Vzaps => format!("{}/instances/{id}/session/status", sim.base_url(provider)),
        Provider::Hypersender => format!("{}/{id}/health", sim.base_url(provider)),
        Provider::GreenApi => format!(
            "{}/waInstance{id}/getStateInstance/{GREEN_API_TOKEN}",
            sim.base_url(provider)
        ),
    };
    let mut request = reqwest::Client::new().get(url);
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body = response.json::<Value>().await.unwrap();
    (status, body)
}

fn assert_valid(provider: Provider, status: &str, body: &Value) {
    let doc = normalized(provider);
    let schema = response_schema(&doc, status);
    assert!(schema.is_object(), "{provider} documents no {status} body");
    if let Err(problem) = validate(&doc, &schema, body, true) {
        panic!("{provider} {status} body {body} does not match its schema: {problem}");
    }
}

#[tokio::test]
async fn megaapi_bodies_match_the_schema() {
    let sim = simulator(false).await;
    let (status, body) = fetch(&sim, Provider::MegaApi, MEGAAPI_KEY, Some(MEGAAPI_TOKEN)).await;
    assert_eq!(status, 200);
    assert_valid(Provider::MegaApi, "200", &body);
    sim.upsert(
        Instance::new(Provider::MegaApi, MEGAAPI_KEY, "disconnected").with_token(MEGAAPI_TOKEN),
    )
    .unwrap();
    let (_, body) = fetch(&sim, Provider::MegaApi, MEGAAPI_KEY, Some(MEGAAPI_TOKEN)).await;
    assert_eq!(body["instance"].get("user"), None);
    assert_valid(Provider::MegaApi, "200", &body);
    let (status, body) = fetch(&sim, Provider::MegaApi, MEGAAPI_KEY, Some("wrong")).await;
    assert_eq!(status, 401);
    assert_valid(Provider::MegaApi, "401", &body);
}

#[tokio::test]
async fn vzaps_bodies_match_the_schema() {
    let sim = simulator(false).await;
    let (status, body) = fetch(&sim, Provider::Vzaps, VZAPS_ID, Some(VZAPS_JWT)).await;
    assert_eq!(status, 200);
    assert_valid(Provider::Vzaps, "200", &body);
    sim.set_state(Provider::Vzaps, VZAPS_ID, "false").unwrap();
    let (_, body) = fetch(&sim, Provider::Vzaps, VZAPS_ID, Some(VZAPS_JWT)).await;
    assert_eq!(
        body,
        serde_json::json!({"code": 200, "success": true, "data": {"connected": false}})
    );
    assert_valid(Provider::Vzaps, "200", &body);
    sim.upsert(
        Instance::new(Provider::Vzaps, VZAPS_ID, "false")
            .with_token(VZAPS_JWT)
            .with_bare_body(),
    )
    .unwrap();
    let (_, body) = fetch(&sim, Provider::Vzaps, VZAPS_ID, Some(VZAPS_JWT)).await;
    assert_eq!(body, serde_json::json!({"connected": false}));
    assert_valid(Provider::Vzaps, "200", &body);
}

#[tokio::test]
async fn hypersender_bodies_match_the_schema() {
    let sim = simulator(true).await;
    for state in [
        "STOPPED",
        "STARTING",
        "WORKING",
        "SCAN_QR_CODE",
        "FAILED",
        "PENDING",
    ] {
        sim.set_rate_limits(false);
        sim.set_state(Provider::Hypersender, HYPERSENDER_ID, state)
            .unwrap();
        let (status, body) = fetch(
            &sim,
            Provider::Hypersender,
            HYPERSENDER_ID,
            Some(HYPERSENDER_TOKEN),
        )
        .await;
        assert_eq!((status, body["status"].as_str()), (200, Some(state)));
        assert_valid(Provider::Hypersender, "200", &body);
    }
    let (status, body) = fetch(
        &sim,
        Provider::Hypersender,
        "no-such-instance",
        Some(HYPERSENDER_TOKEN),
    )
    .await;
    assert_eq!(status, 404);
    assert_valid(Provider::Hypersender, "404", &body);
    sim.set_rate_limits(true);
    let mut last = (0, Value::Null);
    for _ in 0..11 {
        last = fetch(
            &sim,
            Provider::Hypersender,
            HYPERSENDER_ID,
            Some(HYPERSENDER_TOKEN),
        )
        .await;
    }
    assert_eq!(last.0, 429);
    assert_valid(Provider::Hypersender, "429", &last.1);
}

#[tokio::test]
async fn green_api_bodies_match_the_schema() {
    let sim = simulator(false).await;
    for state in [
        "notAuthorized",
        "authorized",
        "blocked",
        "sleepMode",
        "starting",
        "yellowCard",
        GREEN_API_NULL_STATE,
    ] {
        sim.set_state(Provider::GreenApi, GREEN_API_ID, state)
            .unwrap();
        let (status, body) = fetch(&sim, Provider::GreenApi, GREEN_API_ID, None).await;
        assert_eq!(status, 200);
        assert_valid(Provider::GreenApi, "200", &body);
    }
}
