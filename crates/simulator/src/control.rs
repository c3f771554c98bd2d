//! The control API, under `/_control`: JSON over HTTP to list, create and change instances,
//! set faults and timelines, read counters and switch rate limits. Credentials are accepted
//! but never returned.

use std::collections::BTreeMap;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use wa_providers::Provider;

use crate::faults::Faults;
use crate::fleet::{check_responses, Instance, Step};
use crate::state::{Counters, Served, SharedState};

pub(crate) fn router() -> Router<SharedState> {
    Router::new()
        .route("/instances", get(list).post(create))
        .route(
            "/instances/{provider}/{id}",
            get(show).patch(change).delete(remove),
        )
        .route("/counters", get(counters))
        .route("/counters/reset", post(reset))
        .route("/rate-limits", get(rate_limits).put(set_rate_limits))
}

/// An instance as the control API shows it: no credentials.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct InstanceView {
    /// The provider it answers as.
    pub provider: Provider,
    /// Its id.
    pub id: String,
    /// The recorded response it serves now.
    pub response: String,
    /// The recorded response served now, after the timeline.
    pub current_response: String,
    /// Its scripted changes of response.
    pub timeline: Vec<Step>,
    /// Its faults.
    pub faults: Faults,
    /// What it has been asked so far.
    pub counters: Counters,
}

impl InstanceView {
    fn of(served: &Served) -> InstanceView {
        let instance = &served.instance;
        InstanceView {
            provider: instance.provider,
            id: instance.id.clone(),
            response: instance.response.clone(),
            current_response: served.current_response().to_owned(),
            timeline: instance.timeline.clone(),
            faults: instance.faults.clone(),
            counters: served.counters,
        }
    }
}

/// The fields of an instance a `PATCH` may change; absent ones are kept.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstancePatch {
    /// A recorded response of the instance's provider.
    pub response: Option<String>,
    /// A new timeline, starting now.
    pub timeline: Option<Vec<Step>>,
    /// New faults, if any.
    pub faults: Option<Faults>,
}

#[derive(Debug, Serialize, Deserialize)]
/// Whether the providers' rate limits apply (the control API's `/_control/rate-limits`).
pub struct RateLimits {
    /// Whether they are on.
    pub enabled: bool,
}

/// An error answer of the control API: a status and `{"error": message}`.
struct ControlError(StatusCode, String);

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        (self.0, Json(serde_json::json!({ "error": self.1 }))).into_response()
    }
}

impl From<JsonRejection> for ControlError {
    fn from(rejection: JsonRejection) -> Self {
        ControlError(StatusCode::BAD_REQUEST, rejection.body_text())
    }
}

fn parse_provider(name: &str) -> Result<Provider, ControlError> {
    name.parse().map_err(|e: wa_providers::UnknownProvider| {
        ControlError(StatusCode::BAD_REQUEST, e.to_string())
    })
}

fn view(state: &SharedState, provider: Provider, id: &str) -> Result<InstanceView, ControlError> {
    let inner = state.lock();
    inner
        .instances
        .get(&(provider, id.to_owned()))
        .map(InstanceView::of)
        .ok_or_else(|| {
            ControlError(
                StatusCode::NOT_FOUND,
                format!("no {provider} instance `{id}`"),
            )
        })
}

/// Applies `change` to one instance; an error when it does not exist.
pub(crate) fn update(
    state: &SharedState,
    provider: Provider,
    id: &str,
    change: impl FnOnce(&mut Served),
) -> Result<(), String> {
    let mut inner = state.lock();
    let served = inner
        .instances
        .get_mut(&(provider, id.to_owned()))
        .ok_or_else(|| format!("no {provider} instance `{id}`"))?;
    change(served);
    Ok(())
}

pub(crate) fn reset_counters(state: &SharedState) {
    let mut inner = state.lock();
    for served in inner.instances.values_mut() {
        served.counters = Counters::default();
    }
}

async fn list(State(state): State<SharedState>) -> Json<Vec<InstanceView>> {
    let inner = state.lock();
    let mut views: Vec<InstanceView> = inner.instances.values().map(InstanceView::of).collect();
    views.sort_by(|a, b| (a.provider, &a.id).cmp(&(b.provider, &b.id)));
    Json(views)
}

async fn create(
    State(state): State<SharedState>,
    body: Result<Json<Instance>, JsonRejection>,
) -> Result<(StatusCode, Json<InstanceView>), ControlError> {
    let Json(instance) = body?;
    instance
        .validate()
        .map_err(|message| ControlError(StatusCode::BAD_REQUEST, message))?;
    let (provider, id) = (instance.provider, instance.id.clone());
    state
        .upsert(instance)
        .map_err(|message| ControlError(StatusCode::CONFLICT, message))?;
    Ok((StatusCode::CREATED, Json(view(&state, provider, &id)?)))
}

async fn show(
    State(state): State<SharedState>,
    Path((provider, id)): Path<(String, String)>,
) -> Result<Json<InstanceView>, ControlError> {
    Ok(Json(view(&state, parse_provider(&provider)?, &id)?))
}

async fn change(
    State(state): State<SharedState>,
    Path((provider, id)): Path<(String, String)>,
    body: Result<Json<InstancePatch>, JsonRejection>,
) -> Result<Json<InstanceView>, ControlError> {
    let provider = parse_provider(&provider)?;
    let Json(patch) = body?;
    // The patched instance must still serve recorded responses only.
    let timeline = patch
        .timeline
        .iter()
        .flatten()
        .map(|step| step.response.as_str());
    check_responses(
        provider,
        &id,
        patch.response.as_deref().into_iter().chain(timeline),
    )
    .map_err(|message| ControlError(StatusCode::BAD_REQUEST, message))?;
    update(&state, provider, &id, |served| {
        let instance = &mut served.instance;
        if let Some(response) = patch.response {
            instance.response = response;
            if patch.timeline.is_none() {
                instance.timeline.clear();
            }
        }
        if let Some(timeline) = patch.timeline {
            instance.timeline = timeline;
            served.timeline_start = std::time::Instant::now();
        }
        if let Some(faults) = patch.faults {
            instance.faults = faults;
        }
    })
    .map_err(|message| ControlError(StatusCode::NOT_FOUND, message))?;
    Ok(Json(view(&state, provider, &id)?))
}

async fn remove(
    State(state): State<SharedState>,
    Path((provider, id)): Path<(String, String)>,
) -> Result<StatusCode, ControlError> {
    let provider = parse_provider(&provider)?;
    match state.lock().remove(&(provider, id.clone())) {
        Some(_) => Ok(StatusCode::NO_CONTENT),
        None => Err(ControlError(
            StatusCode::NOT_FOUND,
            format!("no {provider} instance `{id}`"),
        )),
    }
}

async fn counters(State(state): State<SharedState>) -> Json<BTreeMap<String, Counters>> {
    Json(state.lock().all_counters())
}

async fn reset(State(state): State<SharedState>) -> StatusCode {
    reset_counters(&state);
    StatusCode::NO_CONTENT
}

async fn rate_limits(State(state): State<SharedState>) -> Json<RateLimits> {
    Json(RateLimits {
        enabled: state.lock().rate_limits_enabled,
    })
}

async fn set_rate_limits(
    State(state): State<SharedState>,
    Json(limits): Json<RateLimits>,
) -> Json<RateLimits> {
    state.lock().rate_limits_enabled = limits.enabled;
    Json(limits)
}
