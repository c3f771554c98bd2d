//! Configuration: one config type for every provider ([`InstanceConfig`]), built from a
//! connection string, the environment, a fleet file's serde form, or a builder. What each
//! provider takes (its auth style, default base URL, instance format, variable names,
//! connection-string forms) comes from the provider catalog, not from code here.

mod connection_string;
mod settings;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use wa_client_support::{Credentials, Secret, Target};

pub use settings::{InstanceId, InstanceSettings};

use crate::error::Error;
use crate::Provider;

/// Reads an environment variable by name (a seam, so that tests need not touch the process
/// environment).
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// One instance at any provider: where it is, which it is, and its credentials.
///
/// `Display` is its connection string with every credential as `***`; `Debug` shows no
/// credential either.
#[derive(Clone)]
pub struct InstanceConfig {
    provider: Provider,
    target: Target,
}

impl InstanceConfig {
    /// A builder for an instance of `provider`.
    pub fn builder(provider: Provider) -> InstanceConfigBuilder {
        InstanceConfigBuilder {
            provider,
            base_url: None,
            instance: None,
            credentials: BTreeMap::new(),
            options: BTreeMap::new(),
        }
    }

    /// Reads the provider's documented environment variables (see the crate docs'
    /// "Environment variables" table).
    pub fn from_env(provider: Provider) -> Result<InstanceConfig, Error> {
        Self::from_lookup(provider, &|name| std::env::var(name).ok())
    }

    /// As [`InstanceConfig::from_env`], reading variables through `lookup`.
    pub fn from_lookup(provider: Provider, lookup: Lookup<'_>) -> Result<InstanceConfig, Error> {
        let info = provider.info();
        let mut builder = InstanceConfig::builder(provider);
        builder.base_url = lookup(info.base_url.env);
        builder.instance = info.instance.env.and_then(lookup);
        for credential in info.auth.credentials {
            if let Some(value) = lookup(credential.env).filter(|v| !v.is_empty()) {
                builder
                    .credentials
                    .insert(credential.key.to_owned(), Secret::from(value));
            }
        }
        for option in info.options {
            if let Some(value) = lookup(option.env) {
                builder.options.insert(option.name.to_owned(), value);
            }
        }
        builder.build()
    }

    /// Builds a config from its serde form, reading `*_env` credentials through `lookup`.
    pub fn from_settings(settings: InstanceSettings, lookup: Lookup<'_>) -> Result<Self, Error> {
        settings.resolve(lookup)
    }

    /// The provider.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// The checked base URL, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.target.base_url
    }

    /// The instance as the provider names it (a key, a UUID, a number, ...). Where the
    /// provider knows the instance by a credential alone (the catalog's
    /// `instance.named_by`), the call names no instance and this is a label: the one given,
    /// or else the server's host.
    pub fn instance(&self) -> &str {
        &self.target.instance
    }

    /// The credentials (secret: never shown by `Display` or `Debug`).
    pub fn credentials(&self) -> &Credentials {
        &self.target.credentials
    }

    /// A provider option's value (its default when none was given).
    pub fn option(&self, name: &str) -> Option<&str> {
        self.target.option(name)
    }

    /// Every credential, for masking them in body excerpts and for tests that check none
    /// is ever printed.
    pub fn secrets(&self) -> Vec<&str> {
        self.target.credentials.secrets()
    }

    /// What the provider's client needs to reach the instance.
    pub(crate) fn target(&self) -> &Target {
        &self.target
    }
}

/// Builds an [`InstanceConfig`]: what the provider has no default for is required.
#[derive(Clone, Debug)]
pub struct InstanceConfigBuilder {
    provider: Provider,
    base_url: Option<String>,
    instance: Option<String>,
    credentials: BTreeMap<String, Secret>,
    options: BTreeMap<String, String>,
}

impl InstanceConfigBuilder {
    /// The API's base URL; defaults to the provider's production URL where it has one.
    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// The instance as the provider names it; a label of your choosing where the provider
    /// knows the instance by a credential (see [`InstanceConfig::instance`]).
    pub fn with_instance(mut self, instance: impl ToString) -> Self {
        self.instance = Some(instance.to_string());
        self
    }

    /// A credential, by its key in the provider's manifest (`token`, `api_token`,
    /// `instance_token`, ...; the crate docs' "Credentials" table lists them).
    pub fn with_credential(mut self, key: &str, secret: impl Into<Secret>) -> Self {
        self.credentials.insert(key.to_owned(), secret.into());
        self
    }

    /// The credential `token`: the provider's credential of that key, or its only one
    /// (an API key, a token sent in the path).
    pub fn with_token(self, token: impl Into<Secret>) -> Self {
        self.with_credential("token", token)
    }

    /// A provider option (see the crate docs' options table); those not given take their
    /// default.
    pub fn with_option(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.insert(name.into(), value.into());
        self
    }

