//! The control API over HTTP: list, create, change and remove instances, set faults, read
//! counters; credentials go in and never come out.

use serde_json::{json, Value};
use wa_simulator::Provider;

use crate::support::*;

/// A provider whose instances need a token, and two of its recorded readings.
fn subject() -> (Provider, &'static str, &'static str) {
    let provider = Provider::ALL
        .iter()
        .copied()
        .find(|p| p.info().credential_sets().iter().all(|set| set.len() == 1))
        .expect("a provider whose instances need one token");
    let mut readings = provider
        .recordings()
        .iter()
        .filter(|r| r.reading().is_some());
    let first = readings.next().unwrap().name;
    let second = readings.next().unwrap().name;
    (provider, first, second)
}

#[tokio::test]
async fn instances_are_created_changed_listed_and_removed_without_showing_credentials() {
    let sim = simulator(false).await;
    let http = wa_tests::http_client();
    let control = sim.control_url();
    let (provider, first, second) = subject();
    let id = "1101000777";
    let key = provider.info().credential_sets()[0][0];

    let created = http
        .post(format!("{control}/instances"))
        .json(&json!({
            "provider": provider.name(),
            "id": id,
            "credentials": { key: "234|control-secret-token" },
            "response": first
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["response"], first);
    assert_eq!(created.get("credentials"), None);

    let patched = http
        .patch(format!("{control}/instances/{provider}/{id}"))
        .json(&json!({"response": second, "faults": {"latency_ms": 5}}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status().as_u16(), 200);
    let patched: Value = patched.json().await.unwrap();
    assert_eq!(
        (patched["current_response"].as_str(), &patched["faults"]),
        (Some(second), &json!({"latency_ms": 5}))
    );

    let served = wa_simulator::Instance::new(provider, id, second)
        .with_credential(key, "234|control-secret-token");
    let answer = get(&sim, &served).await;
    assert_eq!(
        answer.body,
        provider.recording(second).unwrap().body_for(id)
    );

    let listing = http
        .get(format!("{control}/instances"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let list: Value = serde_json::from_str(&listing).unwrap();
    assert_eq!(list.as_array().map(Vec::len), Some(Provider::ALL.len() + 1));
    assert!(!listing.contains("control-secret-token"), "{listing}");
    assert_no_secret(&listing);

    let removed = http
        .delete(format!("{control}/instances/{provider}/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status().as_u16(), 204);
    let gone = http
        .get(format!("{control}/instances/{provider}/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status().as_u16(), 404);
}

#[tokio::test]
async fn bad_control_requests_get_clear_errors() {
    let sim = simulator(false).await;
    let http = wa_tests::http_client();
    let control = sim.control_url();
    for provider in Provider::ALL.iter().copied() {
        let response = provider.recordings()[0].name;
        let missing_token = http
            .post(format!("{control}/instances"))
            .json(&json!({"provider": provider.name(), "id": "1", "response": response}))
            .send()
            .await
            .unwrap();
        let info = provider.info();
        let expected = match info.credential_sets().iter().any(Vec::is_empty) {
            true => None,
            false => Some(format!(
                "{provider} instance `1` needs {} as `credentials`",
                info.credential_sets_in_words()
            )),
        };
        match expected {
            Some(message) => {
                assert_eq!(missing_token.status().as_u16(), 400);
                assert_eq!(
                    missing_token.json::<Value>().await.unwrap(),
                    json!({"error": message})
                );
            }
            None => assert_eq!(missing_token.status().as_u16(), 201),
        }
        let unrecorded = http
            .patch(format!("{control}/instances/{provider}/1101000001"))
            .json(&json!({"response": "no-such-response"}))
            .send()
            .await
            .unwrap();
        assert_eq!(unrecorded.status().as_u16(), 400);
    }
    let unknown = http
        .get(format!("{control}/instances/no-such-gateway/x"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status().as_u16(), 400);
    assert_eq!(
        unknown.json::<Value>().await.unwrap(),
        json!({"error": format!("unknown provider `no-such-gateway`: expected {}", Provider::names_sentence())})
    );
    let bad_fault = http
        .patch(format!(
            "{control}/instances/{}/1101000001",
            Provider::ALL[0]
        ))
        .json(&json!({"faults": {"fault": {"kind": "explode"}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_fault.status().as_u16(), 400);
}

#[tokio::test]
async fn faults_set_over_the_control_api_apply() {
    let sim = simulator(false).await;
    let http = wa_tests::http_client();
    for provider in Provider::ALL.iter().copied() {
        let instance = instance(provider);
        let response = http
            .patch(format!(
                "{}/instances/{provider}/{}",
                sim.control_url(),
                instance.id
            ))
            .json(&json!({"faults": {"fault": {"kind": "status", "status": 503}}}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(get(&sim, &instance).await.status, 503, "{provider}");
    }
}

#[tokio::test]
async fn a_second_instance_holding_the_credential_that_names_one_is_a_conflict() {
    let sim = simulator(false).await;
    let http = wa_tests::http_client();
    let control = sim.control_url();
    let mut covered = 0;
    for provider in Provider::ALL.iter().copied() {
        let info = provider.info();
        let Some(key) = info.instance.named_by else {
            continue;
        };
        // The support fleet's instance of this provider holds this credential.
        let held = instance(provider).credentials[key].clone();
        let response = provider.recordings()[0].name;
        let create = |id: &'static str, credential: String| {
            http.post(format!("{control}/instances"))
                .json(&json!({
                    "provider": provider.name(),
                    "id": id,
                    "credentials": { key: credential },
                    "response": response
                }))
                .send()
        };
        let taken = create("1101000999", held).await.unwrap();
        assert_eq!(taken.status().as_u16(), 409);
        let noun = info.auth.credential(key).unwrap().noun;
        assert_eq!(
            taken.json::<Value>().await.unwrap(),
            json!({"error": format!("{provider} instances `1101000001` and `1101000999` hold the same {noun}, by which the vendor knows an instance")})
        );
        let free = create("1101000999", "234|a-credential-of-its-own".into())
            .await
            .unwrap();
        assert_eq!(free.status().as_u16(), 201);
        // Its id is free again once removed, and so is its credential.
        let removed = http
            .delete(format!("{control}/instances/{provider}/1101000999"))
            .send()
            .await
            .unwrap();
        assert_eq!(removed.status().as_u16(), 204);
        let again = create("1101000998", "234|a-credential-of-its-own".into())
            .await
            .unwrap();
        assert_eq!(again.status().as_u16(), 201);
        covered += 1;
    }
    assert!(covered > 0, "no provider knows an instance by a credential");
}
