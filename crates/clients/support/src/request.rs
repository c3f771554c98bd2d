use std::sync::LazyLock;

use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use reqwest::header::HeaderValue;
use reqwest::ResponseBuilderExt;

use crate::capture::{self, ErrorAnswer};
use crate::shape::ObjectsChecked;
use crate::{BuildError, Secret};

impl Secret {
    /// This secret as a header value after `prefix` (`Bearer `), marked sensitive so that
    /// no `Debug` of the request or its headers shows it. `name` names it in errors.
    pub(crate) fn header_value_with_prefix(
        &self,
        prefix: &str,
        name: &'static str,
    ) -> Result<HeaderValue, BuildError> {
        if self.is_empty() {
            return Err(BuildError::InvalidCredential {
                name,
                reason: "it is empty",
            });
        }
        if self.expose().trim() != self.expose() {
            // HTTP drops a header value's blanks at its edges: the server would get
            // another credential than the one given.
            return Err(BuildError::InvalidCredential {
                name,
                reason: "it begins or ends with a blank, which an HTTP header cannot carry",
            });
        }
        let mut value =
            HeaderValue::try_from(format!("{prefix}{}", self.expose())).map_err(|_| {
                BuildError::InvalidCredential {
                    name,
                    reason: "it holds characters that cannot be sent in an HTTP header",
                }
            })?;
        value.set_sensitive(true);
        Ok(value)
    }
}

/// Whether a response's URL may appear in errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UrlPolicy {
    /// The URL holds no secret and helps whoever reads the error.
    Keep,
    /// The URL holds a secret (a token in the path): it is removed from
    /// transport errors and from the response handed to the generated code, so that no
    /// error or `Debug` output built from them can print it.
    Redact,
}

/// Sends a request and caps the size of the response body.
///
/// A body longer than `max_response_bytes` fails while it is read, with an error that
/// [`is_response_too_large`] recognizes; nothing past the cap is buffered. Inside
/// [`capture_error_answers`](crate::capture_error_answers), a non-2xx answer is read whole
/// (within the cap) and a copy kept for the caller. A success body is checked against
/// `objects` as it is read (see [`check_objects`](crate::check_objects)): an array where
/// the document declares an object fails the read with an
/// [`ArrayForObject`](crate::ArrayForObject).
pub async fn execute(
    client: &reqwest::Client,
    request: reqwest::Request,
    max_response_bytes: usize,
    url_policy: UrlPolicy,
    objects: &'static [&'static str],
) -> reqwest::Result<reqwest::Response> {
    let response = client.execute(request).await;
    let response = match url_policy {
        UrlPolicy::Keep => response?,
        UrlPolicy::Redact => response.map_err(reqwest::Error::without_url)?,
    };
    // The URL the rebuilt response carries: its own, or the placeholder that hides it.
    let url = || match url_policy {
        UrlPolicy::Keep => response.url().clone(),
        UrlPolicy::Redact => REDACTED_URL.clone(),
    };
    if !response.status().is_success() && capture::is_active() {
        let url = url();
        let (parts, body) = http::Response::from(response).into_parts();
        // Error answers are small; one over the cap is kept without its body.
        let body = Limited::new(body, max_response_bytes)
            .collect()
            .await
            .map(|collected| collected.to_bytes())
            .unwrap_or_else(|_| Bytes::new());
        capture::keep(ErrorAnswer {
            status: parts.status.as_u16(),
            headers: parts.headers.clone(),
            body: body.clone(),
        });
        return Ok(rebuild(parts, reqwest::Body::from(body), url));
    }
    // A body with a `Content-Length` within the cap cannot grow past it (the HTTP layer
    // stops at the announced length), so it needs no wrapping: the common case, kept
    // cheap. A longer or unannounced body is capped while it is read.
    let within_cap = response
        .content_length()
        .is_some_and(|length| length <= max_response_bytes as u64);
    let checked = response.status().is_success() && !objects.is_empty();
    if within_cap && url_policy == UrlPolicy::Keep && !checked {
        return Ok(response);
    }
    let url = url();
    let (parts, body) = http::Response::from(response).into_parts();
    let body = if within_cap {
        body
    } else {
        reqwest::Body::wrap(Limited::new(body, max_response_bytes))
    };
    let body = match checked {
        true => reqwest::Body::wrap(ObjectsChecked::new(body, objects)),
        false => body,
    };
    Ok(rebuild(parts, body, url))
}

fn rebuild(
    parts: http::response::Parts,
    body: reqwest::Body,
    url: reqwest::Url,
) -> reqwest::Response {
    let mut rebuilt = http::Response::from_parts(parts, body);
    // The builder is the public way to attach a URL; without one, the conversion back to
    // a `reqwest::Response` would parse a placeholder of its own for every response.
    if let Ok(with_url) = http::Response::builder().url(url).body(()) {
        rebuilt
            .extensions_mut()
            .extend(with_url.into_parts().0.extensions);
    }
    reqwest::Response::from(rebuilt)
}

/// The URL a redacted response carries instead of its own.
pub static REDACTED_URL: LazyLock<reqwest::Url> = LazyLock::new(|| {
    reqwest::Url::parse("https://redacted.invalid/").expect("a valid constant URL")
});

/// Whether an error comes from a body longer than the client's size cap.
pub fn is_response_too_large(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(e) = current {
        if e.is::<LengthLimitError>() {
            return true;
        }
        current = e.source();
    }
    false
}
