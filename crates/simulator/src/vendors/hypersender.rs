//! Hypersender: `GET /{instance}/health` with `Authorization: Bearer <token>`, 10 requests
//! per minute per token.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use axum::Extension;
use serde_json::json;

use super::{json_error, reason, serve, Presented, StatusRequest, Vendor};
use crate::fleet::Instance;
use crate::provider::Provider;
use crate::server::ResetSwitch;
use crate::state::{RateLimit, SharedState};

pub(crate) struct Hypersender;

/// The body of the vendor's documented 429.
pub(crate) const TOO_MANY_REQUESTS: &str = "Too many requests. Please try again later.";

impl Vendor for Hypersender {
    const PROVIDER: Provider = Provider::Hypersender;

    fn authenticated(instance: &Instance, presented: &Presented) -> bool {
        matches!(presented, Presented::Bearer(Some(token)) if Some(token) == instance.token.as_ref())
    }

    /// `connected_at` is served verbatim when the account has one, and left out otherwise.
    fn body(instance: &Instance, state: &str) -> String {
        let mut body = json!({"instance_id": instance.id});
        if let Some(connected_at) = &instance.account.connected_at {
            body["connected_at"] = json!(connected_at);
        }
        body["status"] = json!(state);
        body.to_string()
    }

    fn error(status: u16) -> Response {
        let message = match status {
            401 => "Unauthenticated.",
            404 => "Resource not found.",
            429 => TOO_MANY_REQUESTS,
            other => reason(other),
        };
        json_error(status, json!({"message": message}))
    }

    fn rate_limit(_instance: &Instance, presented: &Presented) -> Option<(String, RateLimit)> {
        match presented {
            Presented::Bearer(Some(token)) => {
                Some((format!("hypersender token {token}"), RateLimit::HYPERSENDER))
            }
            _ => None,
        }
    }
}

pub(crate) async fn health(
    State(state): State<SharedState>,
    Path(instance): Path<String>,
    reset: Option<Extension<ResetSwitch>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    serve::<Hypersender>(StatusRequest {
        state: &state,
        id: &instance,
        presented: Presented::Bearer(Presented::bearer(&headers)),
        path: uri.path(),
        reset: reset.map(|Extension(r)| r),
    })
    .await
}
