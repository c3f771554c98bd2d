//! Serving HTTP to callers we do not trust: the exporter's listen address faces whatever
//! can reach it. axum's own `serve` sets no limit, so a few hundred connections that never
//! finish their headers (slowloris) used up the file descriptors, and with them the
//! scrapes and the checks' own connections. Here each connection has a deadline for its
//! headers (which is also how long a kept-alive connection may stay idle), a bounded read
//! buffer and a bounded lifetime, and the number of connections is capped: when the cap is
//! reached, the oldest connection that has not yet sent a whole request makes room, else
//! the oldest one open for 5 s.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper::Request;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;
use tower::ServiceExt;

/// What one server allows its callers.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// How long a caller has to send a request's headers, counted from the connection's
    /// start or from the end of its previous response (the idle limit of kept-alive ones).
    pub header_read: Duration,
    /// How long a connection may last, whatever it does: a reader that takes a byte a
    /// second never holds a slot for long.
    pub lifetime: Duration,
    /// The most connections open at once.
    pub connections: usize,
    /// The largest request head, in bytes (hyper's smallest allowed buffer is 8 KiB).
    pub header_bytes: usize,
}

impl Default for Limits {
    /// A metrics endpoint serves a few scrapers and the odd person: 256 connections leave
    /// most of the common 1,024 descriptors to the checks. Prometheus sends its headers at
    /// once and scrapes within its own timeout (10 s by default).
    fn default() -> Limits {
        Limits {
            header_read: Duration::from_secs(10),
            lifetime: Duration::from_secs(120),
            connections: 256,
            header_bytes: 16 * 1024,
        }
    }
}

/// One open connection, as the cap sees it.
struct Open {
    id: u64,
    opened: std::time::Instant,
    /// Whether it has sent a whole request's head: a caller that has is not evicted.
    requested: Arc<AtomicBool>,
    task: AbortHandle,
}

/// How long a connection that has sent a request keeps its slot against newcomers when
/// the cap is reached: a scrape takes milliseconds.
const SETTLED: Duration = Duration::from_secs(5);

/// The open connections, oldest first.
#[derive(Default)]
struct Table {
    next_id: u64,
    open: VecDeque<Open>,
}

impl Table {
    /// Makes room for one more connection under `cap`: evicts the oldest connection that
    /// has not sent a request, else the oldest one open for [`SETTLED`] (a client that sent
    /// requests and does not read the answers holds a slot no longer than a newcomer
    /// needs); `false` when every connection is newer than that.
    fn make_room(&mut self, cap: usize) -> bool {
        if self.open.len() < cap {
            return true;
        }
        let idle = self
            .open
            .iter()
            .position(|o| !o.requested.load(Ordering::Relaxed))
            .or_else(|| self.open.iter().position(|o| o.opened.elapsed() >= SETTLED));
        match idle.and_then(|at| self.open.remove(at)) {
            Some(evicted) => {
                evicted.task.abort();
                tracing::debug!(
                    cap,
                    "connection cap reached: the oldest without a request closed"
                );
                true
            }
            None => {
                tracing::debug!(cap, "connection cap reached: a new connection refused");
                false
            }
        }
    }

    fn close(&mut self, id: u64) {
        self.open.retain(|o| o.id != id);
    }
}

/// Serves `app` on `listener` within `limits` until `stop` completes; then each
/// connection finishes the response under way, for at most a second.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    tls: Option<tokio_rustls::TlsAcceptor>,
    stop: impl Future<Output = ()>,
) {
    let table = Arc::new(Mutex::new(Table::default()));
    let (stopping, stopped) = tokio::sync::watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();
    tokio::pin!(stop);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of descriptors, or a connection reset before it was accepted: go on
                // after a pause, so that a lasting error does not spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        // Finished tasks are reaped as we go, so that the set stays as small as the table.
        while tasks.try_join_next().is_some() {}
        let mut open = table.lock().unwrap_or_else(|e| e.into_inner());
        if !open.make_room(limits.connections) {
            continue; // dropped: closed at once
        }
        let id = open.next_id;
        open.next_id += 1;
        let requested = Arc::new(AtomicBool::new(false));
        let task = tasks.spawn(connection(
            stream,
            tls.clone(),
            app.clone(),
            limits,
            Arc::clone(&requested),
            stopped.clone(),
            Arc::clone(&table),
            id,
        ));
        open.open.push_back(Open {
            id,
            opened: std::time::Instant::now(),
            requested,
            task,
        });
    }
    let _ = stopping.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
}

#[allow(clippy::too_many_arguments)]
async fn connection(
    stream: TcpStream,
    tls: Option<tokio_rustls::TlsAcceptor>,
    app: Router,
    limits: Limits,
    requested: Arc<AtomicBool>,
    stopped: tokio::sync::watch::Receiver<bool>,
    table: Arc<Mutex<Table>>,
    id: u64,
) {
    let _ = stream.set_nodelay(true);
    match tls {
        // The handshake has the time the headers have: a client that starts one and stops
        // holds its slot no longer.
        Some(acceptor) => {
            if let Ok(Ok(stream)) =
                tokio::time::timeout(limits.header_read, acceptor.accept(stream)).await
            {
                http1(stream, app, limits, requested, stopped).await;
            }
        }
        None => http1(stream, app, limits, requested, stopped).await,
    }
    table.lock().unwrap_or_else(|e| e.into_inner()).close(id);
}

/// Serves HTTP/1.1 on one connection, plain or TLS, within `limits`.
async fn http1<S>(
    stream: S,
    app: Router,
    limits: Limits,
    requested: Arc<AtomicBool>,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        requested.store(true, Ordering::Relaxed);
        app.clone().oneshot(request)
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read)
        .max_buf_size(limits.header_bytes.max(8192));
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let lifetime = tokio::time::sleep(limits.lifetime);
    tokio::pin!(lifetime);
    tokio::select! {
        _ = &mut connection => {}
        _ = &mut lifetime => {}
        _ = stopped.changed() => {
            // The response under way is finished; a kept-alive connection is closed.
            connection.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(Duration::from_secs(1), connection).await;
        }
    }
}
