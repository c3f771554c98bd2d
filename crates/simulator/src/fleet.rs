//! The instances the simulator serves: who they are, their credentials, the recorded
//! response each serves, and how they misbehave.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use wa_providers::{AuthStyle, ExpectedReading, Provider, Recording};

use crate::faults::Faults;

/// A fleet: every instance the simulator serves. In TOML, a list of `[[instance]]` tables.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fleet {
    #[serde(default, rename = "instance")]
    /// The instances, in order.
    pub instances: Vec<Instance>,
}

/// One WhatsApp instance at one provider.
///
/// `response` names one of the provider's recorded responses (a file of
/// `specs/<provider>/responses/`, without `.toml`); the simulator serves it, with the
/// instance's own id in place of the recorded one. Any recording may be served, error
/// answers included.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instance {
    /// The provider it answers as.
    pub provider: Provider,
    /// The instance as the provider names it (some providers take digits only).
    pub id: String,
    /// The single credential: a bearer token, an API key, or the token in the path.
    #[serde(
        default,
        alias = "api_token",
        alias = "api_key",
        skip_serializing_if = "Option::is_none"
    )]
    pub token: Option<String>,
    /// The two credentials of a provider that takes a header pair.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_pair: Option<[String; 2]>,
    /// The name of the recorded response it serves (see the provider's `responses/`).
    pub response: String,
    /// Scripted changes of response, relative to when the instance was created or its
    /// timeline last set. Before the first step, `response` holds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<Step>,
    #[serde(default)]
    /// How it misbehaves, if at all.
    pub faults: Faults,
}

impl fmt::Debug for Instance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Instance")
            .field("provider", &self.provider)
            .field("id", &self.id)
            .field("token", &self.token.as_ref().map(|_| "***"))
            .field("token_pair", &self.token_pair.as_ref().map(|_| "***"))
            .field("response", &self.response)
            .field("timeline", &self.timeline)
            .field("faults", &self.faults)
            .finish()
    }
}

/// One step of a timeline: from `after_ms` after the timeline started, the instance serves
/// `response`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// When the step applies, in milliseconds from the simulator's start.
    pub after_ms: u64,
    /// The recorded response it serves from then on.
    pub response: String,
}

impl Step {
    /// A step to `response` after `after`.
    pub fn new(after: Duration, response: impl Into<String>) -> Step {
        Step {
            after_ms: u64::try_from(after.as_millis()).unwrap_or(u64::MAX),
            response: response.into(),
        }
    }
}

impl Instance {
    /// A new instance serving the recorded response `response`, with no credentials,
    /// timeline or faults.
    pub fn new(provider: Provider, id: impl Into<String>, response: impl Into<String>) -> Instance {
        Instance {
            provider,
            id: id.into(),
            token: None,
            token_pair: None,
            response: response.into(),
            timeline: Vec::new(),
            faults: Faults::default(),
        }
    }

    /// Sets the single credential.
    pub fn with_token(mut self, token: impl Into<String>) -> Instance {
        self.token = Some(token.into());
        self
    }

    /// Sets the header pair's two credentials.
    pub fn with_token_pair(
        mut self,
        first: impl Into<String>,
        second: impl Into<String>,
    ) -> Instance {
        self.token_pair = Some([first.into(), second.into()]);
        self
    }

    /// The instance with a scripted timeline of responses.
    pub fn with_timeline(mut self, timeline: Vec<Step>) -> Instance {
        self.timeline = timeline;
        self
    }

    /// The instance with faults.
    pub fn with_faults(mut self, faults: Faults) -> Instance {
        self.faults = faults;
        self
    }

    /// Every secret the instance holds, for checks that none is ever printed.
    pub fn secrets(&self) -> Vec<&str> {
        self.token
            .iter()
            .chain(self.token_pair.iter().flatten())
            .map(String::as_str)
            .collect()
    }

    /// The recorded response the instance serves before any timeline step.
    pub fn recording(&self) -> Option<&'static Recording> {
        self.provider.recording(&self.response)
    }

    /// The reading a check of the instance must give, before any timeline step and
    /// fault; `None` when its response is an error.
    pub fn expected_reading(&self) -> Option<&'static ExpectedReading> {
        self.recording().and_then(Recording::reading)
    }

    /// Checks that the instance can be served: its responses are recorded, the credentials
    /// its provider's auth style needs are there, and its id has the provider's format.
    pub fn validate(&self) -> Result<(), String> {
        let provider = self.provider;
        let info = provider.info();
        let who = format!("{provider} instance `{}`", self.id);
        if self.id.is_empty() {
            return Err(format!("a {provider} instance has an empty id"));
        }
        if self.id.contains('/') {
            return Err(format!("{who}: an id cannot contain `/`"));
        }
        let timeline = self.timeline.iter().map(|step| step.response.as_str());
        check_responses(
            provider,
            &self.id,
            std::iter::once(self.response.as_str()).chain(timeline),
        )?;
        let present = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.is_empty());
        let has_pair = self
            .token_pair
            .as_ref()
            .is_some_and(|[a, b]| !a.is_empty() && !b.is_empty());
        match info.auth.style {
            AuthStyle::BearerOrHeaderPair { .. } if !present(&self.token) && !has_pair => {
                return Err(format!("{who} needs a `token`, or a `token_pair`"))
            }
            AuthStyle::BearerOrHeaderPair { .. } => {}
            style if style.credentials_optional() => {}
            _ if !present(&self.token) => return Err(format!("{who} needs a `token`")),
            _ => {}
        }
        if let Some(digits) = info.instance.digits {
            if self.id.len() > usize::from(digits) || !self.id.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "{who}: its id is a number of up to {digits} digits"
                ));
            }
        }
        Ok(())
    }
}