    /// The configuration, or an `invalid_config` error that says what is missing or wrong.
    pub fn build(self) -> Result<InstanceConfig, Error> {
        let provider = self.provider;
        let info = provider.info();
        let fail = |message: String| Error::invalid_config(Some(provider), message);
        let base_url = self
            .base_url
            .or_else(|| info.base_url.default.map(str::to_owned))
            .ok_or_else(|| fail(format!("the {} is missing", info.base_url.noun)))?;
        let base_url = wa_client_support::base_url(&base_url).map_err(|e| fail(e.to_string()))?;
        let instance = match (self.instance, info.instance.named_by) {
            (Some(instance), _) => instance,
            // The vendor knows the instance by a credential, which is never shown: the
            // instance is then the server's host, a label a fleet file may replace.
            (None, Some(_)) => host_of(&base_url).to_owned(),
            (None, None) => return Err(fail(format!("the {} is missing", info.instance.noun))),
        };
        if let Some(digits) = info.instance.digits {
            let trimmed = instance.trim();
            let valid = !trimmed.is_empty()
                && trimmed.len() <= usize::from(digits)
                && trimmed.bytes().all(|b| b.is_ascii_digit());
            if !valid {
                // The value is not quoted: a token written where the id goes must not be
                // printed.
                return Err(fail(format!(
                    "the {} is not a number of up to {digits} digits (it has {} characters)",
                    info.instance.noun,
                    trimmed.chars().count()
                )));
            }
        }
        if instance.trim().is_empty() {
            return Err(fail(format!("the {} is empty", info.instance.noun)));
        }
        let instance = instance.trim().to_owned();
        let credentials = credentials(provider, self.credentials)?;
        let mut options = self.options;
        if let Some(name) = options
            .keys()
            .find(|name| !info.options.iter().any(|o| o.name == name.as_str()))
        {
            let known: Vec<&str> = info.options.iter().map(|o| o.name).collect();
            let known = match known.is_empty() {
                true => "none".to_owned(),
                false => known.join(", "),
            };
            return Err(fail(format!(
                "`{name}` is not an option of {provider} (its options: {known})"
            )));
        }
        for option in info.options {
            let value = options
                .entry(option.name.to_owned())
                .or_insert_with(|| option.default.to_owned());
            if value.trim().is_empty() {
                return Err(fail(format!("the option `{}` is empty", option.name)));
            }
        }
        Ok(InstanceConfig {
            provider,
            target: Target {
                base_url,
                instance,
                credentials,
                options,
            },
        })
    }
}

/// The host (and port) of a checked base URL.
pub(crate) fn host_of(base_url: &str) -> &str {
    let rest = base_url
        .split_once("://")
        .map_or(base_url, |(_, rest)| rest);
    rest.split('/').next().unwrap_or(rest)
}

/// The credentials given, checked against the sets the provider takes (its
/// connection-string forms): each key is one of its credentials, `token` stands for its
/// only credential, and together they are one of its sets.
fn credentials(provider: Provider, given: BTreeMap<String, Secret>) -> Result<Credentials, Error> {
    let info = provider.info();
    let fail = |message: String| Error::invalid_config(Some(provider), message);
    let mut credentials = Credentials::none();
    for (key, secret) in given {
        let key = match (
            info.auth.credential(&key),
            key.as_str(),
            info.auth.credentials,
        ) {
            (Some(credential), _, _) => credential.key,
            (None, "token", [only]) => only.key,
            (None, _, []) => {
                return Err(fail(format!(
                    "{provider} takes no credentials, and `{key}` was given"
                )))
            }
            (None, _, all) => {
                let keys: Vec<&str> = all.iter().map(|c| c.key).collect();
                return Err(fail(format!(
                    "`{key}` is not a credential of {provider} (its credentials: {})",
                    keys.join(", ")
                )));
            }
        };
        if credentials.get(key).is_some() {
            return Err(fail(format!("the credential `{key}` is given twice")));
        }
        credentials.set(key.to_owned(), secret);
    }
    let mut keys: Vec<&str> = credentials.keys().collect();
    keys.sort_by_key(|key| info.auth.credentials.iter().position(|c| c.key == *key));
    let sets = info.credential_sets();
    if sets.contains(&keys) {
        return Ok(credentials);
    }
    let expected = info.credential_sets_in_words();
    Err(fail(match keys.as_slice() {
        [] => format!("the credentials are missing: give {expected}"),
        given => {
            let words: Vec<&str> = given
                .iter()
                .filter_map(|key| info.auth.credential(key).map(|c| c.noun))
                .collect();
            format!("give {expected}, not {}", words.join(" and "))
        }
    }))
}

/// Parses a connection string: `PROVIDER[+http]://CREDENTIALS@HOST[/BASE][/INSTANCE]`, in
/// the provider's forms (see the crate docs' "Connection strings" table). `https` by
/// default; `+http` after the scheme for plain HTTP. Credentials are percent-decoded (write
/// `/` as `%2F`, `@` as `%40`, `:` as `%3A`).
impl FromStr for InstanceConfig {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        connection_string::parse(text)
    }
}

/// The connection string, with every credential as `***`.
impl fmt::Display for InstanceConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&connection_string::render(self))
    }
}

impl fmt::Debug for InstanceConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InstanceConfig")
            .field("provider", &self.provider)
            .field("base_url", &self.target.base_url)
            .field("instance", &self.target.instance)
            .field("credentials", &self.target.credentials)
            .field("options", &self.target.options)
            .finish()
    }
}

#[cfg(test)]
mod tests;
