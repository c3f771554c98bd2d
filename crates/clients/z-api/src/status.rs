//! Z-API in the common status model: `connected` with the phone online
//! (`smartphoneConnected`, or no word on it) is `connected`; `connected` with the phone
//! offline `phone_offline`; not `connected` `failed` when `error` says the session must be
//! restored, otherwise `disconnected`. The raw value is both flags as the vendor names them;
//! the vendor's `error` text, which says what to do, is the detail `message`.

use wa_client_support::wa_model::{ConnectionState as S, Observation, Reading};

use crate::types::InstanceStatus;

/// The `error` text of a session that must be restored.
const RESTORE: &str = "You need to restore the session.";

/// Reads a decoded answer into the common model.
pub(crate) fn read(body: &InstanceStatus) -> Reading {
    let message = body.error.as_deref().map(str::trim);
    let state = match (body.connected, body.smartphone_connected) {
        (true, Some(false)) => S::PhoneOffline,
        (true, _) => S::Connected,
        (false, _) if message == Some(RESTORE) => S::Failed,
        (false, _) => S::Disconnected,
    };
    let mut raw = format!("connected={}", body.connected);
    if let Some(phone) = body.smartphone_connected {
        raw.push_str(&format!(" smartphoneConnected={phone}"));
    }
    Ok(Observation::new(state, raw).with_detail("message", message.map(str::to_owned)))
}