/// Checks that every one of `responses` is a recorded response of `provider`.
pub(crate) fn check_responses<'a>(
    provider: Provider,
    id: &str,
    responses: impl IntoIterator<Item = &'a str>,
) -> Result<(), String> {
    for response in responses {
        if provider.recording(response).is_none() {
            let names: Vec<&str> = provider.recordings().iter().map(|r| r.name).collect();
            return Err(format!(
                "{provider} instance `{id}`: `{response}` is not a recorded response of {provider} (one of {})",
                names.join(", ")
            ));
        }
    }
    Ok(())
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

    /// The fleet served when none is given: every provider's demo instances (from its
    /// `provider.toml`), with demo credentials (printed by the binary, so that the fleet is
    /// ready to use).
    pub fn sample() -> Fleet {
        let instances = Provider::ALL
            .iter()
            .flat_map(|provider| {
                provider.info().demo.iter().map(move |demo| {
                    let mut instance = Instance::new(*provider, demo.instance, demo.response);
                    instance.token = demo.token.map(str::to_owned);
                    instance.token_pair = demo.token_pair.map(|pair| pair.map(str::to_owned));
                    instance
                })
            })
            .collect();
        Fleet { instances }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_fleet_is_valid_and_covers_every_provider() {
        let fleet = Fleet::sample();
        assert_eq!(fleet.validate(), Ok(()));
        for provider in Provider::ALL.iter().copied() {
            assert!(
                fleet.instances.iter().any(|i| i.provider == provider),
                "{provider}"
            );
        }
    }

    #[test]
    fn a_fleet_reads_from_toml() {
        let provider = Provider::ALL[0];
        let response = provider.recordings()[0].name;
        let text = format!(
            r#"
            [[instance]]
            provider = "{provider}"
            id = "1101000001"
            token = "t"
            token_pair = ["i", "c"]
            response = "{response}"
            timeline = [{{ after_ms = 500, response = "{response}" }}]
            faults = {{ latency_ms = 20 }}
            "#
        );
        let fleet: Fleet = toml::from_str(&text).unwrap();
        assert_eq!(
            fleet.instances,
            vec![Instance::new(provider, "1101000001", response)
                .with_token("t")
                .with_token_pair("i", "c")
                .with_timeline(vec![Step {
                    after_ms: 500,
                    response: response.into()
                }])
                .with_faults(Faults {
                    latency_ms: 20,
                    fault: None
                })]
        );
    }

    #[test]
    fn fleet_errors_say_what_is_wrong_and_where() {
        let unknown = Fleet::from_toml(
            "[[instance]]\nprovider = \"no-such-gateway\"\nid = \"x\"\nresponse = \"r\"\n",
        )
        .unwrap_err();
        assert!(unknown.contains("line 2, column 12"), "{unknown}");
        assert!(
            unknown.contains("unknown variant `no-such-gateway`"),
            "{unknown}"
        );
        for provider in Provider::ALL.iter().copied() {
            let response = provider.recordings()[0].name;
            let missing = Fleet::from_toml(&format!(
                "[[instance]]\nprovider = \"{provider}\"\nid = \"1\"\nresponse = \"{response}\"\n"
            ));
            let needs = match provider.info().auth.style {
                AuthStyle::BearerOrHeaderPair { .. } => Err(format!(
                    "{provider} instance `1` needs a `token`, or a `token_pair`"
                )),
                style if style.credentials_optional() => Ok(()),
                _ => Err(format!("{provider} instance `1` needs a `token`")),
            };
            assert_eq!(missing.map(|_| ()), needs);
            let unrecorded = Instance::new(provider, "1", "no-such-response")
                .with_token("t")
                .validate()
                .unwrap_err();
            assert!(
                unrecorded.starts_with(&format!("{provider} instance `1`: `no-such-response` is not a recorded response of {provider} (one of ")),
                "{unrecorded}"
            );
            if let Some(digits) = provider.info().instance.digits {
                let long = "1".repeat(usize::from(digits) + 1);
                assert_eq!(
                    Instance::new(provider, &long, response)
                        .with_token("t")
                        .validate(),
                    Err(format!(
                        "{provider} instance `{long}`: its id is a number of up to {digits} digits"
                    ))
                );
            }
        }
    }

    #[test]
    fn debug_hides_credentials() {
        let instance = Instance::new(Provider::ALL[0], "1", "x")
            .with_token("tok-1")
            .with_token_pair("inst-2", "client-3");
        let debug = format!("{instance:?}");
        for secret in instance.secrets() {
            assert!(!debug.contains(secret), "{debug}");
        }
        assert_eq!(instance.secrets(), ["tok-1", "inst-2", "client-3"]);
    }
}
