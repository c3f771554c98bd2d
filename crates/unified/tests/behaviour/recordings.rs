//! Every recorded response of every provider folder gives the reading its recording says:
//! the exact status (state, raw value, action, every account field, `connected_at`), or the
//! exact error kind. Each runs twice over HTTP on 127.0.0.1: served verbatim by a test
//! server, and served by the simulator. A provider adds recordings, not tests.

use serde_json::{json, Value};
use wa_providers::{Expect, ExpectedReading, Recording};
use wa_tests::RecordingServer;
use wa_unified::{
    ConnectionState, Error, InstanceConfig, InstanceStatus, Monitor, MonitorOptions, Provider,
    Quotas, RetryPolicy,
};

use crate::harness::{instance, options, Harness};

/// One check, no retries and no quotas: a 429 recording must come back as it is.
fn monitor() -> Monitor {
    Monitor::new(MonitorOptions {
        quotas: Quotas::unlimited(),
        retry: RetryPolicy::none(),
        ..options()
    })
    .unwrap()
}

/// The status a reading must be, as JSON, without its clock reading.
fn expected_status(provider: Provider, id: &str, e: &ExpectedReading) -> Value {
    json!({
        "provider": provider.name(),
        "instance": id,
        "state": e.state.name(),
        "raw_state": e.raw_state,
        "required_action": e.action.map(|a| a.name()),
        "account": {
            "phone": e.phone,
            "jid": e.jid,
            "display_name": e.display_name,
            "business_name": e.business_name,
            "profile_picture_url": e.profile_picture_url,
        },
        "connected_at": e.connected_at,
        "details": e.details.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
    })
}

/// Checks one result against its recording; returns what went wrong, if anything.
fn compare(
    recording: &Recording,
    id: &str,
    result: &Result<InstanceStatus, Error>,
) -> Result<(), String> {
    let provider = recording.provider;
    let name = format!("{provider}/{}", recording.name);
    match (&recording.expect, result) {
        (Expect::Reading(expected), Ok(status)) => {
            let mut actual = serde_json::to_value(status).unwrap();
            let object = actual.as_object_mut().unwrap();
            object.remove("observed_at");
            object.entry("details").or_insert_with(|| json!({}));
            let wanted = expected_status(provider, id, expected);
            if actual != wanted {
                return Err(format!("{name}: read\n  {actual}\nexpected\n  {wanted}"));
            }
            let logged_in = matches!(
                expected.state,
                ConnectionState::Connected
                    | ConnectionState::Restricted
                    | ConnectionState::PhoneOffline
            );
            if status.can_send() != (expected.state == ConnectionState::Connected)
                || status.is_connected() != status.can_send()
                || status.is_logged_in() != logged_in
            {
                return Err(format!(
                    "{name}: can_send/is_logged_in disagree with {}",
                    expected.state
                ));
            }
            Ok(())
        }
        (Expect::Error(expected), Err(error)) => {
            let wanted = (expected.kind, expected.temporary, Some(provider));
            let actual = (error.kind(), error.is_temporary(), error.provider());
            if actual != wanted {
                return Err(format!(
                    "{name}: {error} is {actual:?}, expected {wanted:?}"
                ));
            }
            let retry_after = error.retry_after().map(|d| d.as_secs());
            if retry_after != expected.retry_after {
                return Err(format!(
                    "{name}: waits {retry_after:?}, expected {:?}",
                    expected.retry_after
                ));
            }
            if let Some(words) = recording.message_for(id) {
                if error.vendor_message() != Some(words.as_str()) {
                    return Err(format!(
                        "{name}: `{error}` does not carry the vendor's `{words}`"
                    ));
                }
                if !error.to_string().ends_with(&format!(": {words}")) {
                    return Err(format!(
                        "{name}: `{error}` does not end with the vendor's words"
                    ));
                }
            }
            Ok(())
        }
        (_, other) => Err(format!(
            "{name}: expected {:?}, got {other:?}",
            recording.expect
        )),
    }
}

#[tokio::test]
async fn every_recording_reads_as_recorded_from_a_test_server() {
    let server = RecordingServer::start().await;
    let monitor = monitor();
    let mut failures = Vec::new();
    let mut checked = 0;
    for provider in Provider::ALL.iter().copied() {
        for recording in provider.recordings() {
            let sim = instance(provider, 1, recording.name);
            let id = sim.id.clone();
            let body = recording.body_for(&id);
            server.respond_with(recording.status, recording.headers, &body);
            // The test server answers every path: a config for any base URL on it will do.
            let mut config = InstanceConfig::builder(provider)
                .with_base_url(format!("{}/base", server.url()))
                .with_instance(&id);
            for (key, value) in &sim.credentials {
                config = config.with_credential(key, value.as_str());
            }
            let config = config.build().unwrap();
            let result = monitor.instance(config).unwrap().check().await;
            if let Err(problem) = compare(recording, &id, &result) {
                failures.push(problem);
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        checked >= Provider::ALL.len() * 3,
        "only {checked} recordings"
    );
}

#[tokio::test]
async fn every_recording_reads_as_recorded_from_the_simulator() {
    let harness = Harness::start().await;
    harness.sim.set_rate_limits(false);
    let monitor = monitor();
    let mut failures = Vec::new();
    for provider in Provider::ALL.iter().copied() {
        for recording in provider.recordings() {
            let made = harness.make(provider, recording.name);
            let result = harness.check(&monitor, made.config.clone()).await;
            if let Err(problem) = compare(recording, &made.id, &result) {
                failures.push(problem);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    harness.assert_no_secret_printed();
}

/// The docs example of the crate, for every provider: the sample fleet reads as its
/// recordings say.
#[tokio::test]
async fn the_sample_fleet_reads_as_recorded() {
    let fleet = wa_simulator::Fleet::sample();
    let sim = wa_simulator::Simulator::start(fleet.clone()).await.unwrap();
    let monitor = monitor();
    for instance in &fleet.instances {
        let config: InstanceConfig = sim.connection_string(instance).parse().unwrap();
        let result = monitor.instance(config).unwrap().check().await;
        compare(instance.recording().unwrap(), &instance.id, &result).unwrap();
    }
}
