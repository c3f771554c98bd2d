//! Typed client for MegaAPI's instance status call, generated from the vendor's OpenAPI
//! document (`specs/megaapi/`) by `cargo xtask codegen`.
//!
//! Only `lib.rs` (the constructor: a bearer token, sent marked sensitive) and `status.rs`
//! (how an answer reads in the common status model) are written by hand. Everything in
//! [`types`] and the method [`Client::get_instance_status`] is generated. A connected
//! instance answers with `instance.user`; when no WhatsApp account is connected, `user` is
//! absent (`None`).
//!
//! ```no_run
//! use wa_megaapi::{Client, ClientOptions, Transport};
//!
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let transport = Transport::new(&ClientOptions::default())?;
//! let client = Client::with_token("https://api2.megaapi.com.br", "my-token", &transport)?;
//! let status = client.get_instance_status("megastart-XXXX").await?.into_inner();
//! match status.instance.user {
//!     Some(user) => println!("connected as {}", user.id),
//!     None => println!("no WhatsApp account connected"),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! The token never shows in `Debug` output:
//!
//! ```
//! # use wa_megaapi::{Client, ClientOptions, Transport};
//! let transport = Transport::new(&ClientOptions::default()).unwrap();
//! let client = Client::with_token("https://api2.megaapi.com.br/", "my-token", &transport).unwrap();
//! assert!(!format!("{client:?}").contains("my-token"));
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
    /// A client for one MegaAPI host, authenticated with the account's bearer token.
    ///
    /// `base_url` is the host assigned to the account, e.g. `https://api2.megaapi.com.br`;
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
