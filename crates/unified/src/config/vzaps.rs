use std::fmt;

use wa_client_support::Secret;

use super::connection_string::{self, Parts};
use super::{checked_base_url, required, Lookup};
use crate::error::Error;
use crate::model::Provider;

/// VZaps' production base URL.
pub const VZAPS_BASE_URL: &str = "https://api.vzaps.com";

/// How VZaps requests are authenticated: VZaps accepts either.
#[derive(Clone)]
pub enum VzapsAuth {
    /// The account's bearer JWT (from `POST /token`).
    Bearer(Secret),
    /// The instance token and the account's client token (`X-Instance-Token`,
    /// `X-Client-Token`).
    TokenPair {
        instance_token: Secret,
        client_token: Secret,
    },
}

impl fmt::Debug for VzapsAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VzapsAuth::Bearer(_) => f.write_str("Bearer(***)"),
            VzapsAuth::TokenPair { .. } => f.write_str("TokenPair(***, ***)"),
        }
    }
}

/// Where and how to reach one VZaps instance.
///
/// Environment ([`VzapsConfig::from_env`]): `WA_VZAPS_INSTANCE_ID`; either `WA_VZAPS_TOKEN`
/// or both `WA_VZAPS_INSTANCE_TOKEN` and `WA_VZAPS_CLIENT_TOKEN`; optionally
/// `WA_VZAPS_BASE_URL` (default [`VZAPS_BASE_URL`]).
#[derive(Clone)]
pub struct VzapsConfig {
    pub(crate) base_url: String,
    pub(crate) auth: VzapsAuth,
    pub(crate) instance_id: String,
}

/// Builds a [`VzapsConfig`].
#[derive(Clone, Debug, Default)]
pub struct VzapsConfigBuilder {
    base_url: Option<String>,
    token: Option<Secret>,
    instance_token: Option<Secret>,
    client_token: Option<Secret>,
    instance_id: Option<String>,
}

impl VzapsConfigBuilder {
    /// Defaults to [`VZAPS_BASE_URL`].
    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// Authenticate with the account's bearer JWT.
    pub fn with_token(mut self, token: impl Into<Secret>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Authenticate with the instance token and the client token.
    pub fn with_token_pair(
        mut self,
        instance_token: impl Into<Secret>,
        client_token: impl Into<Secret>,
    ) -> Self {
        self.instance_token = Some(instance_token.into());
        self.client_token = Some(client_token.into());
        self
    }

    /// The instance id (`VZ...`).
    pub fn with_instance_id(mut self, instance_id: impl Into<String>) -> Self {
        self.instance_id = Some(instance_id.into());
        self
    }

    pub fn build(self) -> Result<VzapsConfig, Error> {
        const P: Provider = Provider::Vzaps;
        let auth = match (self.token, self.instance_token, self.client_token) {
            (Some(token), None, None) => VzapsAuth::Bearer(token),
            (None, Some(instance_token), Some(client_token)) => VzapsAuth::TokenPair {
                instance_token,
                client_token,
            },
            (None, None, None) => {
                return Err(Error::invalid_config(
                    Some(P),
                    "the credentials are missing: give a token, or an instance token and a client token",
                ))
            }
            (Some(_), _, _) => {
                return Err(Error::invalid_config(
                    Some(P),
                    "give either a token or an instance token and a client token, not both",
                ))
            }
            (None, _, _) => {
                return Err(Error::invalid_config(
                    Some(P),
                    "an instance token and a client token go together: one of them is missing",
                ))
            }
        };
        let base_url = self.base_url.unwrap_or_else(|| VZAPS_BASE_URL.to_owned());
        Ok(VzapsConfig {
            base_url: checked_base_url(P, &base_url)?,
            auth,
            instance_id: required(P, self.instance_id, "instance id")?,
        })
    }
}

impl VzapsConfig {
    pub fn builder() -> VzapsConfigBuilder {
        VzapsConfigBuilder::default()
    }

    /// Reads `WA_VZAPS_BASE_URL` (optional), `WA_VZAPS_TOKEN` or `WA_VZAPS_INSTANCE_TOKEN`
    /// with `WA_VZAPS_CLIENT_TOKEN`, and `WA_VZAPS_INSTANCE_ID`.
    pub fn from_env() -> Result<VzapsConfig, Error> {
        Self::from_lookup(&|name| std::env::var(name).ok())
    }

    /// As [`VzapsConfig::from_env`], reading variables through `lookup`.
    pub fn from_lookup(lookup: Lookup<'_>) -> Result<VzapsConfig, Error> {
        let mut builder = VzapsConfig::builder();
        builder.base_url = lookup("WA_VZAPS_BASE_URL");
        builder.token = lookup("WA_VZAPS_TOKEN").map(Secret::from);
        builder.instance_token = lookup("WA_VZAPS_INSTANCE_TOKEN").map(Secret::from);
        builder.client_token = lookup("WA_VZAPS_CLIENT_TOKEN").map(Secret::from);
        builder.instance_id = lookup("WA_VZAPS_INSTANCE_ID");
        builder.build()
    }

    pub(crate) fn from_parts(parts: &Parts, shown: &str) -> Result<VzapsConfig, Error> {
        let (base_url, instance_id) = connection_string::base_and_instance(parts, shown)?;
        let builder = VzapsConfig::builder()
            .with_base_url(base_url)
            .with_instance_id(instance_id);
        match parts.credential_pair() {
            Some((instance_token, client_token)) => {
                builder.with_token_pair(instance_token, client_token)
            }
            None => builder.with_token(parts.credential()),
        }
        .build()
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn instance_id(&self) -> &str {
        &self.instance_id
    }

    pub fn auth(&self) -> &VzapsAuth {
        &self.auth
    }
}

impl fmt::Debug for VzapsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VzapsConfig")
            .field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .field("instance_id", &self.instance_id)
            .finish()
    }
}

/// The connection string, with the credentials as `***`.
impl fmt::Display for VzapsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rendered =
            connection_string::render(Provider::Vzaps, &self.base_url, Some(&self.instance_id));
        f.write_str(&rendered)
    }
}
