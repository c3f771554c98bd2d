//! Builds simulator instances and the matching `wa-unified` configs, and records every
//! secret and every printed form, to check at the end that no secret was ever printed.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{json, Value};
use wa_simulator::{
    Account as SimAccount, Instance as SimInstance, Provider as SimProvider, Simulator,
};
use wa_unified::{
    ClientOptions, Error, InstanceConfig, InstanceStatus, Monitor, MonitorOptions, RetryPolicy,
};

/// One scenario's instance: its id, its credentials and its config.
pub struct Made {
    pub id: String,
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

pub fn account() -> SimAccount {
    SimAccount {
        phone: Some("5511999990001".into()),
        jid: Some("5511999990001:12@s.whatsapp.net".into()),
        push_name: Some("Loja Centro".into()),
        business_name: Some("Loja Centro Ltda".into()),
        business_profile: None,
        profile_picture_url: Some("https://pps.whatsapp.net/v/t61/p.jpg".into()),
        connected_at: Some("2025-05-26T10:12:45".into()),
    }
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

    /// A new simulator instance of `provider` in raw state `state`, and its config.
    pub fn make(
        &self,
        provider: SimProvider,
        state: &str,
        account: Option<SimAccount>,
        bare: bool,
    ) -> Made {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let host = self.sim.addr();
        let (id, instance, connection) = match provider {
            SimProvider::MegaApi => {
                let (id, token) = (format!("megastart-T{n:04}"), format!("mega-secret-{n:04}"));
                let sim = SimInstance::new(provider, &id, state).with_token(&token);
                let url = format!("megaapi+http://{token}@{host}/megaapi/{id}");
                (id, sim, url)
            }
            SimProvider::Vzaps => {
                let id = format!("VZTEST{n:022}");
                let (instance_token, client_token) = (
                    format!("vz-inst-secret-{n:04}"),
                    format!("vz-client-secret-{n:04}"),
                );
                let sim = SimInstance::new(provider, &id, state)
                    .with_token_pair(&instance_token, &client_token);
                let url = format!("vzaps+http://{instance_token}:{client_token}@{host}/vzaps/{id}");
                (id, sim, url)
            }
            SimProvider::Hypersender => {
                let id = format!("00000000-0000-4000-8000-{n:012}");
                let token = format!("234|hs-secret-{n:04}");
                let sim = SimInstance::new(provider, &id, state).with_token(&token);
                let encoded = token.replace('|', "%7C");
                let url =
                    format!("hypersender+http://{encoded}@{host}/hypersender/api/whatsapp/v1/{id}");
                (id, sim, url)
            }
            SimProvider::GreenApi => {
                let id = format!("{}", 1_101_000_000 + n);
                let token = format!("ga-secret-{n:04}");
                let sim = SimInstance::new(provider, &id, state).with_api_token(&token);
                let url = format!("green-api+http://{id}:{token}@{host}/green-api");
                (id, sim, url)
            }
        };
        let mut instance = instance;
        if let Some(account) = account {
            instance = instance.with_account(account);
        }
        if bare {
            instance = instance.with_bare_body();
        }
        self.secrets
            .lock()
            .unwrap()
            .extend(instance.secrets().into_iter().map(str::to_owned));
        self.sim.upsert(instance).unwrap();
        let config: InstanceConfig = connection.parse().unwrap();
        self.record(format!("{config} {config:?}"));
        Made { id, config }
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

    /// Fails if any secret made so far appears in anything printed so far.
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

/// A status or an error as a snapshot shows it: the status JSON without its clock reading,
/// or the error's kind and temporary flag.
pub fn snapshot_value(result: &Result<InstanceStatus, Error>) -> Value {
    match result {
        Ok(status) => {
            let mut value = serde_json::to_value(status).unwrap();
            value["observed_at"] = json!("[observed_at]");
            // Ids differ from run to run only by the scenario counter; keep the shape.
            value["instance"] = json!("[instance]");
            value
        }
        Err(error) => json!({
            "error": {
                "kind": error.kind().name(),
                "temporary": error.is_temporary(),
                "retry_after_s": error.retry_after().map(|d| d.as_secs()),
            }
        }),
    }
}
