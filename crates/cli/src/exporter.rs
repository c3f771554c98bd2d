//! `wa-status exporter`: Prometheus metrics from checks in the background, each instance on
//! its own schedule. A scrape reads what the checks stored; it never calls a provider.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;

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
use crate::output::Stdout;
use crate::shutdown;
use crate::targets::Gathered;
use crate::CliError;

/// Serves the metrics until SIGTERM or SIGINT. SIGHUP reads the fleet again with `gather`
/// and starts over with it (counters start again from zero, which `rate()` and
/// `increase()` take as a reset); a fleet that cannot be read leaves the exporter as it
/// was.
pub async fn run(
    args: &ExporterArgs,
    gather: &dyn Fn() -> Result<Gathered, CliError>,
) -> Result<(), CliError> {
    let web = match &args.web_config {
        Some(path) => crate::web_config::WebConfig::load(path)?,
        None => crate::web_config::WebConfig::default(),
    };
    let (mut poller, metrics) = start(args, gather()?)?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| CliError(format!("cannot listen on {}: {e}", args.listen)))?;
    let address: SocketAddr = listener.local_addr().map_err(|e| CliError(e.to_string()))?;
    let mut stdout = Stdout::new();
    let scheme = if web.tls.is_some() { "https" } else { "http" };
    let _ = writeln!(
        stdout,
        "wa-status exporter listening on {scheme}://{address} ({}, /-/healthy, /-/ready)",
        args.telemetry_path
    );
    let _ = stdout.flush();
    let (current, scraped) = tokio::sync::watch::channel(metrics);
    let served = Served {
        metrics: scraped,
        started: tokio::time::Instant::now(),
        interval: args.interval,
        landing: Arc::from(landing_page(&args.telemetry_path)),
    };
    // gzip whenever the scraper accepts it: a fleet's scrape is repetitive text.
    let mut app = Router::new()
        .route(&args.telemetry_path, get(scrape))
        .route("/", get(landing))
        .route("/-/healthy", get(healthy))
        .route("/healthz", get(healthy))
        .route("/-/ready", get(ready))
        .layer(CompressionLayer::new().gzip(true))
        .with_state(served);
    // Every path, as the exporter-toolkit does: the names and states are the fleet's.
    if let Some(users) = web.users {
        app = app.layer(axum::middleware::from_fn_with_state(
            users,
            crate::web_config::require,
        ));
    }
    let limits = crate::http::Limits {
        connections: usize::from(args.max_connections),
        ..Default::default()
    };
    let server = crate::http::serve(listener, app, limits, web.tls, shutdown::requested());
    tokio::pin!(server);
    let mut reloads = shutdown::Reloads::new();
    loop {
        tokio::select! {
            _ = &mut server => break,
            _ = reloads.next() => match gather().and_then(|fleet| start(args, fleet)) {
                Ok((next, metrics)) => {
                    poller.abort();
                    poller = next;
                    tracing::info!("fleet read again on SIGHUP");
                    current.send_replace(metrics);
                }
                Err(CliError(error)) => crate::output::warn(&format!(
                    "wa-status: SIGHUP: the fleet stays as it was: {}",
                    crate::output::one_line(&error, crate::output::MAX_LINE)
                )),
            },
        }
    }
    poller.abort();
    Ok(())
}

/// The checks of one fleet, in the background, and the metrics they record.
fn start(
    args: &ExporterArgs,
    fleet: Gathered,
) -> Result<(tokio::task::JoinHandle<()>, Arc<Metrics>), CliError> {
    let monitor = monitor(&args.targets, fleet.store.as_deref(), None)?;
    let handles = instances(&monitor, &fleet.targets)?;
    let metrics = Arc::new(Metrics::new(&fleet.targets, monitor.store().cloned()));
    let poller = tokio::spawn(poll(
        monitor,
        handles,
        Arc::clone(&metrics),
        args.interval,
        usize::from(args.targets.concurrency),
    ));
    Ok((poller, metrics))
}

/// Checks every instance on its own schedule, for as long as the exporter serves, and
/// records each check.
async fn poll(
    monitor: Monitor,
    handles: Vec<Instance>,
    metrics: Arc<Metrics>,
    interval: std::time::Duration,
    concurrency: usize,
) {
    let mut results = monitor.watch(handles, concurrency, interval);
    while let Some(checked) = results.next().await {
        tracing::info!(
            index = checked.index,
            elapsed_ms = checked.elapsed.as_millis() as u64,
            ok = checked.result.is_ok(),
            "checked"
        );
        metrics.record(checked.index, &checked.result, checked.elapsed);
    }
}

/// What the routes share.
#[derive(Clone)]
struct Served {
    /// The metrics of the fleet now checked (replaced on SIGHUP).
    metrics: tokio::sync::watch::Receiver<Arc<Metrics>>,
    started: tokio::time::Instant,
    interval: std::time::Duration,
    landing: Arc<str>,
}

/// The metrics, in the format the scraper's `Accept` header prefers.
async fn scrape(State(served): State<Served>, headers: HeaderMap) -> impl IntoResponse {
    let metrics = Arc::clone(&served.metrics.borrow());
    let format = Format::negotiate(headers.get(ACCEPT).and_then(|v| v.to_str().ok()));
    match metrics.encode(format) {
        Ok(text) => ([(CONTENT_TYPE, format.content_type())], text).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Up: the process answers.
async fn healthy() -> &'static str {
    "wa-status exporter is healthy.\n"
}

/// Ready once a scrape shows the whole fleet: every instance checked once, or one interval
/// gone by (when a shared store lets another exporter read some instances).
async fn ready(State(served): State<Served>) -> (StatusCode, &'static str) {
    let checked = served.metrics.borrow().every_instance_checked();
    if checked || served.started.elapsed() >= served.interval {
        (StatusCode::OK, "wa-status exporter is ready.\n")
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "wa-status exporter is not ready: the first checks are under way.\n",
        )
    }
}

async fn landing(State(served): State<Served>) -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "text/html; charset=utf-8")],
        served.landing.to_string(),
    )
}

/// The page at `/`: what this is, and links to the metrics and the health checks.
fn landing_page(telemetry_path: &str) -> String {
    // The path holds only characters that need no escaping (see `args::parse_path`).
    let path = telemetry_path;
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>wa-status exporter</title></head>\n<body>\n<h1>wa-status exporter</h1>\n<p>Whether each WhatsApp instance can send, for Prometheus. Version {}.</p>\n<ul>\n<li><a href=\"{path}\">{path}</a>: the metrics</li>\n<li><a href=\"/-/healthy\">/-/healthy</a>: the process answers</li>\n<li><a href=\"/-/ready\">/-/ready</a>: every instance checked once</li>\n</ul>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    )
}
