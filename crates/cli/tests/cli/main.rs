//! End-to-end: the built `wa-status` binary against the provider simulator on 127.0.0.1,
//! for every provider in the catalog; what it must print is derived from each provider's
//! recorded responses. Every test checks that nothing the binary printed holds a secret.

mod assets;
mod check;
mod demo;
mod exporter;
mod hostile;
mod monitoring;
mod plugin;
mod recordings;
mod store;
mod support;
mod watch;
