//! The entry point: a [`Monitor`] holds what every check shares (the HTTP connection pool,
//! the rate limiters, the retry policy) and hands out an [`Instance`] per configured
//! instance.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, PoisonError};

use futures_util::stream::{self, Stream, StreamExt};
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
    pub client: ClientOptions,
    pub retry: RetryPolicy,
    pub quotas: Quotas,
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
    /// One limiter per provider and credential, shared by every instance that uses it.
    limiters: Mutex<HashMap<(Provider, u64), Arc<SlotLimiter>>>,
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
                limiters: Mutex::new(HashMap::new()),
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

    /// Checks many instances, at most `concurrency` at a time, and yields each result as
    /// it arrives. Quotas hold across the whole fleet; one failure does not stop the others.
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
    pub fn check_all_by(
        &self,
        instances: Vec<Instance>,
        concurrency: usize,
        deadline: Option<tokio::time::Instant>,
    ) -> impl Stream<Item = Checked> + Send + 'static {
        stream::iter(instances.into_iter().enumerate())
            .map(move |(index, instance)| async move {
                let start = std::time::Instant::now();
                let result = match deadline {
                    Some(deadline) => instance.check_by(deadline).await,
                    None => instance.check().await,
                };
                Checked {
                    index,
                    result,
                    elapsed: start.elapsed(),
                }
            })
            .buffer_unordered(concurrency.max(1))
    }

    /// The limiter of the quota `config` counts against, created on first use: one per
    /// credential, or one per instance, as the provider counts. The key is a hash, so that
    /// the registry holds no credential.
    fn limiter_for(&self, config: &InstanceConfig) -> Option<Arc<SlotLimiter>> {
        let provider = config.provider();
        // Most instances of a quota-free provider need no key at all.
        let quota: Quota = self.shared.quotas.get(provider)?;
        let mut hasher = DefaultHasher::new();
        config.base_url().hash(&mut hasher);
        match provider.info().quota.map(|q| q.per) {
            Some(QuotaScope::Instance) => config.instance().hash(&mut hasher),
            _ => config.secrets().hash(&mut hasher),
        }
        let key = (provider, hasher.finish());
        let mut limiters = self
            .shared
            .limiters
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Some(Arc::clone(
            limiters
                .entry(key)
                .or_insert_with(|| SlotLimiter::new(quota)),
        ))
    }
}

/// One result of [`Monitor::check_all`].
#[derive(Debug)]
pub struct Checked {
    /// The instance's position in the list given to `check_all`.
    pub index: usize,
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
    pub fn provider(&self) -> Provider {
        self.shared.config.provider()
    }

    /// The instance as the provider names it.
    pub fn instance(&self) -> &str {
        self.shared.config.instance()
    }

    pub fn config(&self) -> &InstanceConfig {
        &self.shared.config
    }

    /// Reads the instance's status: within the provider's quota, retrying temporary
    /// failures as the monitor's [`RetryPolicy`] says.
    pub async fn check(&self) -> Result<InstanceStatus, Error> {
        self.check_until(None).await
    }

    /// Reads the instance's status by `deadline`: no retry starts that would end after it
    /// (the last failure is the answer), and a check still under way at the deadline ends
    /// with an `unavailable` error that says so.
    pub async fn check_by(&self, deadline: tokio::time::Instant) -> Result<InstanceStatus, Error> {
        match tokio::time::timeout_at(deadline, self.check_until(Some(deadline))).await {
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
    ) -> Result<InstanceStatus, Error> {
        let shared = &self.shared;
        let mut attempt = 0;
        loop {
            let permit = match &shared.limiter {
                Some(limiter) => Some(limiter.acquire().await),
                None => None,
            };
            let result = shared.client.observe(&shared.config).await;
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

    /// Runs in builds where a provider is not enabled (CI builds each provider alone).
    #[test]
    fn a_disabled_provider_is_named_with_its_feature() {
        let monitor = Monitor::new(MonitorOptions::default()).unwrap();
        for provider in Provider::ALL.iter().copied() {
            if crate::is_enabled(provider) {
                continue;
            }
            let config = InstanceConfig::builder(provider)
                .with_base_url("https://example.invalid")
                .with_instance("1")
                .with_token("s3cr3t")
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
                let config = InstanceConfig::builder(provider)
                    .with_base_url("https://h")
                    .with_instance("1")
                    .with_token("t")
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
