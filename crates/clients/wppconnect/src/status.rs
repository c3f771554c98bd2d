//! WPPConnect Server in the common status model: `status` `CONNECTED` is `connected`,
//! `QRCODE` and `PHONECODE` `awaiting_pairing`, `INITIALIZING` `starting`, `CLOSED` (no
//! client runs for the session) and `DISCONNECTED` `disconnected`. Any other value is
//! `unknown`.

use wa_client_support::wa_model::{ConnectionState as S, Observation, Reading};

use crate::types::SessionState;

/// Reads a decoded answer into the common model.
pub(crate) fn read(body: &SessionState) -> Reading {
    let common = match body.status.as_str() {
        "CONNECTED" => S::Connected,
        "QRCODE" | "PHONECODE" => S::AwaitingPairing,
        "INITIALIZING" => S::Starting,
        "CLOSED" | "DISCONNECTED" => S::Disconnected,
        _ => S::Unknown,
    };
    Ok(Observation::new(common, body.status.as_str()))
}
