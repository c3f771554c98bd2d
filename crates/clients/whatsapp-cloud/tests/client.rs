//! The generated WhatsApp Cloud client against a real HTTP server on 127.0.0.1: the Graph
//! API version in the path, the fields the status check asks for in the query, the token
//! as a bearer header.

use wa_tests::RecordingServer;
use wa_whatsapp_cloud::{Client, ClientOptions, Target, Transport};

#[tokio::test]
async fn sends_the_version_the_number_and_the_fields_with_a_bearer_token() {
    let server = RecordingServer::start().await;
    server.respond_json(200, r#"{"id":"106853218861309","status":"CONNECTED"}"#);
    let transport = Transport::new(&ClientOptions::default()).unwrap();
    let target = Target::new(format!("{}/", server.url()), "106853218861309")
        .with_credential("token", "EAAB-secret")
        .with_option("version", "v24.0");
    let client = Client::for_target(&target, &transport).unwrap();
    let number = client.status(&target).await.unwrap().into_inner();
    let fields = "id,display_phone_number,verified_name,quality_rating,status,health_status,messaging_limit_tier,name_status,code_verification_status";
    assert_eq!(number.status.as_deref(), Some("CONNECTED"));
    let request = server.single_request();
    assert_eq!(request.path, "/v24.0/106853218861309");
    assert_eq!(
        request.query.as_deref(),
        Some(format!("fields={}", fields.replace(',', "%2C")).as_str())
    );
    assert_eq!(request.header("authorization"), Some("Bearer EAAB-secret"));
    assert_eq!(request.header("api-version"), None);
    assert!(fields.split(',').any(|f| f == "health_status"), "{fields}");
}
