//! What one answer of a provider says, in the common vocabulary.

use std::collections::BTreeMap;
use std::fmt;

use crate::{Account, ConnectionState, RequiredAction};

/// What a provider's status answer says: the state, the raw value it came from, and the
/// account. A provider's client crate builds it from its decoded answer; `wa-unified` adds
/// the provider, the instance and the time.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Observation {
    /// The state in the common words.
    pub state: ConnectionState,
    /// The provider's own value, verbatim.
    pub raw_state: String,
    /// An action other than the state's usual one, where the mapping names one.
    pub action: Option<RequiredAction>,
    /// The account behind the instance, as far as the answer tells.
    pub account: Account,
    /// When the account connected, in the provider's own text (no time zone is invented).
    pub connected_at: Option<String>,
    /// Provider facts that fit no common field and that a user acts on, by name.
    pub details: BTreeMap<String, String>,
}

impl Observation {
    /// A reading of `state` from the raw value `raw_state`.
    pub fn new(state: ConnectionState, raw_state: impl Into<String>) -> Observation {
        Observation {
            state,
            raw_state: raw_state.into(),
            action: None,
            account: Account::default(),
            connected_at: None,
            details: BTreeMap::new(),
        }
    }

    /// Names an action other than the state's usual one.
    pub fn with_action(mut self, action: RequiredAction) -> Observation {
        self.action = Some(action);
        self
    }

    /// Sets the account.
    pub fn with_account(mut self, account: Account) -> Observation {
        self.account = account;
        self
    }

    /// Sets when the account connected; empty text is no time.
    pub fn with_connected_at(mut self, connected_at: Option<String>) -> Observation {
        self.connected_at = connected_at.filter(|text| !text.trim().is_empty());
        self
    }

    /// Adds a named detail; empty text is no detail.
    pub fn with_detail(mut self, name: &str, value: Option<String>) -> Observation {
        if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
            self.details.insert(name.to_owned(), value);
        }
        self
    }

    /// What to do: the mapping's own action, else the state's usual one (`None` for
    /// `unknown`).
    pub fn required_action(&self) -> Option<RequiredAction> {
        self.action.or(self.state.required_action())
    }
}

/// A decoded answer that holds no reading: the reason, for the error a user sees, and
/// whether the answer is the provider's own report of a failure (an error envelope inside a
/// 2xx answer, which the provider's document allows) rather than a body it does not
/// describe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unreadable {
    /// Why no reading could be taken, in a few words.
    pub reason: String,
    /// The provider reported a failure: the error is classified by the body's code, or is
    /// `unexpected_status` without one; never `decode`.
    pub reported: bool,
}

impl Unreadable {
    /// An answer the mapping cannot read, for `reason` (a `decode` error unless the body
    /// carries an error code).
    pub fn new(reason: impl Into<String>) -> Unreadable {
        Unreadable {
            reason: reason.into(),
            reported: false,
        }
    }

    /// A failure the provider reports inside a 2xx answer, for `reason`.
    pub fn reported(reason: impl Into<String>) -> Unreadable {
        Unreadable {
            reason: reason.into(),
            reported: true,
        }
    }
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

/// What reading a decoded answer gives.
pub type Reading = Result<Observation, Unreadable>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mappings_action_wins_over_the_usual_one() {
        let usual = Observation::new(ConnectionState::Restricted, "yellowCard");
        assert_eq!(usual.required_action(), Some(RequiredAction::Restart));
        let own = usual.with_action(RequiredAction::Wait);
        assert_eq!(own.required_action(), Some(RequiredAction::Wait));
        assert_eq!(
            Observation::new(ConnectionState::Unknown, "x").required_action(),
            None
        );
    }

    #[test]
    fn empty_texts_are_absent() {
        let observation = Observation::new(ConnectionState::Connected, "WORKING")
            .with_connected_at(Some(" ".into()))
            .with_detail("quality_rating", Some(String::new()))
            .with_detail("tier", Some("TIER_1K".into()));
        assert_eq!(observation.connected_at, None);
        assert_eq!(
            observation.details,
            BTreeMap::from([("tier".to_owned(), "TIER_1K".to_owned())])
        );
    }
}
