//! Connection states and the actions that follow from them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Whether an instance can be used, in the same words for every provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ConnectionState {
    /// Logged in and able to send.
    Connected,
    /// Logged in, sending limited or suspended.
    Restricted,
    /// Logged in, but the phone is unreachable.
    PhoneOffline,
    /// The instance is booting or reconnecting.
    Starting,
    /// The instance exists but is not running anywhere yet.
    Provisioning,
    /// Running and waiting for a QR scan or pairing code.
    AwaitingPairing,
    /// No account linked, no pairing under way.
    Disconnected,
    /// Deliberately not running.
    Stopped,
    /// The instance or its session broke.
    Failed,
    /// The number is blocked by WhatsApp.
    Banned,
    /// A value the mapping does not know; the raw value is kept.
    Unknown,
}

impl ConnectionState {
    /// Every state, in the order of the status model.
    pub const ALL: [ConnectionState; 11] = [
        ConnectionState::Connected,
        ConnectionState::Restricted,
        ConnectionState::PhoneOffline,
        ConnectionState::Starting,
        ConnectionState::Provisioning,
        ConnectionState::AwaitingPairing,
        ConnectionState::Disconnected,
        ConnectionState::Stopped,
        ConnectionState::Failed,
        ConnectionState::Banned,
        ConnectionState::Unknown,
    ];

    /// The wire name, e.g. `awaiting_pairing`.
    pub fn name(self) -> &'static str {
        match self {
            ConnectionState::Connected => "connected",
            ConnectionState::Restricted => "restricted",
            ConnectionState::PhoneOffline => "phone_offline",
            ConnectionState::Starting => "starting",
            ConnectionState::Provisioning => "provisioning",
            ConnectionState::AwaitingPairing => "awaiting_pairing",
            ConnectionState::Disconnected => "disconnected",
            ConnectionState::Stopped => "stopped",
            ConnectionState::Failed => "failed",
            ConnectionState::Banned => "banned",
            ConnectionState::Unknown => "unknown",
        }
    }

    /// The usual action for this state; `None` for `unknown`, where none can be given.
    pub fn required_action(self) -> Option<RequiredAction> {
        Some(match self {
            ConnectionState::Connected => RequiredAction::Nothing,
            ConnectionState::Restricted => RequiredAction::Restart,
            ConnectionState::PhoneOffline => RequiredAction::CheckPhone,
            ConnectionState::Starting => RequiredAction::Wait,
            ConnectionState::Provisioning => RequiredAction::Wait,
            ConnectionState::AwaitingPairing => RequiredAction::ScanQr,
            ConnectionState::Disconnected => RequiredAction::ScanQr,
            ConnectionState::Stopped => RequiredAction::Restart,
            ConnectionState::Failed => RequiredAction::Restart,
            ConnectionState::Banned => RequiredAction::ContactSupport,
            ConnectionState::Unknown => return None,
        })
    }
}

impl fmt::Display for ConnectionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ConnectionState {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, UnknownName> {
        ConnectionState::ALL
            .into_iter()
            .find(|state| state.name() == s)
            .ok_or_else(|| UnknownName::new("state", s))
    }
}

/// What to do about an instance's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RequiredAction {
    /// Nothing: the instance is usable. Wire name `none`.
    #[serde(rename = "none")]
    Nothing,
    /// Restart (reboot) the instance.
    Restart,
    /// Make sure the phone is on and online.
    CheckPhone,
    /// Wait; restart if it lasts (a `starting` of more than 5 minutes, say).
    Wait,
    /// Link an account: scan the QR code or enter the pairing code.
    ScanQr,
    /// The number is blocked: contact the provider or WhatsApp.
    ContactSupport,
    /// The fix is in the provider's console: verification, payment, registration or
    /// policy (the provider's message says which).
    ReviewAccount,
}

impl RequiredAction {
    /// Every action, in the order of the status model.
    pub const ALL: [RequiredAction; 7] = [
        RequiredAction::Nothing,
        RequiredAction::Restart,
        RequiredAction::CheckPhone,
        RequiredAction::Wait,
        RequiredAction::ScanQr,
        RequiredAction::ContactSupport,
        RequiredAction::ReviewAccount,
    ];

    /// The wire name, e.g. `scan_qr`.
    pub fn name(self) -> &'static str {
        match self {
            RequiredAction::Nothing => "none",
            RequiredAction::Restart => "restart",
            RequiredAction::CheckPhone => "check_phone",
            RequiredAction::Wait => "wait",
            RequiredAction::ScanQr => "scan_qr",
            RequiredAction::ContactSupport => "contact_support",
            RequiredAction::ReviewAccount => "review_account",
        }
    }
}

impl fmt::Display for RequiredAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for RequiredAction {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, UnknownName> {
        RequiredAction::ALL
            .into_iter()
            .find(|action| action.name() == s)
            .ok_or_else(|| UnknownName::new("action", s))
    }
}

/// A wire name that names no state, action or error kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownName {
    what: &'static str,
    name: String,
}

impl UnknownName {
    pub(crate) fn new(what: &'static str, name: &str) -> UnknownName {
        UnknownName {
            what,
            name: name.chars().take(64).collect(),
        }
    }
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} `{}`", self.what, self.name)
    }
}

impl std::error::Error for UnknownName {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_are_snake_case_and_match_name() {
        for state in ConnectionState::ALL {
            assert_eq!(serde_json::to_value(state).unwrap(), state.name());
            assert_eq!(state.name().parse(), Ok(state));
        }
        for action in RequiredAction::ALL {
            assert_eq!(serde_json::to_value(action).unwrap(), action.name());
            assert_eq!(action.name().parse(), Ok(action));
        }
        assert_eq!(
            "conected"
                .parse::<ConnectionState>()
                .unwrap_err()
                .to_string(),
            "unknown state `conected`"
        );
    }
}
