//! `wa-status exporter`: Prometheus metrics from a background poll. A scrape reads what
//! the last poll stored; it never calls a provider.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::State;
use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use futures_util::StreamExt;
use tower_http::compression::CompressionLayer;
use wa_unified::{Instance, Monitor};

use crate::args::ExporterArgs;
use crate::check::{instances, monitor};
use crate::metrics::{Format, Metrics};
use crate::targets::Target;
use crate::CliError;

pub async fn run(args: &ExporterArgs, targets: Vec<Target>) -> Result<(), CliError> {
    let monitor = monitor(&args.targets)?;
    let handles = instances(&monitor, &targets)?;
    let metrics = Arc::new(Metrics::new(&targets));
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| CliError(format!("cannot listen on {}: {e}", args.listen)))?;
    let address: SocketAddr = listener.local_addr().map_err(|e| CliError(e.to_string()))?;
    println!("wa-status exporter listening on http://{address} (/metrics, /healthz)");
    let poller = tokio::spawn(poll(
        monitor,
        handles,
        Arc::clone(&metrics),
        args.interval,
        usize::from(args.targets.concurrency),
    ));
    // gzip whenever the scraper accepts it: a fleet's scrape is repetitive text.
    let app = Router::new()
        .route("/metrics", get(scrape))
        .route("/healthz", get(|| async { "ok\n" }))
        .layer(CompressionLayer::new().gzip(true))
        .with_state(metrics);
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
    metrics: Arc<Metrics>,
    interval: std::time::Duration,
    concurrency: usize,
) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let started = Instant::now();
        let mut results = monitor.check_all(handles.clone(), concurrency);
        while let Some(checked) = results.next().await {
            metrics.record(checked.index, &checked.result, checked.elapsed);
        }
        metrics.poll_done(started.elapsed());
    }
}

/// The metrics, in the format the scraper's `Accept` header prefers.
async fn scrape(State(metrics): State<Arc<Metrics>>, headers: HeaderMap) -> impl IntoResponse {
    let format = Format::negotiate(headers.get(ACCEPT).and_then(|v| v.to_str().ok()));
    match metrics.encode(format) {
        Ok(text) => ([(CONTENT_TYPE, format.content_type())], text).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
