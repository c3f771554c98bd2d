//! The request glue every generated client shares: the credentials a request carries in its
//! headers (marked sensitive), the response size cap, and whether its URLs may be shown.
//! Which credential goes where is data, the provider's [`CredentialPlacement`]s; nothing
//! here knows a provider.

use std::fmt;

use base64::Engine as _;
use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION};

use crate::{
    execute, BasicPart, BuildError, CredentialPlacement, Credentials, Placement, Secret, Transport,
    UrlPolicy,
};

/// The request glue of a generated client: its credential headers, the response size cap,
/// and whether its URLs may appear in errors. Its `Debug` shows no credential.
#[derive(Clone)]
pub struct Context {
    headers: Vec<(HeaderName, HeaderValue)>,
    max_response_bytes: usize,
    url_policy: UrlPolicy,
    objects: &'static [&'static str],
}

impl Context {
    /// The glue for `credentials` placed as `placements` say. A credential placed in the
    /// path or the query goes into the call's arguments, not here, and makes every URL of
    /// the client secret ([`UrlPolicy::Redact`]). An empty credential, a header value that
    /// cannot be sent, or half of HTTP Basic is refused, by the credential's name.
    pub fn new(
        placements: &[CredentialPlacement],
        credentials: &Credentials,
        transport: &Transport,
    ) -> Result<Context, BuildError> {
        let mut headers = Vec::new();
        let mut url_policy = UrlPolicy::Keep;
        let mut basic: [Option<(&CredentialPlacement, &Secret)>; 2] = [None, None];
        for credential in placements {
            let Some(secret) = credentials.get(credential.key) else {
                continue;
            };
            if secret.is_empty() {
                return Err(BuildError::InvalidCredential {
                    name: credential.noun,
                    reason: "it is empty",
                });
            }
            match credential.placement {
                Placement::Header { name, prefix } => headers.push((
                    header_name(name)?,
                    secret.header_value_with_prefix(prefix, credential.noun)?,
                )),
                Placement::Path { .. } | Placement::Query { .. } => url_policy = UrlPolicy::Redact,
                Placement::Basic(BasicPart::User) => basic[0] = Some((credential, secret)),
                Placement::Basic(BasicPart::Password) => basic[1] = Some((credential, secret)),
            }
        }
        match basic {
            [Some((half, user)), Some(_)] if user.expose().contains(':') => {
                // RFC 7617: the user-id cannot hold a colon, which would end it early and
                // send the rest as part of the password.
                return Err(BuildError::InvalidCredential {
                    name: half.noun,
                    reason: "an HTTP Basic user cannot contain `:`",
                });
            }
            [Some((_, user)), Some((_, password))] => {
                let pair = format!("{}:{}", user.expose(), password.expose());
                let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
                let mut value = HeaderValue::try_from(format!("Basic {encoded}"))
                    .expect("base64 is a valid header value");
                value.set_sensitive(true);
                headers.push((AUTHORIZATION, value));
            }
            [Some((half, _)), None] | [None, Some((half, _))] => {
                return Err(BuildError::InvalidCredential {
                    name: half.noun,
                    reason: "HTTP Basic takes a user and a password: the other half is missing",
                })
            }
            [None, None] => {}
        }
        Ok(Context {
            headers,
            max_response_bytes: transport.max_response_bytes(),
            url_policy,
            objects: &[],
        })
    }

