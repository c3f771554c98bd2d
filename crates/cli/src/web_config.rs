//! `--web.config.file`: TLS and basic authentication for the exporter, in the format of the
//! Prometheus exporter-toolkit, so that one file serves every exporter on a host:
//!
//! ```yaml
//! tls_server_config:
//!   cert_file: server.crt        # relative to this file's folder, or absolute
//!   key_file: server.key
//!   min_version: TLS12           # or TLS13
//!   client_auth_type: RequireAndVerifyClientCert   # with client_ca_file
//!   client_ca_file: clients.crt
//! basic_auth_users:
//!   prometheus: $2y$10$...       # bcrypt, e.g. `htpasswd -nBC 10 "" | tr -d ':\n'`
//! ```
//!
//! A key the toolkit knows and wa-status does not support is refused by name, rather than
//! ignored: a setting an operator believes in must not silently do nothing.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde::Deserialize;

use crate::CliError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    tls_server_config: Option<TlsFile>,
    basic_auth_users: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TlsFile {
    cert_file: PathBuf,
    key_file: PathBuf,
    min_version: Option<String>,
    client_auth_type: Option<String>,
    client_ca_file: Option<PathBuf>,
}

/// What the web configuration asks of the exporter's server.
#[derive(Default)]
pub struct WebConfig {
    pub tls: Option<tokio_rustls::TlsAcceptor>,
    pub users: Option<Arc<BasicAuth>>,
}

impl WebConfig {
    /// Reads and checks the file at `path`; every certificate and key is loaded now, so
    /// that a mistake stops the exporter at start.
    pub fn load(path: &Path) -> Result<WebConfig, CliError> {
        let shown = path.display();
        let fail = |problem: String| CliError(format!("--web.config.file {shown}: {problem}"));
        let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
        let file: File = serde_yaml_ng::from_str(&text).map_err(|e| fail(without_values(&e)))?;
        let folder = path.parent().unwrap_or(Path::new("."));
        let tls = file
            .tls_server_config
            .map(|tls| tls_acceptor(tls, folder))
            .transpose()
            .map_err(fail)?;
        let users = file
            .basic_auth_users
            .map(BasicAuth::new)
            .transpose()
            .map_err(fail)?
            .map(Arc::new);
        Ok(WebConfig { tls, users })
    }
}

/// A YAML error, its place first. Every field is a string, which YAML gives from any
/// scalar, so serde never quotes a value here: it names a field or a type.
fn without_values(error: &serde_yaml_ng::Error) -> String {
    let place = error
        .location()
        .map(|l| format!("line {}, column {}: ", l.line(), l.column()))
        .unwrap_or_default();
    let message = error.to_string();
    let kept = message.split(" at line ").next().unwrap_or(&message);
    format!("{place}{kept}")
}

