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

/// How a provider names the instance whose status is asked.
#[derive(Debug)]
#[non_exhaustive]
pub struct InstanceInfo {
    /// Its placeholder in the connection strings (`INSTANCE_KEY`).
    pub placeholder: &'static str,
    /// What the vendor calls it (`instance key`, `idInstance`).
    pub noun: &'static str,
    /// The status call's parameter that carries it.
    pub parameter: &'static str,
    /// When set, the instance is a number of at most this many digits.
    pub digits: Option<u8>,
    /// The environment variable that gives it.
    pub env: &'static str,
}

/// How a provider authenticates the status call.
#[derive(Debug)]
#[non_exhaustive]
pub struct AuthInfo {
    /// The style of the credentials.
    pub style: AuthStyle,
    /// What the vendor calls the single credential (`token`, `apiTokenInstance`).
    pub noun: &'static str,
    /// The environment variable that gives the single credential.
    pub env: &'static str,
}

/// The ways of authenticating that `wa-client-support` implements once each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthStyle {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// A bearer token, or a pair of secret headers instead.
    BearerOrHeaderPair {
        /// The two header names of the pair, in order.
        headers: [&'static str; 2],
        /// The environment variables of the pair.
        pair_env: [&'static str; 2],
    },
    /// One secret header; `optional` when a server may run without a key.
    ApiKeyHeader {
        /// The header name.
        header: &'static str,
        /// Whether a server may run without a key.
        optional: bool,
    },
    /// The token travels in the URL path, as the status call's parameter `parameter`.
    PathToken {
        /// The name of the path parameter that carries the token.
        parameter: &'static str,
    },
}

impl AuthStyle {
    /// The header pair of this style, if it has one.
    pub fn header_pair(self) -> Option<[&'static str; 2]> {
        match self {
            AuthStyle::BearerOrHeaderPair { headers, .. } => Some(headers),
            _ => None,
        }
    }

    /// The fleet-file keys of the header pair: each header's name without `X-`, in snake
    /// case (`X-Instance-Token` gives `instance_token`).
    pub fn pair_keys(self) -> Option<[String; 2]> {
        self.header_pair().map(|headers| headers.map(pair_key))
    }

    /// Whether a server may accept requests without any credential.
    pub fn credentials_optional(self) -> bool {
        matches!(self, AuthStyle::ApiKeyHeader { optional: true, .. })
    }
}

/// `X-Instance-Token` → `instance_token`.
fn pair_key(header: &str) -> String {
    let name = header
        .strip_prefix("X-")
        .or_else(|| header.strip_prefix("x-"))
        .unwrap_or(header);
    name.to_ascii_lowercase().replace('-', "_")
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
    /// The single credential, for the styles that have one.
    pub token: Option<&'static str>,
    /// The header pair, for the styles that have one.
    pub token_pair: Option<[&'static str; 2]>,
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
    fn pair_keys_come_from_the_header_names() {
        assert_eq!(pair_key("X-Instance-Token"), "instance_token");
        assert_eq!(pair_key("x-client-token"), "client_token");
        assert_eq!(pair_key("Api-Key"), "api_key");
    }

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
