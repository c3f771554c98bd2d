//! Every recorded response of every provider, served exactly: its status, its headers,
//! and its body with the instance's own id in place of the recorded one.

use wa_simulator::Provider;

use crate::support::*;

#[tokio::test]
async fn every_recording_is_served_as_recorded() {
    let sim = simulator(false).await;
    let mut served = 0;
    for provider in Provider::ALL.iter().copied() {
        let instance = instance(provider);
        for recording in provider.recordings() {
            sim.set_response(provider, &instance.id, recording.name)
                .unwrap();
            let answer = get(&sim, &instance).await;
            let name = format!("{provider}/{}", recording.name);
            assert_eq!(answer.status, recording.status, "{name}");
            assert_eq!(answer.body, recording.body_for(&instance.id), "{name}");
            for (header, value) in recording.headers {
                assert_eq!(
                    answer.headers.get(*header).and_then(|v| v.to_str().ok()),
                    Some(*value),
                    "{name}: {header}"
                );
            }
            if recording.body.is_empty() {
                assert_eq!(answer.headers.get("content-type"), None, "{name}");
            }
            served += 1;
        }
    }
    let recorded: usize = Provider::ALL.iter().map(|p| p.recordings().len()).sum();
    assert_eq!(served, recorded);
}

#[tokio::test]
async fn the_recorded_instance_is_replaced_by_the_served_one() {
    let sim = simulator(false).await;
    let mut replaced = 0;
    for provider in Provider::ALL.iter().copied() {
        let Some(recorded) = provider.info().simulator.recorded_instance else {
            continue;
        };
        let instance = instance(provider);
        // The recorded instance is replaced where it is a JSON string of its own.
        let quoted = |name: &str| format!("\"{name}\"");
        for recording in provider
            .recordings()
            .iter()
            .filter(|r| r.body.contains(&quoted(recorded)))
        {
            sim.set_response(provider, &instance.id, recording.name)
                .unwrap();
            let answer = get(&sim, &instance).await;
            assert!(
                answer.body.contains(&quoted(&instance.id)),
                "{}",
                answer.body
            );
            assert!(!answer.body.contains(&quoted(recorded)), "{}", answer.body);
            replaced += 1;
        }
    }
    assert!(replaced > 0, "no recording names its instance");
}

#[tokio::test]
async fn an_unrecorded_response_is_refused_with_the_names_it_could_be() {
    let sim = simulator(false).await;
    for provider in Provider::ALL.iter().copied() {
        let error = sim
            .set_response(provider, "1101000001", "no-such-response")
            .unwrap_err();
        assert!(
            error.starts_with(&format!("{provider} instance `1101000001`: `no-such-response` is not a recorded response of {provider} (one of ")),
            "{error}"
        );
    }
}
