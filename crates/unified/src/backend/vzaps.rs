//! VZaps: `data.connected == true` is `connected`, `false` is `disconnected`, whether the
//! body is the documented envelope or the bare `{"connected": false}`.

use wa_client_support::Transport;
use wa_vzaps::types::{SessionStatusData, SessionStatusResponse};

use super::errors::from_client_error;
use crate::config::{VzapsAuth, VzapsConfig};
use crate::error::{excerpt, Error};
use crate::model::{
    normalize_jid, normalize_phone, Account, ConnectionState, Observation, Provider,
};

const P: Provider = Provider::Vzaps;

pub(crate) struct Vzaps {
    client: wa_vzaps::Client,
    instance_id: String,
}

impl Vzaps {
    pub fn new(config: &VzapsConfig, transport: &Transport) -> Result<Vzaps, Error> {
        let client = match &config.auth {
            VzapsAuth::Bearer(token) => {
                wa_vzaps::Client::with_bearer(&config.base_url, token.clone(), transport)
            }
            VzapsAuth::TokenPair {
                instance_token,
                client_token,
            } => wa_vzaps::Client::with_instance_tokens(
                &config.base_url,
                instance_token.clone(),
                client_token.clone(),
                transport,
            ),
        }
        .map_err(|e| super::build_error(P, e))?;
        Ok(Vzaps {
            client,
            instance_id: config.instance_id.clone(),
        })
    }

    pub async fn observe(&self, secrets: &[&str]) -> Result<Observation, Error> {
        match self.client.session_status(&self.instance_id).await {
            Ok(response) => map(response.into_inner(), secrets),
            Err(error) => Err(from_client_error(P, error, secrets).await),
        }
    }
}

/// The mapping of a decoded answer. An envelope without `data`, or one that reports
/// `success: false`, says nothing about the session: a decode error.
pub(crate) fn map(body: SessionStatusResponse, secrets: &[&str]) -> Result<Observation, Error> {
    let data = match body {
        SessionStatusResponse::WorkerEnvelopeSessionStatus(envelope) => match envelope.data {
            Some(data) if envelope.success => data,
            _ => {
                let text = serde_json::to_vec(&envelope).unwrap_or_default();
                return Err(Error::Decode {
                    provider: P,
                    reason: "the envelope has no session data".to_owned(),
                    excerpt: excerpt(&text, secrets),
                });
            }
        },
        SessionStatusResponse::SessionStatusData(bare) => bare,
    };
    Ok(observation(data))
}

fn observation(data: SessionStatusData) -> Observation {
    let state = if data.connected {
        ConnectionState::Connected
    } else {
        ConnectionState::Disconnected
    };
    let non_empty = |value: Option<String>| value.filter(|v| !v.trim().is_empty());
    Observation {
        state,
        raw_state: data.connected.to_string(),
        account: Account {
            phone: data.phone.as_deref().and_then(normalize_phone),
            jid: data.whatsapp_jid.as_deref().and_then(normalize_jid),
            display_name: non_empty(data.push_name),
            business_name: non_empty(data.business_name),
            profile_picture_url: non_empty(data.profile_picture_url),
        },
        connected_at: None,
    }
}

/// Decodes and maps a VZaps 200 body, as the backend does with the client's answer.
pub fn decode(instance_id: &str, body: &[u8]) -> Result<crate::InstanceStatus, Error> {
    let decoded: SessionStatusResponse = super::decode_body(P, body)?;
    Ok(map(decoded, &[])?.into_status(P, instance_id))
}
