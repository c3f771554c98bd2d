//! From a generated client's error to the common [`Error`]: one mapping for every
//! provider, since all generated clients share `progenitor_client::Error`.

use std::time::Duration;

use progenitor_client::Error as ClientError;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde::Serialize;
use wa_client_support::is_response_too_large;

use wa_model::ErrorKind;

use crate::error::{excerpt, Error};
use crate::Provider;

/// Maps a failed call whose answer was not captured. `secrets` are masked in anything
/// taken from a body.
pub(crate) async fn from_client_error<E: Serialize>(
    provider: Provider,
    error: ClientError<E>,
    secrets: &[&str],
) -> Error {
    match error {
        ClientError::ErrorResponse(response) => {
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            // The generated client has decoded the body already; an undocumented one (`()`)
            // is not kept, so there is nothing to show.
            let body = match serde_json::to_vec(response.as_ref()) {
                Ok(body) if body != b"null" => body,
                _ => Vec::new(),
            };
            from_status(provider, status, &headers, &body, secrets)
        }
        ClientError::UnexpectedResponse(response) => {
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            // The body is capped by the client; a failure to read it only loses the excerpt.
            let body = response.bytes().await.unwrap_or_default();
            from_status(provider, status, &headers, &body, secrets)
        }
        ClientError::InvalidResponsePayload(body, error) => Error::Decode {
            provider,
            reason: masked(&error.to_string(), secrets),
            excerpt: excerpt(&body, secrets),
        },
        ClientError::ResponseBodyError(error) if is_response_too_large(&error) => Error::Decode {
            provider,
            reason: "the body is larger than the client's size cap".to_owned(),
            excerpt: String::new(),
        },
        ClientError::ResponseBodyError(error) => Error::Unavailable {
            provider,
            status: error.status().map(|s| s.as_u16()),
            reason: transport_reason(&error, "while reading the body"),
        },
        ClientError::CommunicationError(error) => Error::Unavailable {
            provider,
            status: None,
            reason: transport_reason(&error, "while sending the request"),
        },
        ClientError::InvalidRequest(message) => {
            Error::invalid_config(Some(provider), masked(&message, secrets))
        }
        ClientError::InvalidUpgrade(error) => Error::Unavailable {
            provider,
            status: None,
            reason: transport_reason(&error, "while upgrading"),
        },
        ClientError::Custom(message) => Error::Unavailable {
            provider,
            status: None,
            reason: masked(&message, secrets),
        },
    }
}

/// The kind of an HTTP status: the provider's own meaning where its manifest gives one
/// (a 403 for a wrong id may mean `unauthenticated`), else the status model's.
pub(crate) fn kind_of_status(provider: Provider, status: u16) -> ErrorKind {
    let own = provider.info().errors.statuses.iter();
    own.copied()
        .find(|(s, _)| *s == status)
        .map(|(_, kind)| kind)
        .unwrap_or(match status {
            401 => ErrorKind::Unauthenticated,
            404 => ErrorKind::NotFound,
            429 => ErrorKind::RateLimited,
            500..=599 => ErrorKind::Unavailable,
            _ => ErrorKind::UnexpectedStatus,
        })
}

/// The kind of an error answer: the vendor's own error code where the provider's manifest
/// says what it means (Graph's 190 is `unauthenticated`, whatever the HTTP status), else
/// the kind of its status.
pub(crate) fn kind_of_answer(provider: Provider, status: u16, body: &[u8]) -> ErrorKind {
    let rules = &provider.info().errors;
    let own = rules
        .code
        .filter(|_| !rules.codes.is_empty())
        .and_then(|pointer| {
            let body: serde_json::Value = serde_json::from_slice(body).ok()?;
            let code = body.pointer(pointer)?.as_i64()?;
            rules
                .codes
                .iter()
                .find(|(c, _)| *c == code)
                .map(|(_, kind)| *kind)
        });
    own.unwrap_or_else(|| kind_of_status(provider, status))
}

/// The error for an error answer, following the status model's kinds.
pub(crate) fn from_status(
    provider: Provider,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
    secrets: &[&str],
) -> Error {
    match kind_of_answer(provider, status, body) {
        ErrorKind::Unauthenticated => Error::Unauthenticated { provider, status },
        ErrorKind::NotFound => Error::NotFound { provider },
        ErrorKind::RateLimited => Error::RateLimited {
            provider,
            retry_after: retry_after(headers),
        },
        ErrorKind::QuotaExceeded => Error::QuotaExceeded { provider },
        ErrorKind::Unavailable => Error::Unavailable {
            provider,
            status: Some(status),
            reason: excerpt(body, secrets),
        },
        _ => Error::UnexpectedStatus {
            provider,
            status,
            excerpt: excerpt(body, secrets),
        },
    }
}

