//! Evolution API in the common status model: `instance.state` `open` is `connected`,
//! `connecting` `starting`, `close` and `refused` (the QR code limit was reached)
//! `disconnected`; no `state` at all means this server has not loaded the instance,
//! `stopped`. Any other value is `unknown`.

use wa_client_support::wa_model::{ConnectionState as S, Observation, Reading};

use crate::types::ConnectionState;

/// The raw value kept when the answer has no `state`, as Green API's reading of a JSON
/// `null` keeps `null`.
const NO_STATE: &str = "null";

/// Reads a decoded answer into the common model.
pub(crate) fn read(body: &ConnectionState) -> Reading {
    let Some(state) = body.instance.state.as_deref() else {
        return Ok(Observation::new(S::Stopped, NO_STATE));
    };
    let common = match state {
        "open" => S::Connected,
        "connecting" => S::Starting,
        "close" | "refused" => S::Disconnected,
        _ => S::Unknown,
    };
    Ok(Observation::new(common, state))
}
