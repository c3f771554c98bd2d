//! Builds simulator instances and the matching `wa-unified` configs for any provider, and
//! records every secret and every printed form, to check at the end that no secret was
//! ever printed.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use wa_simulator::{Instance as SimInstance, Simulator};
use wa_unified::{
    ClientOptions, Error, InstanceConfig, InstanceStatus, Monitor, MonitorOptions, Provider,
    RetryPolicy,
};

/// One scenario's instance: its simulator description and its config.
pub struct Made {
    pub id: String,
    pub instance: SimInstance,
    pub config: InstanceConfig,
}

pub struct Harness {
    pub sim: Simulator,
    next: AtomicUsize,
    secrets: Mutex<Vec<String>>,
    printed: Mutex<Vec<String>>,
}

/// The options of the suite: short timeouts and quick retries, so that failures are fast.
pub fn options() -> MonitorOptions {
    MonitorOptions {
        client: ClientOptions::default()
            .with_timeout(Duration::from_millis(500))
            .with_max_response_bytes(256 * 1024),
        retry: RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(100),
            max_retry_after: Duration::from_secs(2),
        },
        ..MonitorOptions::default()
    }
}

/// An instance of `provider` with credentials of its first set, each with a `|` (which a
/// connection string must percent-encode). Every id is a number, which every provider
/// accepts.
pub fn instance(provider: Provider, n: usize, response: &str) -> SimInstance {
    let id = format!("{}", 1_101_000_000 + n);
    SimInstance::new(provider, id, response)
        .with_credentials_like(&format!("234|{provider}-secret-{n:04}"))
}

impl Harness {
    pub async fn start() -> Harness {
        Harness {
            sim: Simulator::start(wa_simulator::Fleet::default())
                .await
                .unwrap(),
            next: AtomicUsize::new(1),
            secrets: Mutex::default(),
            printed: Mutex::default(),
        }
    }

    /// A new simulator instance of `provider` serving `response`, and its config.
    pub fn make(&self, provider: Provider, response: &str) -> Made {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let instance = instance(provider, n, response);
        self.add(instance)
    }

    /// Serves `instance` on the simulator and gives its config.
    pub fn add(&self, instance: SimInstance) -> Made {
        self.keep_secrets(&instance);
        self.sim.upsert(instance.clone()).unwrap();
        let config: InstanceConfig = self.sim.connection_string(&instance).parse().unwrap();
        self.record(format!("{config} {config:?}"));
        Made {
            id: instance.id.clone(),
            instance,
            config,
        }
    }

    pub fn keep_secrets(&self, instance: &SimInstance) {
        self.secrets
            .lock()
            .unwrap()
            .extend(instance.secrets().into_iter().map(str::to_owned));
    }

    /// Keeps a printed form, to check for secrets at the end.
    pub fn record(&self, printed: String) {
        self.printed.lock().unwrap().push(printed);
    }

    /// Checks once through a monitor, recording the printed forms of what came back.
    pub async fn check(
        &self,
        monitor: &Monitor,
        config: InstanceConfig,
    ) -> Result<InstanceStatus, Error> {
        let instance = monitor.instance(config).unwrap();
        self.record(format!("{instance:?}"));
        let result = instance.check().await;
        match &result {
            Ok(status) => self.record(format!(
                "{status:?} {}",
                serde_json::to_string(status).unwrap()
            )),
            Err(error) => self.record(format!("{error} {error:?}")),
        }
        result
    }

    /// Fails if any secret made so far appears in anything printed so far, as is or
    /// percent-encoded.
    pub fn assert_no_secret_printed(&self) {
        let secrets = self.secrets.lock().unwrap();
        let printed = self.printed.lock().unwrap();
        assert!(!secrets.is_empty() && !printed.is_empty());
        for text in printed.iter() {
            for secret in secrets.iter() {
                assert!(
                    !text.contains(secret.as_str()),
                    "secret {secret:?} printed in: {text}"
                );
                let encoded = secret.replace('|', "%7C");
                assert!(
                    !text.contains(&encoded),
                    "secret {secret:?} printed in: {text}"
                );
            }
        }
    }
}
