//! Every answer a provider's normalized document allows reads as a state or as a precise
//! error, never as `decode` (which means "a 2xx body the document does not describe") and
//! never without its HTTP status.
//!
//! The answers are generated outside Rust, by hypothesis-jsonschema from each normalized
//! document (`python .ci/contract.py bodies FILE`, which `.ci/run` runs), and each is served
//! over HTTP on 127.0.0.1 by a test server. Run it with the file:
//!
//! ```text
//! WA_SCHEMA_VALID_BODIES=/absolute/path/FILE cargo test -p wa-unified --test schema_valid -- --ignored --nocapture
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;
use wa_tests::RecordingServer;
use wa_unified::{
    ErrorKind, InstanceConfig, Monitor, MonitorOptions, Provider, Quotas, RetryPolicy,
};

const TOKEN: &str = "schema-valid-secret-7f3a";
const INSTANCE: &str = "1101000001";

#[derive(Deserialize)]
struct Answer {
    provider: String,
    status: u16,
    body: serde_json::Value,
}

#[tokio::test]
#[ignore = "needs the generated bodies: WA_SCHEMA_VALID_BODIES (see the module docs); .ci/run runs it"]
async fn every_schema_valid_answer_reads_as_a_state_or_a_precise_error() {
    let path = std::env::var("WA_SCHEMA_VALID_BODIES")
        .expect("set WA_SCHEMA_VALID_BODIES to the file `python .ci/contract.py bodies` wrote");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let answers: Vec<Answer> = serde_json::from_str(&text).unwrap();
    assert!(!answers.is_empty(), "{path} holds no answers");
    let monitor = Monitor::new(MonitorOptions {
        quotas: Quotas::unlimited(),
        retry: RetryPolicy::none(),
        ..MonitorOptions::default()
    })
    .unwrap();
    let server = RecordingServer::start().await;
    let mut outcomes: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for answer in &answers {
        let provider: Provider = answer.provider.parse().unwrap();
        let body = answer.body.to_string();
        server.respond_json(answer.status, &body);
        let config = InstanceConfig::builder(provider)
            .with_base_url(format!("{}/base", server.url()))
            .with_instance(INSTANCE)
            .with_token(TOKEN)
            .build()
            .unwrap();
        let result = monitor.instance(config).unwrap().check().await;
        let success = (200..300).contains(&answer.status);
        let outcome = match &result {
            Ok(status) => format!("state {}", status.state),
            Err(error) => format!("error {}", error.kind()),
        };
        let problem = match &result {
            Ok(_) if !success => Some("an error answer read as a state".to_owned()),
            Ok(_) => None,
            Err(error) if error.kind() == ErrorKind::Decode => Some(format!("decode: {error}")),
            Err(error) if !success && error.status() != Some(answer.status) => {
                Some(format!("the error lost its HTTP status: {error}"))
            }
            Err(error) if error.to_string().contains(TOKEN) => Some("the token is printed".into()),
            Err(_) => None,
        };
        if let Some(problem) = problem {
            failures.push(format!("{provider} {} {body}: {problem}", answer.status));
        }
        *outcomes
            .entry((format!("{provider} {}", answer.status), outcome))
            .or_default() += 1;
    }
    for ((answer, outcome), count) in &outcomes {
        println!("{answer}: {count} × {outcome}");
    }
    println!("{} answers, {} failures", answers.len(), failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
