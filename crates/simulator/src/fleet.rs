//! The instances the simulator serves: who they are, their credentials, their state, and
//! how they misbehave.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::faults::Faults;
use crate::provider::Provider;

/// A fleet: every instance the simulator serves. In TOML, a list of `[[instance]]` tables.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fleet {
    #[serde(default, rename = "instance")]
    pub instances: Vec<Instance>,
}

/// One WhatsApp instance at one provider.
///
/// `state` is the provider's raw value, verbatim: MegaAPI's `instance.status`
/// (`connected`, ...), VZaps' `data.connected` (`true` or `false`), Hypersender's `status`
/// (`WORKING`, ...), Green API's `stateInstance` (`authorized`, ...; `null` makes the body
/// JSON `null`, as while an instance is being created). Any other string is served as is,
/// to test values a provider may add later.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instance {
    pub provider: Provider,
    /// MegaAPI's instance key, VZaps' instance id, Hypersender's instance UUID, or Green
    /// API's `idInstance` (digits).
    pub id: String,
    /// MegaAPI's, Hypersender's or VZaps' bearer token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// VZaps' `X-Instance-Token`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_token: Option<String>,
    /// VZaps' `X-Client-Token`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    /// Green API's `apiTokenInstance`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_token: Option<String>,
    pub state: String,
    #[serde(default)]
    pub account: Account,
    /// VZaps only: when disconnected, answer the bare `{"connected": false}` that the
    /// vendor's description mentions instead of the documented envelope.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bare: bool,
    /// Scripted state changes, relative to when the instance was created or its timeline
    /// last set. Before the first step, `state` holds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<Step>,
    #[serde(default)]
    pub faults: Faults,
}

impl fmt::Debug for Instance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hidden = |secret: &Option<String>| secret.as_ref().map(|_| "***");
        f.debug_struct("Instance")
            .field("provider", &self.provider)
            .field("id", &self.id)
            .field("token", &hidden(&self.token))
            .field("instance_token", &hidden(&self.instance_token))
            .field("client_token", &hidden(&self.client_token))
            .field("api_token", &hidden(&self.api_token))
            .field("state", &self.state)
            .field("account", &self.account)
            .field("bare", &self.bare)
            .field("timeline", &self.timeline)
            .field("faults", &self.faults)
            .finish()
    }
}

/// The WhatsApp account linked to an instance, as far as the provider tells.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// Digits, as the providers send them (`5511999999999`). For MegaAPI, `instance.user`
    /// is present exactly when a phone is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_name: Option<String>,
    /// VZaps' `business_profile` object, served as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_profile: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_picture_url: Option<String>,
    /// Hypersender's `connected_at`, served verbatim (the vendor sends no time zone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connected_at: Option<String>,
}

/// One step of a timeline: from `after_ms` after the timeline started, the state is `state`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub after_ms: u64,
    pub state: String,
}

impl Step {
    pub fn new(after: Duration, state: impl Into<String>) -> Step {
        Step {
            after_ms: u64::try_from(after.as_millis()).unwrap_or(u64::MAX),
            state: state.into(),
        }
    }
}

impl Instance {
    /// A new instance with no credentials, account, timeline or faults.
    pub fn new(provider: Provider, id: impl Into<String>, state: impl Into<String>) -> Instance {
        Instance {
            provider,
            id: id.into(),
            token: None,
            instance_token: None,
            client_token: None,
            api_token: None,
            state: state.into(),
            account: Account::default(),
            bare: false,
            timeline: Vec::new(),
            faults: Faults::default(),
        }
    }

    /// Sets the bearer token (MegaAPI, Hypersender, VZaps).
    pub fn with_token(mut self, token: impl Into<String>) -> Instance {
        self.token = Some(token.into());
        self
    }

    /// Sets VZaps' instance and client tokens.
    pub fn with_token_pair(
        mut self,
        instance_token: impl Into<String>,
        client_token: impl Into<String>,
    ) -> Instance {
        self.instance_token = Some(instance_token.into());
        self.client_token = Some(client_token.into());
        self
    }

    /// Sets Green API's `apiTokenInstance`.
    pub fn with_api_token(mut self, api_token: impl Into<String>) -> Instance {
        self.api_token = Some(api_token.into());
        self
    }

    pub fn with_account(mut self, account: Account) -> Instance {
        self.account = account;
        self
    }

    pub fn with_timeline(mut self, timeline: Vec<Step>) -> Instance {
        self.timeline = timeline;
        self
    }

