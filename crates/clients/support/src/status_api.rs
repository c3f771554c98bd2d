//! The trait a provider's client implements so that `wa-unified` can read its status: how
//! to reach one instance, which call to make, and how to read the answer into the common
//! model. Everything else (retries, quotas, errors, fleets) is `wa-unified`'s. `cargo xtask
//! codegen` writes the implementation of every client from its manifest; only `read`, the
//! mapping, is written by hand (in the client's `status.rs`).

use std::collections::BTreeMap;
use std::future::Future;

use progenitor_client::{Error, ResponseValue};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wa_model::Reading;

use crate::{BuildError, Credentials, Secret, Transport};

/// One instance to reach: where, which, with what credentials, and the provider's options
/// (an API version, say), as `wa-unified` built them from a connection string, a fleet
/// file or the environment, or as a user of a client crate writes them.
///
/// ```
/// use wa_client_support::Target;
///
/// let target = Target::new("https://gateway.example", "instance-1").with_credential("token", "t-1");
/// assert_eq!(target.credential("token").map(|s| s.expose()), Some("t-1"));
/// assert!(!format!("{target:?}").contains("t-1"));
/// ```
#[derive(Clone, Debug)]
pub struct Target {
    /// A base URL without a trailing `/`.
    pub base_url: String,
    /// The instance as the provider names it.
    pub instance: String,
    /// The credentials to authenticate with, by their keys in the provider's manifest.
    pub credentials: Credentials,
    /// The provider's options, by name, defaults included.
    pub options: BTreeMap<String, String>,
}

impl Target {
    /// The instance `instance` at `base_url`, with no credentials or options yet.
    pub fn new(base_url: impl Into<String>, instance: impl Into<String>) -> Target {
        Target {
            base_url: base_url.into(),
            instance: instance.into(),
            credentials: Credentials::none(),
            options: BTreeMap::new(),
        }
    }

    /// The target with the credential `key` set.
    pub fn with_credential(mut self, key: &str, secret: impl Into<Secret>) -> Target {
        self.credentials.set(key.to_owned(), secret.into());
        self
    }

    /// The target with the option `name` set.
    pub fn with_option(mut self, name: &str, value: impl Into<String>) -> Target {
        self.options.insert(name.to_owned(), value.into());
        self
    }

    /// The credential `key`, if given.
    pub fn credential(&self, key: &str) -> Option<&Secret> {
        self.credentials.get(key)
    }

    /// The value of an option (its default when `wa-unified` built the target).
    pub fn option(&self, name: &str) -> Option<&str> {
        self.options.get(name).map(String::as_str)
    }
}

/// A provider's generated client, readable through the common status model.
pub trait StatusApi: Sized + Send + Sync + 'static {
    /// The decoded success body.
    type Body: DeserializeOwned + Serialize + Send + 'static;
    /// The decoded error body (`()` when the document declares none).
    type ErrorBody: Serialize + Send + 'static;
    /// Where the success body must hold an object, not an array (JSON Pointers, `*` for
    /// every item): see [`check_objects`](crate::check_objects).
    const OBJECTS: &'static [&'static str];

    /// A client for one instance.
    fn connect(target: &Target, transport: &Transport) -> Result<Self, BuildError>;

    /// Asks for the instance's status.
    fn fetch(
        &self,
        target: &Target,
    ) -> impl Future<Output = Result<ResponseValue<Self::Body>, Error<Self::ErrorBody>>> + Send;

    /// Reads a decoded success body.
    fn read(body: &Self::Body) -> Reading;
}
