//! Glue shared by the generated provider clients (`wa-megaapi`, `wa-vzaps`,
//! `wa-hypersender`, `wa-green-api`).
//!
//! Each client crate's hand-written `lib.rs` uses these pieces to build its HTTP client and
//! to implement progenitor's `ClientHooks`: set credentials on each request, cap response
//! sizes, and, for providers whose secret travels in the URL, keep that URL out of every
//! error. (The `api-version` header progenitor would add is left out at generation time.)

mod context;
mod options;
mod request;
mod secret;

pub use context::BearerContext;
pub use options::{base_url, BuildError, ClientOptions, Transport};
pub use request::{
    execute, is_response_too_large, set_bearer, set_secret_header, UrlPolicy, REDACTED_URL,
};
pub use secret::Secret;
