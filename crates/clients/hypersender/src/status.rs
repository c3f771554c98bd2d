//! Hypersender in the common status model: `WORKING` is `connected`, `STARTING`
//! `starting`, `SCAN_QR_CODE` `awaiting_pairing`, `STOPPED` `stopped`, `FAILED` `failed`,
//! `PENDING` `provisioning`; any other value `unknown`. `connected_at` is kept as the
//! vendor's text (it has no time zone).

use wa_client_support::wa_model::{ConnectionState, Observation, Reading};
use wa_client_support::{BuildError, StatusApi, Target, Transport};

use crate::types::{CheckInstanceHealthResponse, ErrorMessage};
use crate::{Client, Error, ResponseValue};

impl StatusApi for Client {
    type Body = CheckInstanceHealthResponse;
    type ErrorBody = ErrorMessage;

    fn connect(target: &Target, transport: &Transport) -> Result<Client, BuildError> {
        Client::with_token(&target.base_url, target.token()?.clone(), transport)
    }

    async fn fetch(
        &self,
        target: &Target,
    ) -> Result<ResponseValue<Self::Body>, Error<Self::ErrorBody>> {
        self.check_instance_health(&target.instance).await
    }

    /// `status` is required (the overlay says why): an answer without it fails to decode.
    fn read(body: &CheckInstanceHealthResponse) -> Reading {
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
}
