//! What the generated provider clients build on.
//!
//! Each client crate's generated glue declares where its provider's credentials go
//! ([`Placement`]: a header, the path, the query, HTTP Basic), builds its [`Context`] from
//! that declaration, and lets [`client_hooks!`] write progenitor's request hooks; its
//! `status.rs` reads the provider's answer into the common status model ([`wa_model`]),
//! through [`StatusApi`]. The pieces here cap response sizes, mark secrets sensitive, keep
//! URLs that hold a secret out of every error, and, for `wa-unified`, keep what a vendor
//! said in an error answer ([`capture_error_answers`]).

#![warn(missing_docs)]

mod capture;
mod context;
mod credentials;
mod options;
mod placement;
mod proxy;
mod request;
mod secret;
mod shape;
mod status_api;
mod tolerant;

pub use capture::{capture_error_answers, ErrorAnswer};
pub use context::Context;
pub use credentials::Credentials;
pub use options::{base_url, BuildError, ClientOptions, Transport};
pub use placement::{BasicPart, CredentialPlacement, Placement};
pub use proxy::{EnvLookup, Proxies};
pub use request::{execute, is_response_too_large, UrlPolicy, REDACTED_URL};
pub use secret::Secret;
pub use shape::{array_for_object, check_objects, ArrayForObject};
pub use status_api::{StatusApi, Target};
pub use tolerant::Tolerant;

/// Re-exported for [`client_hooks!`] and the client crates.
pub use {progenitor_client, reqwest, wa_model};

/// Implements progenitor's `ClientHooks` for a generated `Client` whose inner type
/// (`$context`) is, or wraps, a [`Context`]: each request gets its credentials and is sent
/// with the size cap and the URL policy of that context. It also writes the private
/// constructor every client's glue ends with, `Client::with_context(base_url, context,
/// transport)`, which checks the base URL and shares the transport's connections.
///
/// ```ignore
/// pub type Context = wa_client_support::Context;
/// wa_client_support::client_hooks!(Client, Context);
/// ```
#[macro_export]
macro_rules! client_hooks {
    ($client:ty, $context:ty) => {
        impl $crate::progenitor_client::ClientHooks<$context> for $client {
            async fn pre<E>(
                &self,
                request: &mut $crate::reqwest::Request,
                _info: &$crate::progenitor_client::OperationInfo,
            ) -> ::core::result::Result<(), $crate::progenitor_client::Error<E>> {
                ::core::convert::AsRef::<$crate::Context>::as_ref(&self.inner).prepare(request);
                Ok(())
            }

            async fn exec(
                &self,
                request: $crate::reqwest::Request,
                _info: &$crate::progenitor_client::OperationInfo,
            ) -> $crate::reqwest::Result<$crate::reqwest::Response> {
                ::core::convert::AsRef::<$crate::Context>::as_ref(&self.inner)
                    .execute(&self.client, request)
                    .await
            }
        }

        impl $client {
            /// The client for `base_url` (a trailing `/` is accepted) with its credentials
            /// in `context`, on `transport`'s connections.
            fn with_context(
                base_url: &str,
                context: $context,
                transport: &$crate::Transport,
            ) -> ::core::result::Result<$client, $crate::BuildError> {
                Ok(<$client>::new_with_client(
                    &$crate::base_url(base_url)?,
                    transport.http_client(),
                    context,
                ))
            }
        }
    };
}
