//! Green API in the common status model: `authorized` is `connected`, `notAuthorized`
//! `awaiting_pairing`, `starting` `starting`, `sleepMode` `phone_offline`, `yellowCard`
//! `restricted`, `blocked` `banned`, a JSON `null` body `provisioning` (raw value `null`);
//! any other value `unknown`.

use wa_client_support::wa_model::{ConnectionState, Observation, Reading};
use wa_client_support::{BuildError, StatusApi, Target, Transport};

use crate::types::StateInstanceBody;
use crate::{Client, Error, ResponseValue};

/// The raw value kept for a JSON `null` body.
const NULL_RAW_STATE: &str = "null";

impl StatusApi for Client {
    type Body = StateInstanceBody;
    type ErrorBody = ();

    fn connect(target: &Target, transport: &Transport) -> Result<Client, BuildError> {
        let id_instance = target
            .instance
            .parse()
            .map_err(|_| BuildError::InvalidCredential {
                name: "idInstance",
                reason: "it is not a number",
            })?;
        Client::for_instance(
            &target.base_url,
            id_instance,
            target.token()?.clone(),
            transport,
        )
    }

    async fn fetch(
        &self,
        _target: &Target,
    ) -> Result<ResponseValue<Self::Body>, Error<Self::ErrorBody>> {
        self.state_instance().await
    }

    fn read(body: &StateInstanceBody) -> Reading {
        let Some(body) = &body.0 else {
            return Ok(Observation::new(
                ConnectionState::Provisioning,
                NULL_RAW_STATE,
            ));
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
        Ok(Observation::new(state, &body.state_instance))
    }
}
