//! Whapi.Cloud in the common status model: `status.text` `AUTH` is `connected`, `QR`
//! `awaiting_pairing`, `INIT` and `LAUNCH` `starting`, `NOT_INIT` and `STOP` `stopped`,
//! `ERROR` and `SYNC_ERROR` `failed`; any other value `unknown`. `user.id` (the account's
//! digits) gives the phone, `user.name` the display name, `user.profile_pic` the picture.

use wa_client_support::wa_model::{Account, ConnectionState as S, Observation, Reading};

use crate::types::Health;

/// Reads a decoded answer into the common model.
pub(crate) fn read(body: &Health) -> Reading {
    let text = body.status.text.as_str();
    let state = match text {
        "AUTH" => S::Connected,
        "QR" => S::AwaitingPairing,
        "INIT" | "LAUNCH" => S::Starting,
        "NOT_INIT" | "STOP" => S::Stopped,
        "ERROR" | "SYNC_ERROR" => S::Failed,
        _ => S::Unknown,
    };
    let user = body.user.as_ref();
    let account = Account::default()
        .with_whatsapp_id(user.map(|u| u.id.as_str()))
        .with_display_name(user.map(|u| u.name.clone()))
        .with_profile_picture_url(user.and_then(|u| u.profile_pic.clone()));
    Ok(Observation::new(state, text).with_account(account))
}