    pub fn with_faults(mut self, faults: Faults) -> Instance {
        self.faults = faults;
        self
    }

    /// VZaps only: answer the bare `{"connected": false}` when disconnected.
    pub fn with_bare_body(mut self) -> Instance {
        self.bare = true;
        self
    }

    /// Every secret the instance holds, for checks that none is ever printed.
    pub fn secrets(&self) -> Vec<&str> {
        [
            &self.token,
            &self.instance_token,
            &self.client_token,
            &self.api_token,
        ]
        .into_iter()
        .filter_map(|s| s.as_deref())
        .collect()
    }

    /// Checks that the instance can be served: the credentials its provider needs are
    /// there, and a Green API id is a number of up to 10 digits.
    pub fn validate(&self) -> Result<(), String> {
        let who = format!("{} instance `{}`", self.provider, self.id);
        if self.id.is_empty() {
            return Err(format!("a {} instance has an empty id", self.provider));
        }
        if self.id.contains('/') {
            return Err(format!("{who}: an id cannot contain `/`"));
        }
        let present = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.is_empty());
        match self.provider {
            Provider::MegaApi | Provider::Hypersender if !present(&self.token) => {
                Err(format!("{who} needs a `token`"))
            }
            Provider::Vzaps
                if !(present(&self.token)
                    || present(&self.instance_token) && present(&self.client_token)) =>
            {
                Err(format!(
                    "{who} needs a `token`, or an `instance_token` and a `client_token`"
                ))
            }
            Provider::GreenApi if !present(&self.api_token) => {
                Err(format!("{who} needs an `api_token`"))
            }
            Provider::GreenApi
                if self.id.len() > 10 || !self.id.bytes().all(|b| b.is_ascii_digit()) =>
            {
                Err(format!(
                    "{who}: a Green API id is a number of up to 10 digits"
                ))
            }
            _ => Ok(()),
        }
    }
}

impl Fleet {
    /// Reads a fleet from TOML text; errors give the line and column.
    pub fn from_toml(text: &str) -> Result<Fleet, String> {
        let fleet: Fleet = toml::from_str(text).map_err(|e| e.to_string())?;
        fleet.validate()?;
        Ok(fleet)
    }

