//! A provider simulator: one real HTTP server on loopback that speaks the status APIs of
//! MegaAPI, VZaps, Hypersender and Green API, for tests, demos and benchmarks.
//!
//! It serves each provider under its own base path (see [`Provider::base_path`]), with the
//! vendors' body shapes, authentication, error bodies and rate limits, and lets tests make
//! any instance misbehave ([`Fault`]) or change state on a schedule ([`Step`]).
//!
//! ```
//! use wa_simulator::{Fleet, Instance, Provider, Simulator};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let fleet = Fleet {
//!     instances: vec![
//!         Instance::new(Provider::Hypersender, "fa3d01c4-1234-4c0d-a12f-df319b612f8c", "WORKING")
//!             .with_token("234|demo"),
//!     ],
//! };
//! let simulator = Simulator::start(fleet).await?;
//! let base = simulator.base_url(Provider::Hypersender); // http://127.0.0.1:PORT/hypersender/api/whatsapp/v1
//! assert!(base.ends_with("/hypersender/api/whatsapp/v1"));
//! # Ok(())
//! # }
//! ```
//!
//! | provider | status endpoint under its base URL | auth | rate limit |
//! | --- | --- | --- | --- |
//! | MegaAPI | `GET /rest/instance/{key}` | bearer | none |
//! | VZaps | `GET /instances/{id}/session/status` | bearer, or `X-Instance-Token` + `X-Client-Token` | none |
//! | Hypersender | `GET /{instance}/health` | bearer | 10 per minute per token |
//! | Green API | `GET /waInstance{id}/getStateInstance/{token}` | token in the path | 1 per second per instance |
//!
//! Wrong credentials get 401 (Green API: 401 for a wrong token, 403 for an unknown id); an
//! unknown instance gets 404 with the vendor's body; over the rate limit, 429 with
//! `Retry-After`. The control API is described in the crate's README.

mod control;
mod faults;
mod fleet;
mod log;
mod provider;
mod server;
mod state;
mod vendors;

pub use control::{InstancePatch, InstanceView, RateLimits};
pub use faults::{html_page, Fault, Faults, WRONG_SHAPE_BODY};
pub use fleet::{Account, Fleet, Instance, Step};
pub use log::RequestLog;
pub use provider::Provider;
pub use server::{Simulator, SimulatorOptions};
pub use state::{Counters, RateLimit};
pub use vendors::GREEN_API_NULL_STATE;
