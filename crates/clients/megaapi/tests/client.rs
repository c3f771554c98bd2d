//! The generated MegaAPI client against a real HTTP server on 127.0.0.1.

use wa_megaapi::types::{
    ErrorBody, GetInstanceStatusResponse, GetInstanceStatusResponseInstance,
    GetInstanceStatusResponseInstanceUser,
};
use wa_megaapi::{Client, ClientOptions, Error, Target, Transport};
use wa_tests::RecordingServer;

const TOKEN: &str = "mega-secret-token-7f3a";

fn client(server: &RecordingServer) -> Client {
    let transport = Transport::new(&ClientOptions::default()).unwrap();
    // A trailing slash in the base URL must not produce `//` in the path.
    let target =
        Target::new(format!("{}/", server.url()), "megastart-MZ1a").with_credential("token", TOKEN);
    Client::for_target(&target, &transport).unwrap()
}

#[tokio::test]
async fn sends_get_with_the_key_in_the_path_and_a_bearer_token() {
    let server = RecordingServer::start().await;
    server.respond_json(
        200,
        r#"{"error":false,"message":"ok","instance":{"key":"megastart-MZ1a","status":"connected","user":{"id":"5511999999999"}}}"#,
    );
    client(&server)
        .get_instance_status("megastart-MZ1a")
        .await
        .unwrap();

    let request = server.single_request();
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/rest/instance/megastart-MZ1a");
    assert_eq!(
        request.header("authorization"),
        Some("Bearer mega-secret-token-7f3a")
    );
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(request.header("api-version"), None);
    assert_eq!(request.header("content-type"), None);
}

#[tokio::test]
async fn decodes_a_connected_instance() {
    let server = RecordingServer::start().await;
    server.respond_json(
        200,
        r#"{"error":false,"message":"Instance fetched successfully","instance":{"key":"megastart-MZ1a","status":"connected","user":{"id":"5511999999999"}}}"#,
    );
    let body = client(&server)
        .get_instance_status("megastart-MZ1a")
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        body,
        GetInstanceStatusResponse {
            error: Some(false.into()),
            message: Some("Instance fetched successfully".into()),
            instance: GetInstanceStatusResponseInstance {
                key: Some("megastart-MZ1a".into()),
                status: "connected".into(),
                user: Some(GetInstanceStatusResponseInstanceUser {
                    id: Some("5511999999999".into()),
                    name: None,
                }),
            },
        }
    );
}

#[tokio::test]
async fn decodes_a_disconnected_instance_without_user() {
    let server = RecordingServer::start().await;
    server.respond_json(
        200,
        r#"{"error":false,"message":"Instance fetched successfully","instance":{"key":"megastart-MZ1a","status":"disconnected"}}"#,
    );
    let body = client(&server)
        .get_instance_status("megastart-MZ1a")
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        body.instance,
        GetInstanceStatusResponseInstance {
            key: Some("megastart-MZ1a".into()),
            status: "disconnected".into(),
            user: None,
        }
    );
}

#[tokio::test]
async fn decodes_an_unknown_status_value() {
    let server = RecordingServer::start().await;
    server.respond_json(
        200,
        r#"{"error":false,"message":"ok","instance":{"key":"k","status":"qr_pending","user":{"id":"1"}}}"#,
    );
    let body = client(&server)
        .get_instance_status("k")
        .await
        .unwrap()
        .into_inner();
    assert_eq!(body.instance.status, "qr_pending");
}

#[tokio::test]
async fn a_401_is_a_typed_error_body_not_the_success_type() {
    let server = RecordingServer::start().await;
    server.respond_json(
        401,
        r#"{"error":true,"name":"UnauthorizedError","message":"Invalid token","statusCode":401}"#,
    );
    let error = client(&server).get_instance_status("k").await.unwrap_err();
    match error {
        Error::ErrorResponse(response) => {
            assert_eq!(response.status().as_u16(), 401);
            assert_eq!(
                response.into_inner(),
                ErrorBody {
                    error: Some(true.into()),
                    name: Some("UnauthorizedError".into()),
                    message: Some("Invalid token".into()),
                    status_code: Some(401.into()),
                }
            );
        }
        other => panic!("expected the documented 401 body, got {other}"),
    }
}

#[tokio::test]
async fn the_token_is_absent_from_debug_output() {
    let server = RecordingServer::start().await;
    let client = client(&server);
    let debug = format!("{client:?}");
    assert!(!debug.contains(TOKEN), "{debug}");
    assert!(debug.contains("headers: [authorization: ***]"), "{debug}");
}

#[tokio::test]
async fn an_empty_token_is_refused() {
    let transport = Transport::new(&ClientOptions::default()).unwrap();
    let target = Target::new("https://api2.megaapi.com.br", "k").with_credential("token", "");
    let error = Client::for_target(&target, &transport).unwrap_err();
    assert_eq!(error.to_string(), "invalid credential `token`: it is empty");
}

/// serde reads a JSON array as a struct, field by field: `user: []` would read as a user
/// with no id, that is as no account at all. The mapping reads `user`, so the client
/// refuses the answer instead, naming where the array is.
#[tokio::test]
async fn refuses_an_array_where_the_document_declares_the_user_object() {
    let server = RecordingServer::start().await;
    let body = r#"{"error":false,"message":"ok","instance":{"key":"megastart-MZ1a","status":"connected","user":[]}}"#;
    server.respond_json(200, body);
    let error = client(&server)
        .get_instance_status("megastart-MZ1a")
        .await
        .unwrap_err();
    let Error::ResponseBodyError(error) = error else {
        panic!("expected a body error, got {error:?}");
    };
    let refused = wa_client_support::array_for_object(&error).unwrap();
    assert_eq!(
        (refused.pointer.as_str(), refused.body.as_ref()),
        ("/instance/user", body.as_bytes())
    );
}
