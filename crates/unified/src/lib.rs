//! One connection-status model over every WhatsApp gateway provider.
//!
//! Ask whether a WhatsApp instance is usable and get the same answer, in the same words,
//! whatever the provider: a [`ConnectionState`], the provider's raw value kept verbatim, the
//! [`RequiredAction`] when it is not usable, and the account behind it.
//!
//! ```no_run
//! use wa_unified::{InstanceConfig, Monitor, MonitorOptions};
//!
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let monitor = Monitor::new(MonitorOptions::default())?;
//! // Any provider's connection string (see "Connection strings" below).
//! let config: InstanceConfig = std::env::var("WA_STATUS_TARGET")?.parse()?;
//! let status = monitor.instance(config)?.check().await?;
//! if !status.can_send() {
//!     println!("{} is {}: {:?}", status.instance, status.state, status.required_action);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! A runnable version, against the project's provider simulator and its sample fleet (an
//! instance of every provider):
//!
//! ```
//! use wa_simulator::{Fleet, Simulator};
//! use wa_unified::{InstanceConfig, Monitor, MonitorOptions};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let fleet = Fleet::sample();
//! let simulator = Simulator::start(fleet.clone()).await?;
//! let monitor = Monitor::new(MonitorOptions::default())?;
//! for instance in &fleet.instances {
//!     let config: InstanceConfig = simulator.connection_string(instance).parse()?;
//!     let status = monitor.instance(config)?.check().await?;
//!     let expected = instance.expected_reading().expect("the sample fleet reads");
//!     assert_eq!(status.state, expected.state);
//!     assert_eq!(status.raw_state, expected.raw_state);
//!     assert_eq!(status.required_action, expected.action);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # One interface, every provider
//!
//! [`Monitor::instance`] gives an [`Instance`] bound to one instance of any provider;
//! [`Instance::check`] reads its status. Which providers exist, and what each takes (its
//! auth style, its default base URL, its quota, its connection-string forms, its
//! environment variables), comes from the provider catalog (`wa-providers`), generated from
//! the folders of `specs/`. Each provider's client crate reads its own answer into the
//! common model; this crate only dispatches to the client, behind the provider's cargo
//! feature (one per provider, named after it, all on by default). A config for a provider
//! whose feature is off is accepted, and [`Monitor::instance`] then fails with an
//! `invalid_config` error naming the feature.
//!
//! The common code does the rest: a per-request timeout and a response size cap
//! ([`ClientOptions`]), bounded retries with jittered backoff for temporary errors only,
//! honouring `Retry-After` ([`RetryPolicy`]), a client-side limiter per credential (or per
//! instance) that follows each provider's documented quota ([`Quotas`]) so that checking a
//! fleet never causes a 429 by itself, and one connection pool per monitor, reused across
//! instances of the same host. [`Monitor::check_all`] checks a fleet with bounded
//! concurrency and streams each result as it arrives.
//!
//! The raw value is kept verbatim (`"yellowCard"`, `"WORKING"`, `"true"`, `"connected"`).
//! Phones get a leading `+` and their digits are never rewritten; JIDs lose a `:N` device
//! suffix; a `connected_at` without a time zone is kept as the provider's text.
//!
//! | state | usual action |
//! | --- | --- |
//! | `connected` | `none` |
//! | `restricted` | `restart` |
//! | `phone_offline` | `check_phone` |
//! | `starting` | `wait` (then `restart` if it lasts) |
//! | `provisioning` | `wait` |
//! | `awaiting_pairing`, `disconnected` | `scan_qr` |
//! | `stopped`, `failed` | `restart` |
//! | `banned` | `contact_support` |
//! | `unknown` | none given (`None`) |
//!
//! `https` by default; `+http` after a connection string's scheme for plain HTTP
//! (`PROVIDER+http://...`). Credentials are percent-decoded: write `|` as `%7C`, `/` as
//! `%2F`, `@` as `%40`, `:` as `%3A`. `Display` of a config prints its connection string with
//! credentials as `***`. A fleet file describes instances with [`InstanceSettings`] (serde),
//! credentials given directly or as the name of an environment variable.
//!
//! Some vendors know an instance by its credential alone (a token that is the user or the
//! channel): their status call names no instance, and their connection strings have no
//! place for one. Such an instance's id is a label: the one given (`#LABEL` at the end of
//! the connection string, `instance` in a fleet file, [`InstanceConfigBuilder::with_instance`]),
//! or else the server's host. Nothing of the credential goes into it.
//!
//! ```
//! use wa_unified::{InstanceConfig, Provider};
//!
//! // A provider whose vendor knows the instance by its one credential.
//! let provider = Provider::ALL
//!     .iter()
//!     .find(|p| p.info().instance.named_by.is_some())
//!     .unwrap();
//! let labelled: InstanceConfig = format!("{provider}+http://s3cr3t@gateway.example:8080#sales").parse()?;
//! assert_eq!(labelled.instance(), "sales");
//! let plain: InstanceConfig = format!("{provider}+http://s3cr3t@gateway.example:8080").parse()?;
//! assert_eq!(plain.instance(), "gateway.example:8080");
//! assert!(!format!("{plain} {plain:?}").contains("s3cr3t"));
//! # Ok::<(), wa_unified::Error>(())
//! ```
//!
//! # Errors
//!
//! [`Error`] is one enum for every provider; each variant names the provider, and
//! [`Error::kind`] gives the wire name. Only `rate_limited` and `unavailable` are
//! temporary ([`Error::is_temporary`]), and only those are retried.
//!
//! | kind | when | temporary |
//! | --- | --- | --- |
//! | `invalid_config` | the target or configuration cannot be used | no |
//! | `unauthenticated` | the provider rejected the credentials (401, or the provider's own status) | no |
//! | `not_found` | the provider does not know the instance (404) | no |
//! | `rate_limited` | the provider answered 429; the wait it asked for is kept | yes |
//! | `quota_exceeded` | the account's quota is spent (the provider's own status) | no |
//! | `unavailable` | connect failure, timeout, reset, 5xx | yes |
//! | `decode` | a 2xx body that is not what the provider's spec describes (or one over the size cap) | no |
//! | `unexpected_status` | any other HTTP status | no |
//!
//! No secret appears in any `Display` or `Debug` of a config, an instance, a status or an
//! error: body excerpts are short and have credentials masked, and transport errors carry
//! no URL where a provider's URL holds a secret.
//!

