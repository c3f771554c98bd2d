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

use crate::backend::Backend;
use crate::config::{InstanceConfig, VzapsAuth};
use crate::error::Error;
use crate::limiter::{Quota, Quotas, SlotLimiter};
use crate::model::{InstanceStatus, Provider};
use crate::retry::RetryPolicy;

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
        let backend = Backend::new(&config, &self.shared.transport)?;
        let limiter = self.limiter_for(&config);
        Ok(Instance {
            shared: Arc::new(InstanceShared {
                instance: config.instance(),
                config,
                backend,
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
        stream::iter(instances.into_iter().enumerate())
            .map(|(index, instance)| async move {
                let start = std::time::Instant::now();
                let result = instance.check().await;
                Checked {
                    index,
                    result,
                    elapsed: start.elapsed(),
                }
            })
            .buffer_unordered(concurrency.max(1))
    }

    /// The limiter for the credential `config` uses, created on first use. The key is a
    /// hash, so that the registry holds no credential.
    fn limiter_for(&self, config: &InstanceConfig) -> Option<Arc<SlotLimiter>> {
        let quotas = &self.shared.quotas;
        // Most instances of a quota-free provider need no key at all.
        let quota: Quota = match config.provider() {
            Provider::MegaApi => quotas.megaapi,
            Provider::Vzaps => quotas.vzaps,
            Provider::Hypersender => quotas.hypersender,
            Provider::GreenApi => quotas.green_api,
        }?;
        let mut hasher = DefaultHasher::new();
        match config {
            InstanceConfig::MegaApi(c) => (&c.base_url, c.token.expose()).hash(&mut hasher),
            InstanceConfig::Vzaps(c) => {
                c.base_url.hash(&mut hasher);
                match &c.auth {
                    VzapsAuth::Bearer(token) => token.expose().hash(&mut hasher),
                    VzapsAuth::TokenPair { instance_token, .. } => {
                        instance_token.expose().hash(&mut hasher)
                    }
                }
            }
            // Hypersender counts per token.
            InstanceConfig::Hypersender(c) => (&c.base_url, c.token.expose()).hash(&mut hasher),
            // Green API counts per instance.
            InstanceConfig::GreenApi(c) => (&c.api_url, c.id_instance).hash(&mut hasher),
        }
        let key = (config.provider(), hasher.finish());
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
    /// The instance's name at its provider, computed once.
    instance: String,
    config: InstanceConfig,
    backend: Backend,
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
        &self.shared.instance
    }

    pub fn config(&self) -> &InstanceConfig {
        &self.shared.config
    }

    /// Reads the instance's status: within the provider's quota, retrying temporary
    /// failures as the monitor's [`RetryPolicy`] says.
    pub async fn check(&self) -> Result<InstanceStatus, Error> {
        let shared = &self.shared;
        let secrets = shared.config.secrets();
        let mut attempt = 0;
        loop {
            let permit = match &shared.limiter {
                Some(limiter) => Some(limiter.acquire().await),
                None => None,
            };
            let result = shared.backend.observe(&secrets).await;
            drop(permit);
            match result {
                Ok(observation) => {
                    return Ok(observation.into_status(self.provider(), self.instance()))
                }
                Err(error) => match shared.retry.delay(attempt, &error) {
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

    /// Runs in builds without the `megaapi` feature (CI builds one such).
    #[cfg(not(feature = "megaapi"))]
    #[test]
    fn a_disabled_provider_is_named_with_its_feature() {
        let monitor = Monitor::new(MonitorOptions::default()).unwrap();
        let config: InstanceConfig = "megaapi://s3cr3t@api2.megaapi.com.br/k".parse().unwrap();
        let error = monitor.instance(config).unwrap_err();
        assert_eq!(
            error.to_string(),
            "megaapi: invalid configuration: the provider `megaapi` is not enabled in this build: enable the cargo feature `megaapi` of wa-unified"
        );
    }

    #[cfg(feature = "green-api")]
    #[test]
    fn instances_of_one_credential_share_a_limiter() {
        let monitor = Monitor::new(MonitorOptions::default()).unwrap();
        let config = |text: &str| -> InstanceConfig { text.parse().unwrap() };
        let a = monitor.limiter_for(&config("green-api://1:t@h")).unwrap();
        let b = monitor.limiter_for(&config("green-api://1:t@h")).unwrap();
        let c = monitor.limiter_for(&config("green-api://2:t@h")).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
        assert!(monitor.limiter_for(&config("megaapi://t@h/k")).is_none());
    }
}
