//! What the catalog says about one provider.

use std::fmt;
use std::str::FromStr;

use wa_model::ErrorKind;

use crate::Provider;

/// Everything the project knows about one provider beyond its OpenAPI document, from
/// `specs/<provider>/provider.toml`.
#[derive(Debug)]
#[non_exhaustive]
pub struct ProviderInfo {
    /// The wire name: paths, cargo features, connection-string schemes.
    pub name: &'static str,
    /// The name for people.
    pub title: &'static str,
    /// Who runs the servers.
    pub hosting: Hosting,
    /// One line about the provider, for tables.
    pub summary: &'static str,
    /// The vendor's documentation.
    pub docs: &'static [&'static str],
    /// The package of the provider's generated client (`wa-<name>`).
    pub client_crate: &'static str,
    /// The connection-string forms, in the order they are tried and documented.
    pub connection_strings: &'static [ConnectionForm],
    /// The base URL: its default and the variable that overrides it.
    pub base_url: BaseUrlInfo,
    /// How the provider names an instance.
    pub instance: InstanceInfo,
    /// How requests authenticate.
    pub auth: AuthInfo,
    /// The documented request quota of the status call; `None` when the vendor documents
    /// none.
    pub quota: Option<QuotaInfo>,
    /// The status call: its operation and path.
    pub status: StatusInfo,
    /// How the provider's error answers are classified.
    pub errors: ErrorRules,
    /// Values the status call needs besides the instance and the credentials.
    pub options: &'static [OptionInfo],
    /// Extra fleet-file keys and the common key each stands for (`api_url` for
    /// `base_url`).
    pub fleet_aliases: &'static [(&'static str, &'static str)],
    /// What the simulator needs to serve the provider.
    pub simulator: SimulatorInfo,
    /// The instances of the demo's sample fleet.
    pub demo: &'static [DemoInstance],
}

/// Who runs a provider's servers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Hosting {
    /// A vendor's hosted service.
    Hosted,
    /// Software each team runs on its own servers: no default base URL.
    SelfHosted,
    /// WhatsApp's own platform.
    Official,
}

/// One connection-string form, e.g. `name://ID:TOKEN@HOST[/BASE]`.
#[derive(Debug)]
#[non_exhaustive]
pub struct ConnectionForm {
    /// The form as documented.
    pub text: &'static str,
    /// The placeholders before `@`, in order (empty when the form has no `@`).
    pub userinfo: &'static [&'static str],
    /// Those of them that may be left out (written `[:PLACEHOLDER]`); always the last.
    pub optional: &'static [&'static str],
    /// The placeholder after `HOST[/BASE]/`, if any.
    pub tail: Option<&'static str>,
}

/// The base URL of a provider's API.
#[derive(Debug)]
#[non_exhaustive]
pub struct BaseUrlInfo {
    /// The production URL; `None` when every customer or server has its own.
    pub default: Option<&'static str>,
    /// What the vendor calls it (`base URL`, or the vendor's own word).
    pub noun: &'static str,
    /// The environment variable that gives it.
    pub env: &'static str,
}

/// How a provider names the instance whose status is asked: in the status call (a path
/// parameter, with a placeholder in the connection strings and a variable), or by a
/// credential alone (`named_by`), when the call names no instance.
#[derive(Debug)]
#[non_exhaustive]
pub struct InstanceInfo {
    /// Its placeholder in the connection strings (`INSTANCE_KEY`); `None` when a credential
    /// names the instance.
    pub placeholder: Option<&'static str>,
    /// What the vendor calls it (`instance key`, `idInstance`).
    pub noun: &'static str,
    /// The status call's parameter that carries it; `None` when a credential names the
    /// instance.
    pub parameter: Option<&'static str>,
    /// When set, the instance is a number of at most this many digits.
    pub digits: Option<u8>,
    /// The environment variable that gives it; `None` when a credential names the instance.
    pub env: Option<&'static str>,
    /// The key of the credential by which the vendor knows the instance, when the status
    /// call names none (a token that is the user, say). The instance is then a label of the
    /// caller's choosing, by default the server's host.
    pub named_by: Option<&'static str>,
}

impl InstanceInfo {
    /// Whether `placeholder` is the instance's placeholder.
    pub fn is_placeholder(&self, placeholder: &str) -> bool {
        self.placeholder == Some(placeholder)
    }
}

/// How a provider authenticates the status call: each credential it takes, and where it
/// goes. Which credentials go together is said by the connection-string forms: each form
/// is one set (`TOKEN`, or `INSTANCE_TOKEN:CLIENT_TOKEN`; a `[:PLACEHOLDER]` may be left
/// out), and a form without any is a server that runs without a key.
#[derive(Debug)]
#[non_exhaustive]
pub struct AuthInfo {
    /// Every credential, in the manifest's order.
    pub credentials: &'static [CredentialInfo],
}

