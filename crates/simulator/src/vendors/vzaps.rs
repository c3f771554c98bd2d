//! VZaps: `GET /instances/{id}/session/status` with a bearer JWT or the
//! `X-Instance-Token` and `X-Client-Token` pair.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use axum::Extension;
use serde_json::{json, Map, Value};

use super::{json_error, reason, serve, Presented, StatusRequest, Vendor};
use crate::fleet::Instance;
use crate::provider::Provider;
use crate::server::ResetSwitch;
use crate::state::SharedState;

pub(crate) struct Vzaps;

impl Vendor for Vzaps {
    const PROVIDER: Provider = Provider::Vzaps;

    fn authenticated(instance: &Instance, presented: &Presented) -> bool {
        let Presented::Vzaps {
            bearer,
            instance_token,
            client_token,
        } = presented
        else {
            return false;
        };
        let bearer_ok = bearer.is_some() && bearer.as_ref() == instance.token.as_ref();
        let pair_ok = instance_token.is_some()
            && client_token.is_some()
            && instance_token.as_ref() == instance.instance_token.as_ref()
            && client_token.as_ref() == instance.client_token.as_ref();
        bearer_ok || pair_ok
    }

    /// `true` serves the account's fields (empty ones omitted), `false` only `connected`;
    /// any other raw value is served as a string, which no client can read as a boolean.
    fn body(instance: &Instance, state: &str) -> String {
        let connected = match state {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            other => Value::String(other.to_owned()),
        };
        let mut data = Map::new();
        data.insert("connected".into(), connected.clone());
        if connected == Value::Bool(true) {
            let account = &instance.account;
            let text = |v: &Option<String>| v.clone().map(Value::String);
            let fields = [
                ("phone", text(&account.phone)),
                ("whatsapp_jid", text(&account.jid)),
                ("push_name", text(&account.push_name)),
                ("business_name", text(&account.business_name)),
                ("business_profile", account.business_profile.clone()),
                ("profile_picture_url", text(&account.profile_picture_url)),
                (
                    "profile_url",
                    account
                        .phone
                        .as_ref()
                        .map(|p| json!(format!("https://wa.me/{p}"))),
                ),
            ];
            for (name, value) in fields {
                if let Some(value) = value {
                    data.insert(name.into(), value);
                }
            }
        }
        if instance.bare && connected == Value::Bool(false) {
            return Value::Object(data).to_string();
        }
        json!({"code": 200, "success": true, "data": data}).to_string()
    }

    fn error(status: u16) -> Response {
        let message = match status {
            401 => "invalid or missing credentials",
            404 => "instance not found",
            other => reason(other),
        };
        json_error(
            status,
            json!({"code": status, "success": false, "message": message}),
        )
    }
}

pub(crate) async fn session_status(
    State(state): State<SharedState>,
    Path(id): Path<String>,
    reset: Option<Extension<ResetSwitch>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let presented = Presented::Vzaps {
        bearer: Presented::bearer(&headers),
        instance_token: Presented::header(&headers, "x-instance-token"),
        client_token: Presented::header(&headers, "x-client-token"),
    };
    serve::<Vzaps>(StatusRequest {
        state: &state,
        id: &id,
        presented,
        path: uri.path(),
        reset: reset.map(|Extension(r)| r),
    })
    .await
}
