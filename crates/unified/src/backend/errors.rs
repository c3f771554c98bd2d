//! From a failed call to the common [`Error`]: one mapping for every provider. An error
//! answer is classified by the vendor's own error code where its manifest says what the
//! code means, else by its HTTP status (with the provider's own meanings), whatever its
//! body; the vendor's words go into the error, short and masked; a 2xx body that carries
//! an error code is that error, not a decode failure.

use std::time::{Duration, SystemTime};

use progenitor_client::Error as ClientError;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde::Serialize;
use serde_json::Value;
use wa_client_support::{array_for_object, is_response_too_large};
use wa_model::ErrorKind;

use crate::error::{excerpt, short, vendor_words as whole_words, Error};
use crate::model::Observation;
use crate::Provider;

/// Where vendors put their words, tried in order after a provider's own places.
const MESSAGE_POINTERS: [&str; 6] = [
    "/message",
    "/error/message",
    "/error",
    "/description",
    "/errors/0/message",
    "/detail",
];

/// Maps a failed call whose answer was not captured: a transport failure, a body that
/// could not be read, or a 2xx body that did not decode. `secrets` are masked in anything
/// taken from a body.
pub(crate) async fn from_client_error<E: Serialize>(
    provider: Provider,
    error: ClientError<E>,
    secrets: &[&str],
) -> Error {
    let unavailable = |summary: String| Error::new(ErrorKind::Unavailable, Some(provider), summary);
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
            from_answer(provider, status, &headers, &body, secrets)
        }
        ClientError::UnexpectedResponse(response) => {
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            // The body is capped by the client; a failure to read it only loses the words.
            let body = response.bytes().await.unwrap_or_default();
            from_answer(provider, status, &headers, &body, secrets)
        }
        ClientError::InvalidResponsePayload(body, error) => {
            from_success_body(provider, &body, &error.to_string(), false, secrets)
        }
        ClientError::ResponseBodyError(error) if is_response_too_large(&error) => Error::new(
            ErrorKind::Decode,
            Some(provider),
            "the body is larger than the client's size cap",
        ),
        ClientError::ResponseBodyError(error) => match array_for_object(&error) {
            Some(refused) => from_success_body(
                provider,
                &refused.body,
                &refused.to_string(),
                false,
                secrets,
            ),
            None => unavailable(transport_reason(&error, "while reading the body")),
        },
        ClientError::CommunicationError(error) => {
            let reason = transport_reason(&error, "while sending the request");
            if reason.contains("InvalidContentType") {
                // rustls read a plain-HTTP answer as TLS.
                return unavailable(format!(
                    "{reason} (the server speaks plain HTTP? then write `{provider}+http://`)"
                ));
            }
            if reason.contains("invalid peer certificate") {
                // A certificate that is not trusted stays so: retrying only spends time.
                return unavailable(format!(
                    "{reason} (its certificate is not trusted here; retrying will not help)"
                ))
                .with_temporary(false);
            }
            unavailable(reason)
        }
        ClientError::InvalidRequest(message) => {
            Error::invalid_config(Some(provider), short(&message, secrets))
        }
        ClientError::InvalidUpgrade(error) => {
            unavailable(transport_reason(&error, "while upgrading"))
        }
        ClientError::Custom(message) => unavailable(short(&message, secrets)),
    }
}

/// An error answer that is the vendor's way of giving a state, as its manifest says (Green
/// API's 400 `instance in starting process try later` is `starting`): the state, its raw
/// value the vendor's words.
pub(crate) fn state_in_answer(
    provider: Provider,
    status: u16,
    body: &[u8],
    secrets: &[&str],
) -> Option<Observation> {
    let text = String::from_utf8_lossy(body);
    let rule = provider
        .info()
        .errors
        .states
        .iter()
        .find(|rule| rule.status == status && text.contains(rule.contains))?;
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let raw = vendor_words(provider, json.as_ref(), body, secrets)
        .unwrap_or_else(|| short(text.trim(), secrets));
    Some(Observation::new(rule.state, raw))
}

