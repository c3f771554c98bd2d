//! The credentials of one instance, by the names the provider's manifest gives them.

use std::fmt;

use crate::Secret;

/// The credentials an instance is reached with, each by its key in the provider's manifest
/// (`token`, `api_token`, `instance_token`, `account_sid`, ...). Where each one goes (a
/// header, the path, the query, HTTP Basic) is the provider's [`Placement`](crate::Placement)
/// of it; `Debug` shows the keys, never the values.
///
/// ```
/// use wa_client_support::Credentials;
///
/// let credentials = Credentials::default().with("token", "tok-1").with("client_token", "c-2");
/// assert_eq!(credentials.get("token").map(|s| s.expose()), Some("tok-1"));
/// assert_eq!(format!("{credentials:?}"), "Credentials { client_token: ***, token: *** }");
/// assert_eq!(credentials.secrets(), ["c-2", "tok-1"]);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    /// By key, in the keys' order; no key twice.
    entries: Vec<(String, Secret)>,
}

impl Credentials {
    /// No credential: a self-hosted server that runs without a key.
    pub fn none() -> Credentials {
        Credentials::default()
    }

    /// These credentials with `key` set to `secret` (replacing any earlier value).
    pub fn with(mut self, key: impl Into<String>, secret: impl Into<Secret>) -> Credentials {
        self.set(key.into(), secret.into());
        self
    }

    /// Sets `key` to `secret`, replacing any earlier value.
    pub fn set(&mut self, key: String, secret: Secret) {
        match self.entries.binary_search_by(|(k, _)| k.as_str().cmp(&key)) {
            Ok(index) => self.entries[index].1 = secret,
            Err(index) => self.entries.insert(index, (key, secret)),
        }
    }

    /// The credential named `key`, if given.
    pub fn get(&self, key: &str) -> Option<&Secret> {
        self.entries
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|index| &self.entries[index].1)
    }

    /// The keys given, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(key, _)| key.as_str())
    }

    /// Whether no credential is given.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every secret, for masking them wherever text from outside is shown.
    pub fn secrets(&self) -> Vec<&str> {
        self.entries
            .iter()
            .map(|(_, secret)| secret.expose())
            .collect()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = f.debug_struct("Credentials");
        for (key, _) in &self.entries {
            shown.field(key, &format_args!("***"));
        }
        shown.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_every_secret_and_secrets_lists_them() {
        let pair = Credentials::none()
            .with("instance_token", "a-1")
            .with("client_token", "b-2");
        assert_eq!(
            format!("{pair:?}"),
            "Credentials { client_token: ***, instance_token: *** }"
        );
        assert_eq!(pair.secrets(), ["b-2", "a-1"]);
        assert_eq!(Credentials::none().secrets(), Vec::<&str>::new());
        let replaced = pair.with("client_token", "c-3");
        assert_eq!(
            replaced.get("client_token").map(Secret::expose),
            Some("c-3")
        );
        assert_eq!(
            replaced.keys().collect::<Vec<_>>(),
            ["client_token", "instance_token"]
        );
    }
}
