//! One backend per provider. A backend only calls its generated client and maps the typed
//! answer, or the typed error, into the common model; everything else (retries, limits,
//! the fleet) is common code.

#[cfg(feature = "green-api")]
mod green_api;
#[cfg(feature = "hypersender")]
mod hypersender;
#[cfg(feature = "megaapi")]
mod megaapi;
#[cfg(feature = "vzaps")]
mod vzaps;

mod errors;

#[cfg(feature = "green-api")]
pub use green_api::decode as decode_green_api;
#[cfg(feature = "hypersender")]
pub use hypersender::decode as decode_hypersender;
#[cfg(feature = "megaapi")]
pub use megaapi::decode as decode_megaapi;
#[cfg(feature = "vzaps")]
pub use vzaps::decode as decode_vzaps;

use wa_client_support::Transport;

use crate::config::InstanceConfig;
use crate::error::Error;
use crate::model::Observation;

/// The backend of one instance.
pub(crate) enum Backend {
    #[cfg(feature = "megaapi")]
    MegaApi(megaapi::MegaApi),
    #[cfg(feature = "vzaps")]
    Vzaps(vzaps::Vzaps),
    #[cfg(feature = "hypersender")]
    Hypersender(hypersender::Hypersender),
    #[cfg(feature = "green-api")]
    GreenApi(green_api::GreenApi),
}

impl Backend {
    /// The backend for `config`, or an error naming the cargo feature to enable when its
    /// provider is not in this build.
    #[allow(unused_variables)]
    pub fn new(config: &InstanceConfig, transport: &Transport) -> Result<Backend, Error> {
        match config {
            #[cfg(feature = "megaapi")]
            InstanceConfig::MegaApi(c) => {
                Ok(Backend::MegaApi(megaapi::MegaApi::new(c, transport)?))
            }
            #[cfg(feature = "vzaps")]
            InstanceConfig::Vzaps(c) => Ok(Backend::Vzaps(vzaps::Vzaps::new(c, transport)?)),
            #[cfg(feature = "hypersender")]
            InstanceConfig::Hypersender(c) => Ok(Backend::Hypersender(
                hypersender::Hypersender::new(c, transport)?,
            )),
            #[cfg(feature = "green-api")]
            InstanceConfig::GreenApi(c) => {
                Ok(Backend::GreenApi(green_api::GreenApi::new(c, transport)?))
            }
            #[allow(unreachable_patterns)]
            other => {
                let provider = other.provider();
                Err(Error::invalid_config(
                    Some(provider),
                    format!(
                        "the provider `{provider}` is not enabled in this build: enable the cargo feature `{provider}` of wa-unified"
                    ),
                ))
            }
        }
    }

    /// One attempt at reading the instance's state.
    pub async fn observe(&self, secrets: &[&str]) -> Result<Observation, Error> {
        match self {
            #[cfg(feature = "megaapi")]
            Backend::MegaApi(b) => b.observe(secrets).await,
            #[cfg(feature = "vzaps")]
            Backend::Vzaps(b) => b.observe(secrets).await,
            #[cfg(feature = "hypersender")]
            Backend::Hypersender(b) => b.observe(secrets).await,
            #[cfg(feature = "green-api")]
            Backend::GreenApi(b) => b.observe(secrets).await,
            #[allow(unreachable_patterns)]
            _ => {
                let _ = secrets;
                unreachable!("no backend exists for a provider that is not enabled")
            }
        }
    }
}

/// Decodes a body into a generated type, as the generated client does.
#[allow(dead_code)]
fn decode_body<T: serde::de::DeserializeOwned>(
    provider: crate::model::Provider,
    body: &[u8],
) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|e| Error::Decode {
        provider,
        reason: e.to_string(),
        excerpt: crate::error::excerpt(body, &[]),
    })
}

/// A client construction error, as a configuration error of `provider`.
#[allow(dead_code)]
fn build_error(provider: crate::model::Provider, error: wa_client_support::BuildError) -> Error {
    Error::invalid_config(Some(provider), error.to_string())
}
