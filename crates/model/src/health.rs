//! Meta's messaging health (`health_status`), as the official providers answer it: each
//! entity a message involves (`PHONE_NUMBER`, `WABA`, `BUSINESS`, `APP`) says whether it can
//! send, a blocked one with `errors`, a limited one with `additional_info`. What a user acts
//! on is kept as two details: the first error of a blocked entity (`health_error`) and what
//! limits a limited one (`health_info`).

use crate::Observation;

/// One entity of a `health_status` answer, as a mapping reads it from its decoded type.
#[derive(Clone, Copy, Debug, Default)]
pub struct HealthEntity<'a> {
    /// `entity_type` (`WABA`, ...).
    pub entity_type: Option<&'a str>,
    /// Its first error's `error_code` and `error_description`, when it has errors.
    pub first_error: Option<(Option<i64>, Option<&'a str>)>,
    /// Its `additional_info`.
    pub additional_info: &'a [String],
}

impl Observation {
    /// The observation with the details of Meta's health entities: `health_error`, the
    /// first error of the first entity that has one (`WABA 141010: ...`), and
    /// `health_info`, the `additional_info` of every entity that has some, each after its
    /// type.
    ///
    /// ```
    /// use wa_model::{ConnectionState, HealthEntity, Observation};
    ///
    /// let info = ["Limited to 250 conversations.".to_owned()];
    /// let observation = Observation::new(ConnectionState::Restricted, "LIMITED").with_health([
    ///     HealthEntity { entity_type: Some("PHONE_NUMBER"), additional_info: &info, ..Default::default() },
    ///     HealthEntity { entity_type: Some("WABA"), first_error: Some((Some(141010), Some("Not verified."))), ..Default::default() },
    /// ]);
    /// assert_eq!(observation.details["health_error"], "WABA 141010: Not verified.");
    /// assert_eq!(observation.details["health_info"], "PHONE_NUMBER: Limited to 250 conversations.");
    /// ```
    pub fn with_health<'a>(
        self,
        entities: impl IntoIterator<Item = HealthEntity<'a>>,
    ) -> Observation {
        let mut error = None;
        let mut limits: Vec<String> = Vec::new();
        for entity in entities {
            let kind = entity.entity_type.unwrap_or("?");
            if let (None, Some((code, description))) = (&error, entity.first_error) {
                let code = code.map_or_else(|| "?".to_owned(), |c| c.to_string());
                error = Some(format!("{kind} {code}: {}", description.unwrap_or("")));
            }
            let texts: Vec<&str> = entity
                .additional_info
                .iter()
                .map(|t| t.trim())
                .filter(|t| !t.is_empty())
                .collect();
            if !texts.is_empty() {
                limits.push(format!("{kind}: {}", texts.join(" ")));
            }
        }
        self.with_detail("health_error", error)
            .with_detail("health_info", Some(limits.join("; ")))
    }
}
