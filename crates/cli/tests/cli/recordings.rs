//! `check` on every recorded response of every provider.

use crate::plugin::plugin_output;
use crate::support::*;

/// `wa-status check` on every recorded response of every provider, served by the
/// simulator and, verbatim, by a test server: the state, raw value, action, phone, JID and
/// display name a recording says, with the exit status of its state; or the error kind it
/// says, with exit status 3.
#[tokio::test]
async fn check_reads_every_recording_from_the_simulator_and_a_test_server() {
    let server = wa_tests::RecordingServer::start().await;
    let mut checked = 0;
    for provider in Provider::ALL.iter().copied() {
        for recording in provider.recordings() {
            let served = instance(provider, 0, recording.name);
            let sim = Simulator::start_with(
                Fleet {
                    instances: vec![served.clone()],
                },
                wa_simulator::SimulatorOptions {
                    rate_limits: false,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            server.respond_with(
                recording.status,
                recording.headers,
                &recording.body_for(&served.id),
            );
            let targets = [
                ("simulator", sim.connection_string(&served)),
                (
                    "test server",
                    wa_simulator::connection_string_at(&server.url()[7..], &served),
                ),
            ];
            for (source, target) in targets {
                let name = format!("{provider}/{} from the {source}", recording.name);
                let output = run(&["check", "--format", "json", &target], &[]).await;
                let array: Vec<Value> = serde_json::from_str(&output.stdout)
                    .unwrap_or_else(|e| panic!("{name}: {e}: {}", output.stdout));
                let object = &array[0];
                match (recording.reading(), &recording.expect) {
                    (Some(e), _) => {
                        assert_eq!(output.code, i32::from(severity(e.state)), "{name}");
                        assert_eq!(object["state"], e.state.name(), "{name}");
                        assert_eq!(object["raw_state"], e.raw_state, "{name}");
                        assert_eq!(
                            object["required_action"],
                            serde_json::json!(e.action.map(|a| a.name())),
                            "{name}"
                        );
                        assert_eq!(object["phone"], serde_json::json!(e.phone), "{name}");
                        assert_eq!(object["jid"], serde_json::json!(e.jid), "{name}");
                        assert_eq!(
                            object["display_name"],
                            serde_json::json!(e.display_name),
                            "{name}"
                        );
                        let details: BTreeMap<&str, &str> = e.details.iter().copied().collect();
                        assert_eq!(object["details"], serde_json::json!(details), "{name}");
                    }
                    (None, wa_providers::Expect::Error(e)) => {
                        assert_eq!(output.code, 3, "{name}");
                        let error = &object["error"];
                        assert_eq!(error["kind"], e.kind.name(), "{name}");
                        let words = recording.message_for(&served.id);
                        assert_eq!(error["vendor_message"], serde_json::json!(words), "{name}");
                        assert_eq!(error["temporary"], e.temporary, "{name}");
                        let message = error["message"].as_str().unwrap();
                        assert!(
                            message.starts_with(&format!("{provider}: {}: ", e.kind.name())),
                            "{name}: {message}"
                        );
                        if let Some(words) = words {
                            assert!(
                                message.ends_with(&format!(": {words}")),
                                "{name}: {message}"
                            );
                        }
                        // The table's row and the plugin's first line carry the same message.
                        let table = run(&["check", &target], &[]).await;
                        let row = table.stdout.lines().nth(1).unwrap();
                        assert!(row.ends_with(message), "{name}: {row}");
                        let plugin = run(&["check", "--plugin-output", &target], &[]).await;
                        let failed = BTreeMap::from([(served.id.clone(), message.to_owned())]);
                        let (_, expected) = plugin_output(std::slice::from_ref(&served), &failed);
                        assert_eq!(plugin.stdout, expected, "{name}");
                    }
                    (None, other) => panic!("{name}: {other:?}"),
                }
                checked += 1;
            }
        }
    }
    let recorded: usize = Provider::ALL.iter().map(|p| p.recordings().len()).sum();
    assert_eq!(checked, 2 * recorded);
}
