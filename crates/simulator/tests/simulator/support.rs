//! Clients for the simulator's instances, and the secrets of every test, to check that
//! none is ever printed.

use std::time::Duration;

use wa_simulator::{Account, Fleet, Instance, Provider, RequestLog, Simulator, SimulatorOptions};

pub const MEGAAPI_TOKEN: &str = "megaapi-secret-31a9";
pub const VZAPS_JWT: &str = "vzaps-secret-jwt-77c1";
pub const VZAPS_INSTANCE_TOKEN: &str = "vzaps-secret-instance-5d02";
pub const VZAPS_CLIENT_TOKEN: &str = "vzaps-secret-client-9e44";
pub const HYPERSENDER_TOKEN: &str = "234|hypersender-secret-0b7e";
pub const GREEN_API_TOKEN: &str = "greenapi-secret-c3f8";

pub const SECRETS: [&str; 6] = [
    MEGAAPI_TOKEN,
    VZAPS_JWT,
    VZAPS_INSTANCE_TOKEN,
    VZAPS_CLIENT_TOKEN,
    HYPERSENDER_TOKEN,
    GREEN_API_TOKEN,
];

pub const MEGAAPI_KEY: &str = "megastart-T001";
pub const VZAPS_ID: &str = "VZTEST0000000000000000000001";
pub const HYPERSENDER_ID: &str = "fa3d01c4-1234-4c0d-a12f-df319b612f8c";
pub const GREEN_API_ID: &str = "1101000001";

/// One instance per provider, each in its connected state, with a full account.
pub fn fleet() -> Fleet {
    let account = Account {
        phone: Some("5511999990001".into()),
        jid: Some("5511999990001@s.whatsapp.net".into()),
        push_name: Some("Loja Centro".into()),
        business_name: Some("Loja Centro Ltda".into()),
        business_profile: Some(serde_json::json!({
            "business_hours_timezone": "America/Sao_Paulo",
            "categories": [{"id": "1022050661163852", "name": "Finance"}],
            "profile_options": {"cart_enabled": "true"}
        })),
        profile_picture_url: Some("https://pps.whatsapp.net/v/t61/example.jpg".into()),
        connected_at: Some("2025-05-26T10:12:45".into()),
    };
    Fleet {
        instances: vec![
            Instance::new(Provider::MegaApi, MEGAAPI_KEY, "connected")
                .with_token(MEGAAPI_TOKEN)
                .with_account(account.clone()),
            Instance::new(Provider::Vzaps, VZAPS_ID, "true")
                .with_token(VZAPS_JWT)
                .with_token_pair(VZAPS_INSTANCE_TOKEN, VZAPS_CLIENT_TOKEN)
                .with_account(account.clone()),
            Instance::new(Provider::Hypersender, HYPERSENDER_ID, "WORKING")
                .with_token(HYPERSENDER_TOKEN)
                .with_account(account),
            Instance::new(Provider::GreenApi, GREEN_API_ID, "authorized")
                .with_api_token(GREEN_API_TOKEN),
        ],
    }
}

/// A simulator for [`fleet`] with rate limits as given and a log kept in memory.
pub async fn simulator(rate_limits: bool) -> Simulator {
    Simulator::start_with(
        fleet(),
        SimulatorOptions {
            rate_limits,
            log: RequestLog::memory(),
            ..SimulatorOptions::default()
        },
    )
    .await
    .unwrap()
}

pub fn options(timeout: Duration) -> wa_megaapi::ClientOptions {
    wa_megaapi::ClientOptions::default()
        .with_timeout(timeout)
        .with_max_response_bytes(64 * 1024)
}

pub fn transport(timeout: Duration) -> wa_megaapi::Transport {
    wa_megaapi::Transport::new(&options(timeout)).unwrap()
}

pub fn megaapi(sim: &Simulator) -> wa_megaapi::Client {
    wa_megaapi::Client::with_token(
        &sim.base_url(Provider::MegaApi),
        MEGAAPI_TOKEN,
        &transport(Duration::from_secs(5)),
    )
    .unwrap()
}

pub fn vzaps(sim: &Simulator) -> wa_vzaps::Client {
    wa_vzaps::Client::with_instance_tokens(
        &sim.base_url(Provider::Vzaps),
        VZAPS_INSTANCE_TOKEN,
        VZAPS_CLIENT_TOKEN,
        &transport(Duration::from_secs(5)),
    )
    .unwrap()
}

pub fn hypersender(sim: &Simulator) -> wa_hypersender::Client {
    wa_hypersender::Client::with_token(
        &sim.base_url(Provider::Hypersender),
        HYPERSENDER_TOKEN,
        &transport(Duration::from_secs(5)),
    )
    .unwrap()
}

pub fn green_api(sim: &Simulator) -> wa_green_api::Client {
    green_api_with(sim, Duration::from_secs(5))
}

pub fn green_api_with(sim: &Simulator, timeout: Duration) -> wa_green_api::Client {
    wa_green_api::Client::for_instance(
        &sim.base_url(Provider::GreenApi),
        GREEN_API_ID.parse().unwrap(),
        GREEN_API_TOKEN,
        &transport(timeout),
    )
    .unwrap()
}

/// Asserts that no test secret appears in `text`.
pub fn assert_no_secret(text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "a secret leaked: {text}");
    }
}
