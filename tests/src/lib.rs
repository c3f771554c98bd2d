//! A recording HTTP server on 127.0.0.1 for the client tests: it answers every request with
//! the response the test set, and keeps what it received (method, raw path, headers) so the
//! test can check what the client put on the wire. And [`http_client`], a plain `reqwest`
//! client for tests that call a server themselves, [`listening_url`], for tests that
//! start a server as a child process, [`UntrustedTlsServer`], for certificate failures, and
//! [`LoopbackPki`], certificates for a server under test that takes TLS.

#![warn(missing_docs)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A `reqwest` client for a test's own requests. The workspace builds rustls without a
/// default crypto provider (wa-client-support installs `ring`, which needs no cmake); this
/// installs the same one, so that a client a test builds itself works too.
pub fn http_client() -> reqwest::Client {
    install_tls();
    reqwest::Client::new()
}

/// Installs rustls' `ring` provider as the process default, if none is installed yet: a
/// test that builds its own `reqwest::ClientBuilder` calls this first.
pub fn install_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Reads the banner a server started as `child` prints first on its standard output (piped),
/// such as `wa-status exporter listening on http://127.0.0.1:PORT`, and returns it with
/// the `http://` address it names.
///
/// # Panics
/// When the child's standard output is not piped, ends before a line, or the line names no
/// `http://` address: a test cannot go on without the server.
pub async fn listening_url(child: &mut tokio::process::Child) -> (String, String) {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let stdout = child.stdout.take().expect("the child's stdout is piped");
    let banner = BufReader::new(stdout)
        .lines()
        .next_line()
        .await
        .expect("the child's stdout reads")
        .expect("the child prints a banner");
    let url = banner
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap_or_else(|| panic!("the banner names no http:// address: {banner}"))
        .to_owned();
    (banner, url)
}

/// One request as the server received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The request's method.
    pub method: String,
    /// The path exactly as sent, percent-encoding included.
    pub path: String,
    /// The query exactly as sent, if there was one.
    pub query: Option<String>,
    /// Header names (lowercase) and values, in the order received.
    pub headers: Vec<(String, String)>,
}

impl RecordedRequest {
    /// The value of a header, if it was sent once.
    pub fn header(&self, name: &str) -> Option<&str> {
        let mut values = self.headers.iter().filter(|(n, _)| n == name);
        match (values.next(), values.next()) {
            (Some((_, value)), None) => Some(value),
            _ => None,
        }
    }

    /// The names of every header sent.
    pub fn header_names(&self) -> Vec<&str> {
        self.headers.iter().map(|(n, _)| n.as_str()).collect()
    }
}

#[derive(Clone)]
struct Canned {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

#[derive(Clone)]
struct Shared {
    canned: Arc<Mutex<Canned>>,
    recorded: Arc<Mutex<Vec<RecordedRequest>>>,
}

/// The server. It stops when dropped.
pub struct RecordingServer {
    addr: SocketAddr,
    shared: Shared,
    task: JoinHandle<()>,
}

impl RecordingServer {
    /// Starts a server on a free port of 127.0.0.1 that answers `200 {}` until told otherwise.
    pub async fn start() -> RecordingServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local address");
        let shared = Shared {
            canned: Arc::new(Mutex::new(Canned {
                status: 200,
                headers: vec![("content-type".into(), "application/json".into())],
                body: "{}".into(),
            })),
            recorded: Arc::default(),
        };
        let app = Router::new().fallback(record).with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        RecordingServer { addr, shared, task }
    }

    /// `http://127.0.0.1:PORT`, with no trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Answers every following request with this status and JSON body.
    pub fn respond_json(&self, status: u16, body: &str) {
        self.respond(status, "application/json", body);
    }

    /// Answers every following request with this status, content type and body.
    pub fn respond(&self, status: u16, content_type: &str, body: &str) {
        self.respond_with(status, &[("content-type", content_type)], body);
    }

    /// Answers every following request with this status, these headers and this body, as a
    /// recorded response gives them.
    pub fn respond_with(&self, status: u16, headers: &[(&str, &str)], body: &str) {
        *self
            .shared
            .canned
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Canned {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.to_owned(),
        };
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared
            .recorded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The only request received; panics when there were none or several.
    pub fn single_request(&self) -> RecordedRequest {
        let mut requests = self.requests();
        assert_eq!(
            requests.len(),
            1,
            "expected exactly one request: {requests:?}"
        );
        requests.remove(0)
    }
}

impl Drop for RecordingServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn record(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let request = RecordedRequest {
        method: method.to_string(),
        path: uri.path().to_owned(),
        query: uri.query().map(str::to_owned),
        headers: headers
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_owned(), value)
            })
            .collect(),
    };
    shared
        .recorded
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(request);
    let canned = shared
        .canned
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let mut response = Response::builder()
        .status(StatusCode::from_u16(canned.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    for (name, value) in &canned.headers {
        response = response.header(name, value);
    }
    response.body(Body::from(canned.body)).unwrap_or_default()
}

/// A server on 127.0.0.1 that accepts connections and closes them without answering, for
/// transport errors. Returns its URL; it stops when the handle is dropped or aborted.
pub async fn closing_server() -> (String, AbortOnDrop) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1");
    let url = format!("http://{}", listener.local_addr().expect("local address"));
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            drop(stream);
        }
    });
    (url, AbortOnDrop(task))
}

