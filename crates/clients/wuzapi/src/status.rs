//! wuzapi in the common status model: connected and logged in is `connected`; connected and
//! not logged in `awaiting_pairing` (a QR code waits); logged in and not connected
//! `starting` (the client reconnects with its stored session); neither `disconnected`. Both
//! forms of the answer read the same: `Connected`/`LoggedIn` from servers before 2025,
//! `connected`/`loggedIn` from later ones, whose `jid` (whatsmeow's, with agent and device
//! parts) gives the phone and the JID, `display_name` the push name. The raw value is both
//! flags as the server names them. A later server's `name` is an admin's label for the
//! user, not the account's name, and its `token` is the user's own, echoed: neither is read.

use wa_client_support::wa_model::{Account, ConnectionState as S, Observation, Reading};

use crate::types::{SessionStatus, StatusEnvelope};

/// Reads a decoded answer into the common model.
pub(crate) fn read(body: &StatusEnvelope) -> Reading {
    let (connected, logged_in, names, account) = match &body.data {
        SessionStatus::CurrentSessionStatus(status) => {
            let account = Account::default()
                .with_whatsapp_id(status.jid.as_deref())
                .with_display_name(status.display_name.clone())
                .with_profile_picture_url(status.profile_picture_url.clone());
            (
                status.connected,
                status.logged_in,
                ("connected", "loggedIn"),
                account,
            )
        }
        SessionStatus::LegacySessionStatus(status) => (
            status.connected,
            status.logged_in,
            ("Connected", "LoggedIn"),
            Account::default(),
        ),
    };
    let state = match (connected, logged_in) {
        (true, true) => S::Connected,
        (true, false) => S::AwaitingPairing,
        (false, true) => S::Starting,
        (false, false) => S::Disconnected,
    };
    let raw = format!("{}={connected} {}={logged_in}", names.0, names.1);
    Ok(Observation::new(state, raw).with_account(account))
}
