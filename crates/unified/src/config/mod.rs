//! Configuration: one config type per provider (builder, environment, connection string),
//! and [`InstanceConfig`], any one of them, with a serde form for fleet files.

mod connection_string;
mod green_api;
mod hypersender;
mod megaapi;
mod vzaps;

use std::fmt;
use std::str::FromStr;

use serde::Deserialize;
use wa_client_support::Secret;

pub use green_api::{GreenApiConfig, GreenApiConfigBuilder};
pub use hypersender::{HypersenderConfig, HypersenderConfigBuilder, HYPERSENDER_BASE_URL};
pub use megaapi::{MegaApiConfig, MegaApiConfigBuilder};
pub use vzaps::{VzapsAuth, VzapsConfig, VzapsConfigBuilder, VZAPS_BASE_URL};

use crate::error::Error;
use crate::model::Provider;

/// Reads an environment variable by name (a seam, so that tests need not touch the process
/// environment).
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

fn required<T>(provider: Provider, value: Option<T>, what: &str) -> Result<T, Error> {
    value.ok_or_else(|| Error::invalid_config(Some(provider), format!("the {what} is missing")))
}

fn checked_base_url(provider: Provider, raw: &str) -> Result<String, Error> {
    wa_client_support::base_url(raw)
        .map_err(|e| Error::invalid_config(Some(provider), e.to_string()))
}

/// One instance at any provider.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum InstanceConfig {
    MegaApi(MegaApiConfig),
    Vzaps(VzapsConfig),
    Hypersender(HypersenderConfig),
    GreenApi(GreenApiConfig),
}

impl InstanceConfig {
    pub fn provider(&self) -> Provider {
        match self {
            InstanceConfig::MegaApi(_) => Provider::MegaApi,
            InstanceConfig::Vzaps(_) => Provider::Vzaps,
            InstanceConfig::Hypersender(_) => Provider::Hypersender,
            InstanceConfig::GreenApi(_) => Provider::GreenApi,
        }
    }

    /// The instance as the provider names it (MegaAPI's key, VZaps' id, Hypersender's
    /// UUID, Green API's `idInstance`).
    pub fn instance(&self) -> String {
        match self {
            InstanceConfig::MegaApi(c) => c.instance_key.clone(),
            InstanceConfig::Vzaps(c) => c.instance_id.clone(),
            InstanceConfig::Hypersender(c) => c.instance.clone(),
            InstanceConfig::GreenApi(c) => c.id_instance.to_string(),
        }
    }

    /// Every credential, for masking them in body excerpts and for tests that check none
    /// is ever printed.
    pub fn secrets(&self) -> Vec<&str> {
        match self {
            InstanceConfig::MegaApi(c) => vec![c.token.expose()],
            InstanceConfig::Vzaps(c) => match &c.auth {
                VzapsAuth::Bearer(token) => vec![token.expose()],
                VzapsAuth::TokenPair {
                    instance_token,
                    client_token,
                } => vec![instance_token.expose(), client_token.expose()],
            },
            InstanceConfig::Hypersender(c) => vec![c.token.expose()],
            InstanceConfig::GreenApi(c) => vec![c.api_token.expose()],
        }
    }

    /// Builds a config from its serde form, reading `*_env` credentials through `lookup`.
    pub fn from_settings(settings: InstanceSettings, lookup: Lookup<'_>) -> Result<Self, Error> {
        settings.resolve(lookup)
    }
}