/// `Retry-After` in seconds (the HTTP-date form is not used by these providers).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()?;
    Some(Duration::from_secs(seconds))
}

/// A transport error in words, with its causes and without its URL.
fn transport_reason(error: &reqwest::Error, when: &str) -> String {
    if error.is_timeout() {
        return format!("timed out {when}");
    }
    let mut reason = if error.is_connect() {
        "cannot connect".to_owned()
    } else {
        format!("connection failed {when}")
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !reason.ends_with(&text) {
            reason.push_str(": ");
            reason.push_str(&text);
        }
        source = cause.source();
    }
    reason
}

fn masked(text: &str, secrets: &[&str]) -> String {
    secrets
        .iter()
        .filter(|s| !s.is_empty())
        .fold(text.to_owned(), |text, secret| text.replace(secret, "***"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(retry_after: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, retry_after.parse().unwrap());
        headers
    }

    #[test]
    fn statuses_map_to_the_status_models_kinds_or_the_providers_own() {
        let none = HeaderMap::new();
        for provider in Provider::ALL.iter().copied() {
            let kind = |s| from_status(provider, s, &none, b"", &[]).kind();
            let own = |s: u16| {
                provider
                    .info()
                    .errors
                    .statuses
                    .iter()
                    .find(|(status, _)| *status == s)
                    .map(|(_, k)| *k)
            };
            for (status, default) in [
                (401, ErrorKind::Unauthenticated),
                (403, ErrorKind::UnexpectedStatus),
                (404, ErrorKind::NotFound),
                (418, ErrorKind::UnexpectedStatus),
                (429, ErrorKind::RateLimited),
                (466, ErrorKind::UnexpectedStatus),
                (502, ErrorKind::Unavailable),
            ] {
                assert_eq!(
                    kind(status),
                    own(status).unwrap_or(default),
                    "{provider} {status}"
                );
            }
        }
        // The manifests' own meanings are used: at least one provider has some.
        assert!(Provider::ALL
            .iter()
            .any(|p| !p.info().errors.statuses.is_empty()));
    }

    #[test]
    fn a_vendor_code_the_manifest_maps_decides_before_the_status() {
        let mut checked = 0;
        for provider in Provider::ALL.iter().copied() {
            let rules = &provider.info().errors;
            let Some(pointer) = rules.code else { continue };
            for (code, kind) in rules.codes {
                // The body `{"a": {"b": code}}` for the pointer `/a/b`.
                let mut body = serde_json::json!(code);
                for key in pointer.trim_start_matches('/').rsplit('/') {
                    body = serde_json::json!({ key: body });
                }
                let bytes = serde_json::to_vec(&body).unwrap();
                assert_eq!(
                    kind_of_answer(provider, 400, &bytes),
                    *kind,
                    "{provider} {code}"
                );
                checked += 1;
            }
            assert_eq!(
                kind_of_answer(provider, 400, b"{}"),
                kind_of_status(provider, 400),
                "{provider}"
            );
        }
        assert!(checked > 0, "no provider maps its own error codes");
    }

    #[test]
    fn retry_after_seconds_are_kept() {
        let provider = Provider::ALL[0];
        let error = from_status(provider, 429, &headers("37"), b"", &[]);
        assert_eq!(error.retry_after(), Some(Duration::from_secs(37)));
        let error = from_status(
            provider,
            429,
            &headers("Wed, 21 Oct 2015 07:28:00 GMT"),
            b"",
            &[],
        );
        assert_eq!(error.retry_after(), None);
    }

    #[test]
    fn a_5xx_without_a_body_says_so() {
        let provider = Provider::ALL[0];
        let error = from_status(provider, 502, &HeaderMap::new(), b"", &[]);
        assert_eq!(
            error.to_string(),
            format!("{provider}: unavailable (HTTP 502): (empty)")
        );
    }

    #[test]
    fn bodies_are_masked() {
        let provider = Provider::ALL[0];
        let error = from_status(
            provider,
            418,
            &HeaderMap::new(),
            b"token tok-123 here",
            &["tok-123"],
        );
        assert_eq!(
            error.to_string(),
            format!("{provider}: unexpected HTTP status 418; body: token *** here")
        );
    }
}
