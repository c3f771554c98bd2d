//! The behaviour suite: every provider, through `wa-unified`, against the provider
//! simulator over HTTP on 127.0.0.1. Each scenario gets an instance of its own (its own id
//! and credentials), so that quotas of one scenario never slow another.

mod errors;
mod fleet;
mod harness;
mod mapping;
