//! Answering a status call, the same way for every provider: find the instance, check the
//! credentials as the provider's auth style says, apply its documented rate limit, wait the
//! latency, and answer with the instance's recorded response, or misbehave.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use percent_encoding::percent_decode_str;
use wa_providers::{Placement, Provider, QuotaScope, Recording, Role};

use crate::faults::{fault_response, Fault};
use crate::fleet::Instance;
use crate::route::{match_path, redact_path, Matched};
use crate::server::ResetSwitch;
use crate::state::{Inner, RateLimit, SharedState};

/// Every request that is not for the control API.
pub(crate) async fn handle(State(state): State<SharedState>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let reset = request.extensions().get::<ResetSwitch>().cloned();
    let Some(matched) = match_path(&path) else {
        state
            .log
            .request("GET", &redact_path(&path), 404, "no such route");
        return plain(StatusCode::NOT_FOUND, "");
    };
    let _in_flight = state.in_flight.enter(matched.provider);
    let query = request.uri().query().unwrap_or_default().to_owned();
    let outcome = decide(&state, &matched, request.headers(), &query);
    let (response, note) = match outcome {
        Decision::Answer {
            response,
            latency,
            note,
        } => {
            tokio::time::sleep(latency).await;
            (response, note)
        }
        Decision::Misbehave {
            fault,
            recording,
            body,
            latency,
        } => {
            tokio::time::sleep(latency).await;
            if fault == Fault::Reset {
                state.log.request("GET", &redact_path(&path), 0, "reset");
                if let Some(reset) = &reset {
                    reset.reset();
                }
                // The connection is torn down by the server loop; this answer is never sent.
                std::future::pending::<()>().await;
            }
            let error = |status| status_answer(matched.provider, status);
            let response = fault_response(&fault, recording, &body, error);
            (response, "fault")
        }
    };
    state
        .log
        .request("GET", &redact_path(&path), response.status().as_u16(), note);
    response
}

enum Decision {
    Answer {
        response: Response,
        latency: Duration,
        note: &'static str,
    },
    Misbehave {
        fault: Fault,
        recording: &'static Recording,
        body: String,
        latency: Duration,
    },
}

/// Everything that needs the lock, done at once: lookup, auth, counters, rate limit, body.
fn decide(state: &SharedState, matched: &Matched, headers: &HeaderMap, query: &str) -> Decision {
    let provider = matched.provider;
    let mut inner = state.lock();
    let presented = Presented::of(matched, headers, query);
    let Some(id) = presented.instance(&inner) else {
        // The vendor knows the instance by the credential, and none holds this one.
        return Decision::Answer {
            response: role_answer(
                provider,
                Role::Unauthenticated,
                StatusCode::UNAUTHORIZED,
                "",
            ),
            latency: Duration::ZERO,
            note: "wrong credentials",
        };
    };
    let key = (provider, id);
    let Some(served) = inner.instances.get_mut(&key) else {
        return Decision::Answer {
            response: role_answer(
                provider,
                Role::UnknownInstance,
                StatusCode::NOT_FOUND,
                matched.instance(),
            ),
            latency: Duration::ZERO,
            note: "unknown instance",
        };
    };
    served.counters.requests += 1;
    let latency = Duration::from_millis(served.instance.faults.latency_ms);
    if !presented.authenticate(&served.instance) {
        return Decision::Answer {
            response: role_answer(
                provider,
                Role::Unauthenticated,
                StatusCode::UNAUTHORIZED,
                &served.instance.id,
            ),
            latency,
            note: "wrong credentials",
        };
    }
    // Validated when the instance was added: every response it serves is recorded.
    let Some(recording) = provider.recording(served.current_response()) else {
        return Decision::Answer {
            response: plain(StatusCode::INTERNAL_SERVER_ERROR, "no such recording"),
            latency,
            note: "no such recording",
        };
    };
    let body = recording.body_for(&served.instance.id);
    let fault = served.instance.faults.fault.clone();
    let limit_key = rate_limit_key(&served.instance);
    if let (Some(limit), Some(limit_key)) = (RateLimit::of(provider), limit_key) {
        if let Some(wait) = inner.over_limit(limit_key, limit, Instant::now()) {
            if let Some(served) = inner.instances.get_mut(&key) {
                served.counters.rate_limited += 1;
            }
            let mut response = role_answer(
                provider,
                Role::RateLimited,
                StatusCode::TOO_MANY_REQUESTS,
                matched.instance(),
            );
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
            return Decision::Answer {
                response,
                latency,
                note: "rate limited",
            };
        }
    }
    match fault {
        Some(fault) => Decision::Misbehave {
            fault,
            recording,
            body,
            latency,
        },
        None => Decision::Answer {
            response: recorded(recording, body),
            latency,
            note: "",
        },
    }
}

/// The credentials a request carries, each read where its provider's manifest places it.
struct Presented<'a> {
    matched: &'a Matched,
    headers: &'a HeaderMap,
    query: Vec<(String, String)>,
    basic: Option<(String, String)>,
}

