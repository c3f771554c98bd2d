//! Scripted timelines: states that change on a schedule, including brief flaps.

use std::time::Duration;

use wa_simulator::{Provider, Step};

use crate::support::*;

async fn status_now(client: &wa_hypersender::Client) -> String {
    let body = client
        .check_instance_health(HYPERSENDER_ID)
        .await
        .unwrap()
        .into_inner();
    body.status.unwrap_or_default()
}

#[tokio::test]
async fn a_timeline_moves_through_its_steps() {
    let sim = simulator(false).await;
    sim.set_timeline(
        Provider::Hypersender,
        HYPERSENDER_ID,
        vec![
            Step::new(Duration::ZERO, "STARTING"),
            Step::new(Duration::from_millis(1000), "SCAN_QR_CODE"),
            Step::new(Duration::from_millis(2000), "WORKING"),
        ],
    )
    .unwrap();
    let client = hypersender(&sim);
    assert_eq!(status_now(&client).await, "STARTING");
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert_eq!(status_now(&client).await, "SCAN_QR_CODE");
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(status_now(&client).await, "WORKING");
}

#[tokio::test]
async fn a_flap_is_brief_and_the_base_state_holds_before_the_first_step() {
    let sim = simulator(false).await;
    sim.set_timeline(
        Provider::GreenApi,
        GREEN_API_ID,
        vec![
            Step::new(Duration::from_millis(600), "starting"),
            Step::new(Duration::from_millis(1600), "authorized"),
        ],
    )
    .unwrap();
    let client = green_api(&sim);
    let state = |body: wa_green_api::types::StateInstanceBody| body.0.map(|b| b.state_instance);
    assert_eq!(
        state(client.state_instance().await.unwrap().into_inner()).as_deref(),
        Some("authorized")
    );
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(
        state(client.state_instance().await.unwrap().into_inner()).as_deref(),
        Some("starting")
    );
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(
        state(client.state_instance().await.unwrap().into_inner()).as_deref(),
        Some("authorized")
    );
}
