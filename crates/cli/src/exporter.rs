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
    let (mut poller, metrics) = start(args, gather()?)?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| CliError(format!("cannot listen on {}: {e}", args.listen)))?;
    let address: SocketAddr = listener.local_addr().map_err(|e| CliError(e.to_string()))?;
    let mut stdout = Stdout::new();
    let _ = writeln!(
        stdout,
        "wa-status exporter listening on http://{address} (/metrics, /healthz)"
    );
    let _ = stdout.flush();
    let (current, scraped) = tokio::sync::watch::channel(metrics);
    // gzip whenever the scraper accepts it: a fleet's scrape is repetitive text.
    let app = Router::new()
        .route("/metrics", get(scrape))
        .route("/healthz", get(|| async { "ok\n" }))
        .layer(CompressionLayer::new().gzip(true))
        .with_state(scraped);
    let server = axum::serve(listener, app).with_graceful_shutdown(shutdown::requested());
    let server = std::future::IntoFuture::into_future(server);
    tokio::pin!(server);
    let mut reloads = shutdown::Reloads::new();
    let served = loop {
        tokio::select! {
            served = &mut server => break served,
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
    };
    poller.abort();
    served.map_err(|e| CliError(format!("the metrics server failed: {e}")))
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

/// The metrics, in the format the scraper's `Accept` header prefers.
async fn scrape(
    State(metrics): State<tokio::sync::watch::Receiver<Arc<Metrics>>>,
    headers: HeaderMap,
) -> impl IntoResponse {
    let metrics = Arc::clone(&metrics.borrow());
    let format = Format::negotiate(headers.get(ACCEPT).and_then(|v| v.to_str().ok()));
    match metrics.encode(format) {
        Ok(text) => ([(CONTENT_TYPE, format.content_type())], text).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
