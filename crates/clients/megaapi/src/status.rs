//! MegaAPI in the common status model: `instance.user` present and `status ==
//! "connected"` is `connected`; no `user` is `disconnected` whatever the status; a `user`
//! with any other status is `unknown`. `user.id` is the phone, or a JID with a device
//! suffix; `user.name` the display name.

use wa_client_support::wa_model::{Account, ConnectionState, Observation, Reading};
use wa_client_support::{BuildError, StatusApi, Target, Transport};

use crate::types::{ErrorBody, GetInstanceStatusResponse};
use crate::{Client, Error, ResponseValue};

impl StatusApi for Client {
    type Body = GetInstanceStatusResponse;
    type ErrorBody = ErrorBody;

    fn connect(target: &Target, transport: &Transport) -> Result<Client, BuildError> {
        Client::with_token(&target.base_url, target.token()?.clone(), transport)
    }

    async fn fetch(
        &self,
        target: &Target,
    ) -> Result<ResponseValue<Self::Body>, Error<Self::ErrorBody>> {
        self.get_instance_status(&target.instance).await
    }

    fn read(body: &GetInstanceStatusResponse) -> Reading {
        let instance = &body.instance;
        let state = match (&instance.user, instance.status.as_str()) {
            (None, _) => ConnectionState::Disconnected,
            (Some(_), "connected") => ConnectionState::Connected,
            (Some(_), _) => ConnectionState::Unknown,
        };
        let user = instance.user.as_ref();
        let account = Account::default()
            .with_whatsapp_id(user.map(|user| user.id.as_str()))
            .with_display_name(user.and_then(|user| user.name.clone()));
        Ok(Observation::new(state, &instance.status).with_account(account))
    }
}
