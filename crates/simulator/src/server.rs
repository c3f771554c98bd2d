//! The server: a Tokio accept loop serving the provider routes and the control API over
//! HTTP/1.1, with the one thing a plain `axum::serve` cannot do: reset a connection.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::Router;
use hyper::body::Incoming;
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;
use tower::ServiceExt as _;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use wa_providers::{Placement, Provider};

use crate::control;
use crate::faults::Faults;
use crate::fleet::{Fleet, Instance, Step};
use crate::log::RequestLog;
use crate::serve;
use crate::state::{Counters, SharedState};

/// What a credential must escape inside a connection string's userinfo.
const USERINFO: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A connection string for `instance` on a simulator listening at `address` (`host:port`):
/// see [`Simulator::connection_string`].
pub fn connection_string_at(address: &str, instance: &Instance) -> String {
    let info = instance.provider.info();
    let encode = |secret: &str| utf8_percent_encode(secret, USERINFO).to_string();
    let given = |placeholder: &str| {
        info.auth
            .by_placeholder(placeholder)
            .and_then(|c| instance.credentials.get(c.key))
    };
    // The first form whose required credentials the instance holds.
    let form = info.connection_strings.iter().find(|form| {
        form.userinfo
            .iter()
            .filter(|p| !info.instance.is_placeholder(p) && !form.optional.contains(p))
            .all(|p| given(p).is_some())
    });
    let mut text = format!("{}+http://", info.name);
    let mut tail = true;
    if let Some(form) = form {
        let userinfo: Vec<String> = form
            .userinfo
            .iter()
            .filter_map(
                |placeholder| match info.instance.is_placeholder(placeholder) {
                    true => Some(instance.id.clone()),
                    false => given(placeholder).map(|secret| encode(secret)),
                },
            )
            .collect();
        if !userinfo.is_empty() {
            text.push_str(&userinfo.join(":"));
            text.push('@');
        }
        tail = form.tail.is_some();
    }
    text.push_str(&format!("{address}{}", info.simulator.base_path));
    if tail {
        text.push('/');
        text.push_str(&instance.id);
    }
    // The vendor knows such an instance by its credential: its id is the label.
    if info.instance.named_by.is_some() {
        text.push('#');
        text.push_str(&encode(&instance.id));
    }
    text
}

/// `instance` at a simulator listening on `address`, as an `[[instance]]` table of a
/// `wa-status` fleet file, its credentials written in.
pub fn fleet_file_entry_at(address: &str, instance: &Instance) -> String {
    let provider = instance.provider;
    // TOML's own quoting: an id or a credential may hold any character.
    let quoted = |text: &str| toml::Value::String(text.to_owned()).to_string();
    let base_url = format!("http://{address}{}", provider.info().simulator.base_path);
    let mut text = format!(
        "[[instance]]\nprovider = \"{provider}\"\nbase_url = {}\ninstance = {}\n",
        quoted(&base_url),
        quoted(&instance.id)
    );
    for (key, value) in &instance.credentials {
        text.push_str(&format!("{key} = {}\n", quoted(value)));
    }
    text
}

/// A `wa-status` fleet file of every instance of `fleet` at a simulator listening on
/// `address`, each named `PROVIDER-ID`: what `wa-simulator --write-fleet` writes.
pub fn fleet_file_at(address: &str, fleet: &Fleet) -> String {
    let mut text = String::from(
        "# The instances of a wa-simulator, for wa-status (check, watch, exporter --config).\n\n",
    );
    for instance in &fleet.instances {
        text.push_str(&fleet_file_entry_at(address, instance));
        let name = format!("{}-{}", instance.provider.name(), instance.id);
        text.push_str(&format!("name = {}\n\n", toml::Value::String(name)));
    }
    text
}