/// Aborts a background task when dropped.
pub struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A `redis-server` of its own on a free port of 127.0.0.1, with nothing saved to disk,
/// stopped when dropped. Debian's `redis-server` package has it; `.ci/run` installs it.
pub struct RedisServer {
    child: std::process::Child,
    port: u16,
}

impl RedisServer {
    /// Starts the server and waits until it answers `PING`.
    pub fn start() -> RedisServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = std::process::Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args([
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("`redis-server` runs: apt-get install redis-server (.ci/run does)");
        let server = RedisServer { child, port };
        let client = redis::Client::open(server.url()).expect("a Redis URL");
        for _ in 0..200 {
            if let Ok(mut connection) = client.get_connection() {
                if redis::cmd("PING").query::<String>(&mut connection).is_ok() {
                    return server;
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        panic!("redis-server did not answer on port {port} within 5 s");
    }

    /// Its URL.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Every key in the database, with its value as text (a hash's fields and values
    /// joined), so that a test can look through all that is stored.
    pub fn dump(&self) -> Vec<(String, String)> {
        let client = redis::Client::open(self.url()).expect("a Redis URL");
        let mut connection = client.get_connection().expect("a connection");
        let keys: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut connection).unwrap();
        keys.into_iter()
            .map(|key| {
                let kind: String = redis::cmd("TYPE").arg(&key).query(&mut connection).unwrap();
                let value = match kind.as_str() {
                    "hash" => {
                        let pairs: Vec<String> = redis::cmd("HGETALL")
                            .arg(&key)
                            .query(&mut connection)
                            .unwrap();
                        pairs.join(" ")
                    }
                    _ => redis::cmd("GET")
                        .arg(&key)
                        .query::<Option<String>>(&mut connection)
                        .unwrap()
                        .unwrap_or_default(),
                };
                (key, value)
            })
            .collect()
    }

    /// Stops the server now (as a crash would: SIGKILL).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// An HTTPS server on 127.0.0.1 whose certificate, self-signed and made at start, no
/// client trusts: a client's handshake fails as with a private CA it was not given. It
/// counts the connections it accepts, so that a test sees whether a client retried.
pub struct UntrustedTlsServer {
    addr: SocketAddr,
    connections: Arc<std::sync::atomic::AtomicU64>,
    task: JoinHandle<()>,
}

impl UntrustedTlsServer {
    /// Starts the server on a free port.
    ///
    /// # Panics
    /// When no port is free or the certificate cannot be made.
    pub async fn start() -> UntrustedTlsServer {
        install_tls();
        let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()])
            .expect("a self-signed certificate");
        let key = rustls::pki_types::PrivatePkcs8KeyDer::from(made.signing_key.serialize_der());
        let config = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(vec![made.cert.der().clone()], key.into())
            .expect("a server configuration");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let addr = listener.local_addr().expect("the bound address");
        let connections = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let counted = Arc::clone(&connections);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    use tokio::io::AsyncWriteExt;
                    // A client that trusted the certificate would get an empty JSON object.
                    if let Ok(mut tls) = acceptor.accept(stream).await {
                        let _ = tls
                            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")
                            .await;
                    }
                });
            }
        });
        UntrustedTlsServer {
            addr,
            connections,
            task,
        }
    }

    /// `127.0.0.1:PORT`.
    pub fn address(&self) -> String {
        self.addr.to_string()
    }

    /// The TCP connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.connections.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Drop for UntrustedTlsServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A certificate authority of a test's own and a server certificate it signed for
/// 127.0.0.1, in PEM: for a server under test that takes TLS, and a client (Prometheus)
/// that trusts the CA.
pub struct LoopbackPki {
    /// The CA's certificate, for the client's trust.
    pub ca_pem: String,
    /// The server's certificate, for `127.0.0.1` and `localhost`.
    pub cert_pem: String,
    /// The server's private key (PKCS#8).
    pub key_pem: String,
}

impl LoopbackPki {
    /// Makes a new CA and server certificate.
    ///
    /// # Panics
    /// When the certificates cannot be made.
    pub fn new() -> LoopbackPki {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
        let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "wa-status test CA");
        let ca_key = KeyPair::generate().expect("a CA key");
        let ca_cert = ca.self_signed(&ca_key).expect("the CA certificate");
        let issuer = Issuer::new(ca, ca_key);
        let server = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .expect("server parameters");
        let key = KeyPair::generate().expect("a server key");
        let cert = server
            .signed_by(&key, &issuer)
            .expect("the server certificate");
        LoopbackPki {
            ca_pem: ca_cert.pem(),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }
}

impl Default for LoopbackPki {
    fn default() -> LoopbackPki {
        LoopbackPki::new()
    }
}