fn tls_acceptor(tls: TlsFile, folder: &Path) -> Result<tokio_rustls::TlsAcceptor, String> {
    let path = |p: &Path| folder.join(p);
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path(&tls.cert_file))
        .and_then(|certs| certs.collect())
        .map_err(|e| format!("cert_file {}: {e}", tls.cert_file.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "cert_file {}: no certificate in it",
            tls.cert_file.display()
        ));
    }
    let key = PrivateKeyDer::from_pem_file(path(&tls.key_file))
        .map_err(|e| format!("key_file {}: {e}", tls.key_file.display()))?;
    let versions: &[&rustls::SupportedProtocolVersion] = match tls.min_version.as_deref() {
        None | Some("TLS12") => rustls::ALL_VERSIONS,
        Some("TLS13") => &[&rustls::version::TLS13],
        Some(other) => {
            return Err(format!(
                "min_version `{other}` is not supported: TLS12 or TLS13"
            ))
        }
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .map_err(|e| e.to_string())?;
    let builder = match (tls.client_auth_type.as_deref(), &tls.client_ca_file) {
        (None | Some("NoClientCert"), None) => builder.with_no_client_auth(),
        (Some(kind @ ("RequireAndVerifyClientCert" | "VerifyClientCertIfGiven")), Some(ca)) => {
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_file_iter(path(ca))
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .map_err(|e| format!("client_ca_file {}: {e}", ca.display()))?
            {
                roots
                    .add(cert)
                    .map_err(|e| format!("client_ca_file {}: {e}", ca.display()))?;
            }
            let verifier =
                rustls::server::WebPkiClientVerifier::builder_with_provider(roots.into(), provider);
            let verifier = match kind {
                "VerifyClientCertIfGiven" => verifier.allow_unauthenticated(),
                _ => verifier,
            };
            builder.with_client_cert_verifier(verifier.build().map_err(|e| e.to_string())?)
        }
        (Some(kind), None) if kind != "NoClientCert" => {
            return Err(format!("client_auth_type `{kind}` needs client_ca_file"))
        }
        (Some(kind), _) => {
            return Err(format!(
                "client_auth_type `{kind}` is not supported: NoClientCert, VerifyClientCertIfGiven or RequireAndVerifyClientCert"
            ))
        }
        (None, Some(_)) => {
            return Err("client_ca_file needs a client_auth_type".to_owned());
        }
    };
    let mut config = builder
        .with_single_cert(certs, key)
        .map_err(|e| format!("cert_file and key_file: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

/// The users allowed in, by name, with their bcrypt hashes.
pub struct BasicAuth {
    users: BTreeMap<String, String>,
    /// Digests of credentials checked already: bcrypt is slow on purpose, and Prometheus
    /// sends the same ones at every scrape. Bounded; cleared when full.
    accepted: Mutex<HashSet<Vec<u8>>>,
    /// bcrypt runs on at most two threads at once, so that a flood of wrong passwords
    /// cannot take every core from the checks.
    hashing: tokio::sync::Semaphore,
}

/// A hash compared when the user is unknown, so that an unknown user takes as long as a
/// wrong password (the name is not told by the time taken). Made once, at the first
/// unknown user.
fn unknown_user_hash() -> String {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| bcrypt::hash("no such user", bcrypt::DEFAULT_COST).unwrap_or_default())
        .clone()
}

/// How many accepted credentials are remembered.
const REMEMBERED: usize = 64;

impl BasicAuth {
    fn new(users: BTreeMap<String, String>) -> Result<BasicAuth, String> {
        for (user, hash) in &users {
            if hash.parse::<bcrypt::HashParts>().is_err() {
                return Err(format!(
                    "basic_auth_users: the hash of `{user}` is not a bcrypt hash (its value is not shown)"
                ));
            }
        }
        Ok(BasicAuth {
            users,
            accepted: Mutex::new(HashSet::new()),
            hashing: tokio::sync::Semaphore::new(2),
        })
    }

    /// Whether `header` (an `Authorization` value) names a user and the right password.
    async fn allows(&self, header: Option<&str>) -> bool {
        use base64::Engine;
        let Some(encoded) = header.and_then(|h| h.strip_prefix("Basic ")) else {
            return false;
        };
        let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
            return false;
        };
        let Ok(text) = String::from_utf8(decoded) else {
            return false;
        };
        let Some((user, password)) = text.split_once(':') else {
            return false;
        };
        let (hash, known) = match self.users.get(user) {
            Some(hash) => (hash.clone(), true),
            None => (unknown_user_hash(), false),
        };
        let digest = digest(user, password, &hash);
        if known && self.lock().contains(&digest) {
            return true;
        }
        let Ok(_permit) = self.hashing.acquire().await else {
            return false;
        };
        let password = password.to_owned();
        let verified = tokio::task::spawn_blocking(move || bcrypt::verify(password, &hash))
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or(false);
        if verified && known {
            let mut accepted = self.lock();
            if accepted.len() >= REMEMBERED {
                accepted.clear();
            }
            accepted.insert(digest);
        }
        verified && known
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<Vec<u8>>> {
        self.accepted.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl std::fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BasicAuth")
            .field("users", &self.users.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// SHA-256 of a user, a password and the hash they were checked against: what is kept of
/// an accepted credential (never the password itself).
fn digest(user: &str, password: &str, hash: &str) -> Vec<u8> {
    let mut context = ring::digest::Context::new(&ring::digest::SHA256);
    for part in [user, password, hash] {
        context.update(&(part.len() as u64).to_be_bytes());
        context.update(part.as_bytes());
    }
    context.finish().as_ref().to_vec()
}

/// Refuses a request without the credentials of a user of `auth`, with 401 and the
/// challenge browsers and Prometheus answer.
pub async fn require(State(auth): State<Arc<BasicAuth>>, request: Request, next: Next) -> Response {
    let header = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if auth.allows(header).await {
        return next.run(request).await;
    }
    (
        StatusCode::UNAUTHORIZED,
        [(WWW_AUTHENTICATE, "Basic realm=\"wa-status\"")],
        "Unauthorized\n",
    )
        .into_response()
}
