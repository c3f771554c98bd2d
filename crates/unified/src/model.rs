//! The common vocabulary: one model of connection state for every provider. The wire names
//! (snake_case) are public interface: the CLI's JSON and the exporter's labels use them.

use std::fmt;
use std::str::FromStr;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

/// A gateway provider, by its wire name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Provider {
    #[serde(rename = "megaapi")]
    MegaApi,
    #[serde(rename = "vzaps")]
    Vzaps,
    #[serde(rename = "hypersender")]
    Hypersender,
    #[serde(rename = "green-api")]
    GreenApi,
}

impl Provider {
    /// Every provider, whether or not its feature is enabled.
    pub const ALL: [Provider; 4] = [
        Provider::MegaApi,
        Provider::Vzaps,
        Provider::Hypersender,
        Provider::GreenApi,
    ];

    /// The wire name: `megaapi`, `vzaps`, `hypersender` or `green-api`.
    pub fn name(self) -> &'static str {
        match self {
            Provider::MegaApi => "megaapi",
            Provider::Vzaps => "vzaps",
            Provider::Hypersender => "hypersender",
            Provider::GreenApi => "green-api",
        }
    }

    /// Whether this build includes the provider (its cargo feature of the same name).
    pub fn is_enabled(self) -> bool {
        match self {
            Provider::MegaApi => cfg!(feature = "megaapi"),
            Provider::Vzaps => cfg!(feature = "vzaps"),
            Provider::Hypersender => cfg!(feature = "hypersender"),
            Provider::GreenApi => cfg!(feature = "green-api"),
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Provider {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Provider::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| {
                crate::Error::invalid_config(
                    None,
                    format!(
                        "unknown provider `{s}`: expected megaapi, vzaps, hypersender or green-api"
                    ),
                )
            })
    }
}

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
    /// Wait; restart if it lasts (a `starting` of more than 5 minutes, for Green API).
    Wait,
    /// Link an account: scan the QR code or enter the pairing code.
    ScanQr,
    /// The number is blocked: contact the provider or WhatsApp.
    ContactSupport,
}

impl RequiredAction {
    /// The wire name, e.g. `scan_qr`.
    pub fn name(self) -> &'static str {
        match self {
            RequiredAction::Nothing => "none",
            RequiredAction::Restart => "restart",
            RequiredAction::CheckPhone => "check_phone",
            RequiredAction::Wait => "wait",
            RequiredAction::ScanQr => "scan_qr",
            RequiredAction::ContactSupport => "contact_support",
        }
    }
}

impl fmt::Display for RequiredAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The WhatsApp account linked to an instance, as far as the provider tells.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Digits with a leading `+` (`+5511999999999`); the digits are never rewritten.
    pub phone: Option<String>,
    /// `<digits>@s.whatsapp.net`, without a `:N` device suffix.
    pub jid: Option<String>,
    /// The push (display) name.
    pub display_name: Option<String>,
    pub business_name: Option<String>,
    pub profile_picture_url: Option<String>,
}

impl Account {
    /// Whether the provider told nothing about the account.
    pub fn is_empty(&self) -> bool {
        *self == Account::default()
    }
}

/// One reading of one instance's status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceStatus {
    pub provider: Provider,
    /// The instance as the provider names it: MegaAPI's key, VZaps' id, Hypersender's UUID,
    /// Green API's `idInstance`.
    pub instance: String,
    pub state: ConnectionState,
    /// The provider's value, verbatim: `"WORKING"`, `"yellowCard"`, `"true"`, `"connected"`,
    /// `"null"` for Green API's JSON `null`.
    pub raw_state: String,
    /// What to do; `None` for an `unknown` state.
    pub required_action: Option<RequiredAction>,
    pub account: Account,
    /// When the account connected, in the provider's own text (Hypersender's has no time
    /// zone, and none is invented).
    pub connected_at: Option<String>,
    /// When this reading was taken, on this machine's clock (RFC 3339 on the wire).
    #[serde(with = "rfc3339")]
    pub observed_at: SystemTime,
}

impl InstanceStatus {
    /// Whether the instance is logged in and able to send.
    pub fn is_connected(&self) -> bool {
        self.state == ConnectionState::Connected
    }

    /// Whether a message sent now would go out: only when connected. (`restricted` and
    /// `phone_offline` instances are logged in, but they queue or refuse messages.)
    pub fn can_send(&self) -> bool {
        self.is_connected()
    }

