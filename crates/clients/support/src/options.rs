use std::fmt;
use std::time::Duration;

use crate::proxy::Proxies;

/// How a generated client talks HTTP: timeouts, the response size cap, the user agent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientOptions {
    /// The whole request, from connecting to the last byte of the body.
    pub timeout: Duration,
    /// Establishing the TCP and TLS connection.
    pub connect_timeout: Duration,
    /// Bodies longer than this are not read; the call fails with a body error that
    /// [`is_response_too_large`](crate::is_response_too_large) recognizes. A status answer
    /// is a few hundred bytes; the cap protects against a proxy or a broken server.
    pub max_response_bytes: usize,
    /// The `User-Agent` header sent with every request.
    pub user_agent: String,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            max_response_bytes: 1024 * 1024,
            user_agent: concat!("wa-status/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

impl ClientOptions {
    /// Sets the whole-request timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the connect timeout.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the response size cap, in bytes.
    pub fn with_max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// Sets the `User-Agent` header.
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }
}

/// Why a client could not be built.
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// The base URL is not an absolute `http` or `https` URL.
    InvalidBaseUrl {
        /// Why not.
        reason: String,
    },
    /// A credential is empty or cannot be sent as the provider requires.
    InvalidCredential {
        /// The credential's name, as the provider calls it.
        name: &'static str,
        /// Why it cannot be used.
        reason: &'static str,
    },
    /// The HTTP client could not be set up (for example, TLS roots could not be loaded).
    Http(reqwest::Error),
    /// A proxy variable of the environment is set but is not a proxy URL.
    InvalidProxy {
        /// The variable, e.g. `HTTPS_PROXY`.
        variable: &'static str,
        /// Why not (the value is not shown: it may hold a password).
        reason: String,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::InvalidBaseUrl { reason } => write!(f, "invalid base URL: {reason}"),
            BuildError::InvalidCredential { name, reason } => {
                write!(f, "invalid credential `{name}`: {reason}")
            }
            BuildError::Http(e) => write!(f, "cannot set up the HTTP client: {}", e),
            BuildError::InvalidProxy { variable, reason } => {
                write!(f, "the proxy variable {variable} is not usable: {reason}")
            }
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::Http(e) => Some(e),
            _ => None,
        }
    }
}

/// The HTTP side of a generated client: a `reqwest` client (rustls with the `ring`
/// provider, the timeouts and user agent of [`ClientOptions`]) and the response size cap.
///
/// Redirects are never followed and no `Referer` is sent: every credential-bearing header
/// (and Green API's token, which is in the path) stays with the origin it was meant for. A
/// redirect is an answer like any other, classified by its status.
///
/// Cloning is cheap and shares the connection pool: build one `Transport` and hand it to
/// the clients of every instance of a provider, and connections to the same host are
/// reused across instances.
#[derive(Clone, Debug)]
pub struct Transport {
    http: reqwest::Client,
    max_response_bytes: usize,
}

impl Transport {
    /// Builds a transport with its own connection pool, and the proxies of the process'
    /// environment ([`Proxies`]: `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`).
    pub fn new(options: &ClientOptions) -> Result<Transport, BuildError> {
        let proxies = Proxies::from_env(&|name| std::env::var(name).ok())?;
        Transport::with_proxies(options, proxies)
    }

    /// Builds a transport with its own connection pool and these proxies.
    pub fn with_proxies(
        options: &ClientOptions,
        proxies: Proxies,
    ) -> Result<Transport, BuildError> {
        // rustls' `ring` provider: a plain C build (no cmake, unlike aws-lc). Installed as
        // the process default unless the application installed one first.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let builder = reqwest::Client::builder();
        // Our own reading of the environment replaces reqwest's.
        let builder = match proxies.any() {
            true => builder.proxy(reqwest::Proxy::custom(move |url| proxies.for_url(url))),
            false => builder.no_proxy(),
        };
        let http = builder
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .timeout(options.timeout)
            .connect_timeout(options.connect_timeout)
            .user_agent(options.user_agent.clone())
            .build()
            .map_err(|e| BuildError::Http(e.without_url()))?;
        Ok(Transport {
            http,
            max_response_bytes: options.max_response_bytes,
        })
    }

    /// The `reqwest` client, for the generated `Client::new_with_client`.
    pub fn http_client(&self) -> reqwest::Client {
        self.http.clone()
    }

    /// The response size cap, in bytes.
    pub fn max_response_bytes(&self) -> usize {
        self.max_response_bytes
    }
}

/// Checks a base URL and removes trailing slashes, so that the generated paths (which start
/// with `/`) never produce `//`.
///
/// ```
/// assert_eq!(
///     wa_client_support::base_url("https://gateway.example/api/v1/").unwrap(),
///     "https://gateway.example/api/v1"
/// );
/// assert!(wa_client_support::base_url("gateway.example").is_err());
/// ```
pub fn base_url(raw: &str) -> Result<String, BuildError> {
    let trimmed = raw.trim().trim_end_matches('/');
    let parsed = reqwest::Url::parse(trimmed).map_err(|e| BuildError::InvalidBaseUrl {
        reason: format!("{e}"),
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(BuildError::InvalidBaseUrl {
            reason: format!("scheme `{}` is not http or https", parsed.scheme()),
        });
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(BuildError::InvalidBaseUrl {
            reason: "a base URL has no query or fragment".to_owned(),
        });
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        // Credentials in the URL would be printed wherever the URL is; they belong in the
        // credential arguments.
        return Err(BuildError::InvalidBaseUrl {
            reason: "a base URL carries no user name or password".to_owned(),
        });
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_is_trimmed_and_checked() {
        assert_eq!(
            base_url("http://127.0.0.1:8080//").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            base_url(" https://api.example.com ").unwrap(),
            "https://api.example.com"
        );
        let reason = |raw: &str| match base_url(raw) {
            Err(BuildError::InvalidBaseUrl { reason }) => reason,
            other => panic!("expected an invalid base URL, got {other:?}"),
        };
        assert_eq!(reason("ftp://host"), "scheme `ftp` is not http or https");
        assert_eq!(reason("api.example.com"), "relative URL without a base");
        assert_eq!(
            reason("https://host/?a=1"),
            "a base URL has no query or fragment"
        );
        assert_eq!(
            reason("https://user:pw@host"),
            "a base URL carries no user name or password"
        );
    }

    #[test]
    fn build_errors_read_as_sentences() {
        assert_eq!(
            BuildError::InvalidCredential {
                name: "token",
                reason: "it is empty"
            }
            .to_string(),
            "invalid credential `token`: it is empty"
        );
    }
}