/// The status call of `instance` on a simulator listening at `address`, as a hand-written
/// client would send it: the URL (instance, options, and the credentials carried in the
/// path or the query, filled in) and the headers its credentials go in.
pub fn status_request_at(address: &str, instance: &Instance) -> (String, Vec<(String, String)>) {
    let info = instance.provider.info();
    let encode = |text: &str| utf8_percent_encode(text, USERINFO).to_string();
    let mut path = info.status.path.to_owned();
    if let Some(parameter) = info.instance.parameter {
        path = path.replace(&format!("{{{parameter}}}"), &encode(&instance.id));
    }
    for option in info.options {
        path = path.replace(&format!("{{{}}}", option.parameter), option.default);
    }
    let mut query: Vec<String> = info
        .status
        .sends
        .iter()
        .map(|(name, value)| format!("{name}={}", encode(value)))
        .collect();
    let mut headers = Vec::new();
    let mut basic = [None, None];
    for credential in info.auth.credentials {
        let Some(value) = instance.credentials.get(credential.key) else {
            continue;
        };
        match credential.placement {
            Placement::Header { name, prefix } => {
                headers.push((name.to_owned(), format!("{prefix}{value}")))
            }
            Placement::Path { parameter } => {
                path = path.replace(&format!("{{{parameter}}}"), &encode(value))
            }
            Placement::Query { parameter } => query.push(format!("{parameter}={}", encode(value))),
            Placement::BasicUser => basic[0] = Some(value.as_str()),
            Placement::BasicPassword => basic[1] = Some(value.as_str()),
            _ => {}
        }
    }
    if let [Some(user), Some(password)] = basic {
        use base64::Engine as _;
        let pair = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        headers.push(("Authorization".to_owned(), format!("Basic {pair}")));
    }
    let query = match query.is_empty() {
        true => String::new(),
        false => format!("?{}", query.join("&")),
    };
    (
        format!("http://{address}{}{path}{query}", info.simulator.base_path),
        headers,
    )
}

/// Lets a request handler ask for its connection to be reset (TCP RST, no response).
#[derive(Clone, Default)]
pub struct ResetSwitch(Arc<Notify>);

impl ResetSwitch {
    pub(crate) fn reset(&self) {
        self.0.notify_one();
    }

    async fn triggered(&self) {
        self.0.notified().await;
    }
}

/// How to start a simulator.
#[derive(Clone)]
pub struct SimulatorOptions {
    /// Where to listen; the default, `127.0.0.1:0`, picks a free port on loopback.
    pub listen: SocketAddr,
    /// Whether the providers' documented rate limits apply (they do by default).
    pub rate_limits: bool,
    /// Where request log lines go (nowhere by default).
    pub log: RequestLog,
}

impl Default for SimulatorOptions {
    fn default() -> Self {
        SimulatorOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            rate_limits: true,
            log: RequestLog::off(),
        }
    }
}

