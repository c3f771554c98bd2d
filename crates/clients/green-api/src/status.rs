//! Green API in the common status model: `authorized` is `connected`, `notAuthorized`
//! `awaiting_pairing`, `starting` `starting`, `sleepMode` `phone_offline`, `yellowCard`
//! `restricted`, `blocked` `banned`, a JSON `null` body `provisioning` (raw value `null`);
//! `suspended` `restricted`, where only waiting lifts it (`suspendedUntil` kept as a
//! detail); any other value `unknown`. A 200 answer holding an error (`{"code":401}`) is
//! that error. An HTTP 400 `instance in starting process try
//! later` is the vendor's way of saying `starting`.

use wa_client_support::wa_model::{
    ConnectionState, Observation, Reading, RequiredAction, Unreadable,
};
use wa_client_support::{BuildError, StatusApi, Target, Transport};

use crate::types::{QuotaExceeded, StateAnswer, StateInstanceBody};
use crate::{Client, Error, ResponseValue};

/// The raw value kept for a JSON `null` body.
const NULL_RAW_STATE: &str = "null";

/// The text of the 400 that means the instance is starting.
const STARTING_TEXT: &str = "instance in starting process try later";

impl StatusApi for Client {
    type Body = StateInstanceBody;
    type ErrorBody = QuotaExceeded;

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
        let body = match &body.0 {
            None => {
                return Ok(Observation::new(
                    ConnectionState::Provisioning,
                    NULL_RAW_STATE,
                ))
            }
            // The caller classifies the error by its code.
            Some(StateAnswer::ErrorInBody(_)) => {
                return Err(Unreadable::reported("an error inside a 200 answer"))
            }
            Some(StateAnswer::InstanceState(body)) => body,
        };
        let state = match body.state_instance.as_str() {
            "authorized" => ConnectionState::Connected,
            "notAuthorized" => ConnectionState::AwaitingPairing,
            "starting" => ConnectionState::Starting,
            "sleepMode" => ConnectionState::PhoneOffline,
            "yellowCard" => ConnectionState::Restricted,
            "blocked" => ConnectionState::Banned,
            "suspended" => ConnectionState::Restricted,
            _ => ConnectionState::Unknown,
        };
        let observation = Observation::new(state, &body.state_instance)
            .with_detail("suspended_until", body.suspended_until.clone());
        Ok(match body.state_instance.as_str() {
            // Restarting does not lift a suspension: only its end does.
            "suspended" => observation.with_action(RequiredAction::Wait),
            _ => observation,
        })
    }

    fn read_error_answer(status: u16, body: &[u8]) -> Option<Observation> {
        let text = String::from_utf8_lossy(body);
        let text = text.trim();
        (status == 400 && text.contains(STARTING_TEXT))
            .then(|| Observation::new(ConnectionState::Starting, text))
    }
}
