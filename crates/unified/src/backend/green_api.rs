//! Green API: `authorized` is `connected`, `notAuthorized` `awaiting_pairing`, `starting`
//! `starting`, `sleepMode` `phone_offline`, `yellowCard` `restricted`, `blocked` `banned`,
//! a JSON `null` body `provisioning` (raw value `null`); any other value `unknown`.

use wa_client_support::Transport;
use wa_green_api::types::StateInstanceBody;

use super::errors::from_client_error;
use crate::config::GreenApiConfig;
use crate::error::Error;
use crate::model::{Account, ConnectionState, Observation, Provider};

const P: Provider = Provider::GreenApi;

/// The raw value kept for a JSON `null` body.
pub const NULL_RAW_STATE: &str = "null";

pub(crate) struct GreenApi {
    client: wa_green_api::Client,
}

impl GreenApi {
    pub fn new(config: &GreenApiConfig, transport: &Transport) -> Result<GreenApi, Error> {
        let client = wa_green_api::Client::for_instance(
            &config.api_url,
            config.id_instance,
            config.api_token.clone(),
            transport,
        )
        .map_err(|e| super::build_error(P, e))?;
        Ok(GreenApi { client })
    }

    pub async fn observe(&self, secrets: &[&str]) -> Result<Observation, Error> {
        match self.client.state_instance().await {
            Ok(response) => Ok(map(response.into_inner())),
            Err(error) => Err(from_client_error(P, error, secrets).await),
        }
    }
}

/// The mapping of a decoded answer.
pub(crate) fn map(body: StateInstanceBody) -> Observation {
    let Some(body) = body.0 else {
        return Observation {
            state: ConnectionState::Provisioning,
            raw_state: NULL_RAW_STATE.to_owned(),
            account: Account::default(),
            connected_at: None,
        };
    };
    let state = match body.state_instance.as_str() {
        "authorized" => ConnectionState::Connected,
        "notAuthorized" => ConnectionState::AwaitingPairing,
        "starting" => ConnectionState::Starting,
        "sleepMode" => ConnectionState::PhoneOffline,
        "yellowCard" => ConnectionState::Restricted,
        "blocked" => ConnectionState::Banned,
        _ => ConnectionState::Unknown,
    };
    Observation {
        state,
        raw_state: body.state_instance,
        account: Account::default(),
        connected_at: None,
    }
}

/// Decodes and maps a Green API 200 body, as the backend does with the client's answer.
pub fn decode(id_instance: &str, body: &[u8]) -> Result<crate::InstanceStatus, Error> {
    let decoded: StateInstanceBody = super::decode_body(P, body)?;
    Ok(map(decoded).into_status(P, id_instance))
}
