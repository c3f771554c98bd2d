//! The auth styles, each written once: what a generated client's request hooks need for
//! every request (the credential headers, marked sensitive), with the size cap and the
//! URL policy.

use std::fmt;

use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION};

use crate::{execute, BuildError, Secret, Transport, UrlPolicy};

/// The request glue of a generated client: its credentials, the response size cap, and
/// whether its URLs may appear in errors. Build it with the constructor of the provider's
/// auth style; its `Debug` shows no credential.
#[derive(Clone)]
pub struct Context {
    headers: Vec<(HeaderName, HeaderValue)>,
    style: &'static str,
    max_response_bytes: usize,
    url_policy: UrlPolicy,
}

impl Context {
    /// `Authorization: Bearer <token>`.
    pub fn bearer(token: &Secret, transport: &Transport) -> Result<Context, BuildError> {
        let value = token.header_value_with_prefix("Bearer ", "token")?;
        Ok(Context::new(
            "Bearer",
            vec![(AUTHORIZATION, value)],
            transport,
        ))
    }

    /// Two secret headers, e.g. an instance token and a client token; `names`
    /// name the credentials in errors.
    pub fn header_pair(
        headers: [&'static str; 2],
        names: [&'static str; 2],
        secrets: [&Secret; 2],
        transport: &Transport,
    ) -> Result<Context, BuildError> {
        let mut pairs = Vec::with_capacity(2);
        for ((header, name), secret) in headers.into_iter().zip(names).zip(secrets) {
            pairs.push((
                header_name(header)?,
                secret.header_value_with_prefix("", name)?,
            ));
        }
        Ok(Context::new("HeaderPair", pairs, transport))
    }

    /// One secret header, e.g. `X-Api-Key`; no header at all when `key` is `None`
    /// (a server that runs without a key).
    pub fn api_key(
        header: &'static str,
        key: Option<&Secret>,
        transport: &Transport,
    ) -> Result<Context, BuildError> {
        let headers = match key {
            Some(key) => vec![(
                header_name(header)?,
                key.header_value_with_prefix("", "api key")?,
            )],
            None => Vec::new(),
        };
        Ok(Context::new("ApiKey", headers, transport))
    }

    /// The token travels in the URL path: no header to set, and the URL is
    /// kept out of every error and response handed to the generated code.
    pub fn path_token(transport: &Transport) -> Context {
        let mut context = Context::new("PathToken", Vec::new(), transport);
        context.url_policy = UrlPolicy::Redact;
        context
    }

    fn new(
        style: &'static str,
        headers: Vec<(HeaderName, HeaderValue)>,
        transport: &Transport,
    ) -> Context {
        Context {
            headers,
            style,
            max_response_bytes: transport.max_response_bytes(),
            url_policy: UrlPolicy::Keep,
        }
    }

    /// For the `pre` hook: set the credential headers.
    pub fn prepare(&self, request: &mut reqwest::Request) {
        for (name, value) in &self.headers {
            request.headers_mut().insert(name.clone(), value.clone());
        }
    }

    /// For the `exec` hook: send with the size cap and the URL policy.
    pub async fn execute(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
    ) -> reqwest::Result<reqwest::Response> {
        execute(client, request, self.max_response_bytes, self.url_policy).await
    }

    /// Whether this client's URLs hold a secret.
    pub fn url_policy(&self) -> UrlPolicy {
        self.url_policy
    }
}

impl AsRef<Context> for Context {
    fn as_ref(&self) -> &Context {
        self
    }
}

fn header_name(header: &'static str) -> Result<HeaderName, BuildError> {
    HeaderName::try_from(header).map_err(|_| BuildError::InvalidCredential {
        name: header,
        reason: "it is not a valid header name",
    })
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<String> = self
            .headers
            .iter()
            .map(|(name, _)| format!("{name}: ***"))
            .collect();
        f.debug_struct("Context")
            .field(
                "auth",
                &format_args!("{}({})", self.style, headers.join(", ")),
            )
            .field("max_response_bytes", &self.max_response_bytes)
            .field("url_policy", &self.url_policy)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ClientOptions;

    #[test]
    fn every_style_sets_its_headers_and_debug_shows_none() {
        let transport = Transport::new(&ClientOptions::default()).unwrap();
        let bearer = Context::bearer(&Secret::new("234|abc"), &transport).unwrap();
        let pair = Context::header_pair(
            ["X-Instance-Token", "X-Client-Token"],
            ["instance_token", "client_token"],
            [&Secret::new("inst-1"), &Secret::new("cli-2")],
            &transport,
        )
        .unwrap();
        let key = Context::api_key("X-Api-Key", Some(&Secret::new("key-3")), &transport).unwrap();
        let keyless = Context::api_key("X-Api-Key", None, &transport).unwrap();
        let path = Context::path_token(&transport);
        let mut seen = Vec::new();
        for context in [&bearer, &pair, &key, &keyless, &path] {
            let mut request =
                reqwest::Request::new(reqwest::Method::GET, "http://127.0.0.1/".parse().unwrap());
            context.prepare(&mut request);
            let headers: Vec<(String, String, bool)> = request
                .headers()
                .iter()
                .map(|(n, v)| {
                    (
                        n.to_string(),
                        v.to_str().unwrap().to_owned(),
                        v.is_sensitive(),
                    )
                })
                .collect();
            seen.push(headers);
            let debug = format!("{context:?}");
            for secret in ["abc", "inst-1", "cli-2", "key-3"] {
                assert!(!debug.contains(secret), "{debug}");
            }
        }
        assert_eq!(
            seen,
            vec![
                vec![("authorization".into(), "Bearer 234|abc".into(), true)],
                vec![
                    ("x-instance-token".into(), "inst-1".into(), true),
                    ("x-client-token".into(), "cli-2".into(), true)
                ],
                vec![("x-api-key".into(), "key-3".into(), true)],
                vec![],
                vec![],
            ]
        );
        assert_eq!(path.url_policy(), UrlPolicy::Redact);
        assert_eq!(
            format!("{pair:?}"),
            "Context { auth: HeaderPair(x-instance-token: ***, x-client-token: ***), max_response_bytes: 1048576, url_policy: Keep }"
        );
    }

    #[test]
    fn an_empty_token_is_refused_by_name() {
        let transport = Transport::new(&ClientOptions::default()).unwrap();
        let error = Context::bearer(&Secret::new(""), &transport).unwrap_err();
        assert_eq!(error.to_string(), "invalid credential `token`: it is empty");
    }
}
