//! VZaps in the common status model: `data.connected == true` is `connected`, `false` is
//! `disconnected`, whether the body is the documented envelope or the bare
//! `{"connected": false}`; the account's fields come with a connected answer.

use wa_client_support::wa_model::{Account, ConnectionState, Observation, Reading, Unreadable};
use wa_client_support::{BuildError, Credentials, StatusApi, Target, Transport};

use crate::types::{ErrorEnvelope, SessionStatusData, SessionStatusResponse};
use crate::{Client, Error, ResponseValue};

impl StatusApi for Client {
    type Body = SessionStatusResponse;
    type ErrorBody = ErrorEnvelope;

    fn connect(target: &Target, transport: &Transport) -> Result<Client, BuildError> {
        match &target.credentials {
            Credentials::Pair(instance_token, client_token) => Client::with_instance_tokens(
                &target.base_url,
                instance_token.clone(),
                client_token.clone(),
                transport,
            ),
            _ => Client::with_bearer(&target.base_url, target.token()?.clone(), transport),
        }
    }

    async fn fetch(
        &self,
        target: &Target,
    ) -> Result<ResponseValue<Self::Body>, Error<Self::ErrorBody>> {
        self.session_status(&target.instance).await
    }

    /// The vendor's schema allows `success: false` beside `data`: when `data` is there, it
    /// is read; an envelope without it is the provider's report of a failure (its `code`,
    /// `error` and `message` say which).
    fn read(body: &SessionStatusResponse) -> Reading {
        let data = match body {
            SessionStatusResponse::WorkerEnvelopeSessionStatus(envelope) => match &envelope.data {
                Some(data) => data,
                None => return Err(Unreadable::reported("the envelope holds no session data")),
            },
            SessionStatusResponse::SessionStatusData(bare) => bare,
        };
        Ok(observation(data))
    }
}

fn observation(data: &SessionStatusData) -> Observation {
    let state = if data.connected {
        ConnectionState::Connected
    } else {
        ConnectionState::Disconnected
    };
    let account = Account::default()
        .with_phone(data.phone.as_deref())
        .with_jid(data.whatsapp_jid.as_deref())
        .with_display_name(data.push_name.clone())
        .with_business_name(data.business_name.clone())
        .with_profile_picture_url(data.profile_picture_url.clone());
    Observation::new(state, data.connected.to_string()).with_account(account)
}
