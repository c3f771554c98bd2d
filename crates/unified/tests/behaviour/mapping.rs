//! Every row of the status model's mapping table, for every provider, plus unknown values.

use std::collections::BTreeMap;

use serde_json::Value;
use wa_simulator::{Provider as SimProvider, GREEN_API_NULL_STATE};
use wa_unified::{ConnectionState as S, Monitor, Provider, RequiredAction};

use crate::harness::{account, options, snapshot_value, Harness};

/// (scenario, raw state served, with an account, VZaps bare body, expected state)
type Row = (&'static str, &'static str, bool, bool, S);

fn rows(provider: SimProvider) -> Vec<Row> {
    match provider {
        SimProvider::MegaApi => vec![
            ("connected", "connected", true, false, S::Connected),
            ("no_user", "disconnected", false, false, S::Disconnected),
            (
                "no_user_any_status",
                "connected",
                false,
                false,
                S::Disconnected,
            ),
            ("user_other_status", "qrcode", true, false, S::Unknown),
        ],
        SimProvider::Vzaps => vec![
            ("connected", "true", true, false, S::Connected),
            ("disconnected", "false", false, false, S::Disconnected),
            ("disconnected_bare", "false", false, true, S::Disconnected),
        ],
        SimProvider::Hypersender => vec![
            ("working", "WORKING", true, false, S::Connected),
            ("starting", "STARTING", false, false, S::Starting),
            (
                "scan_qr_code",
                "SCAN_QR_CODE",
                false,
                false,
                S::AwaitingPairing,
            ),
            ("stopped", "STOPPED", false, false, S::Stopped),
            ("failed", "FAILED", false, false, S::Failed),
            ("pending", "PENDING", false, false, S::Provisioning),
            ("unknown_value", "HIBERNATING", false, false, S::Unknown),
        ],
        SimProvider::GreenApi => vec![
            ("authorized", "authorized", false, false, S::Connected),
            (
                "not_authorized",
                "notAuthorized",
                false,
                false,
                S::AwaitingPairing,
            ),
            ("starting", "starting", false, false, S::Starting),
            ("sleep_mode", "sleepMode", false, false, S::PhoneOffline),
            ("yellow_card", "yellowCard", false, false, S::Restricted),
            ("blocked", "blocked", false, false, S::Banned),
            (
                "null_body",
                GREEN_API_NULL_STATE,
                false,
                false,
                S::Provisioning,
            ),
            ("unknown_value", "pendingCode", false, false, S::Unknown),
        ],
    }
}

async fn run(provider: SimProvider) -> BTreeMap<String, Value> {
    let harness = Harness::start().await;
    let monitor = Monitor::new(options()).unwrap();
    let mut snapshot = BTreeMap::new();
    for (scenario, raw, with_account, bare, expected) in rows(provider) {
        let made = harness.make(provider, raw, with_account.then(account), bare);
        let status = harness
            .check(&monitor, made.config.clone())
            .await
            .unwrap_or_else(|e| panic!("{provider} {scenario}: {e}"));
        assert_eq!(status.state, expected, "{provider} {scenario}");
        assert_eq!(status.raw_state, raw, "{provider} {scenario}");
        assert_eq!(status.instance, made.id);
        assert_eq!(status.provider.name(), provider.name());
        assert_eq!(status.required_action, expected.required_action());
        snapshot.insert(scenario.to_owned(), snapshot_value(&Ok(status)));
    }
    harness.assert_no_secret_printed();
    snapshot
}

#[tokio::test]
async fn megaapi_mapping() {
    let snapshot = run(SimProvider::MegaApi).await;
    insta::assert_json_snapshot!("megaapi_mapping", snapshot);
}

#[tokio::test]
async fn vzaps_mapping() {
    let snapshot = run(SimProvider::Vzaps).await;
    insta::assert_json_snapshot!("vzaps_mapping", snapshot);
}

#[tokio::test]
async fn hypersender_mapping() {
    let snapshot = run(SimProvider::Hypersender).await;
    insta::assert_json_snapshot!("hypersender_mapping", snapshot);
}

#[tokio::test]
async fn green_api_mapping() {
    let snapshot = run(SimProvider::GreenApi).await;
    insta::assert_json_snapshot!("green_api_mapping", snapshot);
}

#[tokio::test]
async fn account_fields_are_normalized() {
    let harness = Harness::start().await;
    let monitor = Monitor::new(options()).unwrap();

    let vzaps = harness.make(SimProvider::Vzaps, "true", Some(account()), false);
    let status = harness.check(&monitor, vzaps.config).await.unwrap();
    assert_eq!(status.account.phone.as_deref(), Some("+5511999990001"));
    // The simulator serves the JID with a device suffix; the model drops it.
    assert_eq!(
        status.account.jid.as_deref(),
        Some("5511999990001@s.whatsapp.net")
    );
    assert_eq!(status.account.display_name.as_deref(), Some("Loja Centro"));
    assert_eq!(
        status.account.business_name.as_deref(),
        Some("Loja Centro Ltda")
    );
    assert_eq!(
        status.account.profile_picture_url.as_deref(),
        Some("https://pps.whatsapp.net/v/t61/p.jpg")
    );
    assert!(status.can_send() && status.is_connected() && status.is_logged_in());

    let megaapi = harness.make(SimProvider::MegaApi, "connected", Some(account()), false);
    let status = harness.check(&monitor, megaapi.config).await.unwrap();
    assert_eq!(status.account.phone.as_deref(), Some("+5511999990001"));

    let hypersender = harness.make(SimProvider::Hypersender, "WORKING", Some(account()), false);
    let status = harness.check(&monitor, hypersender.config).await.unwrap();
    assert_eq!(status.connected_at.as_deref(), Some("2025-05-26T10:12:45"));
    assert_eq!(status.provider, Provider::Hypersender);

    let green = harness.make(SimProvider::GreenApi, "sleepMode", None, false);
    let status = harness.check(&monitor, green.config).await.unwrap();
    assert!(!status.can_send() && status.is_logged_in());
    assert_eq!(status.required_action, Some(RequiredAction::CheckPhone));
    harness.assert_no_secret_printed();
}
