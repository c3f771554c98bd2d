use std::fmt;

use wa_client_support::Secret;

use super::connection_string::{self, Parts};
use super::{checked_base_url, required, Lookup};
use crate::error::Error;
use crate::model::Provider;

/// Where and how to reach one MegaAPI instance.
///
/// Environment ([`MegaApiConfig::from_env`]): `WA_MEGAAPI_BASE_URL` (the host assigned to the
/// account, e.g. `https://api2.megaapi.com.br`), `WA_MEGAAPI_TOKEN`,
/// `WA_MEGAAPI_INSTANCE_KEY`.
#[derive(Clone)]
pub struct MegaApiConfig {
    pub(crate) base_url: String,
    pub(crate) token: Secret,
    pub(crate) instance_key: String,
}

/// Builds a [`MegaApiConfig`].
#[derive(Clone, Debug, Default)]
pub struct MegaApiConfigBuilder {
    base_url: Option<String>,
    token: Option<Secret>,
    instance_key: Option<String>,
}

impl MegaApiConfigBuilder {
    /// The host assigned to the account; MegaAPI has no single public one.
    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    pub fn with_token(mut self, token: impl Into<Secret>) -> Self {
        self.token = Some(token.into());
        self
    }

    pub fn with_instance_key(mut self, instance_key: impl Into<String>) -> Self {
        self.instance_key = Some(instance_key.into());
        self
    }

    pub fn build(self) -> Result<MegaApiConfig, Error> {
        const P: Provider = Provider::MegaApi;
        Ok(MegaApiConfig {
            base_url: checked_base_url(P, &required(P, self.base_url, "base URL")?)?,
            token: required(P, self.token, "token")?,
            instance_key: required(P, self.instance_key, "instance key")?,
        })
    }
}

impl MegaApiConfig {
    pub fn builder() -> MegaApiConfigBuilder {
        MegaApiConfigBuilder::default()
    }

    /// Reads `WA_MEGAAPI_BASE_URL`, `WA_MEGAAPI_TOKEN` and `WA_MEGAAPI_INSTANCE_KEY`.
    pub fn from_env() -> Result<MegaApiConfig, Error> {
        Self::from_lookup(&|name| std::env::var(name).ok())
    }

    /// As [`MegaApiConfig::from_env`], reading variables through `lookup`.
    pub fn from_lookup(lookup: Lookup<'_>) -> Result<MegaApiConfig, Error> {
        let mut builder = MegaApiConfig::builder();
        builder.base_url = lookup("WA_MEGAAPI_BASE_URL");
        builder.token = lookup("WA_MEGAAPI_TOKEN").map(Secret::from);
        builder.instance_key = lookup("WA_MEGAAPI_INSTANCE_KEY");
        builder.build()
    }

    pub(crate) fn from_parts(parts: &Parts, shown: &str) -> Result<MegaApiConfig, Error> {
        let (base_url, instance_key) = connection_string::base_and_instance(parts, shown)?;
        MegaApiConfig::builder()
            .with_base_url(base_url)
            .with_token(parts.credential())
            .with_instance_key(instance_key)
            .build()
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn instance_key(&self) -> &str {
        &self.instance_key
    }
}

impl fmt::Debug for MegaApiConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MegaApiConfig")
            .field("base_url", &self.base_url)
            .field("token", &"***")
            .field("instance_key", &self.instance_key)
            .finish()
    }
}

/// The connection string, with the token as `***`.
impl fmt::Display for MegaApiConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rendered =
            connection_string::render(Provider::MegaApi, &self.base_url, Some(&self.instance_key));
        f.write_str(&rendered)
    }
}
