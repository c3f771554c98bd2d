//! Hypersender: `WORKING` is `connected`, `STARTING` `starting`, `SCAN_QR_CODE`
//! `awaiting_pairing`, `STOPPED` `stopped`, `FAILED` `failed`, `PENDING` `provisioning`;
//! any other value `unknown`.

use wa_client_support::Transport;
use wa_hypersender::types::CheckInstanceHealthResponse;

use super::errors::from_client_error;
use crate::config::HypersenderConfig;
use crate::error::{excerpt, Error};
use crate::model::{Account, ConnectionState, Observation, Provider};

const P: Provider = Provider::Hypersender;

pub(crate) struct Hypersender {
    client: wa_hypersender::Client,
    instance: String,
}

impl Hypersender {
    pub fn new(config: &HypersenderConfig, transport: &Transport) -> Result<Hypersender, Error> {
        let client =
            wa_hypersender::Client::with_token(&config.base_url, config.token.clone(), transport)
                .map_err(|e| super::build_error(P, e))?;
        Ok(Hypersender {
            client,
            instance: config.instance.clone(),
        })
    }

    pub async fn observe(&self, secrets: &[&str]) -> Result<Observation, Error> {
        match self.client.check_instance_health(&self.instance).await {
            Ok(response) => map(response.into_inner(), secrets),
            Err(error) => Err(from_client_error(P, error, secrets).await),
        }
    }
}

/// The mapping of a decoded answer. Every field is optional in the vendor's schema, but an
/// answer without `status` says nothing: a decode error.
pub(crate) fn map(
    body: CheckInstanceHealthResponse,
    secrets: &[&str],
) -> Result<Observation, Error> {
    let Some(raw_state) = body.status.clone() else {
        let text = serde_json::to_vec(&body).unwrap_or_default();
        return Err(Error::Decode {
            provider: P,
            reason: "the answer has no `status`".to_owned(),
            excerpt: excerpt(&text, secrets),
        });
    };
    let state = match raw_state.as_str() {
        "WORKING" => ConnectionState::Connected,
        "STARTING" => ConnectionState::Starting,
        "SCAN_QR_CODE" => ConnectionState::AwaitingPairing,
        "STOPPED" => ConnectionState::Stopped,
        "FAILED" => ConnectionState::Failed,
        "PENDING" => ConnectionState::Provisioning,
        _ => ConnectionState::Unknown,
    };
    Ok(Observation {
        state,
        raw_state,
        account: Account::default(),
        connected_at: body.connected_at.filter(|text| !text.trim().is_empty()),
    })
}

/// Decodes and maps a Hypersender 200 body, as the backend does with the client's answer.
pub fn decode(instance: &str, body: &[u8]) -> Result<crate::InstanceStatus, Error> {
    let decoded: CheckInstanceHealthResponse = super::decode_body(P, body)?;
    Ok(map(decoded, &[])?.into_status(P, instance))
}