/// The kind of an HTTP status: the provider's own meaning where its manifest gives one
/// (a 403 for a wrong id may mean `unauthenticated`), else the status model's.
pub(crate) fn kind_of_status(provider: Provider, status: u16) -> ErrorKind {
    let own = provider.info().errors.statuses.iter();
    own.copied()
        .find(|(s, _)| *s == status)
        .map(|(_, kind)| kind)
        .unwrap_or(match status {
            // A 403 that rejects credentials is the common case across vendors (Laravel's
            // `This action is unauthorized.`, `invalid bearer token supplied`); a provider
            // whose 403 means something else says so in its manifest.
            401 | 403 => ErrorKind::Unauthenticated,
            404 => ErrorKind::NotFound,
            429 => ErrorKind::RateLimited,
            500..=599 => ErrorKind::Unavailable,
            _ => ErrorKind::UnexpectedStatus,
        })
}

/// The kind the vendor's own error code means, where the provider's manifest says.
fn kind_of_code(provider: Provider, body: Option<&Value>) -> Option<ErrorKind> {
    let rules = &provider.info().errors;
    let code = body?.pointer(rules.code?)?.as_i64()?;
    rules
        .codes
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, kind)| *kind)
}

/// What the status model calls each kind of failure, in a few words.
fn summary(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Unauthenticated => "the credentials were rejected",
        ErrorKind::NotFound => "the provider does not know this instance",
        ErrorKind::RateLimited => "rate limited",
        ErrorKind::QuotaExceeded => "the account's quota is exhausted",
        ErrorKind::Unavailable => "the provider failed",
        ErrorKind::Decode => "undecodable response",
        ErrorKind::InvalidConfig => "invalid configuration",
        _ => "unexpected HTTP status",
    }
}

/// The error for an answer with an error status, whatever its body (JSON, HTML, text or
/// nothing): its kind, its status, the wait it asks for, what the vendor said, and whether
/// the vendor marks it transient.
pub(crate) fn from_answer(
    provider: Provider,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
    secrets: &[&str],
) -> Error {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let kind =
        kind_of_code(provider, json.as_ref()).unwrap_or_else(|| kind_of_status(provider, status));
    // A 404 that is not JSON comes from a server (or a proxy in front of it) that has no
    // such route, not from the provider's API saying it does not know the instance: the
    // usual cause is a base path left out of the connection string.
    let summary = match (kind, &json) {
        (ErrorKind::NotFound, None) => NO_SUCH_ROUTE,
        _ => summary(kind),
    };
    classified_as(provider, kind, summary, json.as_ref(), body, secrets)
        .with_status(status)
        .with_retry_after(retry_after(headers))
}

/// The summary of a 404 that is not the provider's JSON.
const NO_SUCH_ROUTE: &str = "no such path at this server, which answered without the provider's JSON: a base path missing from the connection string (HOST/BASE/...)?";

/// A 2xx body that holds no reading: the error its code means, where it carries one (an
/// HTTP-like `code` or `statusCode` of 400 or more, or the vendor's own code); else, when
/// the provider `reported` the failure in a shape its document allows, an
/// `unexpected_status` error saying why; else a decode error saying why.
pub(crate) fn from_success_body(
    provider: Provider,
    body: &[u8],
    reason: &str,
    reported: bool,
    secrets: &[&str],
) -> Error {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let own = kind_of_code(provider, json.as_ref());
    let http_like = json.as_ref().and_then(|json| {
        ["/code", "/statusCode"]
            .iter()
            .filter_map(|p| json.pointer(p).and_then(http_code))
            .find(|code| *code >= 400)
    });
    let kind = match (own, http_like) {
        (Some(kind), _) => kind,
        (None, Some(code)) => kind_of_status(provider, code),
        (None, None) if reported => {
            let error = classified(
                provider,
                ErrorKind::UnexpectedStatus,
                json.as_ref(),
                body,
                secrets,
            );
            let vendor = error.vendor_message().map(str::to_owned);
            return Error::new(
                ErrorKind::UnexpectedStatus,
                Some(provider),
                format!("{} (in a 2xx answer)", short(reason, secrets)),
            )
            .with_vendor(vendor);
        }
        (None, None) => {
            let summary = format!(
                "undecodable response: {}; body: {}",
                short(reason, secrets),
                excerpt(body, secrets)
            );
            return Error::new(ErrorKind::Decode, Some(provider), summary);
        }
    };
    let error = classified(provider, kind, json.as_ref(), body, secrets);
    let summary = format!("{} (in a 2xx answer)", error.summary());
    let vendor = error.vendor_message().map(str::to_owned);
    let temporary = error.is_temporary();
    Error::new(kind, Some(provider), summary)
        .with_vendor(vendor)
        .with_temporary(temporary)
}

