//! The instances the simulator serves: who they are, their credentials, the recorded
//! response each serves, and how they misbehave.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use wa_providers::{ExpectedReading, Provider, Recording};

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
    /// Its credentials, by their keys in the provider's manifest (`token`, `api_token`,
    /// `instance_token`, ...): a request must carry one of the provider's sets of them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub credentials: BTreeMap<String, String>,
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
            .field("credentials", &self.credentials.keys().collect::<Vec<_>>())
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
            credentials: BTreeMap::new(),
            response: response.into(),
            timeline: Vec::new(),
            faults: Faults::default(),
        }
    }

    /// Sets the credential `key`.
    pub fn with_credential(mut self, key: &str, value: impl Into<String>) -> Instance {
        self.credentials.insert(key.to_owned(), value.into());
        self
    }

    /// Sets every credential of the provider's first set that takes any (its first
    /// connection-string form), each to `value` followed by its key: an instance with
    /// credentials of the provider's own shape, whatever it is. (An instance may hold more
    /// than one set: a request that carries any of them is let in.)
    pub fn with_credentials_like(mut self, value: &str) -> Instance {
        let info = self.provider.info();
        if let Some(set) = info
            .credential_sets()
            .into_iter()
            .find(|set| !set.is_empty())
        {
            for key in set {
                self.credentials
                    .insert(key.to_owned(), format!("{value}-{key}"));
            }
        }
        self
    }

    /// The credential by which the vendor knows this instance, where its provider knows an
    /// instance by a credential alone.
    pub(crate) fn naming_credential(&self) -> Option<&str> {
        let key = self.provider.info().instance.named_by?;
        self.credentials.get(key).map(String::as_str)
    }

    /// The error for an instance whose naming credential the instance `other` (an id) holds.
    pub(crate) fn name_taken_by(&self, other: &str) -> String {
        let info = self.provider.info();
        let noun = info
            .instance
            .named_by
            .and_then(|key| info.auth.credential(key))
            .map_or("credential", |c| c.noun);
        format!(
            "{} instances `{other}` and `{}` hold the same {noun}, by which the vendor knows an instance",
            self.provider, self.id
        )
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
        self.credentials.values().map(String::as_str).collect()
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
        // Its credentials are the provider's, and hold at least one of its sets.
        if let Some(key) = self
            .credentials
            .keys()
            .find(|key| info.auth.credential(key).is_none())
        {
            let keys: Vec<&str> = info.auth.credentials.iter().map(|c| c.key).collect();
            return Err(format!(
                "{who}: `{key}` is not a credential of {provider} (its credentials: {})",
                keys.join(", ")
            ));
        }
        let given = |key: &&str| self.credentials.get(*key).is_some_and(|v| !v.is_empty());
        if !info
            .credential_sets()
            .iter()
            .any(|set| set.iter().all(given))
        {
            return Err(format!(
                "{who} needs {} as `credentials`",
                info.credential_sets_in_words()
            ));
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
        let mut named = std::collections::HashMap::new();
        for instance in &self.instances {
            instance.validate()?;
            if !seen.insert((instance.provider, instance.id.as_str())) {
                return Err(format!(
                    "{} instance `{}` appears twice",
                    instance.provider, instance.id
                ));
            }
            if let Some(credential) = instance.naming_credential() {
                if let Some(other) = named.insert((instance.provider, credential), &instance.id) {
                    return Err(instance.name_taken_by(other));
                }
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
                    for (key, value) in demo.credentials {
                        instance
                            .credentials
                            .insert((*key).to_owned(), (*value).to_owned());
                    }
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
    fn the_sample_fleet_is_valid_and_covers_every_provider_with_demo_instances() {
        let fleet = Fleet::sample();
        assert_eq!(fleet.validate(), Ok(()));
        for provider in Provider::ALL.iter().copied() {
            assert_eq!(
                fleet
                    .instances
                    .iter()
                    .filter(|i| i.provider == provider)
                    .count(),
                provider.info().demo.len(),
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
            credentials = {{ token = "t", client_token = "c" }}
            response = "{response}"
            timeline = [{{ after_ms = 500, response = "{response}" }}]
            faults = {{ latency_ms = 20 }}
            "#
        );
        let fleet: Fleet = toml::from_str(&text).unwrap();
        assert_eq!(
            fleet.instances,
            vec![Instance::new(provider, "1101000001", response)
                .with_credential("token", "t")
                .with_credential("client_token", "c")
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
            let info = provider.info();
            let needs = match info.credential_sets().iter().any(Vec::is_empty) {
                true => Ok(()),
                false => Err(format!(
                    "{provider} instance `1` needs {} as `credentials`",
                    info.credential_sets_in_words()
                )),
            };
            assert_eq!(missing.map(|_| ()), needs);
            let unrecorded = Instance::new(provider, "1", "no-such-response")
                .with_credentials_like("t")
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
                        .with_credentials_like("t")
                        .validate(),
                    Err(format!(
                        "{provider} instance `{long}`: its id is a number of up to {digits} digits"
                    ))
                );
            }
        }
    }

    #[test]
    fn two_instances_a_vendor_knows_by_one_credential_are_refused() {
        let mut covered = 0;
        for provider in Provider::ALL.iter().copied() {
            let Some(key) = provider.info().instance.named_by else {
                continue;
            };
            let noun = provider.info().auth.credential(key).unwrap().noun;
            let response = provider.recordings()[0].name;
            let a = Instance::new(provider, "a", response).with_credential(key, "same");
            let b = Instance::new(provider, "b", response).with_credential(key, "same");
            let fleet = Fleet {
                instances: vec![a.clone(), b.clone()],
            };
            assert_eq!(
                fleet.validate().unwrap_err(),
                format!("{provider} instances `a` and `b` hold the same {noun}, by which the vendor knows an instance")
            );
            let distinct = Fleet {
                instances: vec![a, b.with_credential(key, "other")],
            };
            assert_eq!(distinct.validate(), Ok(()));
            covered += 1;
        }
        assert!(covered > 0, "no provider knows an instance by a credential");
    }

    #[test]
    fn debug_hides_credentials() {
        let instance = Instance::new(Provider::ALL[0], "1", "x")
            .with_credential("token", "tok-1")
            .with_credential("instance_token", "inst-2");
        let debug = format!("{instance:?}");
        for secret in instance.secrets() {
            assert!(!debug.contains(secret), "{debug}");
        }
        assert_eq!(instance.secrets(), ["inst-2", "tok-1"]);
    }
}
