//! A provider simulator: one real HTTP server on loopback that speaks the status API of
//! every provider in the catalog (`wa-providers`, generated from the folders of `specs/`),
//! for tests, demos and benchmarks.
//!
//! Each provider is served under its own base path, at its status call's path, with its
//! auth style and its documented rate limit. An instance serves one of its provider's
//! recorded responses (`specs/<provider>/responses/`), the same recordings the behaviour
//! suite checks; tests can make any instance misbehave ([`Fault`]) or change response on a
//! schedule ([`Step`]).
//!
//! ```
//! use wa_simulator::{Fleet, Simulator};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let fleet = Fleet::sample(); // every provider's demo instances
//! let simulator = Simulator::start(fleet.clone()).await?;
//! for instance in &fleet.instances {
//!     let base = simulator.base_url(instance.provider);
//!     assert!(base.starts_with("http://127.0.0.1:"));
//!     // A connection string `wa-status check` takes as it is.
//!     let target = simulator.connection_string(instance);
//!     assert!(target.starts_with(&format!("{}+http://", instance.provider)));
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Wrong credentials get the provider's recorded `unauthenticated` answer, an unknown
//! instance its `unknown_instance` answer, and a request over its rate limit its
//! `rate_limited` answer with `Retry-After`. The crate's README has the tables: base paths,
//! auth, limits, the recordings of each provider, the faults and the control API.

#![warn(missing_docs)]

mod control;
mod faults;
mod fleet;
mod log;
mod route;
mod serve;
mod server;
mod state;

pub use control::{InstancePatch, InstanceView, RateLimits};
pub use faults::{html_page, Fault, Faults, WRONG_SHAPE_BODY};
pub use fleet::{Fleet, Instance, Step};
pub use log::RequestLog;
pub use server::{
    connection_string_at, fleet_file_at, fleet_file_entry_at, status_request_at, Simulator,
    SimulatorOptions,
};
pub use state::{Counters, RateLimit};
pub use wa_providers::Provider;