/// One credential a provider takes.
#[derive(Debug)]
#[non_exhaustive]
pub struct CredentialInfo {
    /// Its placeholder in the connection-string forms (`TOKEN`).
    pub placeholder: &'static str,
    /// Its key in fleet files and configs (`token`, `instance_token`); `<key>_env` names an
    /// environment variable that holds it.
    pub key: &'static str,
    /// What the vendor calls it, for messages (`apiTokenInstance`).
    pub noun: &'static str,
    /// The environment variable that gives it.
    pub env: &'static str,
    /// Where it goes in a request.
    pub placement: Placement,
}

/// Where a credential goes in a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Placement {
    /// A header, its value the credential after `prefix`.
    Header {
        /// The header's name.
        name: &'static str,
        /// What precedes the credential (`Bearer `; empty for nothing).
        prefix: &'static str,
    },
    /// A path parameter of the status call.
    Path {
        /// The parameter's name.
        parameter: &'static str,
    },
    /// A query parameter of the status call.
    Query {
        /// The parameter's name.
        parameter: &'static str,
    },
    /// The user name of HTTP Basic.
    BasicUser,
    /// The password of HTTP Basic.
    BasicPassword,
}

impl Placement {
    /// Whether a request's URL holds the credential.
    pub fn in_url(self) -> bool {
        matches!(self, Placement::Path { .. } | Placement::Query { .. })
    }
}

impl AuthInfo {
    /// The credential of key `key`.
    pub fn credential(&self, key: &str) -> Option<&'static CredentialInfo> {
        self.credentials.iter().find(|c| c.key == key)
    }

    /// The credential of placeholder `placeholder`.
    pub fn by_placeholder(&self, placeholder: &str) -> Option<&'static CredentialInfo> {
        self.credentials
            .iter()
            .find(|c| c.placeholder == placeholder)
    }
}

impl ProviderInfo {
    /// Every set of credentials the provider accepts, as keys in the manifest's order: one
    /// per connection-string form, and one more for each optional placeholder left out.
    /// An empty set means a server without a key.
    pub fn credential_sets(&self) -> Vec<Vec<&'static str>> {
        let mut sets: Vec<Vec<&'static str>> = Vec::new();
        for form in self.connection_strings {
            let placeholders: Vec<&str> = form
                .userinfo
                .iter()
                .copied()
                .filter(|p| !self.instance.is_placeholder(p))
                .collect();
            // The optional placeholders are the last ones: each prefix that keeps every
            // required one is a set.
            let required = placeholders
                .iter()
                .take_while(|p| !form.optional.contains(p))
                .count();
            for length in required..=placeholders.len() {
                let mut keys: Vec<&'static str> = placeholders[..length]
                    .iter()
                    .filter_map(|p| self.auth.by_placeholder(p).map(|c| c.key))
                    .collect();
                keys.sort_by_key(|key| self.auth.credentials.iter().position(|c| c.key == *key));
                if !sets.contains(&keys) {
                    sets.push(keys);
                }
            }
        }
        sets
    }

    /// The credential sets in words, for messages: `a token, or an instance token and a
    /// client token`.
    pub fn credential_sets_in_words(&self) -> String {
        let word = |key: &str| {
            let noun = self.auth.credential(key).map_or(key, |c| c.noun);
            let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']) {
                "an"
            } else {
                "a"
            };
            format!("{article} {noun}")
        };
        let sets: Vec<String> = self
            .credential_sets()
            .iter()
            .map(|set| match set.as_slice() {
                [] => "none".to_owned(),
                keys => {
                    let words: Vec<String> = keys.iter().map(|k| word(k)).collect();
                    match words.split_last() {
                        Some((last, [])) => last.clone(),
                        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
                        None => String::new(),
                    }
                }
            })
            .collect();
        sets.join(", or ")
    }
}

/// A documented quota: at most `requests` per `per_seconds`, counted per `per`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct QuotaInfo {
    /// How many requests fit in the window.
    pub requests: u32,
    /// The window, in seconds.
    pub per_seconds: u64,
    /// What the quota is counted per.
    pub per: QuotaScope,
}

/// What a quota is counted per.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum QuotaScope {
    /// Every instance reached with the same credential shares the quota.
    Credential,
    /// Each instance has a quota of its own.
    Instance,
}

