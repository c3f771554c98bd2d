//! The serde form of an [`InstanceConfig`]: one `[[instance]]` table of a fleet file.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::Deserialize;
use wa_client_support::Secret;
use wa_providers::{AuthStyle, FLEET_KEYS};

use super::{pair_words, InstanceConfig, Lookup};
use crate::error::Error;
use crate::Provider;

/// The serde form of an [`InstanceConfig`], e.g. one `[[instance]]` table of a TOML fleet:
///
/// ```toml
/// [[instance]]
/// name = "store-front"       # optional, for people
/// provider = "..."           # a provider's wire name
/// base_url = "https://..."   # optional where the provider has a production URL
/// instance = "..."           # the instance as the provider names it; may be an integer
/// token_env = "MY_TOKEN"     # or token = "..."
/// ```
///
/// Each credential may be given directly or as the name of an environment variable
/// (`token_env`, and for a provider that takes a header pair, its keys with `_env`). The
/// providers' own words are accepted too (`api_url`, `id_instance`, `api_token`, ...):
/// the full list is [`FLEET_KEYS`](wa_providers::FLEET_KEYS), derived from
/// the provider catalog.
#[derive(Clone, Default)]
pub struct InstanceSettings {
    /// For people: the name reports and metrics show.
    pub name: Option<String>,
    /// The provider (`provider = "..."`).
    pub provider: Option<Provider>,
    /// The base URL; the provider's default when absent.
    pub base_url: Option<String>,
    /// The instance, as the provider names it.
    pub instance: Option<InstanceId>,
    token: Option<Secret>,
    token_env: Option<String>,
    pair: [Option<Secret>; 2],
    pair_env: [Option<String>; 2],
    options: std::collections::BTreeMap<String, String>,
}

/// An instance name or number: TOML may give a numeric instance as an integer.
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

/// What a fleet-file key sets.
enum Key {
    Name,
    Provider,
    BaseUrl,
    Instance,
    Token,
    TokenEnv,
    Pair(usize),
    PairEnv(usize),
    /// A provider option, by name.
    Option(&'static str),
}

/// The setting a key stands for, aliases included.
fn key(name: &str) -> Option<Key> {
    let common = |name: &str| match name {
        "name" => Some(Key::Name),
        "provider" => Some(Key::Provider),
        "base_url" => Some(Key::BaseUrl),
        "instance" => Some(Key::Instance),
        "token" => Some(Key::Token),
        "token_env" => Some(Key::TokenEnv),
        _ => None,
    };
    if let Some(key) = common(name) {
        return Some(key);
    }
    for provider in Provider::ALL {
        let info = provider.info();
        for (alias, meaning) in info.fleet_aliases {
            if *alias == name {
                return common(meaning);
            }
            if *meaning == "token" && name.strip_suffix("_env") == Some(alias) {
                return Some(Key::TokenEnv);
            }
        }
        if let Some(option) = info.options.iter().find(|o| o.name == name) {
            return Some(Key::Option(option.name));
        }
        if let Some(keys) = info.auth.style.pair_keys() {
            for (index, key) in keys.iter().enumerate() {
                if name == key {
                    return Some(Key::Pair(index));
                }
                if name.strip_suffix("_env") == Some(key.as_str()) {
                    return Some(Key::PairEnv(index));
                }
            }
        }
    }
    None
}

/// A fleet-file key, read as serde reads a field name, so that an unknown one is reported
/// at its own line and column.
struct NamedKey {
    key: Key,
    name: String,
}

impl<'de> Deserialize<'de> for NamedKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = NamedKey;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a fleet-file key")
            }

            fn visit_str<E: de::Error>(self, name: &str) -> Result<NamedKey, E> {
                match key(name) {
                    Some(key) => Ok(NamedKey {
                        key,
                        name: name.to_owned(),
                    }),
                    None => Err(E::unknown_field(name, FLEET_KEYS)),
                }
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

impl<'de> Deserialize<'de> for InstanceSettings {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(SettingsVisitor)
    }
}

struct SettingsVisitor;

