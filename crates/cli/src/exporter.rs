//! `wa-status exporter`: Prometheus metrics from a background poll. A scrape reads what
//! the last poll stored; it never calls a provider.

use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use futures_util::StreamExt;
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use wa_unified::{ConnectionState, Instance, Monitor};

use crate::args::ExporterArgs;
use crate::check::{instances, monitor};
use crate::targets::Target;
use crate::CliError;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct InstanceLabels {
    name: String,
    provider: String,
    instance: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    name: String,
    provider: String,
    instance: String,
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    name: String,
    provider: String,
    instance: String,
    kind: String,
}

/// Every metric the exporter serves.
#[derive(Default)]
struct Metrics {
    up: Family<InstanceLabels, Gauge>,
    state: Family<StateLabels, Gauge>,
    last_success: Family<InstanceLabels, Gauge<f64, AtomicU64>>,
    errors: Family<ErrorLabels, Counter>,
    duration: Family<InstanceLabels, Gauge<f64, AtomicU64>>,
}

impl Metrics {
    fn registry(&self) -> Registry {
        let mut registry = Registry::default();
        registry.register(
            "whatsapp_instance_up",
            "1 when the instance is connected, else 0",
            self.up.clone(),
        );
        registry.register(
            "whatsapp_instance_state",
            "The instance's state, one-hot over every state (the last one read)",
            self.state.clone(),
        );
        registry.register(
            "whatsapp_instance_last_success_timestamp_seconds",
            "When the instance was last checked successfully, in Unix seconds",
            self.last_success.clone(),
        );
        registry.register(
            "whatsapp_instance_check_errors",
            "Failed checks, by error kind",
            self.errors.clone(),
        );
        registry.register(
            "whatsapp_instance_check_duration_seconds",
            "How long the last check took",
            self.duration.clone(),
        );
        registry
    }

    fn labels(target: &Target) -> InstanceLabels {
        InstanceLabels {
            name: target.name.clone(),
            provider: target.config.provider().name().to_owned(),
            instance: target.config.instance().to_owned(),
        }
    }

    /// Creates every series at zero, so that a scrape before the first poll shows them.
    fn declare(&self, target: &Target) {
        let labels = Self::labels(target);
        self.up.get_or_create(&labels).set(0);
        self.duration.get_or_create(&labels).set(0.0);
        self.last_success.get_or_create(&labels).set(0.0);
    }

    fn record(
        &self,
        target: &Target,
        result: &Result<wa_unified::InstanceStatus, wa_unified::Error>,
        seconds: f64,
    ) {
        let labels = Self::labels(target);
        self.duration.get_or_create(&labels).set(seconds);
        match result {
            Ok(status) => {
                self.up
                    .get_or_create(&labels)
                    .set(i64::from(status.is_connected()));
                for state in ConnectionState::ALL {
                    let state_labels = StateLabels {
                        name: labels.name.clone(),
                        provider: labels.provider.clone(),
                        instance: labels.instance.clone(),
                        state: state.name().to_owned(),
                    };
                    self.state
                        .get_or_create(&state_labels)
                        .set(i64::from(state == status.state));
                }
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0.0, |d| d.as_secs_f64());
                self.last_success.get_or_create(&labels).set(now);
            }
            Err(error) => {
                self.up.get_or_create(&labels).set(0);
                let error_labels = ErrorLabels {
                    name: labels.name.clone(),
                    provider: labels.provider.clone(),
                    instance: labels.instance.clone(),
                    kind: error.kind().name().to_owned(),
                };
                self.errors.get_or_create(&error_labels).inc();
            }
        }
    }
}

struct Shared {
    registry: Registry,
}

pub async fn run(args: &ExporterArgs, targets: Vec<Target>) -> Result<(), CliError> {
    let monitor = monitor(&args.targets)?;
    let handles = instances(&monitor, &targets)?;
    let metrics = Arc::new(Metrics::default());
    for target in &targets {
        metrics.declare(target);
    }
    let shared = Arc::new(Shared {
        registry: metrics.registry(),
    });
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| CliError(format!("cannot listen on {}: {e}", args.listen)))?;
    let address: SocketAddr = listener.local_addr().map_err(|e| CliError(e.to_string()))?;
    println!("wa-status exporter listening on http://{address} (/metrics, /healthz)");
    let poller = tokio::spawn(poll(
        monitor,
        handles,
        targets,
        Arc::clone(&metrics),
        args.interval,
        usize::from(args.targets.concurrency),
    ));
    let app = Router::new()
        .route("/metrics", get(scrape))
        .route("/healthz", get(|| async { "ok\n" }))
        .with_state(shared);
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
    poller.abort();
    served.map_err(|e| CliError(format!("the metrics server failed: {e}")))
}

async fn poll(
    monitor: Monitor,
    handles: Vec<Instance>,
    targets: Vec<Target>,
    metrics: Arc<Metrics>,
    interval: std::time::Duration,
    concurrency: usize,
) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let mut results = monitor.check_all(handles.clone(), concurrency);
        while let Some(checked) = results.next().await {
            metrics.record(
                &targets[checked.index],
                &checked.result,
                checked.elapsed.as_secs_f64(),
            );
        }
    }
}

async fn scrape(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let mut text = String::new();
    match encode(&mut text, &shared.registry) {
        Ok(()) => (
            [(
                CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(_) => axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
