//! 360dialog in the common status model, as WhatsApp Cloud's health: `can_send_message`
//! `AVAILABLE` is `connected`; `LIMITED` and `BLOCKED` `restricted`, fixed in the vendor's
//! or Meta's console (`review_account`); any other value `unknown`. Details: the first
//! error of a blocked entity (`health_error`) and what limits a limited one (`health_info`,
//! its `additional_info`).

use wa_client_support::wa_model::RequiredAction;
use wa_client_support::wa_model::{ConnectionState as S, HealthEntity, Observation, Reading};

use crate::types::HealthStatusGetHealthStatusResponse as Health;

/// Reads a decoded answer into the common model.
pub(crate) fn read(body: &Health) -> Reading {
    let health = &body.health_status;
    let can_send = health.can_send_message.as_str();
    let (state, review) = match can_send {
        "AVAILABLE" => (S::Connected, false),
        "LIMITED" | "BLOCKED" => (S::Restricted, true),
        _ => (S::Unknown, false),
    };
    let entities = health.entities.iter().flatten();
    let mut observation = Observation::new(state, can_send).with_health(entities.map(|entity| {
        HealthEntity {
            entity_type: entity.entity_type.as_deref(),
            first_error: entity
                .errors
                .as_ref()
                .and_then(|errors| errors.first())
                .map(|e| (e.error_code, e.error_description.as_deref())),
            additional_info: entity.additional_info.as_deref().unwrap_or_default(),
        }
    }));
    if review {
        observation = observation.with_action(RequiredAction::ReviewAccount);
    }
    Ok(observation)
}
