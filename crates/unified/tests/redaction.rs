//! Every credential placement (a header with or without a prefix, a path or query
//! parameter, either half of HTTP Basic), proven once for all of them: whatever the
//! credentials hold, each arrives where its provider's manifest places it, and none is ever
//! shown, in any form a server echoes it, by a config, an instance or an error, whether the
//! server answers with an error that repeats them or the connection fails. The providers
//! are the catalog's, so a provider with a placement no other has is covered as it lands.

use std::collections::BTreeMap;

use percent_encoding::{percent_decode_str, utf8_percent_encode, NON_ALPHANUMERIC};
use proptest::prelude::*;
use wa_providers::{Placement, Provider};
use wa_tests::{closing_server, RecordedRequest, RecordingServer};
use wa_unified::{InstanceConfig, Monitor, MonitorOptions, Quotas, RetryPolicy};

const INSTANCE: &str = "1101000001";

/// The forms a server may echo a secret in.
fn echoes(secret: &str) -> Vec<String> {
    vec![
        secret.to_owned(),
        utf8_percent_encode(secret, NON_ALPHANUMERIC).to_string(),
        serde_json::to_string(secret)
            .unwrap()
            .trim_matches('"')
            .to_owned(),
    ]
}

/// What `request` carries where `placement` says, decoded.
fn carried(request: &RecordedRequest, placement: Placement) -> Vec<String> {
    let decode = |t: &str| percent_decode_str(t).decode_utf8_lossy().into_owned();
    let basic = || {
        use base64::Engine as _;
        let value = request.header("authorization")?.strip_prefix("Basic ")?;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(value)
            .ok()?;
        let text = String::from_utf8(decoded).ok()?;
        text.split_once(':')
            .map(|(u, p)| (u.to_owned(), p.to_owned()))
    };
    match placement {
        Placement::Header { name, prefix } => request
            .header(&name.to_ascii_lowercase())
            .and_then(|v| v.strip_prefix(prefix))
            .map(str::to_owned)
            .into_iter()
            .collect(),
        Placement::Path { .. } => request.path.split('/').map(decode).collect(),
        Placement::Query { parameter } => request
            .query
            .iter()
            .flat_map(|q| q.split('&'))
            .filter_map(|pair| pair.split_once('='))
            .filter(|(name, _)| *name == parameter)
            .map(|(_, value)| decode(&value.replace('+', " ")))
            .collect(),
        Placement::BasicUser => basic().map(|(u, _)| u).into_iter().collect(),
        Placement::BasicPassword => basic().map(|(_, p)| p).into_iter().collect(),
        _ => Vec::new(),
    }
}

/// Every (provider, credential set) whose set is not empty.
fn cases() -> Vec<(Provider, Vec<&'static str>)> {
    Provider::ALL
        .iter()
        .flat_map(|p| {
            p.info()
                .credential_sets()
                .into_iter()
                .filter(|set| !set.is_empty())
                .map(move |set| (*p, set))
        })
        .collect()
}

fn monitor() -> Monitor {
    Monitor::new(MonitorOptions {
        quotas: Quotas::unlimited(),
        retry: RetryPolicy::none(),
        ..MonitorOptions::default()
    })
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_placement_carries_its_credential_and_never_shows_it(
        case in prop::sample::select(cases()),
        // A letter and a digit first, so that a secret is never a word of a message; no
        // blank at an edge, which a header cannot carry (and a client refuses).
        raw in prop::collection::vec("Zq9[A-Za-z0-9/?#&=%+:@|~._ -]{6,22}[A-Za-z0-9]", 3),
    ) {
        let (provider, set) = case;
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            // An HTTP Basic user cannot hold a colon (the client refuses one).
            let secrets: BTreeMap<&str, String> = set
                .iter()
                .zip(&raw)
                .map(|(key, value)| {
                    let placement = provider.info().auth.credential(key).unwrap().placement;
                    match placement {
                        Placement::BasicUser => (*key, value.replace(':', "_")),
                        _ => (*key, value.clone()),
                    }
                })
                .collect();
            let server = RecordingServer::start().await;
            // An error answer that repeats every secret in every form it knows.
            let repeated: Vec<String> = secrets.values().flat_map(|s| echoes(s)).collect();
            let body = serde_json::json!({
                "message": format!("bad credentials: {}", repeated.join(" ")),
                "error": repeated.join(","),
            });
            server.respond_json(401, &body.to_string());
            let config = |base: &str| {
                let mut builder = InstanceConfig::builder(provider)
                    .with_base_url(base)
                    .with_instance(INSTANCE);
                for (key, value) in &secrets {
                    builder = builder.with_credential(key, value.as_str());
                }
                builder.build().unwrap()
            };
            let monitor = monitor();
            let answered = monitor.instance(config(&format!("{}/base", server.url()))).unwrap();
            let error = answered.check().await.unwrap_err();
            let request = server.single_request();
            for (key, value) in &secrets {
                let credential = provider.info().auth.credential(key).unwrap();
                let found = carried(&request, credential.placement);
                prop_assert!(found.contains(value), "{provider} {key}: sent {found:?}");
            }
            let (url, _server) = closing_server().await;
            let failed_config = config(&format!("{url}/base"));
            let failed = monitor.instance(failed_config.clone()).unwrap();
            let transport = failed.check().await.unwrap_err();
            let shown = format!(
                "{config} {config:?} {answered:?} {error} {error:?} {failed:?} {transport} {transport:?}",
                config = failed_config,
            );
            for secret in secrets.values() {
                for form in echoes(secret) {
                    prop_assert!(!shown.contains(&form), "{provider}: `{form}` shown in {shown}");
                }
            }
            Ok(())
        })?;
    }
}

#[test]
fn the_cases_cover_every_placement_the_catalog_has() {
    let mut kinds: Vec<&str> = cases()
        .iter()
        .flat_map(|(p, set)| {
            set.iter()
                .map(
                    |key| match p.info().auth.credential(key).unwrap().placement {
                        Placement::Header { prefix: "", .. } => "header",
                        Placement::Header { .. } => "header with a prefix",
                        Placement::Path { .. } => "path",
                        Placement::Query { .. } => "query",
                        Placement::BasicUser => "basic user",
                        Placement::BasicPassword => "basic password",
                        _ => "other",
                    },
                )
                .collect::<Vec<_>>()
        })
        .collect();
    kinds.sort();
    kinds.dedup();
    let every: Vec<&str> = Provider::ALL
        .iter()
        .flat_map(|p| p.info().auth.credentials.iter())
        .map(|c| match c.placement {
            Placement::Header { prefix: "", .. } => "header",
            Placement::Header { .. } => "header with a prefix",
            Placement::Path { .. } => "path",
            Placement::Query { .. } => "query",
            Placement::BasicUser => "basic user",
            Placement::BasicPassword => "basic password",
            _ => "other",
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(kinds, every);
    assert!(kinds.len() >= 3, "{kinds:?}");
}
