//! The generated VZaps client against a real HTTP server on 127.0.0.1.

use std::collections::HashMap;

use wa_tests::RecordingServer;
use wa_vzaps::types::{
    SessionStatusBusinessCategory, SessionStatusBusinessProfile, SessionStatusData,
    SessionStatusResponse, WorkerEnvelopeSessionStatus,
};
use wa_vzaps::{Client, ClientOptions, Target, Tolerant, Transport};

const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.vzaps-secret-jwt";
const INSTANCE_TOKEN: &str = "vz-instance-secret-91";
const CLIENT_TOKEN: &str = "vz-client-secret-42";
const ID: &str = "VZ9K2M4N8P1Q3R5S7T0WABCD01EF";

/// The example body of the vendor's page, verbatim.
const CONNECTED: &str = r#"{
  "code": 200,
  "success": true,
  "data": {
    "connected": true,
    "phone": "551151968302",
    "whatsapp_jid": "551151968302@s.whatsapp.net",
    "push_name": "Aprova Mesa Prop",
    "business_name": "Aprova Mesa Prop",
    "business_profile": {
      "business_hours_timezone": "America/Sao_Paulo",
      "categories": [{"id": "1022050661163852", "name": "Finance"}],
      "profile_options": {
        "bot_fields": "",
        "cart_enabled": "true",
        "commerce_experience": "none",
        "direct_connection": "false",
        "is_offerings_eligible": "true",
        "is_responsive": "false"
      }
    },
    "profile_picture_id": "1242225976",
    "profile_picture_url": "https://pps.whatsapp.net/v/t61.24694-24/example.jpg",
    "profile_url": "https://wa.me/551151968302"
  }
}"#;

/// The instance with the account's bearer JWT.
fn bearer(url: &str) -> Target {
    Target::new(url, ID).with_credential("token", JWT)
}

/// The instance with its pair of tokens.
fn pair(url: &str) -> Target {
    Target::new(url, ID)
        .with_credential("instance_token", INSTANCE_TOKEN)
        .with_credential("client_token", CLIENT_TOKEN)
}

fn transport() -> Transport {
    Transport::new(&ClientOptions::default()).unwrap()
}

fn disconnected_data() -> SessionStatusData {
    SessionStatusData {
        connected: false,
        about: None,
        business_name: None,
        business_profile: None,
        phone: None,
        profile_picture_id: None,
        profile_picture_url: None,
        profile_url: None,
        push_name: None,
        verified_name: None,
        website: None,
        whatsapp_jid: None,
    }
}

#[tokio::test]
async fn bearer_style_sends_the_jwt_and_no_token_headers() {
    let server = RecordingServer::start().await;
    server.respond_json(200, CONNECTED);
    let client = Client::for_target(&bearer(&server.url()), &transport()).unwrap();
    client.session_status(ID).await.unwrap();

    let request = server.single_request();
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, format!("/instances/{ID}/session/status"));
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {JWT}").as_str())
    );
    assert_eq!(request.header("x-instance-token"), None);
    assert_eq!(request.header("x-client-token"), None);
    assert_eq!(request.header("api-version"), None);
}

#[tokio::test]
async fn token_pair_style_sends_both_headers_and_no_authorization() {
    let server = RecordingServer::start().await;
    server.respond_json(200, CONNECTED);
    let client = Client::for_target(&pair(&format!("{}/", server.url())), &transport()).unwrap();
    client.session_status(ID).await.unwrap();

    let request = server.single_request();
    assert_eq!(request.path, format!("/instances/{ID}/session/status"));
    assert_eq!(request.header("x-instance-token"), Some(INSTANCE_TOKEN));
    assert_eq!(request.header("x-client-token"), Some(CLIENT_TOKEN));
    assert_eq!(request.header("authorization"), None);
}

