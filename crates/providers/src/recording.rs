//! Recorded responses: what a provider really answers, each with where the evidence comes
//! from and the reading it must give. The simulator serves them; the behaviour suite runs
//! each one through the generated client and the mapping.

use wa_model::{ConnectionState, ErrorKind, RequiredAction};

use crate::Provider;

/// One recorded response, from `specs/<provider>/responses/<name>.toml`.
#[derive(Debug)]
#[non_exhaustive]
pub struct Recording {
    /// The provider that answers with it.
    pub provider: Provider,
    /// The file's stem (`scan-qr-code`).
    pub name: &'static str,
    /// The condition it shows, for the docs' mapping table.
    pub describe: &'static str,
    /// Where the evidence comes from: vendor docs, vendor SDK, a third-party client, a
    /// framework default, or ours.
    pub source: &'static str,
    /// Whether the body is inferred (from a framework's defaults, say) rather than seen.
    pub inferred: bool,
    /// When the simulator answers with it on its own.
    pub serves: Option<Role>,
    /// The HTTP status.
    pub status: u16,
    /// Its headers, lowercase, `content-type` first (`application/json` unless the
    /// recording says otherwise; none for an empty body).
    pub headers: &'static [(&'static str, &'static str)],
    /// The body, verbatim.
    pub body: &'static str,
    /// The reading or the error it must give.
    pub expect: Expect,
}

/// When the simulator answers with a recording on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Role {
    /// The credentials are wrong.
    Unauthenticated,
    /// The instance is unknown.
    UnknownInstance,
    /// The quota is spent.
    RateLimited,
}

/// The reading a recording must give.
#[derive(Debug)]
#[non_exhaustive]
pub enum Expect {
    /// A reading of a state.
    Reading(ExpectedReading),
    /// A failed check.
    Error(ExpectedError),
}

/// A state, with every field a status carries; absent fields must be absent.
#[derive(Debug)]
#[non_exhaustive]
pub struct ExpectedReading {
    /// The state.
    pub state: ConnectionState,
    /// The provider's raw value, verbatim.
    pub raw_state: &'static str,
    /// `None` only for `unknown`.
    pub action: Option<RequiredAction>,
    /// The phone number.
    pub phone: Option<&'static str>,
    /// The WhatsApp JID.
    pub jid: Option<&'static str>,
    /// The display (push) name.
    pub display_name: Option<&'static str>,
    /// The business name.
    pub business_name: Option<&'static str>,
    /// The profile picture's URL.
    pub profile_picture_url: Option<&'static str>,
    /// When the account connected, in the provider's text.
    pub connected_at: Option<&'static str>,
    /// Named details beside the state, as (name, value) pairs.
    pub details: &'static [(&'static str, &'static str)],
}

/// A failed check.
#[derive(Debug)]
#[non_exhaustive]
pub struct ExpectedError {
    /// The error's kind.
    pub kind: ErrorKind,
    /// The wait a 429 asks for, in seconds.
    pub retry_after: Option<u64>,
    /// The vendor's words the error must carry, exactly (when given).
    pub message: Option<&'static str>,
    /// Whether the error is temporary (the kind's own flag unless the vendor marks it).
    pub temporary: bool,
}

impl Provider {
    /// Every recorded response of this provider, by name.
    pub fn recordings(self) -> &'static [Recording] {
        crate::generated::recordings(self)
    }

    /// The recorded response named `name`.
    pub fn recording(self, name: &str) -> Option<&'static Recording> {
        self.recordings().iter().find(|r| r.name == name)
    }

    /// The provider's normalized OpenAPI document (`specs/<provider>/openapi.normalized.json`),
    /// the contract its recordings and the simulator's answers are checked against.
    pub fn normalized_document(self) -> &'static str {
        crate::generated::normalized_document(self)
    }

    /// The recording the simulator answers with for `role`.
    pub fn recording_for(self, role: Role) -> Option<&'static Recording> {
        self.recordings().iter().find(|r| r.serves == Some(role))
    }

    /// The first recording that reads `state`. Every provider has one that reads
    /// `connected` (`cargo xtask codegen` refuses a folder without): what a healthy
    /// instance answers.
    ///
    /// ```
    /// use wa_providers::{wa_model::ConnectionState, Provider};
    ///
    /// for provider in Provider::ALL {
    ///     let healthy = provider.first_reading(ConnectionState::Connected).unwrap();
    ///     assert_eq!(healthy.reading().unwrap().state, ConnectionState::Connected);
    /// }
    /// ```
    pub fn first_reading(self, state: ConnectionState) -> Option<&'static Recording> {
        self.recordings()
            .iter()
            .find(|r| r.reading().is_some_and(|reading| reading.state == state))
    }
}