/// Parses a connection string:
///
/// | provider | form |
/// | --- | --- |
/// | MegaAPI | `megaapi://TOKEN@HOST[/BASE]/INSTANCE_KEY` |
/// | VZaps | `vzaps://TOKEN@HOST[/BASE]/ID` or `vzaps://INSTANCE_TOKEN:CLIENT_TOKEN@HOST[/BASE]/ID` |
/// | Hypersender | `hypersender://TOKEN@HOST[/BASE]/INSTANCE` |
/// | Green API | `green-api://ID_INSTANCE:API_TOKEN@HOST[/BASE]` |
///
/// `https` by default; `+http` after the scheme (`green-api+http://...`) for plain HTTP.
/// Credentials are percent-decoded (write `/` as `%2F`, `@` as `%40`, `:` as `%3A`).
impl FromStr for InstanceConfig {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        let parts = connection_string::parse(text)?;
        let shown = connection_string::redacted(text.trim());
        Ok(match parts.provider {
            Provider::MegaApi => {
                InstanceConfig::MegaApi(MegaApiConfig::from_parts(&parts, &shown)?)
            }
            Provider::Vzaps => InstanceConfig::Vzaps(VzapsConfig::from_parts(&parts, &shown)?),
            Provider::Hypersender => {
                InstanceConfig::Hypersender(HypersenderConfig::from_parts(&parts, &shown)?)
            }
            Provider::GreenApi => {
                InstanceConfig::GreenApi(GreenApiConfig::from_parts(&parts, &shown)?)
            }
        })
    }
}

/// The connection string with credentials as `***`.
impl fmt::Display for InstanceConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceConfig::MegaApi(c) => c.fmt(f),
            InstanceConfig::Vzaps(c) => c.fmt(f),
            InstanceConfig::Hypersender(c) => c.fmt(f),
            InstanceConfig::GreenApi(c) => c.fmt(f),
        }
    }
}

impl From<MegaApiConfig> for InstanceConfig {
    fn from(config: MegaApiConfig) -> Self {
        InstanceConfig::MegaApi(config)
    }
}

impl From<VzapsConfig> for InstanceConfig {
    fn from(config: VzapsConfig) -> Self {
        InstanceConfig::Vzaps(config)
    }
}

impl From<HypersenderConfig> for InstanceConfig {
    fn from(config: HypersenderConfig) -> Self {
        InstanceConfig::Hypersender(config)
    }
}

impl From<GreenApiConfig> for InstanceConfig {
    fn from(config: GreenApiConfig) -> Self {
        InstanceConfig::GreenApi(config)
    }
}

/// The serde form of an [`InstanceConfig`], e.g. one `[[instance]]` table of a TOML fleet:
///
/// ```toml
/// [[instance]]
/// name = "store-front"                  # optional, for people
/// provider = "hypersender"              # megaapi | vzaps | hypersender | green-api
/// instance = "fa3d01c4-1234-4c0d-a12f-df319b612f8c"
/// token_env = "HYPERSENDER_TOKEN"       # or token = "..."
///
/// [[instance]]
/// provider = "green-api"
/// base_url = "https://1101.api.green-api.com"   # or api_url
/// instance = "1101000001"                       # or id_instance = 1101000001
/// token_env = "GREEN_API_TOKEN"                 # or token / api_token / api_token_env
/// ```
///
/// Each credential may be given directly or as the name of an environment variable
/// (`token_env`, `instance_token_env`, `client_token_env`). VZaps takes `token`, or
/// `instance_token` with `client_token`. `base_url` may be left out for VZaps and
/// Hypersender (their production URLs).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceSettings {
    #[serde(default)]
    pub name: Option<String>,
    pub provider: Provider,
    #[serde(default, alias = "api_url")]
    pub base_url: Option<String>,
    #[serde(alias = "id_instance", alias = "instance_key", alias = "instance_id")]
    pub instance: InstanceId,
    #[serde(default, alias = "api_token")]
    token: Option<Secret>,
    #[serde(default, alias = "api_token_env")]
    token_env: Option<String>,
    #[serde(default)]
    instance_token: Option<Secret>,
    #[serde(default)]
    instance_token_env: Option<String>,
    #[serde(default)]
    client_token: Option<Secret>,
    #[serde(default)]
    client_token_env: Option<String>,
}

impl fmt::Debug for InstanceSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InstanceSettings")
            .field("name", &self.name)
            .field("provider", &self.provider)
            .field("base_url", &self.base_url)
            .field("instance", &self.instance.0)
            .field("token", &self.token)
            .field("token_env", &self.token_env)
            .field("instance_token", &self.instance_token)
            .field("instance_token_env", &self.instance_token_env)
            .field("client_token", &self.client_token)
            .field("client_token_env", &self.client_token_env)
            .finish()
    }
}

