//! The entry point: a [`Monitor`] holds what every check shares (the HTTP connection pool,
//! the rate limiters, the retry policy) and hands out an [`Instance`] per configured
//! instance.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use futures_util::stream::{self, Stream, StreamExt};
use sha2::{Digest, Sha256};
use wa_client_support::{ClientOptions, Transport};

use wa_providers::QuotaScope;

use crate::config::InstanceConfig;
use crate::error::Error;
use crate::generated::Client;
use crate::limiter::{Quota, Quotas, SlotLimiter};
use crate::model::InstanceStatus;
use crate::retry::RetryPolicy;
use crate::{fleet, Provider};

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
    ///
    /// The folder is created if missing (readable by this user only). It must be this
    /// user's, or belong to this process's group and be writable by that group (a folder
    /// shared on purpose), and nobody else may write to it; a symbolic link is never
    /// followed. Where it cannot be used, quotas are kept in this process, and the monitor
    /// says so once, as a warning in the log. Unix only; elsewhere it is ignored.
    pub shared_quotas: Option<PathBuf>,
    /// A store shared by every process on every host (Redis): quotas kept together by all
    /// of them (before the quota folder), each reading published, and leases so that
    /// several `watch`ers read each instance once per interval between them. `None` (the
    /// default) shares nothing past the quota folder.
    pub store: Option<crate::Store>,
    /// With a store: a reading younger than this answers a check with no request to the
    /// vendor, whichever process made it.
    pub max_age: Option<std::time::Duration>,
}

/// Shared by every instance of a monitor. Cloning is cheap.
#[derive(Clone)]
pub struct Monitor {
    shared: Arc<Shared>,
}

