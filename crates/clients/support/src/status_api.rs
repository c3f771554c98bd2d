//! The trait a provider's client implements so that `wa-unified` can read its status: how
//! to reach one instance, which call to make, and how to read the answer into the common
//! model. Everything else (retries, quotas, errors, fleets) is `wa-unified`'s.

use std::collections::BTreeMap;
use std::future::Future;

use progenitor_client::{Error, ResponseValue};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wa_model::{Observation, Reading};

use crate::{BuildError, Credentials, Secret, Transport};

/// One instance to reach: where, which, with what credentials, and the provider's options
/// (an API version, say), as `wa-unified` built them from a connection
/// string, a fleet file or the environment.
#[derive(Clone, Debug)]
pub struct Target {
    /// A checked base URL without a trailing `/`.
    pub base_url: String,
    /// The instance as the provider names it.
    pub instance: String,
    /// The credentials to authenticate with.
    pub credentials: Credentials,
    /// The provider's options, by name, defaults included.
    pub options: BTreeMap<String, String>,
}

impl Target {
    /// The single credential, for the auth styles that take one.
    pub fn token(&self) -> Result<&Secret, BuildError> {
        match &self.credentials {
            Credentials::Token(token) => Ok(token),
            _ => Err(BuildError::InvalidCredential {
                name: "token",
                reason: "this provider takes a single credential",
            }),
        }
    }

    /// The value of an option (its default when none was given).
    pub fn option(&self, name: &str) -> Option<&str> {
        self.options.get(name).map(String::as_str)
    }
}

/// A provider's generated client, readable through the common status model. The
/// implementation lives in the client crate's `status.rs`, and holds nothing but the
/// provider's mapping: the call, and how its answer reads.
pub trait StatusApi: Sized + Send + Sync + 'static {
    /// The decoded success body.
    type Body: DeserializeOwned + Serialize + Send + 'static;
    /// The decoded error body (`()` when the document declares none).
    type ErrorBody: Serialize + Send + 'static;

    /// A client for one instance.
    fn connect(target: &Target, transport: &Transport) -> Result<Self, BuildError>;

    /// Asks for the instance's status.
    fn fetch(
        &self,
        target: &Target,
    ) -> impl Future<Output = Result<ResponseValue<Self::Body>, Error<Self::ErrorBody>>> + Send;

    /// Reads a decoded success body.
    fn read(body: &Self::Body) -> Reading;

    /// Reads an error answer that is really a state (a vendor may answer "starting, try
    /// later" with an HTTP 400); `None` for a true error.
    fn read_error_answer(status: u16, body: &[u8]) -> Option<Observation> {
        let _ = (status, body);
        None
    }
}
