//! UltraMsg in the common status model. The status comes in three shapes, which read the
//! same: `status.accountStatus` as an object (`status` and `substatus`), as a bare string,
//! or a flat `account_status`. `authenticated` is `connected`; `qr` and `got qr code`
//! (a QR code waits) `awaiting_pairing`; `loading` and `initialize` `starting`; `standby`
//! and `disconnected` `disconnected`; any other value, or none, `unknown`. The
//! `substatus` is kept as a detail.

use wa_client_support::wa_model::{ConnectionState as S, Observation, Reading};

use crate::types::{InstanceStatus, StatusEnvelopeAccountStatus as Account};

/// The raw value kept when the answer has no status at all.
const NO_STATUS: &str = "null";

/// Reads a decoded answer into the common model.
pub(crate) fn read(body: &InstanceStatus) -> Reading {
    let nested = body.status.as_ref().and_then(|s| s.account_status.as_ref());
    let (status, substatus) = match nested {
        Some(Account::AccountStatus(account)) => {
            (Some(account.status.as_str()), account.substatus.clone())
        }
        Some(Account::String(status)) => (Some(status.as_str()), None),
        None => (body.account_status.as_deref(), None),
    };
    let common = match status.map(str::trim) {
        Some("authenticated") => S::Connected,
        Some("qr" | "got qr code") => S::AwaitingPairing,
        Some("loading" | "initialize") => S::Starting,
        Some("standby" | "disconnected") => S::Disconnected,
        _ => S::Unknown,
    };
    Ok(Observation::new(common, status.unwrap_or(NO_STATUS)).with_detail("substatus", substatus))
}
