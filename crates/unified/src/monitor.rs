//! The entry point: a [`Monitor`] holds what every check shares (the HTTP connection pool,
//! the rate limiters, the retry policy) and hands out an [`Instance`] per configured
//! instance.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use futures_util::stream::{self, FuturesUnordered, Stream};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;
use wa_client_support::{ClientOptions, Transport};

use wa_providers::QuotaScope;

use crate::config::InstanceConfig;
use crate::error::Error;
use crate::generated::Client;
use crate::limiter::{Quota, Quotas, SlotLimiter};
use crate::model::InstanceStatus;
use crate::retry::RetryPolicy;
use crate::Provider;

/// How a [`Monitor`] checks: HTTP timeouts and size cap, retries, quotas.
#[derive(Clone, Debug, Default)]
pub struct MonitorOptions {
    /// The HTTP client's timeouts, user agent and response size cap.
    pub client: ClientOptions,
    /// How temporary failures are retried.
    pub retry: RetryPolicy,
    /// The providers' request quotas.
    pub quotas: Quotas,
    /// A folder where quotas are kept for every process of the host: a `check` run by cron
    /// and an exporter that use the same token then stay within its quota together. Each
    /// quota is a small file named by a hash of the provider, the normalized origin and the
    /// credential (no secret in a name or a file). `None` (the default) keeps quotas in
    /// this process.
    pub shared_quotas: Option<PathBuf>,
}

/// Shared by every instance of a monitor. Cloning is cheap.
#[derive(Clone)]
pub struct Monitor {
    shared: Arc<Shared>,
}

struct Shared {
    transport: Transport,
    retry: RetryPolicy,
    quotas: Quotas,
    shared_quotas: Option<PathBuf>,
    /// One request's timeout: a watched check may always take that long.
    request_timeout: std::time::Duration,
    /// One limiter per quota key (provider, normalized origin, credential or instance),
    /// shared by every instance that counts against it.
    limiters: Mutex<HashMap<String, Arc<SlotLimiter>>>,
    /// Resolved origins, by the base URL's scheme, host and port as written.
    origins: Mutex<HashMap<String, String>>,
}

impl fmt::Debug for Monitor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Monitor")
            .field("retry", &self.shared.retry)
            .field("quotas", &self.shared.quotas)
            .finish_non_exhaustive()
    }
}

