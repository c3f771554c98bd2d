//! Green API: `GET /waInstance{idInstance}/getStateInstance/{apiTokenInstance}`, 1 request
//! per second per instance. A wrong id gets 403, a wrong token 401.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::Extension;
use serde_json::json;

use super::{json_error, serve, Presented, StatusRequest, Vendor};
use crate::fleet::Instance;
use crate::provider::Provider;
use crate::server::ResetSwitch;
use crate::state::{RateLimit, SharedState};

pub(crate) struct GreenApi;

/// The raw state that makes the body JSON `null`, as while an instance is being created.
pub const GREEN_API_NULL_STATE: &str = "null";

impl Vendor for GreenApi {
    const PROVIDER: Provider = Provider::GreenApi;

    fn authenticated(instance: &Instance, presented: &Presented) -> bool {
        matches!(presented, Presented::PathToken(token) if Some(token) == instance.api_token.as_ref())
    }

    fn body(_instance: &Instance, state: &str) -> String {
        if state == GREEN_API_NULL_STATE {
            "null".to_owned()
        } else {
            json!({"stateInstance": state}).to_string()
        }
    }

    /// Green API documents these statuses without bodies, except 466 (quota spent).
    fn error(status: u16) -> Response {
        if status == 466 {
            return json_error(
                466,
                json!({"status": "QUOTE_EXCEEDED", "description": "The monthly quota of the account is exhausted"}),
            );
        }
        Response::builder()
            .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
            .body(Body::empty())
            .unwrap_or_default()
    }

    /// Green API knows its instances by id and token only: a wrong id is a 403.
    fn unknown_instance() -> Response {
        Self::error(403)
    }

    fn rate_limit(instance: &Instance, _presented: &Presented) -> Option<(String, RateLimit)> {
        Some((
            format!("green-api instance {}", instance.id),
            RateLimit::GREEN_API,
        ))
    }
}

pub(crate) async fn get_state_instance(
    State(state): State<SharedState>,
    Path((wa_instance, token)): Path<(String, String)>,
    reset: Option<Extension<ResetSwitch>>,
    uri: Uri,
) -> Response {
    // The id is glued to the literal `waInstance` inside one path segment.
    let Some(id) = wa_instance.strip_prefix("waInstance") else {
        state.log.request(
            "GET",
            &crate::log::redact_path(uri.path()),
            404,
            "not a Green API path",
        );
        return Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body(Body::empty())
            .unwrap_or_default();
    };
    serve::<GreenApi>(StatusRequest {
        state: &state,
        id,
        presented: Presented::PathToken(token),
        path: uri.path(),
        reset: reset.map(|Extension(r)| r),
    })
    .await
}
