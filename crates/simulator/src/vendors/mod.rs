//! The providers' status endpoints. Each provider's module knows its auth, its bodies and
//! its error bodies; [`serve`] runs the steps every provider shares: find the instance,
//! check the credentials, apply the rate limit, wait the latency, answer or misbehave.

mod green_api;
pub use green_api::GREEN_API_NULL_STATE;
mod hypersender;
mod megaapi;
mod vzaps;

use std::time::{Duration, Instant};

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use crate::faults::{fault_response, json_response, Fault};
use crate::fleet::Instance;
use crate::log::redact_path;
use crate::provider::Provider;
use crate::server::ResetSwitch;
use crate::state::{RateLimit, SharedState};

/// The credentials a request presented.
pub(crate) enum Presented {
    /// `Authorization: Bearer <token>` (or nothing usable).
    Bearer(Option<String>),
    /// VZaps: a bearer token or the `X-Instance-Token` and `X-Client-Token` pair.
    Vzaps {
        bearer: Option<String>,
        instance_token: Option<String>,
        client_token: Option<String>,
    },
    /// Green API: the token from the path.
    PathToken(String),
}

impl Presented {
    pub fn bearer(headers: &HeaderMap) -> Option<String> {
        headers
            .get(header::AUTHORIZATION)?
            .to_str()
            .ok()?
            .strip_prefix("Bearer ")
            .map(str::to_owned)
    }

    pub fn header(headers: &HeaderMap, name: &str) -> Option<String> {
        headers.get(name)?.to_str().ok().map(str::to_owned)
    }
}

/// What differs between providers.
pub(crate) trait Vendor {
    const PROVIDER: Provider;

    /// Whether the presented credentials are the instance's.
    fn authenticated(instance: &Instance, presented: &Presented) -> bool;

    /// The 200 body for the instance in raw state `state`.
    fn body(instance: &Instance, state: &str) -> String;

    /// An error answer in the provider's style.
    fn error(status: u16) -> Response;

    /// The answer for an id the provider does not know.
    fn unknown_instance() -> Response {
        Self::error(404)
    }

    /// The rate-limit key and limit this instance's requests count against, if any.
    fn rate_limit(_instance: &Instance, _presented: &Presented) -> Option<(String, RateLimit)> {
        None
    }
}

/// The provider routes, each under its provider's base path.
pub(crate) fn router() -> Router<SharedState> {
    let route = |provider: Provider, rest: &str| format!("{}{rest}", provider.base_path());
    Router::new()
        .route(
            &route(Provider::MegaApi, "/rest/instance/{key}"),
            get(megaapi::status),
        )
        .route(
            &route(Provider::Vzaps, "/instances/{id}/session/status"),
            get(vzaps::session_status),
        )
        .route(
            &route(Provider::Hypersender, "/{instance}/health"),
            get(hypersender::health),
        )
        .route(
            &route(
                Provider::GreenApi,
                "/{wa_instance}/getStateInstance/{token}",
            ),
            get(green_api::get_state_instance),
        )
}

/// A request for one instance's status, as every provider serves it.
pub(crate) struct StatusRequest<'a> {
    pub state: &'a SharedState,
    pub id: &'a str,
    pub presented: Presented,
    pub path: &'a str,
    pub reset: Option<ResetSwitch>,
}

pub(crate) async fn serve<V: Vendor>(request: StatusRequest<'_>) -> Response {
    let outcome = decide::<V>(&request);
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
            body,
            latency,
        } => {
            tokio::time::sleep(latency).await;
            if fault == Fault::Reset {
                request
                    .state
                    .log
                    .request("GET", &redact_path(request.path), 0, "reset");
                if let Some(reset) = &request.reset {
                    reset.reset();
                }
                // The connection is torn down by the server loop; this answer is never sent.
                std::future::pending::<()>().await;
            }
            let response = fault_response(&fault, &body, V::error);
            (response, "fault")
        }
    };
    request.state.log.request(
        "GET",
        &redact_path(request.path),
        response.status().as_u16(),
        note,
    );
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
        body: String,
        latency: Duration,
    },
}

/// Everything that needs the lock, done at once: lookup, auth, counters, rate limit, body.
fn decide<V: Vendor>(request: &StatusRequest<'_>) -> Decision {
    let mut inner = request.state.lock();
    let key = (V::PROVIDER, request.id.to_owned());
    let Some(served) = inner.instances.get_mut(&key) else {
        return Decision::Answer {
            response: V::unknown_instance(),
            latency: Duration::ZERO,
            note: "unknown instance",
        };
    };
    served.counters.requests += 1;
    let latency = Duration::from_millis(served.instance.faults.latency_ms);
    if !V::authenticated(&served.instance, &request.presented) {
        return Decision::Answer {
            response: V::error(401),
            latency,
            note: "wrong credentials",
        };
    }
    let body = V::body(&served.instance, served.current_state());
    let fault = served.instance.faults.fault.clone();
    let limit = V::rate_limit(&served.instance, &request.presented);
    if let Some((limit_key, limit)) = limit {
        if let Some(wait) = inner.over_limit(limit_key, limit, Instant::now()) {
            if let Some(served) = inner.instances.get_mut(&key) {
                served.counters.rate_limited += 1;
            }
            let mut response = V::error(429);
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
            body,
            latency,
        },
        None => Decision::Answer {
            response: json_response(StatusCode::OK, body),
            latency,
            note: "",
        },
    }
}

/// The reason phrase of a status, for error bodies.
pub(crate) fn reason(status: u16) -> &'static str {
    StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error")
}

/// A JSON error answer with the given status.
pub(crate) fn json_error(status: u16, body: serde_json::Value) -> Response {
    json_response(
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        body.to_string(),
    )
}
