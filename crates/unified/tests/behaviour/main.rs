//! The behaviour suite: every provider, through `wa-unified`, over HTTP on 127.0.0.1. Every
//! recorded response of every provider folder runs through the generated client and the
//! mapping, served both verbatim by a test server and by the provider simulator; then
//! every error kind, the quotas and the fleet, for every provider in the catalog. Each
//! scenario gets an instance of its own (its own id and credentials), so that quotas of
//! one scenario never slow another.

mod errors;
mod fleet;
mod harness;
mod quota_folder;
mod recordings;
