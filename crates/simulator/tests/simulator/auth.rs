//! Credentials as each vendor checks them, and unknown instances.

use wa_simulator::Provider;

use crate::support::*;

#[tokio::test]
async fn megaapi_wrong_token_gets_the_documented_401_and_unknown_key_a_404() {
    let sim = simulator(false).await;
    let transport = transport(std::time::Duration::from_secs(5));
    let wrong = wa_megaapi::Client::with_token(
        &sim.base_url(Provider::MegaApi),
        "not-the-token",
        &transport,
    )
    .unwrap();
    match wrong.get_instance_status(MEGAAPI_KEY).await.unwrap_err() {
        wa_megaapi::Error::ErrorResponse(response) => {
            assert_eq!(response.status().as_u16(), 401);
            let body = response.into_inner();
            assert_eq!(
                (body.error, body.name.as_str(), body.status_code),
                (true, "UnauthorizedError", 401)
            );
        }
        other => panic!("expected the 401 body, got {other}"),
    }
    match megaapi(&sim)
        .get_instance_status("megastart-NOPE")
        .await
        .unwrap_err()
    {
        wa_megaapi::Error::UnexpectedResponse(response) => {
            assert_eq!(response.status().as_u16(), 404);
            assert_eq!(
                response.text().await.unwrap(),
                r#"{"error":true,"message":"Instance not found"}"#
            );
        }
        other => panic!("expected a 404, got {other}"),
    }
}

#[tokio::test]
async fn vzaps_accepts_either_auth_style_and_rejects_half_a_pair() {
    let sim = simulator(false).await;
    let base = sim.base_url(Provider::Vzaps);
    let transport = transport(std::time::Duration::from_secs(5));
    let bearer = wa_vzaps::Client::with_bearer(&base, VZAPS_JWT, &transport).unwrap();
    bearer.session_status(VZAPS_ID).await.unwrap();
    vzaps(&sim).session_status(VZAPS_ID).await.unwrap();
    let half = wa_vzaps::Client::with_instance_tokens(
        &base,
        VZAPS_INSTANCE_TOKEN,
        "wrong-client",
        &transport,
    )
    .unwrap();
    match half.session_status(VZAPS_ID).await.unwrap_err() {
        wa_vzaps::Error::UnexpectedResponse(response) => {
            assert_eq!(response.status().as_u16(), 401);
            assert_eq!(
                response.text().await.unwrap(),
                r#"{"code":401,"success":false,"message":"invalid or missing credentials"}"#
            );
        }
        other => panic!("expected a 401, got {other}"),
    }
    let error = vzaps(&sim).session_status("VZNOPE").await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn hypersender_wrong_token_gets_401_and_unknown_instance_the_documented_404() {
    let sim = simulator(false).await;
    let transport = transport(std::time::Duration::from_secs(5));
    let wrong = wa_hypersender::Client::with_token(
        &sim.base_url(Provider::Hypersender),
        "234|wrong",
        &transport,
    )
    .unwrap();
    let error = wrong
        .check_instance_health(HYPERSENDER_ID)
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    match hypersender(&sim)
        .check_instance_health("00000000-0000-0000-0000-000000000000")
        .await
        .unwrap_err()
    {
        wa_hypersender::Error::ErrorResponse(response) => {
            assert_eq!(response.status().as_u16(), 404);
            assert_eq!(
                response.into_inner().message.as_deref(),
                Some("Resource not found.")
            );
        }
        other => panic!("expected the documented 404, got {other}"),
    }
}

#[tokio::test]
async fn green_api_wrong_token_gets_401_and_wrong_id_403() {
    let sim = simulator(false).await;
    let transport = transport(std::time::Duration::from_secs(5));
    let base = sim.base_url(Provider::GreenApi);
    let wrong_token =
        wa_green_api::Client::for_instance(&base, 1101000001, "wrong-token", &transport).unwrap();
    let error = wrong_token.state_instance().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    let wrong_id =
        wa_green_api::Client::for_instance(&base, 1101999999, GREEN_API_TOKEN, &transport).unwrap();
    let error = wrong_id.state_instance().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(403));
    assert_no_secret(&format!("{error} {error:?}"));
}

#[tokio::test]
async fn the_log_never_holds_a_secret() {
    let sim = simulator(true).await;
    megaapi(&sim)
        .get_instance_status(MEGAAPI_KEY)
        .await
        .unwrap();
    vzaps(&sim).session_status(VZAPS_ID).await.unwrap();
    hypersender(&sim)
        .check_instance_health(HYPERSENDER_ID)
        .await
        .unwrap();
    green_api(&sim).state_instance().await.unwrap();
    // Over Green API's limit, and a wrong token.
    let _ = green_api(&sim).state_instance().await.unwrap_err();
    let transport = transport(std::time::Duration::from_secs(5));
    let wrong = wa_green_api::Client::for_instance(
        &sim.base_url(Provider::GreenApi),
        1101000001,
        "wrong",
        &transport,
    )
    .unwrap();
    let _ = wrong.state_instance().await.unwrap_err();

    let lines = sim.log().lines();
    assert_eq!(lines.len(), 6, "{lines:?}");
    assert_eq!(
        lines[3],
        "GET /green-api/waInstance1101000001/getStateInstance/*** -> 200"
    );
    assert_eq!(
        lines[4],
        "GET /green-api/waInstance1101000001/getStateInstance/*** -> 429 (rate limited)"
    );
    assert_eq!(
        lines[5],
        "GET /green-api/waInstance1101000001/getStateInstance/*** -> 401 (wrong credentials)"
    );
    assert_no_secret(&lines.join("\n"));
}
