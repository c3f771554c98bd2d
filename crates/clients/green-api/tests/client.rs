//! The generated Green API client against a real HTTP server on 127.0.0.1.
//!
//! Green API's token travels in the URL path, so besides the request and the decoding, these
//! tests check that no error, `Display` or `Debug` output ever contains it.

use wa_green_api::types::{
    ErrorInBody, InstanceState, QuotaExceeded, QuotaStatus, StateAnswer, StateInstanceBody,
};
use wa_green_api::{Client, ClientOptions, Error, Target, Tolerant, Transport};
use wa_tests::{closing_server, RecordingServer};

const ID: u64 = 1101000001;
/// A token with characters that must be percent-encoded in a path segment.
const TOKEN: &str = "d75b3a66/secret token+42";
const TOKEN_ENCODED: &str = "d75b3a66%2Fsecret%20token+42";

/// The instance at `url`, with its token.
fn target(url: &str) -> Target {
    Target::new(format!("{url}/"), ID.to_string()).with_credential("api_token", TOKEN)
}

fn client_for(url: &str) -> Client {
    let transport = Transport::new(&ClientOptions::default()).unwrap();
    Client::for_target(&target(url), &transport).unwrap()
}

/// Asserts that neither the token nor its encoded form appears in `text`.
fn assert_no_token(text: &str) {
    for form in [TOKEN, TOKEN_ENCODED, "secret token", "secret%20token"] {
        assert!(!text.contains(form), "the token leaked: {text}");
    }
}

#[tokio::test]
async fn sends_get_with_the_id_and_the_encoded_token_in_the_path() {
    let server = RecordingServer::start().await;
    server.respond_json(200, r#"{"stateInstance":"authorized"}"#);
    client_for(&server.url()).status(&target("")).await.unwrap();

    let request = server.single_request();
    assert_eq!(request.method, "GET");
    assert_eq!(
        request.path,
        format!("/waInstance{ID}/getStateInstance/{TOKEN_ENCODED}")
    );
    assert_eq!(request.header("authorization"), None);
    assert_eq!(request.header("api-version"), None);
}

#[tokio::test]
async fn decodes_every_documented_state_and_an_unknown_one() {
    let server = RecordingServer::start().await;
    let client = client_for(&server.url());
    for state in [
        "notAuthorized",
        "authorized",
        "blocked",
        "sleepMode",
        "starting",
        "yellowCard",
        "suspended",
    ] {
        server.respond_json(200, &format!(r#"{{"stateInstance":"{state}"}}"#));
        let body = client.status(&target("")).await.unwrap().into_inner();
        assert_eq!(
            body,
            StateInstanceBody(Some(StateAnswer::InstanceState(InstanceState {
                state_instance: state.into(),
                suspended_until: None,
            })))
        );
    }
}

#[tokio::test]
async fn decodes_the_null_body_of_an_instance_being_created() {
    let server = RecordingServer::start().await;
    server.respond_json(200, "null");
    let body = client_for(&server.url())
        .status(&target(""))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(body, StateInstanceBody(None));
}

#[tokio::test]
async fn an_error_inside_a_200_answer_decodes_as_such() {
    let server = RecordingServer::start().await;
    server.respond_json(200, r#"{"code":401,"description":"Unauthorized"}"#);
    let body = client_for(&server.url())
        .status(&target(""))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        body,
        StateInstanceBody(Some(StateAnswer::ErrorInBody(ErrorInBody {
            code: 401,
            description: Some(Tolerant::Typed("Unauthorized".into())),
        })))
    );
}

#[tokio::test]
async fn the_466_body_is_typed_and_other_error_statuses_are_unexpected_without_the_token() {
    let server = RecordingServer::start().await;
    let client = client_for(&server.url());
    server.respond_json(
        466,
        r#"{"invokeStatus":{"method":"getStateInstance","used":3,"total":3,"status":"QUOTE_EXCEEDED","description":"Monthly quota has been exceeded"}}"#,
    );
    let error = client.status(&target("")).await.unwrap_err();
    assert_no_token(&format!("{error} {error:?} {error:#}"));
    let Error::ErrorResponse(response) = error else {
        panic!("expected the typed 466 body, got {error}");
    };
    assert_eq!(
        response.into_inner(),
        QuotaExceeded {
            correspondents_status: None,
            invoke_status: Some(Tolerant::Typed(QuotaStatus {
                description: Some(Tolerant::Typed("Monthly quota has been exceeded".into())),
                method: Some(Tolerant::Typed("getStateInstance".into())),
                status: Some(Tolerant::Typed("QUOTE_EXCEEDED".into())),
                total: Some(3.into()),
                used: Some(3.into()),
            })),
        }
    );
    // Plain-text and empty error answers are left out of what the generator types (one
    // error body type per operation); the glue classifies them by status.
    for status in [400, 401, 403, 429, 499, 500, 502] {
        server.respond(status, "text/plain", "Bad Gateway");
        let error = client.status(&target("")).await.unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        assert!(matches!(error, Error::UnexpectedResponse(_)), "{error}");
        assert_no_token(&format!("{error} {error:?} {error:#}"));
    }
}

#[tokio::test]
async fn an_undocumented_status_is_unexpected_and_its_url_is_redacted() {
    let server = RecordingServer::start().await;
    server.respond(418, "text/html", "<html>teapot</html>");
    let error = client_for(&server.url())
        .status(&target(""))
        .await
        .unwrap_err();
    let Error::UnexpectedResponse(response) = &error else {
        panic!("expected an unexpected response, got {error}");
    };
    assert_eq!(response.status().as_u16(), 418);
    assert_eq!(response.url().as_str(), "https://redacted.invalid/");
    assert_no_token(&format!("{error} {error:?}"));
}

#[tokio::test]
async fn an_undecodable_body_is_a_payload_error_without_the_token() {
    let server = RecordingServer::start().await;
    server.respond_json(200, r#"{"stateInstance": 7"#);
    let error = client_for(&server.url())
        .status(&target(""))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::InvalidResponsePayload(..)),
        "{error}"
    );
    assert_no_token(&format!("{error} {error:?}"));
}

#[tokio::test]
async fn a_transport_error_does_not_print_the_url() {
    let (url, _server) = closing_server().await;
    let error = client_for(&url).status(&target("")).await.unwrap_err();
    assert!(matches!(error, Error::CommunicationError(_)), "{error}");
    let text = format!("{error} {error:?} {error:#}");
    assert_no_token(&text);
    assert!(!text.contains("waInstance"), "the URL leaked: {text}");
}

#[tokio::test]
async fn the_token_is_absent_from_debug_output() {
    let client = client_for("https://1101.api.green-api.com");
    let debug = format!("{client:?}");
    assert_no_token(&debug);
    assert!(debug.contains("url_policy: Redact"), "{debug}");
}

#[tokio::test]
async fn an_instance_that_is_not_a_number_is_refused_without_the_token() {
    let server = RecordingServer::start().await;
    let client = client_for(&server.url());
    let not_a_number = Target::new("unused", "sales").with_credential("api_token", TOKEN);
    let error = client.status(&not_a_number).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "Invalid Request: the instance (`idInstance`) is not a value of the type the status call takes"
    );
    assert_no_token(&format!("{error} {error:?}"));
    assert_eq!(server.requests().len(), 0);
}
