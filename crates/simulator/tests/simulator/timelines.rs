//! Scripted timelines: responses that change on a schedule, including brief flaps.

use std::time::Duration;

use wa_simulator::{Provider, Step};

use crate::support::*;

/// Three of the provider's recorded readings.
fn three(provider: Provider) -> [&'static str; 3] {
    let names: Vec<&str> = provider
        .recordings()
        .iter()
        .filter(|r| r.reading().is_some())
        .map(|r| r.name)
        .collect();
    [names[0], names[1], names[2]]
}

fn body(provider: Provider, response: &str) -> String {
    provider.recording(response).unwrap().body_for("1101000001")
}

#[tokio::test]
async fn a_timeline_moves_through_its_steps() {
    let sim = simulator(false).await;
    for provider in Provider::ALL.iter().copied() {
        let [a, b, c] = three(provider);
        sim.set_timeline(
            provider,
            "1101000001",
            vec![
                Step::new(Duration::ZERO, a),
                Step::new(Duration::from_millis(1000), b),
                Step::new(Duration::from_millis(2000), c),
            ],
        )
        .unwrap();
    }
    let check = |step: usize| {
        let sim = &sim;
        async move {
            for provider in Provider::ALL.iter().copied() {
                let answer = get(sim, &instance(provider)).await;
                assert_eq!(
                    answer.body,
                    body(provider, three(provider)[step]),
                    "{provider} step {step}"
                );
            }
        }
    };
    check(0).await;
    tokio::time::sleep(Duration::from_millis(1300)).await;
    check(1).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    check(2).await;
}

#[tokio::test]
async fn a_flap_is_brief_and_the_base_response_holds_before_the_first_step() {
    let sim = simulator(false).await;
    for provider in Provider::ALL.iter().copied() {
        let [_, flap, _] = three(provider);
        sim.set_timeline(
            provider,
            "1101000001",
            vec![
                Step::new(Duration::from_millis(600), flap),
                Step::new(Duration::from_millis(1600), healthy(provider)),
            ],
        )
        .unwrap();
    }
    for (step, wait) in [(0, 0), (1, 1000), (2, 1000)] {
        tokio::time::sleep(Duration::from_millis(wait)).await;
        for provider in Provider::ALL.iter().copied() {
            let expected = if step == 1 {
                three(provider)[1]
            } else {
                healthy(provider)
            };
            let answer = get(&sim, &instance(provider)).await;
            assert_eq!(
                answer.body,
                body(provider, expected),
                "{provider} step {step}"
            );
        }
    }
}
