use std::fmt;

use reqwest::header::HeaderValue;

use crate::{execute, set_bearer, BuildError, Secret, Transport, UrlPolicy};

/// The request glue of a client authenticated by a bearer token alone (MegaAPI,
/// Hypersender): what its `ClientHooks` need for every request.
#[derive(Clone)]
pub struct BearerContext {
    authorization: HeaderValue,
    max_response_bytes: usize,
}

impl BearerContext {
    /// The `Authorization: Bearer` header for `token` (marked sensitive) and the
    /// transport's size cap.
    pub fn new(token: Secret, transport: &Transport) -> Result<BearerContext, BuildError> {
        Ok(BearerContext {
            authorization: token.bearer_header("token")?,
            max_response_bytes: transport.max_response_bytes(),
        })
    }

    /// For the `pre` hook: set the token.
    pub fn prepare(&self, request: &mut reqwest::Request) {
        set_bearer(request, &self.authorization);
    }

    /// For the `exec` hook: send with the size cap. These providers' URLs hold no secret.
    pub async fn execute(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
    ) -> reqwest::Result<reqwest::Response> {
        execute(client, request, self.max_response_bytes, UrlPolicy::Keep).await
    }
}

impl fmt::Debug for BearerContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerContext")
            .field("token", &"***")
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}