    /// Whether the account is linked, even if it cannot send right now.
    pub fn is_logged_in(&self) -> bool {
        matches!(
            self.state,
            ConnectionState::Connected
                | ConnectionState::Restricted
                | ConnectionState::PhoneOffline
        )
    }
}

/// What a backend read from one answer, before the common fields are added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Observation {
    pub state: ConnectionState,
    pub raw_state: String,
    pub account: Account,
    pub connected_at: Option<String>,
}

impl Observation {
    pub fn into_status(self, provider: Provider, instance: &str) -> InstanceStatus {
        InstanceStatus {
            provider,
            instance: instance.to_owned(),
            state: self.state,
            raw_state: self.raw_state,
            required_action: self.state.required_action(),
            account: self.account,
            connected_at: self.connected_at,
            observed_at: SystemTime::now(),
        }
    }
}

// Only the providers that report account details use these.
#[cfg_attr(not(any(feature = "megaapi", feature = "vzaps")), allow(dead_code))]
/// A phone number as the model keeps it: digits get a leading `+`; anything else (already
/// `+`-prefixed, or with other characters) is kept as given, since digits are never
/// rewritten. Empty text is no phone.
pub(crate) fn normalize_phone(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        None
    } else if trimmed.bytes().all(|b| b.is_ascii_digit()) {
        Some(format!("+{trimmed}"))
    } else {
        Some(trimmed.to_owned())
    }
}

#[cfg_attr(not(any(feature = "megaapi", feature = "vzaps")), allow(dead_code))]
/// A JID without its `:N` device suffix: `79001234567:8@s.whatsapp.net` becomes
/// `79001234567@s.whatsapp.net`.
pub(crate) fn normalize_jid(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return None;
    }
    Some(match trimmed.split_once('@') {
        Some((user, server)) => {
            let user = user
                .split_once(':')
                .map_or(user, |(digits, _device)| digits);
            format!("{user}@{server}")
        }
        None => trimmed.to_owned(),
    })
}

/// `SystemTime` as RFC 3339 text with milliseconds, in UTC.
mod rfc3339 {
    use std::time::SystemTime;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(time: &SystemTime, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&humantime::format_rfc3339_millis(*time))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<SystemTime, D::Error> {
        let text = String::deserialize(deserializer)?;
        humantime::parse_rfc3339_weak(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_are_snake_case_and_match_name() {
        for state in ConnectionState::ALL {
            assert_eq!(serde_json::to_value(state).unwrap(), state.name());
        }
        for action in [
            RequiredAction::Nothing,
            RequiredAction::Restart,
            RequiredAction::CheckPhone,
            RequiredAction::Wait,
            RequiredAction::ScanQr,
            RequiredAction::ContactSupport,
        ] {
            assert_eq!(serde_json::to_value(action).unwrap(), action.name());
        }
        assert_eq!(
            serde_json::to_value(Provider::GreenApi).unwrap(),
            "green-api"
        );
    }

    #[test]
    fn phones_get_a_plus_and_keep_their_digits() {
        assert_eq!(
            normalize_phone("5511999999999").as_deref(),
            Some("+5511999999999")
        );
        assert_eq!(
            normalize_phone("+5511999999999").as_deref(),
            Some("+5511999999999")
        );
        assert_eq!(
            normalize_phone("(11) 9999-9999").as_deref(),
            Some("(11) 9999-9999")
        );
        assert_eq!(normalize_phone(" "), None);
    }

    #[test]
    fn jids_lose_their_device_suffix() {
        assert_eq!(
            normalize_jid("79001234567:8@s.whatsapp.net").as_deref(),
            Some("79001234567@s.whatsapp.net")
        );
        assert_eq!(
            normalize_jid("551151968302@s.whatsapp.net").as_deref(),
            Some("551151968302@s.whatsapp.net")
        );
        assert_eq!(normalize_jid(""), None);
    }

    #[test]
    fn a_status_round_trips_through_json() {
        let status = Observation {
            state: ConnectionState::Restricted,
            raw_state: "yellowCard".into(),
            account: Account::default(),
            connected_at: None,
        }
        .into_status(Provider::GreenApi, "1101000001");
        let json = serde_json::to_value(&status).unwrap();
        assert_eq!(json["required_action"], "restart");
        assert_eq!(json["state"], "restricted");
        let back: InstanceStatus = serde_json::from_value(json).unwrap();
        // Milliseconds survive; finer precision does not.
        assert_eq!(
            humantime::format_rfc3339_millis(back.observed_at).to_string(),
            humantime::format_rfc3339_millis(status.observed_at).to_string()
        );
        assert_eq!(back.raw_state, "yellowCard");
    }
}
