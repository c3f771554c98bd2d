use std::fmt;

use wa_client_support::Secret;

use super::connection_string::{self, Parts};
use super::{checked_base_url, required, Lookup};
use crate::error::Error;
use crate::model::Provider;

/// The largest `idInstance`: up to 10 digits.
const MAX_ID_INSTANCE: u64 = 9_999_999_999;

/// Where and how to reach one Green API instance.
///
/// Environment ([`GreenApiConfig::from_env`]): `WA_GREEN_API_URL` (the instance's `apiUrl`,
/// e.g. `https://1101.api.green-api.com`), `WA_GREEN_API_ID_INSTANCE`,
/// `WA_GREEN_API_TOKEN` (the `apiTokenInstance`).
#[derive(Clone)]
pub struct GreenApiConfig {
    pub(crate) api_url: String,
    pub(crate) id_instance: u64,
    pub(crate) api_token: Secret,
}

/// Builds a [`GreenApiConfig`].
#[derive(Clone, Debug, Default)]
pub struct GreenApiConfigBuilder {
    api_url: Option<String>,
    id_instance: Option<String>,
    api_token: Option<Secret>,
}

impl GreenApiConfigBuilder {
    /// The instance's own `apiUrl`; Green API has one host per instance group.
    pub fn with_api_url(mut self, api_url: impl Into<String>) -> Self {
        self.api_url = Some(api_url.into());
        self
    }

    /// The `idInstance`: a number of up to 10 digits.
    pub fn with_id_instance(mut self, id_instance: impl ToString) -> Self {
        self.id_instance = Some(id_instance.to_string());
        self
    }

    /// The `apiTokenInstance`.
    pub fn with_api_token(mut self, api_token: impl Into<Secret>) -> Self {
        self.api_token = Some(api_token.into());
        self
    }

    pub fn build(self) -> Result<GreenApiConfig, Error> {
        const P: Provider = Provider::GreenApi;
        let id_text = required(P, self.id_instance, "idInstance")?;
        let id_instance = id_text
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|id| *id <= MAX_ID_INSTANCE)
            .ok_or_else(|| {
                Error::invalid_config(
                    Some(P),
                    format!("idInstance `{id_text}` is not a number of up to 10 digits"),
                )
            })?;
        Ok(GreenApiConfig {
            api_url: checked_base_url(P, &required(P, self.api_url, "apiUrl")?)?,
            id_instance,
            api_token: required(P, self.api_token, "apiTokenInstance")?,
        })
    }
}

impl GreenApiConfig {
    pub fn builder() -> GreenApiConfigBuilder {
        GreenApiConfigBuilder::default()
    }

    /// Reads `WA_GREEN_API_URL`, `WA_GREEN_API_ID_INSTANCE` and `WA_GREEN_API_TOKEN`.
    pub fn from_env() -> Result<GreenApiConfig, Error> {
        Self::from_lookup(&|name| std::env::var(name).ok())
    }

    /// As [`GreenApiConfig::from_env`], reading variables through `lookup`.
    pub fn from_lookup(lookup: Lookup<'_>) -> Result<GreenApiConfig, Error> {
        let mut builder = GreenApiConfig::builder();
        builder.api_url = lookup("WA_GREEN_API_URL");
        builder.id_instance = lookup("WA_GREEN_API_ID_INSTANCE");
        builder.api_token = lookup("WA_GREEN_API_TOKEN").map(Secret::from);
        builder.build()
    }

    pub(crate) fn from_parts(parts: &Parts, shown: &str) -> Result<GreenApiConfig, Error> {
        let (id_instance, api_token) = parts.credential_pair().ok_or_else(|| {
            Error::invalid_config(
                Some(Provider::GreenApi),
                format!(
                    "connection string `{shown}`: the credentials must be ID_INSTANCE:API_TOKEN: expected {}",
                    connection_string::form(Provider::GreenApi)
                ),
            )
        })?;
        GreenApiConfig::builder()
            .with_api_url(parts.base_url(parts.segments.len()))
            .with_id_instance(id_instance)
            .with_api_token(api_token)
            .build()
    }

    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    pub fn id_instance(&self) -> u64 {
        self.id_instance
    }
}

impl fmt::Debug for GreenApiConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GreenApiConfig")
            .field("api_url", &self.api_url)
            .field("id_instance", &self.id_instance)
            .field("api_token", &"***")
            .finish()
    }
}

/// The connection string, with `ID_INSTANCE:API_TOKEN` as `***` (the id is shown apart,
/// for people).
impl fmt::Display for GreenApiConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rendered = connection_string::render(Provider::GreenApi, &self.api_url, None);
        write!(f, "{rendered} (idInstance {})", self.id_instance)
    }
}