    /// The glue that refuses a success body holding an array at one of `objects`, where
    /// the document declares an object (see [`check_objects`](crate::check_objects)); the
    /// generated clients pass their `manifest::OBJECTS`.
    pub fn with_objects(mut self, objects: &'static [&'static str]) -> Context {
        self.objects = objects;
        self
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
        execute(
            client,
            request,
            self.max_response_bytes,
            self.url_policy,
            self.objects,
        )
        .await
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
    let name = HeaderName::try_from(header).map_err(|_| BuildError::InvalidCredential {
        name: header,
        reason: "it is not a valid header name",
    })?;
    // A name already in its lower-case form is kept as the static text it is, with no copy
    // for each instance (a fleet holds one per instance).
    Ok(match name.as_str() == header {
        true => HeaderName::from_static(header),
        false => name,
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
            .field("headers", &format_args!("[{}]", headers.join(", ")))
            .field("max_response_bytes", &self.max_response_bytes)
            .field("url_policy", &self.url_policy)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ClientOptions;

    const fn credential(key: &'static str, placement: Placement) -> CredentialPlacement {
        CredentialPlacement {
            key,
            noun: key,
            placement,
        }
    }

    fn headers(context: &Context) -> Vec<(String, String, bool)> {
        let mut request =
            reqwest::Request::new(reqwest::Method::GET, "http://127.0.0.1/".parse().unwrap());
        context.prepare(&mut request);
        request
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.to_string(),
                    v.to_str().unwrap().to_owned(),
                    v.is_sensitive(),
                )
            })
            .collect()
    }

    #[test]
    fn every_placement_sets_its_header_or_the_url_policy_and_debug_shows_none() {
        let transport = Transport::new(&ClientOptions::default()).unwrap();
        let placements = [
            credential(
                "token",
                Placement::Header {
                    name: "Authorization",
                    prefix: "Bearer ",
                },
            ),
            credential(
                "client_token",
                Placement::Header {
                    name: "Client-Token",
                    prefix: "",
                },
            ),
            credential("path_token", Placement::Path { parameter: "token" }),
            credential("query_token", Placement::Query { parameter: "token" }),
            credential("user", Placement::Basic(BasicPart::User)),
            credential("password", Placement::Basic(BasicPart::Password)),
        ];
        let only = |keys: &[(&str, &str)]| {
            let credentials = keys
                .iter()
                .fold(Credentials::none(), |c, (k, v)| c.with(*k, *v));
            Context::new(&placements, &credentials, &transport)
        };
        let bearer = only(&[("token", "234|abc")]).unwrap();
        assert_eq!(
            headers(&bearer),
            [("authorization".into(), "Bearer 234|abc".into(), true)]
        );
        assert_eq!(bearer.url_policy(), UrlPolicy::Keep);
        let two = only(&[("token", "t-1"), ("client_token", "c-2")]).unwrap();
        assert_eq!(
            headers(&two),
            [
                ("authorization".into(), "Bearer t-1".into(), true),
                ("client-token".into(), "c-2".into(), true)
            ]
        );
        for key in ["path_token", "query_token"] {
            let in_url = only(&[(key, "u-3")]).unwrap();
            assert_eq!(headers(&in_url), []);
            assert_eq!(in_url.url_policy(), UrlPolicy::Redact);
        }
        let basic = only(&[("user", "AC123"), ("password", "s3cr3t")]).unwrap();
        // base64("AC123:s3cr3t")
        assert_eq!(
            headers(&basic),
            [(
                "authorization".into(),
                "Basic QUMxMjM6czNjcjN0".into(),
                true
            )]
        );
        let none = only(&[]).unwrap();
        assert_eq!(headers(&none), []);
        for context in [&bearer, &two, &basic, &none] {
            let debug = format!("{context:?}");
            for secret in ["abc", "t-1", "c-2", "AC123", "s3cr3t", "QUMx"] {
                assert!(!debug.contains(secret), "{debug}");
            }
        }
        assert_eq!(
            format!("{two:?}"),
            "Context { headers: [authorization: ***, client-token: ***], max_response_bytes: 1048576, url_policy: Keep }"
        );
        assert_eq!(
            only(&[("user", "AC123")]).unwrap_err().to_string(),
            "invalid credential `user`: HTTP Basic takes a user and a password: the other half is missing"
        );
        // A colon would end the user early and move the rest into the password.
        assert_eq!(
            only(&[("user", "AC1:23"), ("password", "s3cr3t")])
                .unwrap_err()
                .to_string(),
            "invalid credential `user`: an HTTP Basic user cannot contain `:`"
        );
        assert_eq!(
            only(&[("token", "")]).unwrap_err().to_string(),
            "invalid credential `token`: it is empty"
        );
        assert_eq!(
            only(&[("client_token", "c-2 ")]).unwrap_err().to_string(),
            "invalid credential `client_token`: it begins or ends with a blank, which an HTTP header cannot carry"
        );
    }
}
