//! Hypersender in the common status model: `WORKING` is `connected`, `STARTING`
//! `starting`, `SCAN_QR_CODE` `awaiting_pairing`, `STOPPED` `stopped`, `FAILED` `failed`,
//! `PENDING` `provisioning`; any other value `unknown`. `connected_at` is kept as the
//! vendor's text (it has no time zone).

use wa_client_support::wa_model::{ConnectionState, Observation, Reading};

use crate::types::CheckInstanceHealthResponse;

/// Reads a decoded answer into the common model.
pub(crate) fn read(body: &CheckInstanceHealthResponse) -> Reading {
    // `status` is required (the overlay says why): an answer without it fails to decode.
    let raw = body.status.as_str();
    let state = match raw {
        "WORKING" => ConnectionState::Connected,
        "STARTING" => ConnectionState::Starting,
        "SCAN_QR_CODE" => ConnectionState::AwaitingPairing,
        "STOPPED" => ConnectionState::Stopped,
        "FAILED" => ConnectionState::Failed,
        "PENDING" => ConnectionState::Provisioning,
        _ => ConnectionState::Unknown,
    };
    Ok(Observation::new(state, raw).with_connected_at(body.connected_at.clone()))
}
