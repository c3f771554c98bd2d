//! One error type for every provider, with the kinds of the status model.

use std::fmt;
use std::time::Duration;

pub use wa_model::ErrorKind;

use crate::Provider;

/// Why a status check failed. No variant ever holds a secret: bodies are cut to a short
/// excerpt with credentials masked, and transport errors carry no URL.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The target or configuration cannot be used. `provider` is `None` when it could not
    /// even be told (an unknown scheme, say).
    InvalidConfig {
        provider: Option<Provider>,
        message: String,
    },
    /// The provider rejected the credentials (401, or the provider's own status).
    Unauthenticated { provider: Provider, status: u16 },
    /// The provider does not know the instance (404).
    NotFound { provider: Provider },
    /// The provider answered 429; `retry_after` is the wait it asked for, if it said.
    RateLimited {
        provider: Provider,
        retry_after: Option<Duration>,
    },
    /// The account's quota is spent (the provider's own status, such as 466).
    QuotaExceeded { provider: Provider },
    /// The provider could not be reached or did not answer in time, reset the connection,
    /// or answered with a 5xx status.
    Unavailable {
        provider: Provider,
        status: Option<u16>,
        reason: String,
    },
    /// A 2xx answer whose body is not what the provider's spec describes.
    Decode {
        provider: Provider,
        reason: String,
        excerpt: String,
    },
    /// Any other HTTP status.
    UnexpectedStatus {
        provider: Provider,
        status: u16,
        excerpt: String,
    },
}

impl Error {
    pub(crate) fn invalid_config(provider: Option<Provider>, message: impl Into<String>) -> Error {
        Error::InvalidConfig {
            provider,
            message: message.into(),
        }
    }

    /// The kind, with its wire name.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidConfig { .. } => ErrorKind::InvalidConfig,
            Error::Unauthenticated { .. } => ErrorKind::Unauthenticated,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::RateLimited { .. } => ErrorKind::RateLimited,
            Error::QuotaExceeded { .. } => ErrorKind::QuotaExceeded,
            Error::Unavailable { .. } => ErrorKind::Unavailable,
            Error::Decode { .. } => ErrorKind::Decode,
            Error::UnexpectedStatus { .. } => ErrorKind::UnexpectedStatus,
        }
    }

    /// Whether retrying later may succeed.
    pub fn is_temporary(&self) -> bool {
        self.kind().is_temporary()
    }

    /// The provider the failure concerns, when known.
    pub fn provider(&self) -> Option<Provider> {
        match self {
            Error::InvalidConfig { provider, .. } => *provider,
            Error::Unauthenticated { provider, .. }
            | Error::NotFound { provider }
            | Error::RateLimited { provider, .. }
            | Error::QuotaExceeded { provider }
            | Error::Unavailable { provider, .. }
            | Error::Decode { provider, .. }
            | Error::UnexpectedStatus { provider, .. } => Some(*provider),
        }
    }

    /// The wait the provider asked for with a 429, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidConfig {
                provider: Some(provider),
                message,
            } => write!(f, "{provider}: invalid configuration: {message}"),
            Error::InvalidConfig {
                provider: None,
                message,
            } => write!(f, "invalid configuration: {message}"),
            Error::Unauthenticated { provider, status } => {
                write!(
                    f,
                    "{provider}: the credentials were rejected (HTTP {status})"
                )
            }
            Error::NotFound { provider } => {
                write!(
                    f,
                    "{provider}: the provider does not know this instance (HTTP 404)"
                )
            }
            Error::RateLimited {
                provider,
                retry_after: Some(wait),
            } => write!(
                f,
                "{provider}: rate limited (HTTP 429), retry after {} s",
                wait.as_secs_f64()
            ),
            Error::RateLimited {
                provider,
                retry_after: None,
            } => write!(f, "{provider}: rate limited (HTTP 429)"),
            Error::QuotaExceeded { provider } => {
                write!(f, "{provider}: the account's quota is exhausted (HTTP 466)")
            }
            Error::Unavailable {
                provider,
                status: Some(status),
                reason,
            } => write!(f, "{provider}: unavailable (HTTP {status}): {reason}"),
            Error::Unavailable {
                provider,
                status: None,
                reason,
            } => write!(f, "{provider}: unavailable: {reason}"),
            Error::Decode {
                provider,
                reason,
                excerpt,
            } => write!(
                f,
                "{provider}: undecodable response: {reason}; body: {excerpt}"
            ),
            Error::UnexpectedStatus {
                provider,
                status,
                excerpt,
            } => write!(
                f,
                "{provider}: unexpected HTTP status {status}; body: {excerpt}"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// The longest body excerpt kept in an error, in characters.
pub const EXCERPT_CHARS: usize = 120;

/// A short, printable excerpt of a body, with every secret masked. Control characters are
/// escaped so that an excerpt stays on one line.
pub(crate) fn excerpt(body: &[u8], secrets: &[&str]) -> String {
    if body.is_empty() {
        return "(empty)".to_owned();
    }
    let mut text = String::from_utf8_lossy(body).into_owned();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        text = text.replace(secret, "***");
    }
    let mut out: String = text
        .chars()
        .take(EXCERPT_CHARS)
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect();
    if text.chars().count() > EXCERPT_CHARS {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_short_masked_and_on_one_line() {
        assert_eq!(excerpt(b"", &[]), "(empty)");
        assert_eq!(excerpt(b"token=abc\ndone", &["abc"]), "token=***\\ndone");
        let long = "x".repeat(500);
        let cut = excerpt(long.as_bytes(), &[]);
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(excerpt(&[0xff, b'a'], &[]), "\u{fffd}a");
    }

    #[test]
    fn messages_name_the_provider() {
        for provider in Provider::ALL.iter().copied() {
            let error = Error::RateLimited {
                provider,
                retry_after: Some(Duration::from_secs(42)),
            };
            assert_eq!(
                error.to_string(),
                format!("{provider}: rate limited (HTTP 429), retry after 42 s")
            );
            assert_eq!(error.retry_after(), Some(Duration::from_secs(42)));
            assert_eq!(
                Error::QuotaExceeded { provider }.to_string(),
                format!("{provider}: the account's quota is exhausted (HTTP 466)")
            );
        }
    }
}
