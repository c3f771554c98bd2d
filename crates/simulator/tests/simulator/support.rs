//! One instance per provider, requests to them as a hand-written client sends them, and
//! the secrets of every test, to check that none is ever printed.

use std::time::Duration;

use reqwest::header::HeaderMap;
use wa_providers::wa_model::ConnectionState;
use wa_simulator::{
    status_request_at, Fleet, Instance, Provider, RequestLog, Simulator, SimulatorOptions,
};

/// The recorded response a healthy instance of `provider` serves: its first that reads
/// `connected`.
pub fn healthy(provider: Provider) -> &'static str {
    provider
        .first_reading(ConnectionState::Connected)
        .unwrap()
        .name
}

/// The test's instance of `provider`: a number for an id (every provider accepts one), and
/// a secret for every credential the provider takes (so that each of its sets lets a
/// request in).
pub fn instance(provider: Provider) -> Instance {
    let mut instance = Instance::new(provider, "1101000001", healthy(provider));
    for credential in provider.info().auth.credentials {
        instance = instance.with_credential(
            credential.key,
            format!("234|{provider}-{}-secret", credential.key),
        );
    }
    instance
}

/// One instance per provider.
pub fn fleet() -> Fleet {
    Fleet {
        instances: Provider::ALL.iter().copied().map(instance).collect(),
    }
}

/// Every secret of [`fleet`].
pub fn secrets() -> Vec<String> {
    fleet()
        .instances
        .iter()
        .flat_map(|i| i.secrets().into_iter().map(str::to_owned))
        .collect()
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

/// An answer as received.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

/// Sends `instance`'s status call as a hand-written client would, within `timeout`.
pub async fn get_within(
    sim: &Simulator,
    instance: &Instance,
    timeout: Duration,
) -> Result<Answer, reqwest::Error> {
    let (url, headers) = status_request_at(&sim.addr().to_string(), instance);
    send(&url, &headers, timeout).await
}

async fn send(
    url: &str,
    headers: &[(String, String)],
    timeout: Duration,
) -> Result<Answer, reqwest::Error> {
    wa_tests::install_tls();
    let mut request = reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .unwrap()
        .get(url);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.text().await?;
    Ok(Answer {
        status,
        headers,
        body,
    })
}

pub async fn get(sim: &Simulator, instance: &Instance) -> Answer {
    get_within(sim, instance, Duration::from_secs(5))
        .await
        .unwrap()
}

/// A GET of `url` with `headers`, as [`wa_simulator::status_request_at`] gives them.
pub async fn get_with(url: &str, headers: &[(String, String)]) -> Answer {
    send(url, headers, Duration::from_secs(5)).await.unwrap()
}

/// Asserts that no test secret appears in `text`, as is or percent-encoded.
pub fn assert_no_secret(text: &str) {
    for secret in secrets() {
        assert!(!text.contains(&secret), "a secret leaked: {text}");
        assert!(
            !text.contains(&secret.replace('|', "%7C")),
            "a secret leaked: {text}"
        );
    }
}
