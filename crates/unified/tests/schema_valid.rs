//! Every answer a provider's normalized document allows reads as a state or as a precise
//! error, never as `decode` (which means "a 2xx body the document does not describe") and
//! never without its HTTP status.
//!
//! The tolerant reader's check, on the same answers and on every recorded one: each
//! mutation of a field the mapping does not read (set to `null`, `{}`, `[]`, a value of
//! another type, left out, or its object emptied), and each optional read field set to
//! `null` or left out, reads as a state or a precise error too. A mutation of unread fields
//! only gives exactly the reading of the body it came from: the same state, raw value,
//! action, account and details (for an error answer, the same HTTP status).
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
    Error, ErrorKind, InstanceConfig, InstanceStatus, Monitor, MonitorOptions, Provider, Quotas,
    RetryPolicy,
};

const TOKEN: &str = "schema-valid-secret-7f3a";
const INSTANCE: &str = "1101000001";

#[derive(Deserialize)]
struct Answer {
    provider: String,
    status: u16,
    /// `schema` for a generated body, `recording NAME` for a recorded one.
    origin: String,
    body: serde_json::Value,
    #[serde(default)]
    mutations: Vec<Mutation>,
}

#[derive(Deserialize)]
struct Mutation {
    /// The JSON Pointer of what changed.
    at: String,
    /// How: `null`, `empty object`, `empty array`, `another type`, `absent`, `emptied`.
    how: String,
    /// Whether only fields the mapping does not read changed.
    unread: bool,
    body: serde_json::Value,
}

/// What a check gave, comparable between a body and its mutations: the reading without its
/// clock, or the error's kind and HTTP status.
fn outcome(result: &Result<InstanceStatus, Error>) -> serde_json::Value {
    match result {
        Ok(status) => {
            let mut reading = serde_json::to_value(status).unwrap();
            reading.as_object_mut().unwrap().remove("observed_at");
            reading
        }
        Err(error) => serde_json::json!({"error": error.kind().name(), "status": error.status()}),
    }
}

/// Whether an error answer of `provider` is its vendor's way of giving a state (the
/// manifest's `[[errors.state]]`: its status, and a text the body holds).
fn gives_a_state(provider: Provider, status: u16, body: &serde_json::Value) -> bool {
    let text = body.to_string();
    provider
        .info()
        .errors
        .states
        .iter()
        .any(|rule| rule.status == status && text.contains(rule.contains))
}

/// What is wrong with `result`, an answer of HTTP `status`, if anything; `state_answer`
/// says whether the answer is one that gives a state.
fn problem(
    result: &Result<InstanceStatus, Error>,
    status: u16,
    state_answer: bool,
) -> Option<String> {
    let success = (200..300).contains(&status);
    match result {
        Ok(_) if !success && !state_answer => Some("an error answer read as a state".to_owned()),
        Ok(_) => None,
        Err(error) if error.kind() == ErrorKind::Decode => Some(format!("decode: {error}")),
        Err(error) if !success && error.status() != Some(status) => {
            Some(format!("the error lost its HTTP status: {error}"))
        }
        Err(error) if error.to_string().contains(TOKEN) => Some("the token is printed".into()),
        Err(_) => None,
    }
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
    let mut mutations = 0;
    let mut mutation_failures = 0;
    for answer in &answers {
        let provider: Provider = answer.provider.parse().unwrap();
        let check = |body: &serde_json::Value| {
            server.respond_json(answer.status, &body.to_string());
            // Every credential of the provider's first set (HTTP Basic takes two).
            let set = provider
                .info()
                .credential_sets()
                .into_iter()
                .find(|s| !s.is_empty());
            let config = set
                .unwrap_or_default()
                .into_iter()
                .fold(InstanceConfig::builder(provider), |b, key| {
                    b.with_credential(key, TOKEN)
                })
                .with_base_url(format!("{}/base", server.url()))
                .with_instance(INSTANCE)
                .build()
                .unwrap();
            let instance = monitor.instance(config).unwrap();
            async move { instance.check().await }
        };
        let result = check(&answer.body).await;
        let shown = match &result {
            Ok(status) => format!("state {}", status.state),
            Err(error) => format!("error {}", error.kind()),
        };
        if let Some(problem) = problem(
            &result,
            answer.status,
            gives_a_state(provider, answer.status, &answer.body),
        ) {
            failures.push(format!(
                "{provider} {} ({}) {}: {problem}",
                answer.status, answer.origin, answer.body
            ));
        }
        *outcomes
            .entry((format!("{provider} {}", answer.status), shown))
            .or_default() += 1;
        let expected = outcome(&result);
        for mutation in &answer.mutations {
            mutations += 1;
            let mutated = check(&mutation.body).await;
            let state_answer = gives_a_state(provider, answer.status, &mutation.body);
            let wrong = problem(&mutated, answer.status, state_answer).or_else(|| {
                let same = match (&result, &mutated) {
                    (Ok(_), _) => outcome(&mutated) == expected,
                    // An error answer's words may change with its body, not its kind or status.
                    (Err(base), Err(error)) => {
                        error.kind() == base.kind() && error.status() == base.status()
                    }
                    (Err(_), Ok(_)) => false,
                };
                (mutation.unread && !same).then(|| {
                    format!(
                        "an unread field changed the reading: {} instead of {expected}",
                        outcome(&mutated)
                    )
                })
            });
            if let Some(wrong) = wrong {
                mutation_failures += 1;
                failures.push(format!(
                    "{provider} {} ({}), {} {}: {}: {wrong}",
                    answer.status, answer.origin, mutation.at, mutation.how, mutation.body
                ));
            }
        }
    }
    for ((answer, outcome), count) in &outcomes {
        println!("{answer}: {count} × {outcome}");
    }
    println!(
        "{} answers, {} failures; {mutations} mutations of {} answers, {mutation_failures} failures",
        answers.len(),
        failures.len() - mutation_failures,
        answers.iter().filter(|a| !a.mutations.is_empty()).count(),
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
