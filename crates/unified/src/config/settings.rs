//! The serde form of an [`InstanceConfig`]: one `[[instance]]` table of a fleet file.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::Deserialize;
use wa_client_support::Secret;
use wa_providers::FLEET_KEYS;

use super::{InstanceConfig, Lookup};
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
/// Each credential is given by its key in the provider's manifest (`token`, `api_token`,
/// `instance_token`, ...; `token` also stands for a provider's only credential), directly or
/// as the name of an environment variable (the key with `_env`). The providers' own words
/// are accepted too (`api_url`, `id_instance`, ...): the full list is
/// [`FLEET_KEYS`](wa_providers::FLEET_KEYS), derived from the provider catalog.
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
    credentials: BTreeMap<String, Secret>,
    credentials_env: BTreeMap<String, String>,
    options: BTreeMap<String, String>,
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
    /// A credential, by its key.
    Credential(String),
    /// The variable that holds a credential, by the credential's key.
    CredentialEnv(String),
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
        _ => None,
    };
    if let Some(key) = common(name) {
        return Some(key);
    }
    let credential = |key: &str| {
        let known = key == "token"
            || Provider::ALL
                .iter()
                .any(|p| p.info().auth.credential(key).is_some());
        known.then(|| key.to_owned())
    };
    if let Some(key) = credential(name) {
        return Some(Key::Credential(key));
    }
    if let Some(key) = name.strip_suffix("_env").and_then(credential) {
        return Some(Key::CredentialEnv(key));
    }
    for provider in Provider::ALL {
        let info = provider.info();
        for (alias, meaning) in info.fleet_aliases {
            if *alias == name {
                return common(meaning).or_else(|| Some(Key::Credential((*meaning).to_owned())));
            }
            if name.strip_suffix("_env") == Some(alias) && common(meaning).is_none() {
                return Some(Key::CredentialEnv((*meaning).to_owned()));
            }
        }
        if let Some(option) = info.options.iter().find(|o| o.name == name) {
            return Some(Key::Option(option.name));
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
                Key::Name => {
                    // Prometheus drops a label whose value is empty, and a report's blank
                    // name names nothing.
                    let value: String = map.next_value()?;
                    if value.trim().is_empty() {
                        return Err(de::Error::custom(
                            "`name` is blank: give a name, or leave `name` out to use the instance id",
                        ));
                    }
                    set(&mut settings.name, value, &name)?
                }
                Key::Provider => set(&mut settings.provider, map.next_value()?, &name)?,
                Key::BaseUrl => set(&mut settings.base_url, map.next_value()?, &name)?,
                Key::Instance => set(&mut settings.instance, map.next_value()?, &name)?,
                Key::Credential(key) => {
                    let value: Secret = map.next_value()?;
                    if settings.credentials.insert(key, value).is_some() {
                        return Err(de::Error::custom(format!(
                            "`{name}` sets a setting that another key already set"
                        )));
                    }
                }
                Key::CredentialEnv(key) => {
                    let value: String = map.next_value()?;
                    if settings.credentials_env.insert(key, value).is_some() {
                        return Err(de::Error::custom(format!(
                            "`{name}` sets a setting that another key already set"
                        )));
                    }
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
            .field("credentials", &self.credentials.keys().collect::<Vec<_>>())
            .field("credentials_env", &self.credentials_env)
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
                // Set but empty is a different mistake (an unexported or blank secret).
                Some(_) => Err(Error::invalid_config(
                    Some(provider),
                    format!(
                        "the environment variable `{variable}` (from `{field}_env`) is set but empty"
                    ),
                )),
                None => Err(Error::invalid_config(
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
        let mut builder = InstanceConfig::builder(provider);
        if let Some(url) = self.base_url {
            builder = builder.with_base_url(url);
        }
        if let Some(instance) = self.instance {
            builder = builder.with_instance(instance.0);
        }
        let mut direct = self.credentials;
        let mut variables = self.credentials_env;
        let keys: std::collections::BTreeSet<String> =
            direct.keys().chain(variables.keys()).cloned().collect();
        for key in keys {
            let value = Self::credential(
                provider,
                direct.remove(&key),
                variables.remove(&key),
                &key,
                lookup,
            )?;
            if let Some(value) = value {
                builder = builder.with_credential(&key, value);
            }
        }
        for (name, value) in self.options {
            builder = builder.with_option(name, value);
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
