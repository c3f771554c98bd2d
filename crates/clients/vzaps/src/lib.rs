//! Typed client for VZaps' session status call, generated from the vendor's OpenAPI
//! document (`specs/vzaps/`) by `cargo xtask codegen`.
//!
//! Only `lib.rs` (the constructors for VZaps' two ways to authenticate: the account's
//! bearer JWT, or the instance and client tokens as a header pair) and `status.rs` (how an
//! answer reads in the common status model) are written by hand. Everything in [`types`]
//! and the method [`Client::session_status`] is generated. The answer is a
//! [`types::SessionStatusResponse`]: the documented envelope `{code, success, data}`, or
//! the bare `{"connected": false}` the vendor's description also mentions.
//!
//! ```no_run
//! use wa_vzaps::{types::SessionStatusResponse, Client, ClientOptions, Transport};
//!
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let transport = Transport::new(&ClientOptions::default())?;
//! let client = Client::with_instance_tokens(
//!     "https://api.vzaps.com",
//!     "instance-token",
//!     "client-token",
//!     &transport,
//! )?;
//! let data = match client.session_status("VZ9K2M4N8P1Q3R5S7T0WABCD01EF").await?.into_inner() {
//!     SessionStatusResponse::WorkerEnvelopeSessionStatus(envelope) => envelope.data,
//!     SessionStatusResponse::SessionStatusData(bare) => Some(bare),
//! };
//! println!("connected: {:?}", data.map(|d| d.connected));
//! # Ok(())
//! # }
//! ```
//!
//! Neither token shows in `Debug` output:
//!
//! ```
//! # use wa_vzaps::{Client, ClientOptions, Transport};
//! let transport = Transport::new(&ClientOptions::default()).unwrap();
//! let client = Client::with_instance_tokens("https://api.vzaps.com", "inst-secret", "client-secret", &transport).unwrap();
//! let debug = format!("{client:?}");
//! assert!(!debug.contains("inst-secret") && !debug.contains("client-secret"));
//! ```

#![warn(missing_docs)]

pub use wa_client_support::{BuildError, ClientOptions, Secret, Transport};

#[rustfmt::skip]
#[allow(clippy::all, rustdoc::all)]
mod generated;
mod status;

pub use generated::*;

/// What the request hooks need: the credentials and the response size cap.
pub type Context = wa_client_support::Context;

wa_client_support::client_hooks!(Client, Context);

impl Client {
    /// A client authenticated with the account's bearer JWT (from `POST /token`).
    ///
    /// `base_url` is `https://api.vzaps.com` for the production service; a trailing `/` is
    /// accepted.
    pub fn with_bearer(
        base_url: &str,
        token: impl Into<Secret>,
        transport: &Transport,
    ) -> Result<Client, BuildError> {
        let context = Context::bearer(&token.into(), transport)?;
        Client::with_context(base_url, context, transport)
    }

    /// A client authenticated with the instance token and the account's client token,
    /// sent as the headers of [`manifest::HEADER_PAIR`] (`X-Instance-Token`,
    /// `X-Client-Token`).
    pub fn with_instance_tokens(
        base_url: &str,
        instance_token: impl Into<Secret>,
        client_token: impl Into<Secret>,
        transport: &Transport,
    ) -> Result<Client, BuildError> {
        let secrets = [&instance_token.into(), &client_token.into()];
        let names = ["instance_token", "client_token"];
        let context = Context::header_pair(manifest::HEADER_PAIR, names, secrets, transport)?;
        Client::with_context(base_url, context, transport)
    }
}
