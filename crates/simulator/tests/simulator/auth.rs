//! Credentials as each provider's auth style checks them, unknown instances, and a log
//! that never holds a secret.

use wa_providers::{Placement, Role};
use wa_simulator::Provider;

use crate::support::*;

/// The status and body the provider recorded for `role`.
fn recorded(provider: Provider, role: Role) -> (u16, String) {
    let recording = provider.recording_for(role).unwrap();
    (recording.status, recording.body.to_owned())
}

#[tokio::test]
async fn wrong_credentials_get_the_recorded_unauthenticated_answer() {
    let sim = simulator(false).await;
    for provider in Provider::ALL.iter().copied() {
        let mut wrong = instance(provider);
        for value in wrong.credentials.values_mut() {
            *value = "not-the-token".into();
        }
        if wrong.credentials.is_empty() {
            continue;
        }
        let answer = get(&sim, &wrong).await;
        assert_eq!(
            (answer.status, answer.body),
            recorded(provider, Role::Unauthenticated),
            "{provider}"
        );
    }
}

#[tokio::test]
async fn an_unknown_instance_gets_the_recorded_unknown_instance_answer() {
    let sim = simulator(false).await;
    for provider in Provider::ALL.iter().copied() {
        let mut unknown = instance(provider);
        unknown.id = "9999999999".into();
        // A vendor that knows the instance by its credential knows an unknown one by a
        // credential no instance holds, and answers it as a wrong credential.
        let named_by = provider.info().instance.named_by;
        if let Some(key) = named_by {
            unknown = unknown.with_credential(key, "234|no-instance-holds-this");
        }
        let answer = get(&sim, &unknown).await;
        let role = match named_by {
            Some(_) => Role::Unauthenticated,
            None => Role::UnknownInstance,
        };
        let recording = provider.recording_for(role).unwrap();
        assert_eq!(
            (answer.status, answer.body.as_str()),
            (recording.status, recording.body_for(&unknown.id).as_str()),
            "{provider}"
        );
        // Where the answer names an instance, it is the one asked about.
        if let Some(recorded) = provider.info().simulator.recorded_instance {
            assert!(
                !answer.body.contains(recorded),
                "{provider}: {}",
                answer.body
            );
        }
    }
}

#[tokio::test]
async fn each_set_of_credentials_lets_a_request_in_and_a_set_with_a_wrong_part_does_not() {
    let sim = simulator(false).await;
    let mut checked = 0;
    for provider in Provider::ALL.iter().copied() {
        let sets = provider.info().credential_sets();
        let all = instance(provider);
        for set in sets.iter().filter(|set| !set.is_empty()) {
            // A request as a client holding only this set sends it.
            let mut only = all.clone();
            only.credentials
                .retain(|key, _| set.contains(&key.as_str()));
            let (url, headers) = wa_simulator::status_request_at(&sim.addr().to_string(), &only);
            let answer = get_with(&url, &headers).await;
            assert_eq!(answer.status, 200, "{provider} {set:?}");
            if set.len() > 1 {
                let mut half = only.clone();
                if let Some(value) = half.credentials.values_mut().last() {
                    *value = "wrong-part".into();
                }
                let (url, headers) =
                    wa_simulator::status_request_at(&sim.addr().to_string(), &half);
                assert_eq!(
                    get_with(&url, &headers).await.status,
                    recorded(provider, Role::Unauthenticated).0,
                    "{provider} {set:?} with a wrong part"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 0, "no provider takes a set of two credentials");
}

#[tokio::test]
async fn the_log_never_holds_a_secret_and_path_tokens_are_masked() {
    let sim = simulator(true).await;
    let mut expected = Vec::new();
    for provider in Provider::ALL.iter().copied() {
        let good = instance(provider);
        let mut wrong = good.clone();
        for value in wrong.credentials.values_mut() {
            *value = "wrong".into();
        }
        assert_eq!(get(&sim, &good).await.status, 200);
        let info = provider.info();
        // Over the quota, when the provider has one; then wrong credentials.
        let mut notes = vec![(200, "")];
        if let Some(quota) = info.quota {
            for _ in 1..quota.requests {
                get(&sim, &good).await;
                notes.push((200, ""));
            }
            assert_eq!(get(&sim, &good).await.status, 429);
            notes.push((429, " (rate limited)"));
        }
        if !wrong.credentials.is_empty() {
            get(&sim, &wrong).await;
            notes.push((
                recorded(provider, Role::Unauthenticated).0,
                " (wrong credentials)",
            ));
        }
        let in_path: Vec<&str> = info
            .auth
            .credentials
            .iter()
            .filter_map(|c| match c.placement {
                Placement::Path { parameter } => Some(parameter),
                _ => None,
            })
            .collect();
        if !in_path.is_empty() {
            let mut path = info.status.path.to_owned();
            if let Some(parameter) = info.instance.parameter {
                path = path.replace(&format!("{{{parameter}}}"), &good.id);
            }
            for parameter in in_path {
                path = path.replace(&format!("{{{parameter}}}"), "***");
            }
            for (status, note) in notes {
                expected.push(format!(
                    "GET {}{path} -> {status}{note}",
                    info.simulator.base_path
                ));
            }
        } else {
            expected.extend(notes.iter().map(|_| String::new()));
        }
    }
    let lines = sim.log().lines();
    assert_eq!(lines.len(), expected.len(), "{lines:?}");
    for (line, expected) in lines.iter().zip(&expected) {
        if !expected.is_empty() {
            assert_eq!(line, expected);
        }
    }
    assert!(
        expected.iter().any(|l| !l.is_empty()),
        "no provider carries a token in its path"
    );
    assert_no_secret(&lines.join("\n"));
}
