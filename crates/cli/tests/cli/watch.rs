//! `watch`: state changes as JSON lines.

use crate::support::*;

#[tokio::test]
async fn watch_reports_a_scripted_timeline_without_the_flap() {
    let (provider, up, down) = watchable();
    let watched = instance(provider, 0, up);
    let (sim, targets) = serve(vec![watched.clone()]).await;
    // Connected, a 150 ms flap to disconnected (shorter than the 200 ms poll, so it is
    // read at most once), connected again, then disconnected for good.
    sim.set_timeline(
        provider,
        &watched.id,
        vec![
            Step::new(Duration::from_millis(800), down),
            Step::new(Duration::from_millis(950), up),
            Step::new(Duration::from_millis(1600), down),
        ],
    )
    .unwrap();
    let output = run(
        &[
            "watch",
            "--interval",
            "200ms",
            "--confirm",
            "2",
            "--duration",
            "2600ms",
            &targets[0],
        ],
        &[],
    )
    .await;
    assert_eq!(output.code, 0, "{}", output.stderr);
    let changes: Vec<(Value, Value)> = output
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|v| (v["previous"].clone(), v["state"].clone()))
        .collect();
    assert_eq!(
        changes,
        [
            (Value::Null, Value::from("connected")),
            (Value::from("connected"), Value::from("disconnected")),
        ]
    );
    let first: Value = serde_json::from_str(output.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(
        (first["name"].as_str(), first["provider"].as_str()),
        (Some(watched.id.as_str()), Some(provider.name()))
    );
    assert!(first["at"].as_str().unwrap().ends_with('Z'));
}