/// The status call.
#[derive(Debug)]
#[non_exhaustive]
pub struct StatusInfo {
    /// Its `operationId` in the normalized document.
    pub operation: &'static str,
    /// Its path under the base URL, from the normalized document
    /// (`/{instance}/health`).
    pub path: &'static str,
    /// The query parameters the check always sends, with their values (the normalized
    /// document's `x-wa-status-sends`: a `wakeup=false` that keeps a health call from
    /// launching what it looks at, say).
    pub sends: &'static [(&'static str, &'static str)],
}

/// How the provider's errors read, where it differs from the status model's defaults.
#[derive(Debug)]
#[non_exhaustive]
pub struct ErrorRules {
    /// HTTP statuses and the kind each means for this provider (a 403 for a wrong id may
    /// be `unauthenticated`).
    pub statuses: &'static [(u16, ErrorKind)],
    /// A JSON pointer to the vendor's own error code in an error body.
    pub code: Option<&'static str>,
    /// Vendor error codes and the kind each means; they decide before the HTTP status.
    pub codes: &'static [(i64, ErrorKind)],
    /// A JSON pointer to a boolean that makes an error temporary.
    pub transient: Option<&'static str>,
    /// JSON pointers to the vendor's words in an error body, tried before the usual places
    /// (`message`, `error.message`, `error`, `description`).
    pub messages: &'static [&'static str],
    /// Error answers that are the vendor's way of giving a state (a 400 that says the
    /// instance is starting is `starting`).
    pub states: &'static [ErrorState],
}

/// An error answer that reads as a state: its status, a text its body holds, and the
/// state. The raw value kept is the vendor's words.
#[derive(Debug)]
#[non_exhaustive]
pub struct ErrorState {
    /// The HTTP status.
    pub status: u16,
    /// A text the body holds.
    pub contains: &'static str,
    /// The state it means.
    pub state: wa_model::ConnectionState,
}

/// A provider option: a value the status call needs besides the instance and the
/// credentials, given as `?name=value` in a connection string or `name = ...` in a fleet.
#[derive(Debug)]
#[non_exhaustive]
pub struct OptionInfo {
    /// The option's name in connection strings and fleet files.
    pub name: &'static str,
    /// The status call's path parameter it fills.
    pub parameter: &'static str,
    /// What the option chooses, in a few words.
    pub describe: &'static str,
    /// The environment variable that gives it.
    pub env: &'static str,
    /// Its value when none is given.
    pub default: &'static str,
}

/// How the simulator serves the provider.
#[derive(Debug)]
#[non_exhaustive]
pub struct SimulatorInfo {
    /// The path under which the simulator serves it (what follows the host in the base
    /// URL a client is configured with).
    pub base_path: &'static str,
    /// The instance as written in the recorded bodies; the simulator serves each
    /// instance's own name in its place.
    pub recorded_instance: Option<&'static str>,
}

/// One instance of the demo's sample fleet.
#[derive(Debug)]
#[non_exhaustive]
pub struct DemoInstance {
    /// The instance id the sample serves.
    pub instance: &'static str,
    /// The recorded response it serves.
    pub response: &'static str,
    /// Its credentials, by key.
    pub credentials: &'static [(&'static str, &'static str)],
}

impl Provider {
    /// The wire name: the folder's name under `specs/`.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// The wire names of every provider, as a sentence: `a, b or c`.
    pub fn names_sentence() -> String {
        let names: Vec<&str> = Provider::ALL.iter().map(|p| p.name()).collect();
        match names.split_last() {
            Some((last, [])) => (*last).to_owned(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Provider {
    type Err = UnknownProvider;

    fn from_str(s: &str) -> Result<Self, UnknownProvider> {
        Provider::ALL
            .iter()
            .copied()
            .find(|p| p.name() == s)
            .ok_or_else(|| UnknownProvider {
                name: s.chars().take(64).collect(),
            })
    }
}

/// A name that is no provider's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownProvider {
    /// The name given (at most 64 characters of it).
    pub name: String,
}

impl fmt::Display for UnknownProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown provider `{}`: expected {}",
            self.name,
            Provider::names_sentence()
        )
    }
}

impl std::error::Error for UnknownProvider {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_ones_list_every_provider() {
        for provider in Provider::ALL {
            assert_eq!(provider.name().parse(), Ok(*provider));
            assert_eq!(serde_json::to_value(provider).unwrap(), provider.name());
        }
        let error = "no-such-gateway".parse::<Provider>().unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "unknown provider `no-such-gateway`: expected {}",
                Provider::names_sentence()
            )
        );
        let sentence = Provider::names_sentence();
        for provider in Provider::ALL {
            assert!(sentence.contains(provider.name()), "{sentence}");
        }
    }
}