struct Shared {
    transport: Transport,
    retry: Arc<RetryPolicy>,
    quotas: Quotas,
    #[cfg(unix)]
    shared_quotas: Option<Arc<crate::quota_folder::QuotaFolder>>,
    /// Set once the monitor has said that a quota is not shared after all.
    fallback_said: Arc<AtomicBool>,
    store: Option<crate::Store>,
    max_age: Option<std::time::Duration>,
    /// One request's timeout: a watched check may always take that long.
    request_timeout: std::time::Duration,
    /// One limiter per quota key (provider, normalized origin, credential or instance),
    /// shared by every instance that counts against it.
    limiters: Mutex<HashMap<String, Arc<SlotLimiter>>>,
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
        let fallback_said = Arc::new(AtomicBool::new(false));
        #[cfg(unix)]
        let shared_quotas = options.shared_quotas.as_deref().and_then(|path| {
            crate::quota_folder::QuotaFolder::open(path)
                .map(Arc::new)
                .inspect_err(|refused| {
                    fallback_said.store(true, Ordering::Relaxed);
                    tracing::warn!(
                        "quotas are kept in this process only, not shared with the host's other processes: the quota folder {}: {refused}",
                        path.display()
                    );
                })
                .ok()
        });
        Ok(Monitor {
            shared: Arc::new(Shared {
                transport,
                retry: Arc::new(options.retry),
                quotas: options.quotas,
                #[cfg(unix)]
                shared_quotas,
                fallback_said,
                store: options.store,
                max_age: options.max_age,
                request_timeout: options.client.timeout,
                limiters: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The store this monitor shares with other processes, if any: whether it answers
    /// ([`Store::is_up`](crate::Store::is_up)) and how often it did not.
    pub fn store(&self) -> Option<&crate::Store> {
        self.shared.store.as_ref()
    }

    /// A handle on one instance. Fails when the provider is not enabled in this build.
    pub fn instance(&self, config: InstanceConfig) -> Result<Instance, Error> {
        let client = Client::connect(&config, &self.shared.transport)?;
        let limiter = self.limiter_for(&config);
        let shared_reading = self.shared.store.as_ref().map(|store| {
            // A reading is found by those who could read it themselves: the hash takes the
            // credentials in, so that a wrong one never gets another's reading.
            let origin = self.origin(config.base_url());
            let mut parts: Vec<&[u8]> = vec![
                config.provider().name().as_bytes(),
                origin.as_bytes(),
                config.instance().as_bytes(),
            ];
            parts.extend(config.secrets().into_iter().map(str::as_bytes));
            SharedReading {
                store: store.clone(),
                reading: store.key("r", &parts),
                lease: store.key("l", &parts),
                max_age: self.shared.max_age,
            }
        });
        Ok(Instance {
            shared: Arc::new(InstanceShared {
                config,
                client,
                limiter,
                retry: Arc::clone(&self.shared.retry),
                shared_reading: shared_reading.map(Box::new),
            }),
        })
    }

    /// Checks many instances, at most `concurrency` at a time for each provider, and yields
    /// each result as it arrives. Quotas hold across the whole fleet; one failure does not
    /// stop the others, and a provider that hangs holds only its own slots.
    ///
    /// Memory grows with the concurrency, not with the fleet: a check is created only when
    /// its provider has a free slot.
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
    /// Within a provider, instances take turns across their quotas (one of each credential's
    /// in turn), so that the slots of a provider are not all held by instances that wait for
    /// one credential's quota while another's is free.
    pub fn check_all_by(
        &self,
        instances: Vec<Instance>,
        concurrency: usize,
        deadline: Option<tokio::time::Instant>,
    ) -> impl Stream<Item = Checked> + Send + 'static {
        let run_start = std::time::Instant::now();
        let queues = fleet::queues_per_provider(instances);
        stream::select_all(queues.into_iter().map(move |queue| {
            stream::iter(queue)
                .map(move |(index, instance)| async move {
                    let start = std::time::Instant::now();
                    let result = instance.check_within(deadline).await;
                    Checked {
                        index,
                        result,
                        elapsed: start.elapsed(),
                        queued: start - run_start,
                    }
                })
                .buffer_unordered(concurrency.max(1))
        }))
    }

    /// Checks every instance once per `interval`, at most `concurrency` at a time for each
    /// provider, until the stream is dropped.
    ///
    /// Each instance's first check starts at once (as its provider's slots allow). Its later
    /// checks fall at one moment of the interval chosen by a stable hash of the instance,
    /// so that a fleet's checks spread evenly over the interval instead of coming in a
    /// burst: two checks of an instance are at least three quarters of an interval apart,
    /// and after the first, one interval apart.
    ///
    /// A slow, failing or quota-bound instance delays only its own provider: a check waits
    /// for its quota as long as its turn takes, and its retries stop one interval (or one
    /// request timeout, if longer) after its first request could go. Memory grows with
    /// the concurrency: an instance waiting for its next check holds its due time only.
    pub fn watch(
        &self,
        instances: Vec<Instance>,
        concurrency: usize,
        interval: std::time::Duration,
    ) -> impl Stream<Item = Checked> + Send + Unpin + 'static {
        let queues = fleet::queues_per_provider(instances);
        let (sender, receiver) = tokio::sync::mpsc::channel(4096);
        let mut tasks = tokio::task::JoinSet::new();
        let schedule = fleet::Schedule {
            start: tokio::time::Instant::now(),
            interval,
            budget: interval.max(self.shared.request_timeout),
            concurrency: concurrency.max(1),
        };
        for queue in queues {
            tasks.spawn(fleet::watch_provider(queue, schedule, sender.clone()));
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
        #[cfg(unix)]
        let file = self.shared.shared_quotas.as_ref().map(|folder| {
            crate::limiter::SharedSlots::new(
                Arc::clone(folder),
                format!("{provider}-{}.slots", &key[..32]),
                Arc::clone(&self.shared.fallback_said),
            )
        });
        #[cfg(not(unix))]
        let file = None;
        let in_store = self.shared.store.as_ref().map(|store| {
            (
                store.clone(),
                format!("{}:q:{provider}-{}", store.prefix(), &key[..32]),
            )
        });
        let mut limiters = self
            .shared
            .limiters
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Some(Arc::clone(limiters.entry(key).or_insert_with(|| {
            SlotLimiter::shared(quota, file, in_store)
        })))
    }

    /// A base URL's origin as a quota sees it: the scheme, the host in lower case, and the
    /// port, with every loopback name (`localhost`, `127.0.0.1`, `[::1]`) as one. No name
    /// is resolved: the key must not depend on which address DNS returns (a host behind
    /// rotating DNS would get a quota per address), and a check must not wait for DNS
    /// before its deadline starts.
    fn origin(&self, base_url: &str) -> String {
        let Ok(url) = reqwest::Url::parse(base_url) else {
            return base_url.to_ascii_lowercase();
        };
        let port = url.port_or_known_default().unwrap_or(0);
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let address = host.trim_start_matches('[').trim_end_matches(']');
        let loopback = address
            .parse::<std::net::IpAddr>()
            .map_or(host == "localhost" || host.ends_with(".localhost"), |ip| {
                ip.is_loopback()
            });
        let host = if loopback {
            "loopback".to_owned()
        } else {
            host
        };
        format!("{}://{host}:{port}", url.scheme())
    }
}

/// One result of [`Monitor::check_all`].
#[derive(Debug)]
pub struct Checked {
    /// The instance's position in the list given to `check_all`.
    pub index: usize,
    /// The status, or why the check failed.
    pub result: Result<InstanceStatus, Error>,
    /// How long the check took from its start: quota waits and retries included.
    pub elapsed: std::time::Duration,
    /// How long it waited for its start: for a free slot of its provider (`check_all`), or
    /// past its due time (`watch`).
    pub queued: std::time::Duration,
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
    /// The monitor's, shared: an instance holds only what is its own.
    retry: Arc<RetryPolicy>,
    /// Boxed: most monitors have no store, and an instance then pays one pointer for it.
    shared_reading: Option<Box<SharedReading>>,
}

/// Where an instance's reading and lease live in the store.
struct SharedReading {
    store: crate::Store,
    reading: String,
    lease: String,
    max_age: Option<std::time::Duration>,
}

/// A reading's age, counted from when it was read (zero for a clock that stepped back).
fn age(status: &InstanceStatus) -> std::time::Duration {
    std::time::SystemTime::now()
        .duration_since(status.observed_at)
        .unwrap_or_default()
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
        self.check_from(None, None).await
    }

    /// Reads the instance's status by `deadline`: no retry starts that would end after it
    /// (the last failure is the answer), and a check still under way at the deadline ends
    /// with an `unavailable` error that says so.
    pub async fn check_by(&self, deadline: tokio::time::Instant) -> Result<InstanceStatus, Error> {
        self.check_within(Some(deadline)).await
    }

    /// The quota key's limiter, if the instance counts against a quota.
    pub(crate) fn limiter(&self) -> Option<&Arc<SlotLimiter>> {
        self.shared.limiter.as_ref()
    }

    /// A watched check: its first request waits for the quota as long as it takes (a
    /// quota-bound instance is read when its turn comes, not failed for waiting), and the
    /// check ends `budget` after that first request may go.
    pub(crate) async fn check_after_quota(
        &self,
        budget: std::time::Duration,
    ) -> Result<InstanceStatus, Error> {
        let first = match &self.shared.limiter {
            Some(limiter) => Some(limiter.acquire().await),
            None => None,
        };
        let deadline = tokio::time::Instant::now() + budget;
        let check = self.check_from(Some(deadline), first);
        match tokio::time::timeout_at(deadline, check).await {
            Ok(result) => result,
            Err(_) => Err(self.past_deadline()),
        }
    }

    /// A watched check when the instance has a store: the process that takes the
    /// instance's lease for this interval reads it; another gets its reading from the
    /// store (`None` when there is none yet: nothing to report this time).
    pub(crate) async fn watched_check(
        &self,
        budget: std::time::Duration,
        interval: std::time::Duration,
    ) -> Option<Result<InstanceStatus, Error>> {
        let Some(shared) = &self.shared.shared_reading else {
            return Some(self.check_after_quota(budget).await);
        };
        // The lease ends a little before the next interval's check of its holder, so that
        // the holder takes it again then.
        match shared
            .store
            .lease(&shared.lease, interval.mul_f64(0.9))
            .await
        {
            Some(false) => {
                let status = shared.store.reading(&shared.reading).await?;
                (age(&status) <= interval * 2).then_some(Ok(status))
            }
            // This process reads it, also when the store cannot answer.
            Some(true) | None => Some(self.check_after_quota(budget).await),
        }
    }

    /// A check by `deadline`, if any.
    async fn check_within(
        &self,
        deadline: Option<tokio::time::Instant>,
    ) -> Result<InstanceStatus, Error> {
        let Some(deadline) = deadline else {
            return self.check_from(None, None).await;
        };
        match tokio::time::timeout_at(deadline, self.check_from(Some(deadline), None)).await {
            Ok(result) => result,
            Err(_) => Err(self.past_deadline()),
        }
    }

    fn past_deadline(&self) -> Error {
        Error::new(
            crate::ErrorKind::Unavailable,
            Some(self.provider()),
            "no answer within the run's deadline",
        )
    }

    /// The check's attempts, the first with the quota permit `first` when it was taken
    /// already.
    async fn check_from(
        &self,
        deadline: Option<tokio::time::Instant>,
        mut first: Option<crate::limiter::Permit>,
    ) -> Result<InstanceStatus, Error> {
        let shared = &self.shared;
        if let Some(stored) = &shared.shared_reading {
            if let Some(max_age) = stored.max_age.filter(|_| first.is_none()) {
                if let Some(status) = stored.store.reading(&stored.reading).await {
                    if age(&status) <= max_age {
                        return Ok(status);
                    }
                }
            }
        }
        let mut attempt = 0;
        loop {
            // Every attempt, retries included, counts against the quota.
            let permit = match (first.take(), &shared.limiter) {
                (Some(permit), _) => Some(permit),
                (None, Some(limiter)) => Some(limiter.acquire().await),
                (None, None) => None,
            };
            let result = shared.client.observe(&shared.config).await;
            if let Some(permit) = permit {
                permit.release().await;
            }
            match result {
                Ok(observation) => {
                    let status = InstanceStatus::new(self.provider(), self.instance(), observation);
                    if let Some(stored) = &shared.shared_reading {
                        stored.store.publish(&stored.reading, &status).await;
                    }
                    return Ok(status);
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

    /// D6: an origin is read from the URL alone: no DNS lookup (which rotating DNS would
    /// answer differently, and which ran before the deadline started), every loopback name
    /// one origin, names in lower case.
    #[test]
    fn an_origin_is_never_resolved() {
        let monitor = Monitor::new(MonitorOptions::default()).unwrap();
        for url in [
            "http://localhost:8080",
            "http://127.0.0.1:8080/api",
            "http://[::1]:8080",
            "http://LOCALHOST:8080",
        ] {
            assert_eq!(monitor.origin(url), "http://loopback:8080", "{url}");
        }
        assert_eq!(
            monitor.origin("https://Gateway.Example/v1"),
            "https://gateway.example:443"
        );
        // A name that cannot resolve keeps its name, at once.
        assert_eq!(
            monitor.origin("https://no-such-host.invalid"),
            "https://no-such-host.invalid:443"
        );
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