#![warn(missing_docs)]
#![doc = include_str!("providers.md")]

/// The examples of the repository's README, compiled and run with the crate's doctests so
/// that they stay true (the file is outside the package, so only under `cfg(doctest)`).
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;

mod backend;
mod config;
mod error;
mod fleet;
#[rustfmt::skip]
#[allow(clippy::all)]
mod generated;
mod limiter;
mod mask;
mod model;
mod monitor;
#[cfg(unix)]
mod quota_folder;
mod retry;
mod store;

pub use config::{InstanceConfig, InstanceConfigBuilder, InstanceId, InstanceSettings, Lookup};
pub use error::{Error, ErrorKind, EXCERPT_CHARS, VENDOR_WORDS_CHARS};
pub use limiter::{Quota, Quotas};
pub use model::{Account, ConnectionState, InstanceStatus, Observation, RequiredAction};
pub use monitor::{Checked, Instance, Monitor, MonitorOptions};
pub use retry::RetryPolicy;
pub use store::Store;
pub use wa_client_support::{ClientOptions, Credentials, Secret};
pub use wa_providers::Provider;

/// Whether this build includes `provider` (its cargo feature of the same name).
pub fn is_enabled(provider: Provider) -> bool {
    generated::is_enabled(provider)
}

/// Decodes and reads a provider's success body without HTTP, exactly as a check reads the
/// generated client's answer: for benchmarks, fuzzing, and bodies received elsewhere.
///
/// ```
/// use wa_unified::{decode, ErrorKind, Provider};
///
/// for provider in Provider::ALL.iter().copied() {
///     let error = decode(provider, "instance-1", b"<html>").unwrap_err();
///     assert_eq!(error.kind(), ErrorKind::Decode);
/// }
/// ```
pub fn decode(provider: Provider, instance: &str, body: &[u8]) -> Result<InstanceStatus, Error> {
    let observation = generated::decode(provider, body)?;
    Ok(InstanceStatus::new(provider, instance, observation))
}
