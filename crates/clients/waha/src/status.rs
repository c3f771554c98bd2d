//! WAHA in the common status model: `WORKING` is `connected`, `STARTING` `starting`,
//! `SCAN_QR_CODE` `awaiting_pairing`, `STOPPED` `stopped`, `FAILED` `failed`; any other
//! value `unknown`. `me.id` (`<digits>@c.us`, WhatsApp Web's suffix) gives the phone and
//! the JID (`<digits>@s.whatsapp.net`), `me.pushName` the display name.

use wa_client_support::wa_model::{Account, ConnectionState as S, Observation, Reading};

use crate::types::SessionInfo;

/// Reads a decoded answer into the common model.
pub(crate) fn read(body: &SessionInfo) -> Reading {
    let state = match body.status.as_str() {
        "WORKING" => S::Connected,
        "STARTING" => S::Starting,
        "SCAN_QR_CODE" => S::AwaitingPairing,
        "STOPPED" => S::Stopped,
        "FAILED" => S::Failed,
        _ => S::Unknown,
    };
    let me = body.me.as_ref().and_then(|me| me.0.as_ref());
    // `<digits>@c.us` is WhatsApp Web's form of the JID; the model reads it.
    let account = Account::default()
        .with_whatsapp_id(me.map(|me| me.id.as_str()))
        .with_display_name(me.and_then(|me| me.push_name.clone()));
    Ok(Observation::new(state, &body.status).with_account(account))
}
