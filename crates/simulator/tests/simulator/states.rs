//! Every documented state of every provider, decoded by the generated clients.

use wa_simulator::{Account, Instance, Provider, GREEN_API_NULL_STATE};

use crate::support::*;

#[tokio::test]
async fn megaapi_connected_has_a_user_and_disconnected_has_none() {
    let sim = simulator(false).await;
    let client = megaapi(&sim);
    let body = client
        .get_instance_status(MEGAAPI_KEY)
        .await
        .unwrap()
        .into_inner();
    assert!(!body.error);
    assert_eq!(body.instance.key, MEGAAPI_KEY);
    assert_eq!(body.instance.status, "connected");
    assert_eq!(
        body.instance.user.map(|u| u.id),
        Some("5511999990001".to_owned())
    );

    sim.upsert(
        Instance::new(Provider::MegaApi, MEGAAPI_KEY, "disconnected").with_token(MEGAAPI_TOKEN),
    )
    .unwrap();
    let body = client
        .get_instance_status(MEGAAPI_KEY)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(body.instance.status, "disconnected");
    assert_eq!(body.instance.user, None);

    // A status no one has documented, with a user: decodes, kept verbatim.
    sim.upsert(
        Instance::new(Provider::MegaApi, MEGAAPI_KEY, "qrcode")
            .with_token(MEGAAPI_TOKEN)
            .with_account(Account {
                phone: Some("5511".into()),
                ..Account::default()
            }),
    )
    .unwrap();
    let body = client
        .get_instance_status(MEGAAPI_KEY)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(body.instance.status, "qrcode");
    assert_eq!(body.instance.user.map(|u| u.id), Some("5511".to_owned()));
}

#[tokio::test]
async fn vzaps_connected_disconnected_and_bare() {
    use wa_vzaps::types::SessionStatusResponse::{SessionStatusData, WorkerEnvelopeSessionStatus};
    let sim = simulator(false).await;
    let client = vzaps(&sim);

    let WorkerEnvelopeSessionStatus(envelope) =
        client.session_status(VZAPS_ID).await.unwrap().into_inner()
    else {
        panic!("expected the envelope");
    };
    assert_eq!((envelope.code, envelope.success), (200, true));
    let data = envelope.data.unwrap();
    assert!(data.connected);
    assert_eq!(data.phone.as_deref(), Some("5511999990001"));
    assert_eq!(
        data.whatsapp_jid.as_deref(),
        Some("5511999990001@s.whatsapp.net")
    );
    assert_eq!(data.push_name.as_deref(), Some("Loja Centro"));
    assert_eq!(data.business_name.as_deref(), Some("Loja Centro Ltda"));
    assert_eq!(
        data.profile_url.as_deref(),
        Some("https://wa.me/5511999990001")
    );
    let profile = data.business_profile.unwrap();
    assert_eq!(profile.categories[0].name, "Finance");
    assert_eq!(
        profile
            .profile_options
            .get("cart_enabled")
            .map(String::as_str),
        Some("true")
    );

    sim.set_state(Provider::Vzaps, VZAPS_ID, "false").unwrap();
    let WorkerEnvelopeSessionStatus(envelope) =
        client.session_status(VZAPS_ID).await.unwrap().into_inner()
    else {
        panic!("expected the envelope");
    };
    let data = envelope.data.unwrap();
    assert_eq!(
        (data.connected, data.phone, data.push_name),
        (false, None, None)
    );

    sim.upsert(
        Instance::new(Provider::Vzaps, VZAPS_ID, "false")
            .with_token_pair(VZAPS_INSTANCE_TOKEN, VZAPS_CLIENT_TOKEN)
            .with_bare_body(),
    )
    .unwrap();
    let SessionStatusData(bare) = client.session_status(VZAPS_ID).await.unwrap().into_inner()
    else {
        panic!("expected the bare form");
    };
    assert_eq!((bare.connected, bare.phone), (false, None));
}

#[tokio::test]
async fn vzaps_non_boolean_connected_is_a_payload_error() {
    let sim = simulator(false).await;
    sim.set_state(Provider::Vzaps, VZAPS_ID, "maybe").unwrap();
    match vzaps(&sim).session_status(VZAPS_ID).await.unwrap_err() {
        wa_vzaps::Error::InvalidResponsePayload(body, _) => {
            assert_eq!(
                &body[..],
                br#"{"code":200,"success":true,"data":{"connected":"maybe"}}"#
            )
        }
        other => panic!("expected a payload error, got {other}"),
    }
}

#[tokio::test]
async fn hypersender_every_documented_status_and_an_unknown_one() {
    let sim = simulator(false).await;
    let client = hypersender(&sim);
    for status in [
        "STOPPED",
        "STARTING",
        "WORKING",
        "SCAN_QR_CODE",
        "FAILED",
        "PENDING",
        "HIBERNATING",
    ] {
        sim.set_state(Provider::Hypersender, HYPERSENDER_ID, status)
            .unwrap();
        let body = client
            .check_instance_health(HYPERSENDER_ID)
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            body,
            wa_hypersender::types::CheckInstanceHealthResponse {
                instance_id: Some(HYPERSENDER_ID.into()),
                connected_at: Some("2025-05-26T10:12:45".into()),
                status: Some(status.into()),
            }
        );
    }
}

#[tokio::test]
async fn green_api_every_documented_state_null_and_an_unknown_one() {
    use wa_green_api::types::{StateInstanceBody, StateInstanceBodyInner};
    let sim = simulator(false).await;
    let client = green_api(&sim);
    for state in [
        "notAuthorized",
        "authorized",
        "blocked",
        "sleepMode",
        "starting",
        "yellowCard",
        "pendingCode",
    ] {
        sim.set_state(Provider::GreenApi, GREEN_API_ID, state)
            .unwrap();
        let body = client.state_instance().await.unwrap().into_inner();
        assert_eq!(
            body,
            StateInstanceBody(Some(StateInstanceBodyInner {
                state_instance: state.into()
            }))
        );
    }
    sim.set_state(Provider::GreenApi, GREEN_API_ID, GREEN_API_NULL_STATE)
        .unwrap();
    assert_eq!(
        client.state_instance().await.unwrap().into_inner(),
        StateInstanceBody(None)
    );
}
