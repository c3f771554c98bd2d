//! One connection-status model over every WhatsApp gateway provider.
//!
//! Ask whether a WhatsApp instance is usable and get the same answer, in the same words,
//! whatever the provider: a [`ConnectionState`], the provider's raw value kept verbatim, the
//! [`RequiredAction`] when it is not usable, and the account behind it.
//!
//! ```no_run
//! use wa_unified::{InstanceConfig, Monitor, MonitorOptions};
//!
//! # async fn example() -> Result<(), wa_unified::Error> {
//! let monitor = Monitor::new(MonitorOptions::default())?;
//! let config: InstanceConfig =
//!     "hypersender://234%7CmyToken@app.hypersender.com/api/whatsapp/v1/fa3d01c4-1234-4c0d-a12f-df319b612f8c"
//!         .parse()?;
//! let status = monitor.instance(config)?.check().await?;
//! if !status.can_send() {
//!     println!("{} is {}: {:?}", status.instance, status.state, status.required_action);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! A runnable version, against the project's provider simulator:
//!
//! ```
//! # use wa_simulator::{Fleet, Instance as SimInstance, Provider as SimProvider, Simulator};
//! use wa_unified::{ConnectionState, InstanceConfig, Monitor, MonitorOptions, RequiredAction};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let sim = Simulator::start(Fleet { instances: vec![
//! #     SimInstance::new(SimProvider::GreenApi, "1101000001", "yellowCard").with_api_token("secret"),
//! # ]}).await?;
//! # let host = sim.addr();
//! let monitor = Monitor::new(MonitorOptions::default())?;
//! let config: InstanceConfig = format!("green-api+http://1101000001:secret@{host}/green-api").parse()?;
//! let status = monitor.instance(config)?.check().await?;
//! assert_eq!(status.state, ConnectionState::Restricted);
//! assert_eq!(status.raw_state, "yellowCard");
//! assert_eq!(status.required_action, Some(RequiredAction::Restart));
//! # Ok(())
//! # }
//! ```
//!
//! # One interface, four backends
//!
//! [`Monitor::instance`] gives an [`Instance`] bound to one instance of any provider;
//! [`Instance::check`] reads its status. Behind it is an enum over the providers, not a
//! trait object: the set of providers is closed (each needs a generated client in this
//! workspace), an enum needs no boxed futures, and each variant is compiled only with its
//! cargo feature (`megaapi`, `vzaps`, `hypersender`, `green-api`; all on by default). A
//! config for a provider whose feature is off is accepted, and [`Monitor::instance`] then
//! fails with an `invalid_config` error naming the feature.
//!
//! Each backend only calls its generated client (`wa-megaapi`, `wa-vzaps`,
//! `wa-hypersender`, `wa-green-api`) and maps the typed answer or error. The common code
//! does the rest: a per-request timeout and a response size cap ([`ClientOptions`]),
//! bounded retries with jittered backoff for temporary errors only, honouring
//! `Retry-After` ([`RetryPolicy`]), a client-side limiter per credential that follows each
//! provider's documented quota ([`Quotas`]) so that checking a fleet never causes a 429 by
//! itself, and one connection pool per monitor, reused across instances of the same host.
//! [`Monitor::check_all`] checks a fleet with bounded concurrency and streams each result
//! as it arrives.
//!
//! # The mapping
//!
//! | provider | raw value or condition | state |
//! | --- | --- | --- |
//! | MegaAPI | `instance.user` present and `status == "connected"` | `connected` |
//! | MegaAPI | `instance.user` absent (any `status`) | `disconnected` |
//! | MegaAPI | `instance.user` present, any other `status` | `unknown` |
//! | VZaps | `data.connected == true` | `connected` |
//! | VZaps | `data.connected == false` (or a bare `{"connected": false}`) | `disconnected` |
//! | Hypersender | `WORKING` | `connected` |
//! | Hypersender | `STARTING` | `starting` |
//! | Hypersender | `SCAN_QR_CODE` | `awaiting_pairing` |
//! | Hypersender | `STOPPED` | `stopped` |
//! | Hypersender | `FAILED` | `failed` |
//! | Hypersender | `PENDING` | `provisioning` |
//! | Green API | `authorized` | `connected` |
//! | Green API | `notAuthorized` | `awaiting_pairing` |
//! | Green API | `starting` | `starting` |
//! | Green API | `sleepMode` | `phone_offline` |
//! | Green API | `yellowCard` | `restricted` |
//! | Green API | `blocked` | `banned` |
//! | Green API | body is JSON `null` (raw value `"null"`) | `provisioning` |
//! | any | any value not listed | `unknown`, raw value kept |
//!
//! The raw value is kept verbatim (`"yellowCard"`, `"WORKING"`, `"true"`, `"connected"`).
//! Account fields come from MegaAPI (`user.id`, the phone) and VZaps (phone, JID, push
//! name, business name, profile picture); phones get a leading `+` and their digits are
//! never rewritten, JIDs lose a `:N` device suffix. Hypersender's `connected_at` is kept as
//! the provider's text, with no time zone invented.
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
//! # Connection strings
//!
//! | provider | form |
//! | --- | --- |
//! | MegaAPI | `megaapi://TOKEN@HOST[/BASE]/INSTANCE_KEY` |
//! | VZaps | `vzaps://TOKEN@HOST[/BASE]/ID` or `vzaps://INSTANCE_TOKEN:CLIENT_TOKEN@HOST[/BASE]/ID` |
//! | Hypersender | `hypersender://TOKEN@HOST[/BASE]/INSTANCE` |
//! | Green API | `green-api://ID_INSTANCE:API_TOKEN@HOST[/BASE]` |
//!
//! `https` by default; `+http` after the scheme for plain HTTP (`green-api+http://...`).
//! Credentials are percent-decoded: write `|` as `%7C`, `/` as `%2F`, `@` as `%40`, `:` as
//! `%3A`. `Display` of a config prints its connection string with credentials as `***`.
//!
//! # Environment variables
//!
//! | provider | variables |
//! | --- | --- |
//! | MegaAPI ([`MegaApiConfig::from_env`]) | `WA_MEGAAPI_BASE_URL`, `WA_MEGAAPI_TOKEN`, `WA_MEGAAPI_INSTANCE_KEY` |
//! | VZaps ([`VzapsConfig::from_env`]) | `WA_VZAPS_INSTANCE_ID`; `WA_VZAPS_TOKEN` or `WA_VZAPS_INSTANCE_TOKEN` + `WA_VZAPS_CLIENT_TOKEN`; optional `WA_VZAPS_BASE_URL` |
//! | Hypersender ([`HypersenderConfig::from_env`]) | `WA_HYPERSENDER_TOKEN`, `WA_HYPERSENDER_INSTANCE`; optional `WA_HYPERSENDER_BASE_URL` |
//! | Green API ([`GreenApiConfig::from_env`]) | `WA_GREEN_API_URL`, `WA_GREEN_API_ID_INSTANCE`, `WA_GREEN_API_TOKEN` |
//!
//! A fleet file describes instances with [`InstanceSettings`] (serde), credentials given
//! directly or as the name of an environment variable.
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
//! | `unauthenticated` | the provider rejected the credentials (401, Green API 403 for a wrong id) | no |
//! | `not_found` | the provider does not know the instance (404) | no |
//! | `rate_limited` | the provider answered 429; the wait it asked for is kept | yes |
//! | `quota_exceeded` | the account's quota is spent (Green API 466) | no |
//! | `unavailable` | connect failure, timeout, reset, 5xx | yes |
//! | `decode` | a 2xx body that is not what the provider's spec describes (or one over the size cap) | no |
//! | `unexpected_status` | any other HTTP status | no |
//!
//! No secret appears in any `Display` or `Debug` of a config, an instance, a status or an
//! error: body excerpts are short and have credentials masked, and transport errors carry
//! no URL (Green API's token is in its URL path).