/// An instance name or number: TOML may give Green API's `idInstance` as an integer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceId(pub String);

impl<'de> Deserialize<'de> for InstanceId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Text(String),
            Number(u64),
        }
        match Either::deserialize(deserializer)? {
            Either::Text(text) => Ok(InstanceId(text)),
            Either::Number(number) => Ok(InstanceId(number.to_string())),
        }
    }
}

impl InstanceSettings {
    /// One credential, given directly or through an environment variable.
    fn credential(
        provider: Provider,
        direct: Option<Secret>,
        variable: Option<String>,
        field: &str,
        lookup: Lookup<'_>,
    ) -> Result<Option<Secret>, Error> {
        match (direct, variable) {
            (Some(_), Some(_)) => Err(Error::invalid_config(
                Some(provider),
                format!("give `{field}` or `{field}_env`, not both"),
            )),
            (Some(secret), None) => Ok(Some(secret)),
            (None, Some(variable)) => match lookup(&variable) {
                Some(value) if !value.is_empty() => Ok(Some(Secret::from(value))),
                _ => Err(Error::invalid_config(
                    Some(provider),
                    format!(
                        "the environment variable `{variable}` (from `{field}_env`) is not set"
                    ),
                )),
            },
            (None, None) => Ok(None),
        }
    }

    fn resolve(self, lookup: Lookup<'_>) -> Result<InstanceConfig, Error> {
        let provider = self.provider;
        let token = Self::credential(provider, self.token, self.token_env, "token", lookup)?;
        let instance_token = Self::credential(
            provider,
            self.instance_token,
            self.instance_token_env,
            "instance_token",
            lookup,
        )?;
        let client_token = Self::credential(
            provider,
            self.client_token,
            self.client_token_env,
            "client_token",
            lookup,
        )?;
        if provider != Provider::Vzaps && (instance_token.is_some() || client_token.is_some()) {
            return Err(Error::invalid_config(
                Some(provider),
                "`instance_token` and `client_token` are VZaps credentials",
            ));
        }
        let instance = self.instance.0;
        Ok(match provider {
            Provider::MegaApi => {
                let mut builder = MegaApiConfig::builder().with_instance_key(instance);
                if let Some(url) = self.base_url {
                    builder = builder.with_base_url(url);
                }
                if let Some(token) = token {
                    builder = builder.with_token(token);
                }
                InstanceConfig::MegaApi(builder.build()?)
            }
            Provider::Vzaps => {
                let mut builder = VzapsConfig::builder().with_instance_id(instance);
                if let Some(url) = self.base_url {
                    builder = builder.with_base_url(url);
                }
                if let Some(token) = token {
                    builder = builder.with_token(token);
                }
                match (instance_token, client_token) {
                    (Some(i), Some(c)) => builder = builder.with_token_pair(i, c),
                    (None, None) => {}
                    _ => return Err(Error::invalid_config(
                        Some(provider),
                        "an instance token and a client token go together: one of them is missing",
                    )),
                }
                InstanceConfig::Vzaps(builder.build()?)
            }
            Provider::Hypersender => {
                let mut builder = HypersenderConfig::builder().with_instance(instance);
                if let Some(url) = self.base_url {
                    builder = builder.with_base_url(url);
                }
                if let Some(token) = token {
                    builder = builder.with_token(token);
                }
                InstanceConfig::Hypersender(builder.build()?)
            }
            Provider::GreenApi => {
                let mut builder = GreenApiConfig::builder().with_id_instance(instance);
                if let Some(url) = self.base_url {
                    builder = builder.with_api_url(url);
                }
                if let Some(token) = token {
                    builder = builder.with_api_token(token);
                }
                InstanceConfig::GreenApi(builder.build()?)
            }
        })
    }
}

/// Reads the serde form, taking `*_env` credentials from the process environment.
impl<'de> Deserialize<'de> for InstanceConfig {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let settings = InstanceSettings::deserialize(deserializer)?;
        settings
            .resolve(&|name| std::env::var(name).ok())
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
