//! MegaAPI: `instance.user` present and `status == "connected"` is `connected`; no `user`
//! is `disconnected` whatever the status; a `user` with any other status is `unknown`.

use wa_client_support::Transport;
use wa_megaapi::types::GetInstanceStatusResponse;

use super::errors::from_client_error;
use crate::config::MegaApiConfig;
use crate::error::Error;
use crate::model::{
    normalize_jid, normalize_phone, Account, ConnectionState, Observation, Provider,
};

const P: Provider = Provider::MegaApi;

pub(crate) struct MegaApi {
    client: wa_megaapi::Client,
    instance_key: String,
}

impl MegaApi {
    pub fn new(config: &MegaApiConfig, transport: &Transport) -> Result<MegaApi, Error> {
        let client =
            wa_megaapi::Client::with_token(&config.base_url, config.token.clone(), transport)
                .map_err(|e| super::build_error(P, e))?;
        Ok(MegaApi {
            client,
            instance_key: config.instance_key.clone(),
        })
    }

    pub async fn observe(&self, secrets: &[&str]) -> Result<Observation, Error> {
        match self.client.get_instance_status(&self.instance_key).await {
            Ok(response) => Ok(map(response.into_inner())),
            Err(error) => Err(from_client_error(P, error, secrets).await),
        }
    }
}

/// The mapping of a decoded answer.
pub(crate) fn map(body: GetInstanceStatusResponse) -> Observation {
    let instance = body.instance;
    let state = match (&instance.user, instance.status.as_str()) {
        (None, _) => ConnectionState::Disconnected,
        (Some(_), "connected") => ConnectionState::Connected,
        (Some(_), _) => ConnectionState::Unknown,
    };
    // `user.id` is documented as the phone number; it may come as digits or as a JID.
    let account = match instance.user {
        Some(user) if user.id.contains('@') => Account {
            phone: user.id.split(['@', ':']).next().and_then(normalize_phone),
            jid: normalize_jid(&user.id),
            ..Account::default()
        },
        Some(user) => Account {
            phone: normalize_phone(&user.id),
            ..Account::default()
        },
        None => Account::default(),
    };
    Observation {
        state,
        raw_state: instance.status,
        account,
        connected_at: None,
    }
}

/// Decodes and maps a MegaAPI 200 body, as the backend does with the client's answer.
pub fn decode(instance_key: &str, body: &[u8]) -> Result<crate::InstanceStatus, Error> {
    let decoded: GetInstanceStatusResponse = super::decode_body(P, body)?;
    Ok(map(decoded).into_status(P, instance_key))
}