mod backend;
mod config;
mod error;
mod limiter;
mod model;
mod monitor;
mod retry;

/// Decoding and mapping a provider's 200 body without HTTP, exactly as the backends map
/// the generated client's answer: for benchmarks, fuzzing, and bodies received elsewhere.
pub mod decode {
    #[cfg(feature = "green-api")]
    pub use crate::backend::decode_green_api as green_api;
    #[cfg(feature = "hypersender")]
    pub use crate::backend::decode_hypersender as hypersender;
    #[cfg(feature = "megaapi")]
    pub use crate::backend::decode_megaapi as megaapi;
    #[cfg(feature = "vzaps")]
    pub use crate::backend::decode_vzaps as vzaps;
}

pub use config::{
    GreenApiConfig, GreenApiConfigBuilder, HypersenderConfig, HypersenderConfigBuilder,
    InstanceConfig, InstanceId, InstanceSettings, Lookup, MegaApiConfig, MegaApiConfigBuilder,
    VzapsAuth, VzapsConfig, VzapsConfigBuilder, HYPERSENDER_BASE_URL, VZAPS_BASE_URL,
};
pub use error::{Error, ErrorKind, EXCERPT_CHARS};
pub use limiter::{Quota, Quotas};
pub use model::{Account, ConnectionState, InstanceStatus, Provider, RequiredAction};
pub use monitor::{Checked, Instance, Monitor, MonitorOptions};
pub use retry::RetryPolicy;
pub use wa_client_support::{ClientOptions, Secret};
