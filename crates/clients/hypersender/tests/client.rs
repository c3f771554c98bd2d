//! The generated Hypersender client against a real HTTP server on 127.0.0.1.

use wa_client_support::is_response_too_large;
use wa_hypersender::types::{CheckInstanceHealthResponse, ErrorMessage};
use wa_hypersender::{Client, ClientOptions, Error, Target, Transport};
use wa_tests::RecordingServer;

const TOKEN: &str = "234|3uB2pBST2H6If8twXIeUaeNu23VJ8XassYoOVJuva48388e1";
const INSTANCE: &str = "fa3d01c4-1234-4c0d-a12f-df319b612f8c";

/// The base URL includes the API's path, as the vendor's is `.../api/whatsapp/v1`.
fn client_with(server: &RecordingServer, options: &ClientOptions) -> Client {
    let base = format!("{}/api/whatsapp/v1/", server.url());
    let target = Target::new(base, INSTANCE).with_credential("token", TOKEN);
    Client::for_target(&target, &Transport::new(options).unwrap()).unwrap()
}

fn client(server: &RecordingServer) -> Client {
    client_with(server, &ClientOptions::default())
}

fn health_body(status: &str) -> String {
    format!(
        r#"{{"instance_id":"{INSTANCE}","connected_at":"2025-05-26T10:12:45","status":"{status}"}}"#
    )
}

#[tokio::test]
async fn sends_get_under_the_base_path_with_a_bearer_token() {
    let server = RecordingServer::start().await;
    server.respond_json(200, &health_body("WORKING"));
    client(&server)
        .check_instance_health(INSTANCE)
        .await
        .unwrap();

    let request = server.single_request();
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, format!("/api/whatsapp/v1/{INSTANCE}/health"));
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(request.header("api-version"), None);
}

#[tokio::test]
async fn decodes_every_documented_status_and_an_unknown_one() {
    let server = RecordingServer::start().await;
    let client = client(&server);
    for status in [
        "STOPPED",
        "STARTING",
        "WORKING",
        "SCAN_QR_CODE",
        "FAILED",
        "PENDING",
        "QUEUED",
    ] {
        server.respond_json(200, &health_body(status));
        let body = client
            .check_instance_health(INSTANCE)
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            body,
            CheckInstanceHealthResponse {
                instance_id: Some(INSTANCE.into()),
                connected_at: Some("2025-05-26T10:12:45".into()),
                status: status.into(),
            }
        );
    }
}

#[tokio::test]
async fn a_404_and_a_429_are_typed_error_messages() {
    let server = RecordingServer::start().await;
    let client = client(&server);
    for (status, message) in [
        (404, "Resource not found."),
        (429, "Too many requests. Please try again later."),
    ] {
        server.respond_json(status, &format!(r#"{{"message":"{message}"}}"#));
        match client.check_instance_health(INSTANCE).await.unwrap_err() {
            Error::ErrorResponse(response) => {
                assert_eq!(response.status().as_u16(), status);
                assert_eq!(
                    response.into_inner(),
                    ErrorMessage {
                        errors: Default::default(),
                        message: Some(message.into()),
                        status_code: None,
                    }
                );
            }
            other => panic!("expected a typed {status}, got {other}"),
        }
    }
}

#[tokio::test]
async fn a_body_over_the_size_cap_is_not_read() {
    let server = RecordingServer::start().await;
    server.respond_json(
        200,
        &format!(r#"{{"status":"WORKING","pad":"{}"}}"#, "x".repeat(4096)),
    );
    let client = client_with(
        &server,
        &ClientOptions::default().with_max_response_bytes(1024),
    );
    match client.check_instance_health(INSTANCE).await.unwrap_err() {
        Error::ResponseBodyError(error) => assert!(is_response_too_large(&error), "{error:?}"),
        other => panic!("expected a body error, got {other}"),
    }
}

#[tokio::test]
async fn the_token_is_absent_from_debug_output() {
    let server = RecordingServer::start().await;
    let debug = format!("{:?}", client(&server));
    assert!(!debug.contains(TOKEN), "{debug}");
    assert!(!debug.contains("3uB2pBST"), "{debug}");
}
