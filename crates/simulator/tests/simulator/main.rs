//! The simulator over real HTTP on 127.0.0.1, through the generated clients.

mod auth;
mod contract;
mod control;
mod faults;
mod rate_limits;
mod schema;
mod states;
mod support;
mod timelines;