impl<'a> Presented<'a> {
    fn of(matched: &'a Matched, headers: &'a HeaderMap, query: &str) -> Presented<'a> {
        let query = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| {
                let decode = |t: &str| {
                    percent_decode_str(&t.replace('+', " "))
                        .decode_utf8_lossy()
                        .into_owned()
                };
                (decode(k), decode(v))
            })
            .collect();
        let basic = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Basic "))
            .and_then(|encoded| {
                use base64::Engine as _;
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .ok()?;
                let text = String::from_utf8(decoded).ok()?;
                text.split_once(':')
                    .map(|(u, p)| (u.to_owned(), p.to_owned()))
            });
        Presented {
            matched,
            headers,
            query,
            basic,
        }
    }

    /// What the request carries where `credential` goes, if anything.
    fn value(&self, credential: &wa_providers::CredentialInfo) -> Option<&str> {
        match credential.placement {
            Placement::Header { name, prefix } => self
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix(prefix)),
            Placement::Path { parameter } => self.matched.param(parameter),
            Placement::Query { parameter } => self
                .query
                .iter()
                .find(|(k, _)| k == parameter)
                .map(|(_, v)| v.as_str()),
            Placement::BasicUser => self.basic.as_ref().map(|(user, _)| user.as_str()),
            Placement::BasicPassword => self.basic.as_ref().map(|(_, password)| password.as_str()),
            _ => None,
        }
    }

    /// Whether the request carries the instance's credentials, as its provider checks them:
    /// every credential of one of the provider's sets, each at its place. An instance with
    /// no credentials is a server that runs without a key.
    fn authenticate(&self, instance: &Instance) -> bool {
        let info = self.matched.provider.info();
        if instance.credentials.is_empty() {
            return true;
        }
        info.credential_sets().iter().any(|set| {
            !set.is_empty()
                && set.iter().all(|key| {
                    let credential = info.auth.credential(key);
                    match (credential, instance.credentials.get(*key)) {
                        (Some(credential), Some(value)) => self.value(credential) == Some(value),
                        _ => false,
                    }
                })
        })
    }

    /// The id of the instance the request asks about: the path's, or, where the provider
    /// knows the instance by a credential, the instance that holds the credential carried.
    fn instance(&self, inner: &Inner) -> Option<String> {
        let provider = self.matched.provider;
        let info = provider.info();
        let Some(key) = info.instance.named_by else {
            return Some(self.matched.instance().to_owned());
        };
        let carried = self.value(info.auth.credential(key)?)?;
        inner.named.get(&(provider, carried.to_owned())).cloned()
    }
}

/// The key of the quota a request counts against: its credential or its instance, as the
/// provider counts.
fn rate_limit_key(instance: &Instance) -> Option<String> {
    let quota = instance.provider.info().quota?;
    let owner = match quota.per {
        QuotaScope::Instance => format!("instance {}", instance.id),
        _ if instance.credentials.is_empty() => format!("instance {}", instance.id),
        _ => {
            let values: Vec<&str> = instance.credentials.values().map(String::as_str).collect();
            format!("credential {}", values.join(":"))
        }
    };
    Some(format!("{} {owner}", instance.provider))
}

/// A recorded response as the vendor sent it.
fn recorded(recording: &Recording, body: String) -> Response {
    let mut builder = Response::builder().status(
        StatusCode::from_u16(recording.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
    );
    for (name, value) in recording.headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::from(body)).unwrap_or_default()
}

/// The provider's own answer for `role`, naming the instance asked about where its
/// recording names one, or `fallback` with an empty body.
fn role_answer(provider: Provider, role: Role, fallback: StatusCode, instance: &str) -> Response {
    match provider.recording_for(role) {
        Some(recording) => recorded(recording, recording.body_for(instance)),
        None => plain(fallback, ""),
    }
}

/// An error status in the provider's style: its recorded body for that status (with its
/// content type only), or the reason phrase as text.
pub(crate) fn status_answer(provider: Provider, status: u16) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let recorded = provider
        .recordings()
        .iter()
        .find(|r| r.status == status && r.reading().is_none());
    match recorded {
        Some(recording) => {
            let mut builder = Response::builder().status(code);
            if let Some((_, value)) = recording.headers.iter().find(|(n, _)| *n == "content-type") {
                builder = builder.header(header::CONTENT_TYPE, *value);
            }
            builder.body(Body::from(recording.body)).unwrap_or_default()
        }
        None => plain(code, code.canonical_reason().unwrap_or("Error")),
    }
}

fn plain(status: StatusCode, body: &'static str) -> Response {
    let mut builder = Response::builder().status(status);
    if !body.is_empty() {
        builder = builder.header(header::CONTENT_TYPE, "text/plain; charset=utf-8");
    }
    builder.body(Body::from(body)).unwrap_or_default()
}
