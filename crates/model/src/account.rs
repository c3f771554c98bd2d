//! The WhatsApp account behind an instance, and the rules that keep its fields comparable
//! across providers.

use serde::{Deserialize, Serialize};

/// The WhatsApp account linked to an instance, as far as the provider tells.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Account {
    /// Digits with a leading `+` (`+5511999999999`); the digits are never rewritten.
    pub phone: Option<String>,
    /// `<user>@s.whatsapp.net`, without agent or device part.
    pub jid: Option<String>,
    /// The push (display) name.
    pub display_name: Option<String>,
    /// The WhatsApp Business name.
    pub business_name: Option<String>,
    /// The profile picture's URL.
    pub profile_picture_url: Option<String>,
}

impl Account {
    /// Whether the provider told nothing about the account.
    pub fn is_empty(&self) -> bool {
        *self == Account::default()
    }

    /// Sets the phone from the provider's text, as [`Account::phone_from`] reads it.
    pub fn with_phone(mut self, raw: Option<&str>) -> Account {
        self.phone = raw.and_then(Account::phone_from);
        self
    }

    /// Sets the JID from the provider's text, as [`Account::jid_from`] reads it.
    pub fn with_jid(mut self, raw: Option<&str>) -> Account {
        self.jid = raw.and_then(Account::jid_from);
        self
    }

    /// Sets the display name; empty text is no name.
    pub fn with_display_name(mut self, raw: Option<String>) -> Account {
        self.display_name = non_empty(raw);
        self
    }

    /// Sets the business name; empty text is no name.
    pub fn with_business_name(mut self, raw: Option<String>) -> Account {
        self.business_name = non_empty(raw);
        self
    }

    /// Sets the profile picture URL; empty text is no URL.
    pub fn with_profile_picture_url(mut self, raw: Option<String>) -> Account {
        self.profile_picture_url = non_empty(raw);
        self
    }

    /// A phone number as the model keeps it: digits get a leading `+`; anything else
    /// (already `+`-prefixed, or with other characters) is kept as given, since digits are
    /// never rewritten. Empty text is no phone.
    ///
    /// ```
    /// use wa_model::Account;
    /// assert_eq!(Account::phone_from("5511999999999").as_deref(), Some("+5511999999999"));
    /// assert_eq!(Account::phone_from("(11) 9999-9999").as_deref(), Some("(11) 9999-9999"));
    /// assert_eq!(Account::phone_from(" "), None);
    /// ```
    pub fn phone_from(raw: &str) -> Option<String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            None
        } else if trimmed.bytes().all(|b| b.is_ascii_digit()) {
            Some(format!("+{trimmed}"))
        } else {
            Some(trimmed.to_owned())
        }
    }

    /// A JID as the model keeps it: `<user>[.<agent>][:<device>]@<server>` loses its agent
    /// and device parts, and WhatsApp Web's `c.us` server is `s.whatsapp.net`. Empty text is
    /// no JID.
    ///
    /// ```
    /// use wa_model::Account;
    /// for raw in [
    ///     "79001234567:8@s.whatsapp.net",
    ///     "79001234567.0:52@s.whatsapp.net",
    ///     "79001234567@c.us",
    /// ] {
    ///     assert_eq!(Account::jid_from(raw).as_deref(), Some("79001234567@s.whatsapp.net"));
    /// }
    /// ```
    pub fn jid_from(raw: &str) -> Option<String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return None;
        }
        Some(match trimmed.split_once('@') {
            Some((user, server)) => {
                let server = if server == "c.us" {
                    "s.whatsapp.net"
                } else {
                    server
                };
                format!("{}@{server}", jid_user(user))
            }
            None => trimmed.to_owned(),
        })
    }

    /// The phone and JID of a WhatsApp id that may be a bare phone (`5511999999999`) or a
    /// JID (`5511999999999.0:12@s.whatsapp.net`): the phone is the JID's user, without agent
    /// or device part.
    pub fn with_whatsapp_id(self, raw: Option<&str>) -> Account {
        match raw.map(str::trim).filter(|id| !id.is_empty()) {
            Some(id) => match id.split_once('@') {
                Some((user, _)) => {
                    let user = jid_user(user);
                    self.with_phone(Some(user)).with_jid(Some(id))
                }
                None => self.with_phone(Some(id)),
            },
            None => self,
        }
    }
}

/// A JID's user without its `:<device>` and `.<agent>` parts (whatsmeow writes
/// `<user>.<agent>:<device>`; the agent is a number).
fn jid_user(user: &str) -> &str {
    let user = user.split_once(':').map_or(user, |(user, _device)| user);
    match user.rsplit_once('.') {
        Some((base, agent)) if !agent.is_empty() && agent.bytes().all(|b| b.is_ascii_digit()) => {
            base
        }
        _ => user,
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_get_a_plus_and_keep_their_digits() {
        assert_eq!(
            Account::phone_from("5511999999999").as_deref(),
            Some("+5511999999999")
        );
        assert_eq!(
            Account::phone_from("+5511999999999").as_deref(),
            Some("+5511999999999")
        );
        assert_eq!(
            Account::phone_from("(11) 9999-9999").as_deref(),
            Some("(11) 9999-9999")
        );
        assert_eq!(Account::phone_from(" "), None);
    }

    #[test]
    fn jids_lose_their_agent_and_device_parts() {
        assert_eq!(
            Account::jid_from("5491155554444.0:52@s.whatsapp.net").as_deref(),
            Some("5491155554444@s.whatsapp.net")
        );
        assert_eq!(
            Account::jid_from("123123:123@s.whatsapp.net").as_deref(),
            Some("123123@s.whatsapp.net")
        );
        assert_eq!(
            Account::jid_from("11111111111@c.us").as_deref(),
            Some("11111111111@s.whatsapp.net")
        );
        let account =
            Account::default().with_whatsapp_id(Some("5491155554444.0:52@s.whatsapp.net"));
        assert_eq!(account.phone.as_deref(), Some("+5491155554444"));
        assert_eq!(account.jid.as_deref(), Some("5491155554444@s.whatsapp.net"));
    }

    #[test]
    fn jids_lose_their_device_suffix() {
        assert_eq!(
            Account::jid_from("79001234567:8@s.whatsapp.net").as_deref(),
            Some("79001234567@s.whatsapp.net")
        );
        assert_eq!(
            Account::jid_from("551151968302@s.whatsapp.net").as_deref(),
            Some("551151968302@s.whatsapp.net")
        );
        assert_eq!(Account::jid_from(""), None);
    }

    #[test]
    fn a_whatsapp_id_gives_a_phone_and_maybe_a_jid() {
        let account = Account::default().with_whatsapp_id(Some("5511999990001:12@s.whatsapp.net"));
        assert_eq!(account.phone.as_deref(), Some("+5511999990001"));
        assert_eq!(account.jid.as_deref(), Some("5511999990001@s.whatsapp.net"));
        let account = Account::default().with_whatsapp_id(Some("5511999990001"));
        assert_eq!(
            (account.phone.as_deref(), account.jid),
            (Some("+5511999990001"), None)
        );
        assert!(Account::default().with_whatsapp_id(Some(" ")).is_empty());
    }

    #[test]
    fn empty_names_are_absent() {
        let account = Account::default()
            .with_display_name(Some(" ".into()))
            .with_business_name(Some("Shop".into()))
            .with_profile_picture_url(Some(String::new()));
        assert_eq!(account.display_name, None);
        assert_eq!(account.business_name.as_deref(), Some("Shop"));
        assert_eq!(account.profile_picture_url, None);
    }
}
