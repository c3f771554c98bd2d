//! Credentials as each provider's auth style checks them, unknown instances, and a log
//! that never holds a secret.

use wa_providers::{AuthStyle, Role};
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
        wrong.token = Some("not-the-token".into());
        wrong.token_pair = wrong
            .token_pair
            .map(|[first, _]| [first, "wrong-client".into()]);
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
        let answer = get(&sim, &unknown).await;
        assert_eq!(
            (answer.status, answer.body),
            recorded(provider, Role::UnknownInstance),
            "{provider}"
        );
    }
}

#[tokio::test]
async fn a_header_pair_style_accepts_either_credential_and_rejects_half_a_pair() {
    let sim = simulator(false).await;
    let mut checked = 0;
    for provider in Provider::ALL.iter().copied() {
        let AuthStyle::BearerOrHeaderPair { .. } = provider.info().auth.style else {
            continue;
        };
        let both = instance(provider);
        let mut bearer = both.clone();
        bearer.token_pair = None;
        assert_eq!(get(&sim, &bearer).await.status, 200, "{provider} bearer");
        assert_eq!(get(&sim, &both).await.status, 200, "{provider} pair");
        let mut half = both.clone();
        half.token_pair = half
            .token_pair
            .map(|[first, _]| [first, "wrong-client".into()]);
        assert_eq!(
            get(&sim, &half).await.status,
            recorded(provider, Role::Unauthenticated).0,
            "{provider} half a pair"
        );
        checked += 1;
    }
    assert!(checked > 0, "no provider takes a header pair");
}

#[tokio::test]
async fn the_log_never_holds_a_secret_and_path_tokens_are_masked() {
    let sim = simulator(true).await;
    let mut expected = Vec::new();
    for provider in Provider::ALL.iter().copied() {
        let good = instance(provider);
        let mut wrong = good.clone();
        wrong.token = Some("wrong".into());
        wrong.token_pair = wrong.token_pair.map(|[first, _]| [first, "wrong".into()]);
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
        get(&sim, &wrong).await;
        notes.push((
            recorded(provider, Role::Unauthenticated).0,
            " (wrong credentials)",
        ));
        if let AuthStyle::PathToken { parameter } = info.auth.style {
            let path = info
                .status
                .path
                .replace(&format!("{{{}}}", info.instance.parameter), &good.id)
                .replace(&format!("{{{parameter}}}"), "***");
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