impl Recording {
    /// The reading this recording must give, when it gives one.
    pub fn reading(&self) -> Option<&ExpectedReading> {
        match &self.expect {
            Expect::Reading(reading) => Some(reading),
            Expect::Error(_) => None,
        }
    }

    /// The error this recording must give, when it gives one.
    pub fn expected_error(&self) -> Option<&ExpectedError> {
        match &self.expect {
            Expect::Reading(_) => None,
            Expect::Error(error) => Some(error),
        }
    }

    /// The body with the recorded instance replaced by `instance`, as the simulator
    /// serves it: every JSON string that is the recorded instance, and every name in double
    /// quotes inside a JSON string (`The \"sales\" instance does not exist`), and every
    /// last segment of a path (`The requested resource /v2/Senders/XE... was not found`),
    /// and nothing else (a sentence that names `'default'` stays as recorded).
    pub fn body_for(&self, instance: &str) -> String {
        match self.provider.info().simulator.recorded_instance {
            Some(recorded) => {
                let quoted = |text: &str| serde_json::to_string(text).unwrap_or_default();
                // A quoted name inside a JSON string is written `\"name\"`: the quoted
                // name, quoted again, without the outer quotes.
                let nested = |text: &str| {
                    let twice = quoted(&quoted(text));
                    twice[1..twice.len() - 1].to_owned()
                };
                let body = self
                    .body
                    .replace(&nested(recorded), &nested(instance))
                    .replace(&quoted(recorded), &quoted(instance));
                // Inside a JSON string the name is written escaped.
                let escaped = quoted(instance);
                in_paths(&body, recorded, &escaped[1..escaped.len() - 1])
            }
            None => self.body.to_owned(),
        }
    }

    /// The vendor's words this recording's error must carry when it is served for
    /// `instance` ([`Recording::body_for`]): a name in double quotes is the one asked.
    pub fn message_for(&self, instance: &str) -> Option<String> {
        let words = self.expected_error()?.message?;
        Some(match self.provider.info().simulator.recorded_instance {
            Some(recorded) => {
                let quoted = |text: &str| serde_json::to_string(text).unwrap_or_default();
                in_paths(
                    &words.replace(&quoted(recorded), &quoted(instance)),
                    recorded,
                    instance,
                )
            }
            None => words.to_owned(),
        })
    }
}

/// `text` with every path segment `/recorded` that ends a path (followed by a space, a
/// quote, a `?` or the end) written `/instance`.
fn in_paths(text: &str, recorded: &str, instance: &str) -> String {
    let segment = format!("/{recorded}");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&segment) {
        let after = &rest[at + segment.len()..];
        out.push_str(&rest[..at]);
        let ends = after
            .chars()
            .next()
            .is_none_or(|c| matches!(c, ' ' | '"' | '\'' | '?' | '\\'));
        out.push('/');
        out.push_str(if ends { instance } else { recorded });
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::in_paths;

    #[test]
    fn only_a_path_segment_that_ends_a_path_is_renamed() {
        assert_eq!(
            in_paths(
                "resource /v2/Senders/XEa was not found, /v2/Senders/XEa?x \"/XEa\" /XEab /XEa/b",
                "XEa",
                "XE9"
            ),
            "resource /v2/Senders/XE9 was not found, /v2/Senders/XE9?x \"/XE9\" /XEab /XEa/b"
        );
        assert_eq!(
            in_paths("only 'default' session", "default", "x"),
            "only 'default' session"
        );
    }
}
