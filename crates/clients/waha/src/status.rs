//! WAHA in the common status model: `WORKING` is `connected`, `STARTING` `starting`,
//! `SCAN_QR_CODE` `awaiting_pairing`, `STOPPED` `stopped`, `FAILED` `failed`; any other
//! value `unknown`. `me.id` (`<digits>@c.us`, WhatsApp Web's suffix) gives the phone and
//! the JID (`<digits>@s.whatsapp.net`), `me.pushName` the display name.

use wa_client_support::wa_model::{Account, ConnectionState as S, Observation, Reading};
use wa_client_support::{BuildError, Credentials, StatusApi, Target, Transport};

use crate::types::{HttpError, SessionInfo};
use crate::{Client, Error, ResponseValue};

impl StatusApi for Client {
    type Body = SessionInfo;
    type ErrorBody = HttpError;

    fn connect(target: &Target, transport: &Transport) -> Result<Client, BuildError> {
        let key = match &target.credentials {
            Credentials::Token(key) => Some(key.clone()),
            _ => None,
        };
        Client::with_api_key(&target.base_url, key, transport)
    }

    async fn fetch(&self, target: &Target) -> Result<ResponseValue<SessionInfo>, Error<HttpError>> {
        self.get_session(&target.instance).await
    }

    fn read(body: &SessionInfo) -> Reading {
        let state = match body.status.as_str() {
            "WORKING" => S::Connected,
            "STARTING" => S::Starting,
            "SCAN_QR_CODE" => S::AwaitingPairing,
            "STOPPED" => S::Stopped,
            "FAILED" => S::Failed,
            _ => S::Unknown,
        };
        let me = body.me.as_ref().and_then(|me| me.0.as_ref());
        let jid = me.map(|me| me.id.replace("@c.us", "@s.whatsapp.net"));
        let account = Account::default()
            .with_whatsapp_id(jid.as_deref())
            .with_display_name(me.and_then(|me| me.push_name.clone()));
        Ok(Observation::new(state, &body.status).with_account(account))
    }
}
