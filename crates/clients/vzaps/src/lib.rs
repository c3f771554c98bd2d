//! Typed client for VZaps' session status call, generated from the vendor's OpenAPI
//! document (`specs/vzaps/`) by `cargo xtask codegen`.
//!
//! Only this file is written by hand: the constructors for VZaps' two ways to authenticate
//! (the account's bearer JWT, or the `X-Instance-Token` and `X-Client-Token` pair), and the
//! request hooks. Everything in [`types`] and the method [`Client::session_status`] is
//! generated. The answer is a [`types::SessionStatusResponse`]: the documented envelope
//! `{code, success, data}`, or the bare `{"connected": false}` the vendor's description
//! also mentions.
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

use std::fmt;

use progenitor_client::{ClientHooks, OperationInfo};
use reqwest::header::{HeaderName, HeaderValue};
use wa_client_support::{execute, set_bearer, set_secret_header, UrlPolicy};

pub use wa_client_support::{BuildError, ClientOptions, Secret, Transport};

#[rustfmt::skip]
#[allow(clippy::all, rustdoc::all)]
mod generated;
pub use generated::*;

/// The header that carries the instance's token in the token-pair style.
pub const INSTANCE_TOKEN_HEADER: &str = "x-instance-token";
/// The header that carries the account's client token in the token-pair style.
pub const CLIENT_TOKEN_HEADER: &str = "x-client-token";

/// How requests are authenticated, as VZaps accepts either way.
#[derive(Clone)]
enum Auth {
    /// `Authorization: Bearer <jwt>`, the account's token from `POST /token`.
    Bearer(HeaderValue),
    /// `X-Instance-Token` and `X-Client-Token`.
    TokenPair {
        instance_token: HeaderValue,
        client_token: HeaderValue,
    },
}

/// What the request hooks need: the credentials and the response size cap.
#[derive(Clone)]
pub struct Context {
    auth: Auth,
    max_response_bytes: usize,
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let auth = match self.auth {
            Auth::Bearer(_) => "Bearer(***)",
            Auth::TokenPair { .. } => "TokenPair(***, ***)",
        };
        f.debug_struct("Context")
            .field("auth", &format_args!("{auth}"))
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

impl Client {
    /// A client authenticated with the account's bearer JWT.
    ///
    /// `base_url` is `https://api.vzaps.com` for the production service; a trailing `/` is
    /// accepted.
    pub fn with_bearer(
        base_url: &str,
        token: impl Into<Secret>,
        transport: &Transport,
    ) -> Result<Client, BuildError> {
        let auth = Auth::Bearer(token.into().bearer_header("token")?);
        Self::with_auth(base_url, auth, transport)
    }

    /// A client authenticated with the instance token and the account's client token, sent
    /// as `X-Instance-Token` and `X-Client-Token`.
    pub fn with_instance_tokens(
        base_url: &str,
        instance_token: impl Into<Secret>,
        client_token: impl Into<Secret>,
        transport: &Transport,
    ) -> Result<Client, BuildError> {
        let auth = Auth::TokenPair {
            instance_token: instance_token.into().header_value("instance_token")?,
            client_token: client_token.into().header_value("client_token")?,
        };
        Self::with_auth(base_url, auth, transport)
    }

    fn with_auth(base_url: &str, auth: Auth, transport: &Transport) -> Result<Client, BuildError> {
        let context = Context {
            auth,
            max_response_bytes: transport.max_response_bytes(),
        };
        Ok(Client::new_with_client(
            &wa_client_support::base_url(base_url)?,
            transport.http_client(),
            context,
        ))
    }
}

impl ClientHooks<Context> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        match &self.inner.auth {
            Auth::Bearer(authorization) => set_bearer(request, authorization),
            Auth::TokenPair {
                instance_token,
                client_token,
            } => {
                let instance = HeaderName::from_static(INSTANCE_TOKEN_HEADER);
                set_secret_header(request, instance, instance_token);
                let client = HeaderName::from_static(CLIENT_TOKEN_HEADER);
                set_secret_header(request, client, client_token);
            }
        }
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        execute(
            &self.client,
            request,
            self.inner.max_response_bytes,
            UrlPolicy::Keep,
        )
        .await
    }
}
