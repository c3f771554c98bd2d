//! VZaps in the common status model: `data.connected == true` is `connected`, `false` is
//! `disconnected`, whether the body is the documented envelope or the bare
//! `{"connected": false}`; the account's fields come with a connected answer.

use wa_client_support::wa_model::{Account, ConnectionState, Observation, Reading, Unreadable};

use crate::types::{SessionStatusData, SessionStatusResponse};

/// The vendor's schema allows `success: false` beside `data`: when `data` is there, it
/// is read; an envelope without it is the provider's report of a failure (its `code`,
/// `error` and `message` say which).
pub(crate) fn read(body: &SessionStatusResponse) -> Reading {
    let data = match body {
        SessionStatusResponse::WorkerEnvelopeSessionStatus(envelope) => match &envelope.data {
            Some(data) => data,
            None => return Err(Unreadable::reported("the envelope holds no session data")),
        },
        SessionStatusResponse::SessionStatusData(bare) => bare,
    };
    Ok(observation(data))
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