impl<'de> Visitor<'de> for SettingsVisitor {
    type Value = InstanceSettings;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an instance's settings")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<InstanceSettings, A::Error> {
        let mut settings = InstanceSettings::default();
        while let Some(NamedKey { key, name }) = map.next_key()? {
            fn set<T, E: de::Error>(slot: &mut Option<T>, value: T, name: &str) -> Result<(), E> {
                if slot.is_some() {
                    return Err(E::custom(format!(
                        "`{name}` sets a setting that another key already set"
                    )));
                }
                *slot = Some(value);
                Ok(())
            }
            match key {
                Key::Name => set(&mut settings.name, map.next_value()?, &name)?,
                Key::Provider => set(&mut settings.provider, map.next_value()?, &name)?,
                Key::BaseUrl => set(&mut settings.base_url, map.next_value()?, &name)?,
                Key::Instance => set(&mut settings.instance, map.next_value()?, &name)?,
                Key::Token => set(&mut settings.token, map.next_value()?, &name)?,
                Key::TokenEnv => set(&mut settings.token_env, map.next_value()?, &name)?,
                Key::Pair(index) => set(&mut settings.pair[index], map.next_value()?, &name)?,
                Key::PairEnv(index) => {
                    set(&mut settings.pair_env[index], map.next_value()?, &name)?
                }
                Key::Option(option) => {
                    let value: String = map.next_value()?;
                    if settings.options.insert(option.to_owned(), value).is_some() {
                        return Err(de::Error::custom(format!("`{name}` is given twice")));
                    }
                }
            }
        }
        if settings.provider.is_none() {
            return Err(de::Error::missing_field("provider"));
        }
        if settings.instance.is_none() {
            return Err(de::Error::missing_field("instance"));
        }
        Ok(settings)
    }
}

impl fmt::Debug for InstanceSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InstanceSettings")
            .field("name", &self.name)
            .field("provider", &self.provider)
            .field("base_url", &self.base_url)
            .field("instance", &self.instance)
            .field("token", &self.token)
            .field("token_env", &self.token_env)
            .field("pair", &self.pair)
            .field("pair_env", &self.pair_env)
            .field("options", &self.options)
            .finish()
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

    pub(super) fn resolve(self, lookup: Lookup<'_>) -> Result<InstanceConfig, Error> {
        let provider = self
            .provider
            .ok_or_else(|| Error::invalid_config(None, "the provider is missing"))?;
        let style = provider.info().auth.style;
        let token = Self::credential(provider, self.token, self.token_env, "token", lookup)?;
        let [first, second] = self.pair;
        let [first_env, second_env] = self.pair_env;
        let keys = style
            .pair_keys()
            .unwrap_or_else(|| ["first".into(), "second".into()]);
        let first = Self::credential(provider, first, first_env, &keys[0], lookup)?;
        let second = Self::credential(provider, second, second_env, &keys[1], lookup)?;
        let mut builder = InstanceConfig::builder(provider);
        if let Some(url) = self.base_url {
            builder = builder.with_base_url(url);
        }
        if let Some(instance) = self.instance {
            builder = builder.with_instance(instance.0);
        }
        if let Some(token) = token {
            builder = builder.with_token(token);
        }
        for (name, value) in self.options {
            builder = builder.with_option(name, value);
        }
        match (first, second) {
            (Some(first), Some(second)) => builder = builder.with_token_pair(first, second),
            (None, None) => {}
            _ if matches!(style, AuthStyle::BearerOrHeaderPair { .. }) => {
                return Err(Error::invalid_config(
                    Some(provider),
                    format!("{} go together: one of them is missing", pair_words(style)),
                ))
            }
            _ => {
                return Err(Error::invalid_config(
                    Some(provider),
                    format!("{provider} takes no pair of header credentials"),
                ))
            }
        }
        builder.build()
    }
}

/// Reads the serde form, taking `*_env` credentials from the process environment.
impl<'de> Deserialize<'de> for InstanceConfig {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let settings = InstanceSettings::deserialize(deserializer)?;
        settings
            .resolve(&|name| std::env::var(name).ok())
            .map_err(de::Error::custom)
    }
}
