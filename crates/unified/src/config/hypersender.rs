use std::fmt;

use wa_client_support::Secret;

use super::connection_string::{self, Parts};
use super::{checked_base_url, required, Lookup};
use crate::error::Error;
use crate::model::Provider;

/// Hypersender's production base URL.
pub const HYPERSENDER_BASE_URL: &str = "https://app.hypersender.com/api/whatsapp/v1";

/// Where and how to reach one Hypersender instance.
///
/// Environment ([`HypersenderConfig::from_env`]): `WA_HYPERSENDER_TOKEN`,
/// `WA_HYPERSENDER_INSTANCE` (the instance UUID), and optionally `WA_HYPERSENDER_BASE_URL`
/// (default [`HYPERSENDER_BASE_URL`]).
#[derive(Clone)]
pub struct HypersenderConfig {
    pub(crate) base_url: String,
    pub(crate) token: Secret,
    pub(crate) instance: String,
}

/// Builds a [`HypersenderConfig`].
#[derive(Clone, Debug, Default)]
pub struct HypersenderConfigBuilder {
    base_url: Option<String>,
    token: Option<Secret>,
    instance: Option<String>,
}

impl HypersenderConfigBuilder {
    /// Defaults to [`HYPERSENDER_BASE_URL`].
    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    pub fn with_token(mut self, token: impl Into<Secret>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The instance UUID from the Hypersender dashboard.
    pub fn with_instance(mut self, instance: impl Into<String>) -> Self {
        self.instance = Some(instance.into());
        self
    }

    pub fn build(self) -> Result<HypersenderConfig, Error> {
        const P: Provider = Provider::Hypersender;
        let base_url = self
            .base_url
            .unwrap_or_else(|| HYPERSENDER_BASE_URL.to_owned());
        Ok(HypersenderConfig {
            base_url: checked_base_url(P, &base_url)?,
            token: required(P, self.token, "token")?,
            instance: required(P, self.instance, "instance")?,
        })
    }
}

impl HypersenderConfig {
    pub fn builder() -> HypersenderConfigBuilder {
        HypersenderConfigBuilder::default()
    }

    /// Reads `WA_HYPERSENDER_BASE_URL` (optional), `WA_HYPERSENDER_TOKEN` and
    /// `WA_HYPERSENDER_INSTANCE`.
    pub fn from_env() -> Result<HypersenderConfig, Error> {
        Self::from_lookup(&|name| std::env::var(name).ok())
    }

    /// As [`HypersenderConfig::from_env`], reading variables through `lookup`.
    pub fn from_lookup(lookup: Lookup<'_>) -> Result<HypersenderConfig, Error> {
        let mut builder = HypersenderConfig::builder();
        builder.base_url = lookup("WA_HYPERSENDER_BASE_URL");
        builder.token = lookup("WA_HYPERSENDER_TOKEN").map(Secret::from);
        builder.instance = lookup("WA_HYPERSENDER_INSTANCE");
        builder.build()
    }

    pub(crate) fn from_parts(parts: &Parts, shown: &str) -> Result<HypersenderConfig, Error> {
        let (base_url, instance) = connection_string::base_and_instance(parts, shown)?;
        HypersenderConfig::builder()
            .with_base_url(base_url)
            .with_token(parts.credential())
            .with_instance(instance)
            .build()
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn instance(&self) -> &str {
        &self.instance
    }
}

impl fmt::Debug for HypersenderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HypersenderConfig")
            .field("base_url", &self.base_url)
            .field("token", &"***")
            .field("instance", &self.instance)
            .finish()
    }
}

/// The connection string, with the token as `***`.
impl fmt::Display for HypersenderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rendered =
            connection_string::render(Provider::Hypersender, &self.base_url, Some(&self.instance));
        f.write_str(&rendered)
    }
}
