//! MegaAPI: `GET /rest/instance/{key}` with `Authorization: Bearer <token>`.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use axum::Extension;
use serde_json::json;

use super::{json_error, reason, serve, Presented, StatusRequest, Vendor};
use crate::fleet::Instance;
use crate::provider::Provider;
use crate::server::ResetSwitch;
use crate::state::SharedState;

pub(crate) struct MegaApi;

impl Vendor for MegaApi {
    const PROVIDER: Provider = Provider::MegaApi;

    fn authenticated(instance: &Instance, presented: &Presented) -> bool {
        matches!(presented, Presented::Bearer(Some(token)) if Some(token) == instance.token.as_ref())
    }

    /// `instance.user` is present exactly when the account has a phone: its absence is
    /// MegaAPI's documented sign that no WhatsApp account is connected.
    fn body(instance: &Instance, state: &str) -> String {
        let mut body = json!({
            "error": false,
            "message": "Instance fetched successfully",
            "instance": {"key": instance.id, "status": state},
        });
        if let Some(phone) = &instance.account.phone {
            body["instance"]["user"] = json!({"id": phone});
        }
        body.to_string()
    }

    fn error(status: u16) -> Response {
        match status {
            401 => json_error(
                401,
                json!({"error": true, "name": "UnauthorizedError", "message": "Invalid or missing token", "statusCode": 401}),
            ),
            404 => json_error(404, json!({"error": true, "message": "Instance not found"})),
            other => json_error(other, json!({"error": true, "message": reason(other)})),
        }
    }
}

pub(crate) async fn status(
    State(state): State<SharedState>,
    Path(key): Path<String>,
    reset: Option<Extension<ResetSwitch>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    serve::<MegaApi>(StatusRequest {
        state: &state,
        id: &key,
        presented: Presented::Bearer(Presented::bearer(&headers)),
        path: uri.path(),
        reset: reset.map(|Extension(r)| r),
    })
    .await
}