#[tokio::test]
async fn decodes_the_pages_connected_example_with_its_business_profile() {
    let server = RecordingServer::start().await;
    server.respond_json(200, CONNECTED);
    let client = Client::for_target(&bearer(&server.url()), &transport()).unwrap();
    let body = client.session_status(ID).await.unwrap().into_inner();
    let profile_options: HashMap<String, String> = [
        ("bot_fields", ""),
        ("cart_enabled", "true"),
        ("commerce_experience", "none"),
        ("direct_connection", "false"),
        ("is_offerings_eligible", "true"),
        ("is_responsive", "false"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(
        body,
        SessionStatusResponse::WorkerEnvelopeSessionStatus(WorkerEnvelopeSessionStatus {
            code: 200,
            success: true,
            error: None,
            message: None,
            data: Some(SessionStatusData {
                connected: true,
                phone: Some("551151968302".into()),
                whatsapp_jid: Some("551151968302@s.whatsapp.net".into()),
                push_name: Some("Aprova Mesa Prop".into()),
                business_name: Some("Aprova Mesa Prop".into()),
                business_profile: Some(Tolerant::Typed(SessionStatusBusinessProfile {
                    address: None,
                    business_hours_timezone: Some("America/Sao_Paulo".into()),
                    categories: Some(Tolerant::Typed(vec![SessionStatusBusinessCategory {
                        id: Some("1022050661163852".into()),
                        name: Some("Finance".into()),
                    }])),
                    email: None,
                    profile_options: Some(Tolerant::Typed(profile_options)),
                })),
                profile_picture_id: Some("1242225976".into()),
                profile_picture_url: Some(
                    "https://pps.whatsapp.net/v/t61.24694-24/example.jpg".into()
                ),
                profile_url: Some("https://wa.me/551151968302".into()),
                verified_name: None,
                about: None,
                website: None,
            }),
        })
    );
}

#[tokio::test]
async fn decodes_a_disconnected_envelope() {
    let server = RecordingServer::start().await;
    server.respond_json(
        200,
        r#"{"code":200,"success":true,"data":{"connected":false}}"#,
    );
    let client = Client::for_target(&bearer(&server.url()), &transport()).unwrap();
    let body = client.session_status(ID).await.unwrap().into_inner();
    assert_eq!(
        body,
        SessionStatusResponse::WorkerEnvelopeSessionStatus(WorkerEnvelopeSessionStatus {
            code: 200,
            success: true,
            error: None,
            message: None,
            data: Some(disconnected_data()),
        })
    );
}

#[tokio::test]
async fn decodes_the_bare_disconnected_form_from_the_description() {
    let server = RecordingServer::start().await;
    server.respond_json(200, r#"{"connected": false}"#);
    let client = Client::for_target(&bearer(&server.url()), &transport()).unwrap();
    let body = client.session_status(ID).await.unwrap().into_inner();
    assert_eq!(
        body,
        SessionStatusResponse::SessionStatusData(disconnected_data())
    );
}

#[tokio::test]
async fn a_body_of_neither_shape_is_a_payload_error() {
    let server = RecordingServer::start().await;
    server.respond_json(200, r#"{"ok": true}"#);
    let client = Client::for_target(&bearer(&server.url()), &transport()).unwrap();
    match client.session_status(ID).await.unwrap_err() {
        wa_vzaps::Error::InvalidResponsePayload(body, _) => {
            assert_eq!(&body[..], br#"{"ok": true}"#)
        }
        other => panic!("expected a payload error, got {other}"),
    }
}

#[tokio::test]
async fn no_token_appears_in_debug_output() {
    let with_bearer = Client::for_target(&bearer("https://api.vzaps.com"), &transport()).unwrap();
    let with_pair = Client::for_target(&pair("https://api.vzaps.com"), &transport()).unwrap();
    let debug = format!("{with_bearer:?} {with_pair:?}");
    for secret in [JWT, INSTANCE_TOKEN, CLIENT_TOKEN] {
        assert!(!debug.contains(secret), "{debug}");
    }
    assert!(
        debug.contains("headers: [authorization: ***]")
            && debug.contains("headers: [x-instance-token: ***, x-client-token: ***]"),
        "{debug}"
    );
}
