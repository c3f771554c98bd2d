//! MegaAPI in the common status model: `instance.user` present and `status ==
//! "connected"` is `connected`; no `user` is `disconnected` whatever the status; a `user`
//! with any other status is `unknown`. A `user` without an id (`{}`, which MegaAPI-style
//! servers answer while offline) is no account. `user.id` is the phone, or a JID with a
//! device suffix; `user.name` the display name.

use wa_client_support::wa_model::{Account, ConnectionState, Observation, Reading};

use crate::types::GetInstanceStatusResponse;

/// Reads a decoded answer into the common model.
pub(crate) fn read(body: &GetInstanceStatusResponse) -> Reading {
    let instance = &body.instance;
    let user = instance.user.as_ref().and_then(|user| {
        let id = user.id.as_deref().filter(|id| !id.trim().is_empty())?;
        Some((id, user.name.clone()))
    });
    let state = match (&user, instance.status.as_str()) {
        (None, _) => ConnectionState::Disconnected,
        (Some(_), "connected") => ConnectionState::Connected,
        (Some(_), _) => ConnectionState::Unknown,
    };
    let account = match user {
        Some((id, name)) => Account::default()
            .with_whatsapp_id(Some(id))
            .with_display_name(name),
        None => Account::default(),
    };
    Ok(Observation::new(state, &instance.status).with_account(account))
}
