//! The control API over HTTP: list, create, change and remove instances, set faults, read
//! counters; credentials go in and never come out.

use serde_json::{json, Value};
use wa_simulator::Provider;

use crate::support::*;

#[tokio::test]
async fn instances_are_created_changed_listed_and_removed_without_showing_credentials() {
    let sim = simulator(false).await;
    let http = reqwest::Client::new();
    let control = sim.control_url();

    let created = http
        .post(format!("{control}/instances"))
        .json(&json!({
            "provider": "hypersender",
            "id": "11111111-2222-3333-4444-555555555555",
            "token": "234|control-secret-token",
            "state": "PENDING"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["state"], "PENDING");
    assert_eq!(created.get("token"), None);

    let patched = http
        .patch(format!(
            "{control}/instances/hypersender/11111111-2222-3333-4444-555555555555"
        ))
        .json(&json!({"state": "WORKING", "faults": {"latency_ms": 5}}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status().as_u16(), 200);
    let patched: Value = patched.json().await.unwrap();
    assert_eq!(
        (patched["current_state"].as_str(), &patched["faults"]),
        (Some("WORKING"), &json!({"latency_ms": 5}))
    );

    let transport = transport(std::time::Duration::from_secs(5));
    let client = wa_hypersender::Client::with_token(
        &sim.base_url(Provider::Hypersender),
        "234|control-secret-token",
        &transport,
    )
    .unwrap();
    let body = client
        .check_instance_health("11111111-2222-3333-4444-555555555555")
        .await
        .unwrap()
        .into_inner();
    assert_eq!(body.status.as_deref(), Some("WORKING"));

    let listing = http
        .get(format!("{control}/instances"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let list: Value = serde_json::from_str(&listing).unwrap();
    assert_eq!(list.as_array().map(Vec::len), Some(5));
    assert!(!listing.contains("control-secret-token"), "{listing}");
    assert_no_secret(&listing);

    let removed = http
        .delete(format!(
            "{control}/instances/hypersender/11111111-2222-3333-4444-555555555555"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status().as_u16(), 204);
    let gone = http
        .get(format!(
            "{control}/instances/hypersender/11111111-2222-3333-4444-555555555555"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status().as_u16(), 404);
}

#[tokio::test]
async fn bad_control_requests_get_clear_errors() {
    let sim = simulator(false).await;
    let http = reqwest::Client::new();
    let control = sim.control_url();
    let missing_token = http
        .post(format!("{control}/instances"))
        .json(&json!({"provider": "megaapi", "id": "k", "state": "connected"}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing_token.status().as_u16(), 400);
    assert_eq!(
        missing_token.json::<Value>().await.unwrap(),
        json!({"error": "megaapi instance `k` needs a `token`"})
    );
    let unknown = http
        .get(format!("{control}/instances/waha/x"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status().as_u16(), 400);
    assert_eq!(
        unknown.json::<Value>().await.unwrap(),
        json!({"error": "unknown provider `waha`: expected megaapi, vzaps, hypersender or green-api"})
    );
    let bad_fault = http
        .patch(format!("{control}/instances/green-api/{GREEN_API_ID}"))
        .json(&json!({"faults": {"fault": {"kind": "explode"}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_fault.status().as_u16(), 400);
}

#[tokio::test]
async fn faults_set_over_the_control_api_apply() {
    let sim = simulator(false).await;
    let http = reqwest::Client::new();
    let response = http
        .patch(format!(
            "{}/instances/green-api/{GREEN_API_ID}",
            sim.control_url()
        ))
        .json(&json!({"faults": {"fault": {"kind": "status", "status": 503}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let error = green_api(&sim).state_instance().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
}