    /// Checks every instance, and that no two share a provider and id.
    pub fn validate(&self) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        for instance in &self.instances {
            instance.validate()?;
            if !seen.insert((instance.provider, instance.id.as_str())) {
                return Err(format!(
                    "{} instance `{}` appears twice",
                    instance.provider, instance.id
                ));
            }
        }
        Ok(())
    }

    /// The fleet served when none is given: a few instances per provider in varied states,
    /// with demo credentials (printed by the binary, so that the fleet is ready to use).
    pub fn sample() -> Fleet {
        let phone = |digits: &str, name: &str| Account {
            phone: Some(digits.to_owned()),
            jid: Some(format!("{digits}@s.whatsapp.net")),
            push_name: Some(name.to_owned()),
            ..Account::default()
        };
        let mut vzaps_business = phone("551151968302", "Aprova Mesa Prop");
        vzaps_business.business_name = Some("Aprova Mesa Prop".into());
        vzaps_business.business_profile = Some(serde_json::json!({
            "business_hours_timezone": "America/Sao_Paulo",
            "categories": [{"id": "1022050661163852", "name": "Finance"}],
            "profile_options": {"cart_enabled": "true", "commerce_experience": "none"}
        }));
        vzaps_business.profile_picture_url =
            Some("https://pps.whatsapp.net/v/t61.24694-24/example.jpg".into());
        let mut hypersender_connected = phone("5511988887777", "Support Desk");
        hypersender_connected.connected_at = Some("2025-05-26T10:12:45".into());

        Fleet {
            instances: vec![
                Instance::new(Provider::MegaApi, "megastart-MDEMO0001", "connected")
                    .with_token("megaapi-demo-token")
                    .with_account(phone("5511999990001", "Loja Centro")),
                Instance::new(Provider::MegaApi, "megastart-MDEMO0002", "disconnected")
                    .with_token("megaapi-demo-token"),
                Instance::new(Provider::Vzaps, "VZDEMO0000000000000000000001", "true")
                    .with_token_pair("vzaps-demo-instance-token", "vzaps-demo-client-token")
                    .with_account(vzaps_business),
                Instance::new(Provider::Vzaps, "VZDEMO0000000000000000000002", "false")
                    .with_token_pair("vzaps-demo-instance-token", "vzaps-demo-client-token"),
                Instance::new(
                    Provider::Hypersender,
                    "fa3d01c4-1234-4c0d-a12f-df319b612f8c",
                    "WORKING",
                )
                .with_token("234|hypersender-demo-token")
                .with_account(hypersender_connected),
                Instance::new(
                    Provider::Hypersender,
                    "0b6f2a9e-5d4c-4e3b-9a8f-7c6d5e4f3a2b",
                    "SCAN_QR_CODE",
                )
                .with_token("234|hypersender-demo-token"),
                Instance::new(
                    Provider::Hypersender,
                    "7e1d3c5b-2a4f-4b6d-8e0f-1a2b3c4d5e6f",
                    "FAILED",
                )
                .with_token("234|hypersender-demo-token"),
                Instance::new(Provider::GreenApi, "1101000001", "authorized")
                    .with_api_token("greenapi-demo-token-0001"),
                Instance::new(Provider::GreenApi, "1101000002", "yellowCard")
                    .with_api_token("greenapi-demo-token-0002"),
                Instance::new(Provider::GreenApi, "1101000003", "sleepMode")
                    .with_api_token("greenapi-demo-token-0003"),
                Instance::new(Provider::GreenApi, "1101000004", "starting")
                    .with_api_token("greenapi-demo-token-0004"),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_fleet_is_valid_and_covers_every_provider() {
        let fleet = Fleet::sample();
        assert_eq!(fleet.validate(), Ok(()));
        for provider in Provider::ALL {
            assert!(
                fleet.instances.iter().any(|i| i.provider == provider),
                "{provider}"
            );
        }
    }

    #[test]
    fn a_fleet_reads_from_toml() {
        let fleet = Fleet::from_toml(
            r#"
            [[instance]]
            provider = "green-api"
            id = "1101000001"
            api_token = "t"
            state = "authorized"
            timeline = [{ after_ms = 500, state = "starting" }]
            faults = { latency_ms = 20 }

            [[instance]]
            provider = "vzaps"
            id = "VZ1"
            instance_token = "i"
            client_token = "c"
            state = "true"
            account = { phone = "5511", push_name = "Shop" }
            "#,
        )
        .unwrap();
        assert_eq!(
            fleet.instances,
            vec![
                Instance::new(Provider::GreenApi, "1101000001", "authorized")
                    .with_api_token("t")
                    .with_timeline(vec![Step {
                        after_ms: 500,
                        state: "starting".into()
                    }])
                    .with_faults(Faults {
                        latency_ms: 20,
                        fault: None
                    }),
                Instance::new(Provider::Vzaps, "VZ1", "true")
                    .with_token_pair("i", "c")
                    .with_account(Account {
                        phone: Some("5511".into()),
                        push_name: Some("Shop".into()),
                        ..Account::default()
                    }),
            ]
        );
    }

    #[test]
    fn fleet_errors_say_what_is_wrong_and_where() {
        let unknown = Fleet::from_toml(
            "[[instance]]\nprovider = \"waha\"\nid = \"x\"\nstate = \"WORKING\"\n",
        )
        .unwrap_err();
        assert!(unknown.contains("line 2, column 12"), "{unknown}");
        assert!(unknown.contains("unknown variant `waha`"), "{unknown}");
        let missing = Fleet::from_toml(
            "[[instance]]\nprovider = \"megaapi\"\nid = \"k\"\nstate = \"connected\"\n",
        )
        .unwrap_err();
        assert_eq!(missing, "megaapi instance `k` needs a `token`");
        let bad_id = Fleet::from_toml("[[instance]]\nprovider = \"green-api\"\nid = \"12345678901\"\napi_token = \"t\"\nstate = \"authorized\"\n")
            .unwrap_err();
        assert_eq!(
            bad_id,
            "green-api instance `12345678901`: a Green API id is a number of up to 10 digits"
        );
    }

    #[test]
    fn debug_hides_credentials() {
        let instance = Instance::new(Provider::Vzaps, "VZ1", "true")
            .with_token("tok-1")
            .with_token_pair("inst-2", "client-3");
        let debug = format!("{instance:?}");
        for secret in instance.secrets() {
            assert!(!debug.contains(secret), "{debug}");
        }
        assert_eq!(instance.secrets(), ["tok-1", "inst-2", "client-3"]);
    }
}