/// A running simulator. It stops, and closes its connections, when dropped.
pub struct Simulator {
    addr: SocketAddr,
    state: SharedState,
    /// TCP connections accepted so far, to show that clients reuse theirs.
    connections: Arc<AtomicU64>,
    shutdown: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Simulator {
    /// Starts a simulator for `fleet` on a free port of 127.0.0.1, rate limits on.
    pub async fn start(fleet: Fleet) -> io::Result<Simulator> {
        Simulator::start_with(fleet, SimulatorOptions::default()).await
    }

    /// Starts a simulator with explicit options.
    pub async fn start_with(fleet: Fleet, options: SimulatorOptions) -> io::Result<Simulator> {
        fleet
            .validate()
            .map_err(|message| io::Error::new(io::ErrorKind::InvalidInput, message))?;
        let listener = TcpListener::bind(options.listen).await?;
        let addr = listener.local_addr()?;
        let state = SharedState::new(fleet, options.rate_limits, options.log);
        let router = Router::new()
            .nest("/_control", control::router())
            .fallback(serve::handle)
            .with_state(state.clone());
        let (shutdown, shutdown_rx) = watch::channel(false);
        let connections = Arc::new(AtomicU64::new(0));
        let task = tokio::spawn(accept_loop(
            listener,
            router,
            shutdown_rx,
            Arc::clone(&connections),
        ));
        Ok(Simulator {
            addr,
            state,
            connections,
            shutdown,
            task,
        })
    }

    /// The address the simulator listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL a client of `provider` is configured with: the simulator's address and
    /// the provider's base path, e.g. `http://127.0.0.1:8080/<provider>`.
    pub fn base_url(&self, provider: Provider) -> String {
        format!(
            "http://{}{}",
            self.addr,
            provider.info().simulator.base_path
        )
    }

    /// `instance` on this simulator as an `[[instance]]` table of a `wa-status` fleet file,
    /// with its credentials written in (TOML basic strings; test and demo credentials).
    pub fn fleet_file_entry(&self, instance: &Instance) -> String {
        fleet_file_entry_at(&self.addr.to_string(), instance)
    }

    /// A `wa-status` fleet file of every instance of `fleet` on this simulator (see
    /// [`fleet_file_at`]).
    pub fn fleet_file(&self, fleet: &Fleet) -> String {
        fleet_file_at(&self.addr.to_string(), fleet)
    }

    /// A connection string for `instance` on this simulator, in its provider's form for the
    /// instance's credentials (credentials percent-encoded), ready for `wa-status` or
    /// `wa-unified`.
    pub fn connection_string(&self, instance: &Instance) -> String {
        connection_string_at(&self.addr.to_string(), instance)
    }

    /// The base URL of the control API.
    pub fn control_url(&self) -> String {
        format!("http://{}/_control", self.addr)
    }

    /// Adds an instance, or replaces the one with the same provider and id.
    pub fn upsert(&self, instance: Instance) -> Result<(), String> {
        instance.validate()?;
        self.state.upsert(instance)
    }

    /// Sets the recorded response an instance serves (and clears its timeline).
    pub fn set_response(&self, provider: Provider, id: &str, response: &str) -> Result<(), String> {
        crate::fleet::check_responses(provider, id, [response])?;
        control::update(&self.state, provider, id, |served| {
            served.instance.response = response.to_owned();
            served.instance.timeline.clear();
        })
    }

    /// Sets an instance's timeline; it starts now.
    pub fn set_timeline(
        &self,
        provider: Provider,
        id: &str,
        timeline: Vec<Step>,
    ) -> Result<(), String> {
        let responses = timeline.iter().map(|step| step.response.as_str());
        crate::fleet::check_responses(provider, id, responses)?;
        control::update(&self.state, provider, id, |served| {
            served.instance.timeline = timeline;
            served.timeline_start = std::time::Instant::now();
        })
    }

    /// Sets an instance's faults.
    pub fn set_faults(&self, provider: Provider, id: &str, faults: Faults) -> Result<(), String> {
        control::update(&self.state, provider, id, |served| {
            served.instance.faults = faults
        })
    }

    /// An instance's counters.
    pub fn counters(&self, provider: Provider, id: &str) -> Option<Counters> {
        let inner = self.state.lock();
        inner
            .instances
            .get(&(provider, id.to_owned()))
            .map(|served| served.counters)
    }

    /// The sum of every instance's counters.
    pub fn total_counters(&self) -> Counters {
        let inner = self.state.lock();
        inner
            .instances
            .values()
            .fold(Counters::default(), |sum, served| Counters {
                requests: sum.requests + served.counters.requests,
                rate_limited: sum.rate_limited + served.counters.rate_limited,
            })
    }

    /// The most status requests of each provider that were being answered at once (for
    /// the providers that had any), since the start or the last [`Simulator::reset_counters`].
    pub fn peak_in_flight(&self) -> Vec<(Provider, usize)> {
        self.state.in_flight.peaks()
    }

    /// Zeroes every instance's counters, and the peaks of requests in flight.
    pub fn reset_counters(&self) {
        control::reset_counters(&self.state);
        self.state.in_flight.reset_peaks();
    }

    /// Turns the providers' rate limits on or off.
    pub fn set_rate_limits(&self, enabled: bool) {
        self.state.lock().rate_limits_enabled = enabled;
    }

    /// How many TCP connections the simulator has accepted.
    pub fn connections_accepted(&self) -> u64 {
        self.connections.load(Ordering::Relaxed)
    }

    /// The request log (lines are kept only with [`RequestLog::memory`]).
    pub fn log(&self) -> &RequestLog {
        &self.state.log
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        self.task.abort();
    }
}

async fn accept_loop(
    listener: TcpListener,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
    connections: Arc<AtomicU64>,
) {
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.fetch_add(1, Ordering::Relaxed);
                    tokio::spawn(serve_connection(stream, router.clone(), shutdown.clone()));
                }
                // Out of file descriptors or a connection aborted before accept: keep going,
                // after a pause so that a persistent error does not spin.
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(10)).await,
            },
            _ = shutdown.changed() => return,
        }
    }
}

async fn serve_connection(stream: TcpStream, router: Router, mut shutdown: watch::Receiver<bool>) {
    let _ = stream.set_nodelay(true);
    // A second handle on the same socket, kept to reset it: SO_LINGER 0 makes the last
    // close send RST instead of FIN.
    let Ok((stream, guard)) = stream.into_std().and_then(|s| {
        let guard = s.try_clone()?;
        Ok((TcpStream::from_std(s)?, guard))
    }) else {
        return;
    };
    let switch = ResetSwitch::default();
    let handler_switch = switch.clone();
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(handler_switch.clone());
        router.clone().oneshot(request)
    });
    let connection =
        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = connection => {}
        _ = switch.triggered() => {
            if let Ok(guard) = TcpStream::from_std(guard) {
                let _ = guard.set_zero_linger();
            }
        }
        _ = shutdown.changed() => {}
    }
}
