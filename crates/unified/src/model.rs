//! The common vocabulary (from `wa-model`), and one reading of one instance.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

pub use wa_model::{Account, ConnectionState, Observation, RequiredAction};

use crate::Provider;

/// One reading of one instance's status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InstanceStatus {
    /// The provider that answered.
    pub provider: Provider,
    /// The instance as the provider names it (a key, a UUID, a number, ...).
    pub instance: String,
    /// The state, in the common model.
    pub state: ConnectionState,
    /// The provider's value, verbatim (`"null"` for a JSON `null` body); the crate docs'
    /// mapping table lists every provider's.
    pub raw_state: String,
    /// What to do; `None` for an `unknown` state.
    pub required_action: Option<RequiredAction>,
    /// The account behind the instance, where the provider says.
    pub account: Account,
    /// When the account connected, in the provider's own text (a time without a zone gets
    /// none invented).
    pub connected_at: Option<String>,
    /// Provider facts that fit no common field and that a user acts on, by name (a quality
    /// rating, a messaging tier, the date a suspension ends).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub details: BTreeMap<String, String>,
    /// When this reading was taken, on this machine's clock (RFC 3339 on the wire).
    #[serde(with = "rfc3339")]
    pub observed_at: SystemTime,
}

impl InstanceStatus {
    /// A reading of `instance` at `provider`, taken now.
    pub fn new(provider: Provider, instance: &str, observation: Observation) -> InstanceStatus {
        InstanceStatus {
            provider,
            instance: instance.to_owned(),
            state: observation.state,
            required_action: observation.required_action(),
            raw_state: observation.raw_state,
            account: observation.account,
            connected_at: observation.connected_at,
            details: observation.details,
            observed_at: SystemTime::now(),
        }
    }

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
    fn a_status_round_trips_through_json() {
        let provider = Provider::ALL[0];
        let status = InstanceStatus::new(
            provider,
            "1101000001",
            Observation::new(ConnectionState::Restricted, "yellowCard"),
        );
        let json = serde_json::to_value(&status).unwrap();
        assert_eq!(json["required_action"], "restart");
        assert_eq!(json["state"], "restricted");
        assert_eq!(json["provider"], provider.name());
        let back: InstanceStatus = serde_json::from_value(json).unwrap();
        // Milliseconds survive; finer precision does not.
        assert_eq!(
            humantime::format_rfc3339_millis(back.observed_at).to_string(),
            humantime::format_rfc3339_millis(status.observed_at).to_string()
        );
        assert_eq!(back.raw_state, "yellowCard");
    }

    #[test]
    fn the_observations_own_action_is_kept() {
        let status = InstanceStatus::new(
            Provider::ALL[0],
            "i",
            Observation::new(ConnectionState::Restricted, "x").with_action(RequiredAction::Wait),
        );
        assert_eq!(status.required_action, Some(RequiredAction::Wait));
    }
}
