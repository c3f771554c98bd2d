//! Typed client for Hypersender's instance health call, generated from the vendor's OpenAPI
//! document (`specs/hypersender/`) by `cargo xtask codegen`.
//!
//! Only `lib.rs` (the constructor: a bearer token, sent marked sensitive) and `status.rs`
//! (how an answer reads in the common status model) are written by hand. Everything in
//! [`types`] and the method [`Client::check_instance_health`] is generated. `status` is a
//! string so that a state the vendor adds later still decodes; the documented values are
//! listed on the field. A 404 or a 429 (the endpoint allows 10 requests per minute) is an
//! [`Error::ErrorResponse`] holding a [`types::ErrorMessage`].
//!
//! ```no_run
//! use wa_hypersender::{Client, ClientOptions, Transport};
//!
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let transport = Transport::new(&ClientOptions::default())?;
//! let client = Client::with_token(
//!     "https://app.hypersender.com/api/whatsapp/v1",
//!     "234|3uB2...",
//!     &transport,
//! )?;
//! let health = client
//!     .check_instance_health("fa3d01c4-1234-4c0d-a12f-df319b612f8c")
//!     .await?
//!     .into_inner();
//! println!("{:?} since {:?}", health.status, health.connected_at);
//! # Ok(())
//! # }
//! ```
//!
//! The token never shows in `Debug` output:
//!
//! ```
//! # use wa_hypersender::{Client, ClientOptions, Transport};
//! let transport = Transport::new(&ClientOptions::default()).unwrap();
//! let client = Client::with_token("https://app.hypersender.com/api/whatsapp/v1", "234|secret", &transport).unwrap();
//! assert!(!format!("{client:?}").contains("234|secret"));
//! ```

#![warn(missing_docs)]

pub use wa_client_support::{BuildError, ClientOptions, Secret, Transport};

#[rustfmt::skip]
#[allow(clippy::all, rustdoc::all)]
mod generated;
mod status;

pub use generated::*;

/// What the request hooks need: the `Authorization` header and the response size cap.
pub type Context = wa_client_support::Context;

wa_client_support::client_hooks!(Client, Context);

impl Client {
    /// A client authenticated with the account's bearer token.
    ///
    /// `base_url` includes the API's path, e.g. `https://app.hypersender.com/api/whatsapp/v1`;
    /// a trailing `/` is accepted.
    pub fn with_token(
        base_url: &str,
        token: impl Into<Secret>,
        transport: &Transport,
    ) -> Result<Client, BuildError> {
        let context = Context::bearer(&token.into(), transport)?;
        Client::with_context(base_url, context, transport)
    }
}
