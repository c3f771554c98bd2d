//! The simulator over real HTTP on 127.0.0.1, for every provider in the catalog: what a
//! hand-written client sends (`status_request_at`) and exactly what comes back.

mod auth;
mod binary;
mod contract;
mod control;
mod faults;
mod rate_limits;
mod recordings;
mod schema;
mod support;
mod timelines;
