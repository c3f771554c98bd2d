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

use crate::types::{StateAnswer, StateInstanceBody};

/// The raw value kept for a JSON `null` body.
const NULL_RAW_STATE: &str = "null";

/// Reads a decoded answer into the common model.
pub(crate) fn read(body: &StateInstanceBody) -> Reading {
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