impl Monitor {
    /// A monitor with its own connection pool.
    pub fn new(options: MonitorOptions) -> Result<Monitor, Error> {
        let transport = Transport::new(&options.client)
            .map_err(|e| Error::invalid_config(None, e.to_string()))?;
        Ok(Monitor {
            shared: Arc::new(Shared {
                transport,
                retry: options.retry,
                quotas: options.quotas,
                shared_quotas: options.shared_quotas,
                request_timeout: options.client.timeout,
                limiters: Mutex::new(HashMap::new()),
                origins: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// A handle on one instance. Fails when the provider is not enabled in this build.
    pub fn instance(&self, config: InstanceConfig) -> Result<Instance, Error> {
        let client = Client::connect(&config, &self.shared.transport)?;
        let limiter = self.limiter_for(&config);
        Ok(Instance {
            shared: Arc::new(InstanceShared {
                config,
                client,
                limiter,
                retry: self.shared.retry,
            }),
        })
    }

    /// Checks many instances, at most `concurrency` requests at a time to each provider, and
    /// yields each result as it arrives. Quotas hold across the whole fleet; one failure
    /// does not stop the others, and a provider that hangs holds only its own slots.
    pub fn check_all(
        &self,
        instances: Vec<Instance>,
        concurrency: usize,
    ) -> impl Stream<Item = Checked> + Send + 'static {
        self.check_all_by(instances, concurrency, None)
    }

    /// [`Monitor::check_all`] with one `deadline` for the whole run: every instance not read
    /// by then comes back as an `unavailable` error that says so (see
    /// [`Instance::check_by`]).
    ///
    /// An instance waiting for its quota holds no concurrency slot: it takes one only once
    /// its quota lets its request go, so that a quota-bound instance never holds up another
    /// provider's.
    pub fn check_all_by(
        &self,
        instances: Vec<Instance>,
        concurrency: usize,
        deadline: Option<tokio::time::Instant>,
    ) -> impl Stream<Item = Checked> + Send + 'static {
        let slots = slots_per_provider(&instances, concurrency);
        instances
            .into_iter()
            .enumerate()
            .map(|(index, instance)| {
                let slots = Arc::clone(&slots[&instance.provider()]);
                async move {
                    let start = std::time::Instant::now();
                    let result = instance.check_within(deadline, Some(&slots)).await;
                    Checked {
                        index,
                        result,
                        elapsed: start.elapsed(),
                    }
                }
            })
            .collect::<FuturesUnordered<_>>()
    }

    /// Checks every instance on its own schedule, each every `interval` (counted from the
    /// start of its previous check), at most `concurrency` requests at a time to each
    /// provider, until the
    /// stream is dropped. A slow, failing or quota-bound instance delays only itself: a
    /// check waits for its quota as long as its turn takes (holding no slot meanwhile), and
    /// its retries stop one interval (or one request timeout, if longer) after its first
    /// request could go.
    pub fn watch(
        &self,
        instances: Vec<Instance>,
        concurrency: usize,
        interval: std::time::Duration,
    ) -> impl Stream<Item = Checked> + Send + Unpin + 'static {
        let slots = slots_per_provider(&instances, concurrency);
        let (sender, receiver) = tokio::sync::mpsc::channel(instances.len().clamp(1, 4096));
        let mut tasks = tokio::task::JoinSet::new();
        let budget = interval.max(self.shared.request_timeout);
        for (index, instance) in instances.into_iter().enumerate() {
            let slots = Arc::clone(&slots[&instance.provider()]);
            let sender = sender.clone();
            tasks.spawn(async move {
                loop {
                    let due = tokio::time::Instant::now() + interval;
                    let start = std::time::Instant::now();
                    let result = instance.check_after_quota(budget, &slots).await;
                    let checked = Checked {
                        index,
                        result,
                        elapsed: start.elapsed(),
                    };
                    if sender.send(checked).await.is_err() {
                        return;
                    }
                    tokio::time::sleep_until(due).await;
                }
            });
        }
        // The tasks live as long as the stream: dropping it aborts them.
        Box::pin(stream::unfold(
            (receiver, tasks),
            |(mut receiver, tasks)| async move {
                let checked = receiver.recv().await?;
                Some((checked, (receiver, tasks)))
            },
        ))
    }

    /// The limiter of the quota `config` counts against, created on first use: one per
    /// provider, normalized origin, and credential (or instance, as the provider counts).
    /// The key is a hash, so that the registry and the quota folder hold no credential.
    fn limiter_for(&self, config: &InstanceConfig) -> Option<Arc<SlotLimiter>> {
        let provider = config.provider();
        // Most instances of a quota-free provider need no key at all.
        let quota: Quota = self.shared.quotas.get(provider)?;
        let mut hasher = Sha256::new();
        hasher.update(provider.name());
        hasher.update([0]);
        hasher.update(self.origin(config.base_url()));
        hasher.update([0]);
        match provider.info().quota.map(|q| q.per) {
            Some(QuotaScope::Instance) => hasher.update(config.instance()),
            _ => {
                for secret in config.secrets() {
                    hasher.update(secret);
                    hasher.update([0]);
                }
            }
        }
        let key: String = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let file = self
            .shared
            .shared_quotas
            .as_ref()
            .map(|dir| dir.join(format!("{provider}-{}.quota", &key[..32])));
        let mut limiters = self
            .shared
            .limiters
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Some(Arc::clone(
            limiters
                .entry(key)
                .or_insert_with(|| SlotLimiter::shared(quota, file)),
        ))
    }

    /// A base URL's origin as a quota sees it: the scheme, the host's first resolved
    /// address (so that `localhost` and `127.0.0.1` are one origin), and the port. A host
    /// that does not resolve keeps its name, in lower case.
    fn origin(&self, base_url: &str) -> String {
        let Ok(url) = reqwest::Url::parse(base_url) else {
            return base_url.to_ascii_lowercase();
        };
        let scheme = url.scheme().to_owned();
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let port = url.port_or_known_default().unwrap_or(0);
        let written = format!("{scheme}://{host}:{port}");
        let mut origins = self
            .shared
            .origins
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        origins
            .entry(written)
            .or_insert_with(|| {
                use std::net::ToSocketAddrs;
                let host = host.trim_start_matches('[').trim_end_matches(']');
                let mut addresses: Vec<std::net::IpAddr> = (host, port)
                    .to_socket_addrs()
                    .map(|a| a.map(|a| a.ip()).collect())
                    .unwrap_or_default();
                addresses.sort();
                match addresses.first() {
                    Some(ip) => format!("{scheme}://{ip}:{port}"),
                    None => format!("{scheme}://{host}:{port}"),
                }
            })
            .clone()
    }
}

/// `concurrency` request slots for each provider of `instances`: a provider that hangs holds
/// its own slots only, never another's.
fn slots_per_provider(
    instances: &[Instance],
    concurrency: usize,
) -> HashMap<Provider, Arc<Semaphore>> {
    let mut slots = HashMap::new();
    for instance in instances {
        slots
            .entry(instance.provider())
            .or_insert_with(|| Arc::new(Semaphore::new(concurrency.max(1))));
    }
    slots
}

/// One result of [`Monitor::check_all`].
#[derive(Debug)]
pub struct Checked {
    /// The instance's position in the list given to `check_all`.
    pub index: usize,
    /// The status, or why the check failed.
    pub result: Result<InstanceStatus, Error>,
    /// How long the check took, quota waits and retries included.
    pub elapsed: std::time::Duration,
}

/// One instance, ready to check. Cloning is cheap.
#[derive(Clone)]
pub struct Instance {
    shared: Arc<InstanceShared>,
}

struct InstanceShared {
    config: InstanceConfig,
    client: Client,
    limiter: Option<Arc<SlotLimiter>>,
    retry: RetryPolicy,
}

impl fmt::Debug for Instance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Instance")
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

impl Instance {
    /// The provider.
    pub fn provider(&self) -> Provider {
        self.shared.config.provider()
    }

    /// The instance as the provider names it.
    pub fn instance(&self) -> &str {
        self.shared.config.instance()
    }

    /// The configuration it was made from.
    pub fn config(&self) -> &InstanceConfig {
        &self.shared.config
    }

    /// Reads the instance's status: within the provider's quota, retrying temporary
    /// failures as the monitor's [`RetryPolicy`] says.
    pub async fn check(&self) -> Result<InstanceStatus, Error> {
        self.check_until(None, None).await
    }

    /// Reads the instance's status by `deadline`: no retry starts that would end after it
    /// (the last failure is the answer), and a check still under way at the deadline ends
    /// with an `unavailable` error that says so.
    pub async fn check_by(&self, deadline: tokio::time::Instant) -> Result<InstanceStatus, Error> {
        self.check_within(Some(deadline), None).await
    }

    /// A watched check: its first request waits for the quota as long as it takes (a
    /// quota-bound instance is read when its turn comes, not failed for waiting), and the
    /// check ends `budget` after that first request may go.
    async fn check_after_quota(
        &self,
        budget: std::time::Duration,
        slots: &Semaphore,
    ) -> Result<InstanceStatus, Error> {
        let first = match &self.shared.limiter {
            Some(limiter) => Some(limiter.acquire().await),
            None => None,
        };
        let deadline = tokio::time::Instant::now() + budget;
        let check = self.check_from(Some(deadline), Some(slots), first);
        match tokio::time::timeout_at(deadline, check).await {
            Ok(result) => result,
            Err(_) => Err(Error::new(
                crate::ErrorKind::Unavailable,
                Some(self.provider()),
                "no answer within the run's deadline",
            )),
        }
    }

    /// A check by `deadline` (if any), taking one of `slots` (if any) for each request once
    /// its quota lets it go.
    async fn check_within(
        &self,
        deadline: Option<tokio::time::Instant>,
        slots: Option<&Semaphore>,
    ) -> Result<InstanceStatus, Error> {
        let Some(deadline) = deadline else {
            return self.check_until(None, slots).await;
        };
        match tokio::time::timeout_at(deadline, self.check_until(Some(deadline), slots)).await {
            Ok(result) => result,
            Err(_) => Err(Error::new(
                crate::ErrorKind::Unavailable,
                Some(self.provider()),
                "no answer within the run's deadline",
            )),
        }
    }

    async fn check_until(
        &self,
        deadline: Option<tokio::time::Instant>,
        slots: Option<&Semaphore>,
    ) -> Result<InstanceStatus, Error> {
        self.check_from(deadline, slots, None).await
    }

    /// The check's attempts, the first with the quota permit `first` when it was taken
    /// already.
    async fn check_from(
        &self,
        deadline: Option<tokio::time::Instant>,
        slots: Option<&Semaphore>,
        mut first: Option<crate::limiter::Permit>,
    ) -> Result<InstanceStatus, Error> {
        let shared = &self.shared;
        let mut attempt = 0;
        loop {
            // Every attempt, retries included, counts against the quota.
            let permit = match (first.take(), &shared.limiter) {
                (Some(permit), _) => Some(permit),
                (None, Some(limiter)) => Some(limiter.acquire().await),
                (None, None) => None,
            };
            let slot = match slots {
                Some(slots) => slots.acquire().await.ok(),
                None => None,
            };
            let result = shared.client.observe(&shared.config).await;
            drop(slot);
            drop(permit);
            match result {
                Ok(observation) => {
                    return Ok(InstanceStatus::new(
                        self.provider(),
                        self.instance(),
                        observation,
                    ))
                }
                Err(error) => match shared.retry.delay(attempt, &error) {
                    Some(wait)
                        if deadline.is_some_and(|d| tokio::time::Instant::now() + wait >= d) =>
                    {
                        return Err(error)
                    }
                    Some(wait) => {
                        // The error is masked; the instance is named as the provider does.
                        tracing::debug!(
                            provider = %self.provider(),
                            instance = %self.instance(),
                            attempt,
                            wait_ms = wait.as_millis() as u64,
                            error = %error,
                            "retrying"
                        );
                        tokio::time::sleep(wait).await;
                        attempt += 1;
                    }
                    None => return Err(error),
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `builder` with every credential of the provider's first set, each `secret`: a
    /// token for most, the two halves of HTTP Basic for some, which build only together.
    fn with_first_set(
        builder: crate::InstanceConfigBuilder,
        provider: Provider,
        secret: &str,
    ) -> crate::InstanceConfigBuilder {
        let set = provider
            .info()
            .credential_sets()
            .into_iter()
            .find(|s| !s.is_empty());
        set.unwrap_or_default()
            .into_iter()
            .fold(builder, |builder, key| builder.with_credential(key, secret))
    }

    /// Runs in builds where a provider is not enabled (CI builds each provider alone).
    #[test]
    fn a_disabled_provider_is_named_with_its_feature() {
        let monitor = Monitor::new(MonitorOptions::default()).unwrap();
        for provider in Provider::ALL.iter().copied() {
            if crate::is_enabled(provider) {
                continue;
            }
            let config = with_first_set(InstanceConfig::builder(provider), provider, "s3cr3t")
                .with_base_url("https://example.invalid")
                .with_instance("1")
                .build()
                .unwrap();
            let error = monitor.instance(config).unwrap_err();
            assert_eq!(
                error.to_string(),
                format!("{provider}: invalid_config: the provider `{provider}` is not enabled in this build: enable the cargo feature `{provider}` of wa-unified")
            );
        }
    }

    #[test]
    fn instances_of_one_credential_or_one_instance_share_a_limiter() {
        let monitor = Monitor::new(MonitorOptions::default()).unwrap();
        let mut checked = 0;
        for provider in Provider::ALL.iter().copied() {
            let Some(quota) = provider.info().quota else {
                let config = with_first_set(InstanceConfig::builder(provider), provider, "t")
                    .with_base_url("https://h")
                    .with_instance("1")
                    .build()
                    .unwrap();
                assert!(monitor.limiter_for(&config).is_none(), "{provider}");
                continue;
            };
            let config = |instance: &str, token: &str| {
                InstanceConfig::builder(provider)
                    .with_base_url("https://h")
                    .with_instance(instance)
                    .with_token(token)
                    .build()
                    .unwrap()
            };
            let a = monitor.limiter_for(&config("1", "t")).unwrap();
            let b = monitor.limiter_for(&config("1", "t")).unwrap();
            assert!(Arc::ptr_eq(&a, &b), "{provider}");
            let other_instance = monitor.limiter_for(&config("2", "t")).unwrap();
            let other_token = monitor.limiter_for(&config("1", "u")).unwrap();
            match quota.per {
                QuotaScope::Instance => {
                    assert!(!Arc::ptr_eq(&a, &other_instance), "{provider}");
                    assert!(Arc::ptr_eq(&a, &other_token), "{provider}");
                }
                _ => {
                    assert!(Arc::ptr_eq(&a, &other_instance), "{provider}");
                    assert!(!Arc::ptr_eq(&a, &other_token), "{provider}");
                }
            }
            checked += 1;
        }
        assert!(checked > 0, "no provider documents a quota");
    }
}
