//! The status call as a provider receives it: every value the check always sends (the
//! catalog's `status.sends`, which a document marks with `x-wa-status-sends`, as a health
//! call that would otherwise launch what it looks at) is in the query, once, with that value.

use percent_encoding::percent_decode_str;
use wa_providers::Provider;
use wa_tests::RecordingServer;
use wa_unified::{InstanceConfig, Monitor, MonitorOptions, Quotas, RetryPolicy};

#[tokio::test]
async fn every_value_a_check_always_sends_is_in_its_query_once() {
    let monitor = Monitor::new(MonitorOptions {
        quotas: Quotas::unlimited(),
        retry: RetryPolicy::none(),
        ..MonitorOptions::default()
    })
    .unwrap();
    let mut checked = 0;
    for provider in Provider::ALL.iter().copied() {
        let sends = provider.info().status.sends;
        if sends.is_empty() {
            continue;
        }
        let server = RecordingServer::start().await;
        let connected = provider
            .first_reading(wa_unified::ConnectionState::Connected)
            .unwrap();
        server.respond_json(connected.status, connected.body);
        let set = provider
            .info()
            .credential_sets()
            .into_iter()
            .find(|set| !set.is_empty())
            .unwrap_or_default();
        let config = set
            .into_iter()
            .fold(InstanceConfig::builder(provider), |b, key| {
                b.with_credential(key, "t0ken")
            })
            .with_base_url(server.url())
            .with_instance("1101000001")
            .build()
            .unwrap();
        let status = monitor.instance(config).unwrap().check().await.unwrap();
        assert_eq!(status.state, wa_unified::ConnectionState::Connected);
        let request = server.single_request();
        let query = request.query.unwrap_or_default();
        let decode = |t: &str| percent_decode_str(t).decode_utf8_lossy().into_owned();
        let pairs: Vec<(String, String)> = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(n, v)| (decode(n), decode(v)))
            .collect();
        for (name, value) in sends {
            let given: Vec<&str> = pairs
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                .collect();
            assert_eq!(given, [*value], "{provider}: `{name}` in `{query}`");
        }
        checked += 1;
    }
    assert!(checked > 0, "no provider's check always sends a value");
}
