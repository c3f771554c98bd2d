//! How an instance misbehaves: added latency, and at most one fault that replaces its answer.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use futures_util::StreamExt as _;
use serde::{Deserialize, Serialize};
use wa_providers::Recording;

/// The faults of one instance. Latency applies to every answer, errors included.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Faults {
    #[serde(default, skip_serializing_if = "is_zero")]
    /// How long to wait before answering, in milliseconds.
    pub latency_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// How to misbehave, if at all.
    pub fault: Option<Fault>,
}

fn is_zero(value: &u64) -> bool {
    *value == 0
}

impl Faults {
    /// Neither latency nor a fault.
    pub fn none() -> Faults {
        Faults::default()
    }

    /// Only a delay before each answer.
    pub fn latency(latency: Duration) -> Faults {
        Faults {
            latency_ms: u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
            fault: None,
        }
    }

    /// Only a fault.
    pub fn fault(fault: Fault) -> Faults {
        Faults {
            latency_ms: 0,
            fault: Some(fault),
        }
    }
}

/// What replaces an instance's normal answer (after authentication and rate limiting).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// An HTTP error status (500, 502, 503, 466, ...) with the provider's recorded body for
    /// that status, or its reason phrase as text.
    Status {
        /// The status to answer with.
        status: u16,
    },
    /// The connection is reset (TCP RST) before any response is sent.
    Reset,
    /// The normal body cut in half, with a matching `Content-Length`.
    TruncatedJson,
    /// An HTML error page, as a proxy in front of the provider would send.
    Html {
        /// The page's status.
        status: u16,
    },
    /// Status 200 with an empty body.
    EmptyBody,
    /// Status 200 with valid JSON of the wrong shape.
    WrongShape,
    /// Status 200 with a valid JSON body of `bytes` bytes, streamed.
    Oversized {
        /// The body's size.
        bytes: u64,
    },
    /// The normal body, sent `chunk_bytes` at a time every `interval_ms`.
    Trickle {
        /// Bytes per chunk.
        chunk_bytes: u64,
        /// The wait between two chunks, in milliseconds.
        interval_ms: u64,
    },
}

/// The body of a [`Fault::WrongShape`] answer: valid JSON that is not a status.
pub const WRONG_SHAPE_BODY: &str = r#"[{"unexpected":true,"items":[1,2,3]}]"#;

/// The page of a [`Fault::Html`] answer.
pub fn html_page(status: u16) -> String {
    let reason = StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error");
    format!(
        "<!DOCTYPE html>\n<html><head><title>{status} {reason}</title></head>\
         <body><h1>{status} {reason}</h1><hr><center>nginx</center></body></html>\n"
    )
}

/// Builds the answer a fault gives in place of `normal_body` (the body of the instance's
/// recorded response, `recording`). `Reset` has no answer; the caller resets the
/// connection.
pub(crate) fn fault_response(
    fault: &Fault,
    recording: &Recording,
    normal_body: &str,
    error_body: impl Fn(u16) -> Response,
) -> Response {
    let normal_status = StatusCode::from_u16(recording.status).unwrap_or(StatusCode::OK);
    match fault {
        Fault::Status { status } => error_body(*status),
        Fault::Reset => error_body(500),
        Fault::TruncatedJson => {
            let cut = (0..=normal_body.len() / 2)
                .rev()
                .find(|i| normal_body.is_char_boundary(*i))
                .unwrap_or(0);
            json_response(normal_status, normal_body[..cut].to_owned())
        }
        Fault::Html { status } => Response::builder()
            .status(StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_GATEWAY))
            .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
            .body(Body::from(html_page(*status)))
            .unwrap_or_default(),
        Fault::EmptyBody => json_response(StatusCode::OK, String::new()),
        Fault::WrongShape => json_response(StatusCode::OK, WRONG_SHAPE_BODY.to_owned()),
        Fault::Oversized { bytes } => oversized_response(*bytes),
        Fault::Trickle {
            chunk_bytes,
            interval_ms,
        } => trickle_response(
            normal_status,
            normal_body.to_owned(),
            usize::try_from(*chunk_bytes).unwrap_or(usize::MAX).max(1),
            Duration::from_millis(*interval_ms),
        ),
    }
}

/// A JSON answer with a `Content-Length`.
pub(crate) fn json_response(status: StatusCode, body: String) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap_or_default()
}

/// `{"pad":"xxxx...x"}` of exactly `bytes` bytes (at least the braces), streamed in 64 KiB
/// chunks so that tens of megabytes cost the simulator no memory.
fn oversized_response(bytes: u64) -> Response {
    const PREFIX: &[u8] = br#"{"pad":""#;
    const SUFFIX: &[u8] = br#""}"#;
    const CHUNK: usize = 64 * 1024;
    let frame = (PREFIX.len() + SUFFIX.len()) as u64;
    let mut padding = bytes.saturating_sub(frame);
    let filler = Bytes::from(vec![b'x'; CHUNK]);
    let mut chunks = vec![Bytes::from_static(PREFIX)];
    let stream = futures_util::stream::iter(std::iter::from_fn(move || {
        if let Some(first) = chunks.pop() {
            return Some(first);
        }
        if padding == 0 {
            return None;
        }
        let take = padding.min(CHUNK as u64);
        padding -= take;
        Some(filler.slice(..usize::try_from(take).unwrap_or(CHUNK)))
    }))
    .chain(futures_util::stream::iter([Bytes::from_static(SUFFIX)]))
    .map(Ok::<_, Infallible>);
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, bytes.max(frame))
        .body(Body::from_stream(stream))
        .unwrap_or_default()
}

/// The body sent a few bytes at a time, with a pause before each chunk.
fn trickle_response(
    status: StatusCode,
    body: String,
    chunk_bytes: usize,
    interval: Duration,
) -> Response {
    let body = Bytes::from(body);
    let stream = futures_util::stream::unfold(0usize, move |offset| {
        let body = body.clone();
        async move {
            if offset >= body.len() {
                return None;
            }
            tokio::time::sleep(interval).await;
            let end = (offset + chunk_bytes).min(body.len());
            Some((Ok::<_, Infallible>(body.slice(offset..end)), end))
        }
    });
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(stream))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_read_from_json_with_a_kind_tag() {
        let faults: Faults = serde_json::from_str(
            r#"{"latency_ms": 250, "fault": {"kind": "trickle", "chunk_bytes": 4, "interval_ms": 100}}"#,
        )
        .unwrap();
        assert_eq!(
            faults,
            Faults {
                latency_ms: 250,
                fault: Some(Fault::Trickle {
                    chunk_bytes: 4,
                    interval_ms: 100
                })
            }
        );
        let reset: Fault = serde_json::from_str(r#"{"kind": "reset"}"#).unwrap();
        assert_eq!(reset, Fault::Reset);
    }

    #[test]
    fn the_html_page_names_its_status() {
        assert!(html_page(502).contains("<title>502 Bad Gateway</title>"));
        assert!(html_page(200).contains("<h1>200 OK</h1>"));
    }
}