/// An error of `kind` with the vendor's words and its transient flag.
fn classified(
    provider: Provider,
    kind: ErrorKind,
    json: Option<&Value>,
    body: &[u8],
    secrets: &[&str],
) -> Error {
    classified_as(provider, kind, summary(kind), json, body, secrets)
}

/// [`classified`], with its own summary.
fn classified_as(
    provider: Provider,
    kind: ErrorKind,
    summary: &str,
    json: Option<&Value>,
    body: &[u8],
    secrets: &[&str],
) -> Error {
    let rules = &provider.info().errors;
    let transient = rules
        .transient
        .and_then(|pointer| json?.pointer(pointer)?.as_bool());
    Error::new(kind, Some(provider), summary)
        .with_vendor(vendor_words(provider, json, body, secrets))
        .with_temporary(kind.is_temporary() || transient == Some(true))
}

/// A code as a number, whether JSON gives it as one or as digits.
fn http_code(value: &Value) -> Option<u16> {
    match value {
        Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// What the vendor said: the first text at the provider's own places, then at the usual
/// ones (`message`, `error.message`, `error`, `description`, ...), a list of texts joined
/// (a vendor may answer its words as a string or as a list); for a body that is
/// not JSON, the title of an HTML page or the first line of text. Whole sentences, masked.
pub(crate) fn vendor_words(
    provider: Provider,
    json: Option<&Value>,
    body: &[u8],
    secrets: &[&str],
) -> Option<String> {
    let words = match json {
        Some(json) => provider
            .info()
            .errors
            .messages
            .iter()
            .chain(MESSAGE_POINTERS.iter())
            .find_map(|p| text_at(json.pointer(p)?)),
        None => {
            let text = String::from_utf8_lossy(body);
            let text = text.trim();
            let lower = text.to_ascii_lowercase();
            match (lower.find("<title>"), lower.find("</title>")) {
                (Some(start), Some(end)) if start + 7 <= end => {
                    Some(text[start + 7..end].trim().to_owned())
                }
                _ if text.starts_with('<') => Some("an HTML page".to_owned()),
                _ => text.lines().next().map(str::to_owned),
            }
        }
    };
    words
        .filter(|w| !w.trim().is_empty())
        .map(|w| whole_words(w.trim(), secrets))
}

/// The words of a JSON value: a text, or the texts of a list joined by `; `.
fn text_at(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(text) => text.trim().to_owned(),
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join("; "),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// `Retry-After` in seconds, or as an HTTP date (the wait until then, none if past).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(text).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
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
            let kind = |s| from_answer(provider, s, &none, b"", &[]).kind();
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
                (403, ErrorKind::Unauthenticated),
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
                let error = from_answer(provider, 400, &HeaderMap::new(), &bytes, &[]);
                assert_eq!(error.kind(), *kind, "{provider} {code}");
                checked += 1;
            }
            assert_eq!(
                from_answer(provider, 400, &HeaderMap::new(), b"{}", &[]).kind(),
                kind_of_status(provider, 400),
                "{provider}"
            );
        }
        assert!(checked > 0, "no provider maps its own error codes");
    }

    #[test]
    fn retry_after_is_read_in_seconds_and_as_an_http_date() {
        let provider = Provider::ALL[0];
        let error = from_answer(provider, 429, &headers("37"), b"", &[]);
        assert_eq!(error.retry_after(), Some(Duration::from_secs(37)));
        let soon = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(120));
        let wait = from_answer(provider, 429, &headers(&soon), b"", &[])
            .retry_after()
            .unwrap();
        assert!(
            (Duration::from_secs(118)..=Duration::from_secs(120)).contains(&wait),
            "{wait:?}"
        );
        let past = from_answer(
            provider,
            429,
            &headers("Wed, 21 Oct 2015 07:28:00 GMT"),
            b"",
            &[],
        );
        assert_eq!(past.retry_after(), Some(Duration::ZERO));
        let garbage = from_answer(provider, 429, &headers("soon"), b"", &[]);
        assert_eq!(garbage.retry_after(), None);
    }

    #[test]
    fn the_vendors_words_come_from_json_html_or_text_masked() {
        // A provider with no places of its own: the usual places alone.
        let provider = Provider::ALL
            .iter()
            .copied()
            .find(|p| p.info().errors.messages.is_empty())
            .unwrap();
        let words = |body: &str| {
            let json: Option<Value> = serde_json::from_str(body).ok();
            vendor_words(provider, json.as_ref(), body.as_bytes(), &["tok-123"])
        };
        assert_eq!(
            words(r#"{"message":"Unauthenticated."}"#).as_deref(),
            Some("Unauthenticated.")
        );
        assert_eq!(
            words(r#"{"code":500,"error":"No session","success":false}"#).as_deref(),
            Some("No session")
        );
        assert_eq!(
            words(r#"{"error":{"message":"Invalid OAuth access token","code":190}}"#).as_deref(),
            Some("Invalid OAuth access token")
        );
        assert_eq!(
            words(r#"{"code":401,"description":"Unauthorized"}"#).as_deref(),
            Some("Unauthorized")
        );
        assert_eq!(
            words("<html><head><TITLE>502 Bad Gateway</TITLE></head></html>").as_deref(),
            Some("502 Bad Gateway")
        );
        assert_eq!(
            words("<html><body>nope</body></html>").as_deref(),
            Some("an HTML page")
        );
        assert_eq!(
            words("error code: 502\nmore").as_deref(),
            Some("error code: 502")
        );
        assert_eq!(words("bad token tok-123").as_deref(), Some("bad token ***"));
        assert_eq!(words(""), None);
        assert_eq!(words(r#"{"message":"  "}"#), None);
        assert_eq!(
            words(r#"{"status":404,"error":"Not Found","response":{"message":["The \"x\" instance does not exist"]}}"#)
                .as_deref(),
            Some("Not Found")
        );
        assert_eq!(
            words(r#"{"message":["a is wrong"," ","b is missing"]}"#).as_deref(),
            Some("a is wrong; b is missing")
        );
    }

    #[test]
    fn an_error_code_in_a_2xx_body_is_that_error() {
        for provider in Provider::ALL.iter().copied() {
            let error = from_success_body(
                provider,
                br#"{"code":401,"description":"Unauthorized"}"#,
                "missing field",
                false,
                &[],
            );
            assert_eq!(error.kind(), kind_of_status(provider, 401), "{provider}");
            assert_eq!(error.vendor_message(), Some("Unauthorized"));
            assert_eq!(error.status(), None);
            let error = from_success_body(
                provider,
                br#"{"code":"500","error":"No session","success":false}"#,
                "x",
                false,
                &[],
            );
            assert_eq!(error.kind(), ErrorKind::Unavailable, "{provider}");
            assert!(error.is_temporary());
            let decode = from_success_body(provider, b"<html>", "expected value", false, &[]);
            assert_eq!(decode.kind(), ErrorKind::Decode);
            assert_eq!(
                decode.to_string(),
                format!("{provider}: decode: undecodable response: expected value; body: <html>")
            );
            // A failure the provider reports without an error code is not `decode`.
            let reported = from_success_body(
                provider,
                br#"{"code":200,"success":false,"error":"busy"}"#,
                "the envelope holds no session data",
                true,
                &[],
            );
            assert_eq!(
                reported.to_string(),
                format!("{provider}: unexpected_status: the envelope holds no session data (in a 2xx answer): busy")
            );
        }
    }

    #[test]
    fn a_5xx_without_a_body_says_so() {
        let provider = Provider::ALL[0];
        let error = from_answer(provider, 502, &HeaderMap::new(), b"", &[]);
        assert_eq!(
            error.to_string(),
            format!("{provider}: unavailable: the provider failed (HTTP 502)")
        );
    }

    #[test]
    fn bodies_are_masked() {
        let provider = Provider::ALL[0];
        let error = from_answer(
            provider,
            418,
            &HeaderMap::new(),
            b"token tok-123 here",
            &["tok-123"],
        );
        assert_eq!(
            error.to_string(),
            format!(
                "{provider}: unexpected_status: unexpected HTTP status (HTTP 418): token *** here"
            )
        );
    }
}
